/**
 * The Temporal Web UI as an operator sees it, in headless Chromium (Debian's `chromium`, which
 * .ci/run installs): a finished verification's page shows its status and decision (a provider's
 * story whose callbacks end it with a decision, the first registered one that has such), and with
 * payload encryption on, the codec endpoint lets the UI show a payload in clear.
 * Screenshots go to test-artifacts/ (kept by CI, ignored by git).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { KycClient } from '../../src/client';
import { createCodecServer } from '../../src/codec-server';
import { listen } from '../../src/http/listen';
import { providerVariable } from '../../src/providers/settings';
import { sendCallbacks } from '../../src/testing/callback-sender';
import { startSimulators, type RunningSimulators } from '../../src/testing/simulators';
import { resolveTemporalCli } from '../../src/temporal/binaries';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { KYC_SEARCH_ATTRIBUTES, kycWorkflowId } from '../../src/contracts';
import { freePort } from '../support/ports';
import { pickProvider, type Picked } from '../support/providers';
import { quietRuntime, startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

const artifacts = join(__dirname, '..', '..', 'test-artifacts');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian's chromium; missing is a failure with the fix, never a skip. */
function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: run `apt-get install -y chromium` (.ci/run does this)');
  }
}

describe('Temporal Web UI', () => {
  const key = randomBytes(32);
  let env: TestWorkflowEnvironment;
  let chosen: Picked;
  let sims: RunningSimulators;
  let codec: Awaited<ReturnType<typeof listen>>;
  let plain: Stack;
  let encrypted: Stack;
  let browser: Browser;
  let uiUrl: string;
  let decrypted = 0;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    quietRuntime();
    const uiPort = await freePort();
    const uiOrigins = [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
    // Counts what the endpoint decrypts, so the test knows the UI's clear text came through it.
    const ring = new EncryptionCodec(key);
    const counting: PayloadCodec = {
      encode: (payloads) => ring.encode(payloads),
      decode: async (payloads) => {
        decrypted += payloads.filter(
          (p) => Buffer.from(p.metadata?.encoding ?? '').toString() === 'binary/encrypted',
        ).length;
        return ring.decode(payloads);
      },
    };
    const app = createCodecServer({ codec: counting, keyIds: ring.keyIds, auth: {}, corsOrigins: uiOrigins });
    codec = await listen(app, 0, '127.0.0.1');
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: resolveTemporalCli() },
        ip: '127.0.0.1',
        ui: true,
        uiPort,
        log: { format: 'pretty', level: 'error' },
        searchAttributes: KYC_SEARCH_ATTRIBUTES,
        extraArgs: ['--ui-codec-endpoint', `http://127.0.0.1:${codec.port}`, '--ui-disable-news-fetch'],
      },
    });
    uiUrl = uiOrigins[0]!;
    chosen = await pickProvider(
      (story) => story.callbacksDecide && story.truth.decision !== undefined,
      'a story whose callbacks end it with a decision',
    );
    sims = await startSimulators([chosen.provider]);
    // No fallback polling: the callbacks end the verification.
    const variables = { ...sims.environment, [providerVariable(chosen.provider, 'CALLBACK_GRACE')]: '1h' };
    [plain, encrypted] = await Promise.all([
      startStack(env, variables),
      startStack(env, { ...variables, KYC_PAYLOAD_KEY: key.toString('base64') }),
    ]);
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([plain?.stop(), encrypted?.stop()]);
    await codec?.close();
    await sims?.close();
    await env?.teardown();
  });

  /** The chosen story's verdict. */
  const truth = () => chosen.kit.stories[chosen.story]!.truth;

  /** A verification of the chosen story taken to its verdict through the ingress and the simulator. */
  async function finishedVerification(stack: Stack, customerReference: string): Promise<string> {
    const played = chosen.kit.stories[chosen.story]!.play(sims.of(chosen.provider).sim);
    const kyc = new KycClient(stack.client, stack.config);
    await kyc.startVerification({ ...played.start, customerReference });
    const sent = await sendCallbacks(
      `${stack.ingressUrl}/webhooks/${chosen.provider}`,
      played.callbacks.map(({ delivery }) => delivery),
    );
    expect(sent.map(({ status }) => status)).toEqual(played.callbacks.map(() => 200));
    const { reference } = played.start;
    expect(await kyc.waitForVerification(chosen.provider, reference, { timeoutMs: 60_000 })).toMatchObject(truth());
    return reference;
  }

  async function openVerification(reference: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
    const workflowId = encodeURIComponent(kycWorkflowId(chosen.provider, reference));
    await page.goto(`${uiUrl}/namespaces/default/workflows/${workflowId}`, { waitUntil: 'domcontentloaded' });
    return page;
  }

  /** Waits until the page's visible text holds every one of `texts`. */
  async function pageShows(page: Page, texts: string[], name: string): Promise<void> {
    try {
      await page.waitForFunction(
        (wanted: string[]) => {
          const { document } = globalThis as unknown as { document: { body: { innerText: string } } };
          return wanted.every((text) => document.body.innerText.includes(text));
        },
        texts,
        { timeout: 60_000, polling: 500 },
      );
    } catch (err) {
      // What the operator would have seen instead, for the failure report.
      await page.screenshot({ path: join(artifacts, `${name}-failed.png`), fullPage: true });
      const shown = await page.evaluate('document.body.innerText');
      throw new Error(`the page did not show ${JSON.stringify(texts)}; it showed:\n${String(shown)}`, { cause: err });
    }
  }

  it("shows a finished verification's status and decision", async () => {
    const reference = await finishedVerification(plain, 'customer-ui-plain');
    const page = await openVerification(reference);
    try {
      // The workflow's result, as the page opens: the final state.
      const { status, decision } = truth();
      await pageShows(page, [`"reference": "${reference}"`, `"status": "${status}"`], 'web-ui-finished-verification');
      // The status and decision the workflow mirrors into search attributes (src/workflows/visibility.ts).
      await page.getByText('Search Attributes', { exact: true }).first().click();
      await pageShows(page, ['KycStatus', status, 'KycDecision', decision!], 'web-ui-finished-verification');
      await page.screenshot({ path: join(artifacts, 'web-ui-finished-verification.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('shows an encrypted payload decoded through the codec endpoint', async () => {
    const reference = await finishedVerification(encrypted, 'customer-ui-encrypted');
    const page = await openVerification(reference);
    try {
      // The server holds only ciphertext: this JSON is the browser's, decoded by the codec endpoint.
      await pageShows(page, [`"reference": "${reference}"`, `"status": "${truth().status}"`], 'web-ui-decoded-payload');
      await page.screenshot({ path: join(artifacts, 'web-ui-decoded-payload.png'), fullPage: true });
      expect(decrypted).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });
});
