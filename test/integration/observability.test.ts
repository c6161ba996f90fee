/**
 * The compiled stack as it runs (`dist/start.js` against a real dev server) seen from outside:
 * METRICS_PORT serves the worker runtime's and the ingress's metrics and the worker's health, the
 * public port does not; every log line (ours, the SDK's, the workflow's) is JSON from one logger,
 * and none carries the personal data that callbacks bring in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client } from '@temporalio/client';
import { KycClient } from '../../src/client';
import { loadConfig } from '../../src/app-config';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/testing/simulator';
import {
  socureCallbackHeaders,
  socureCallbacks,
  startSocureSimulator,
  type SocureSimulator,
} from '../../src/providers/socure/testing/simulator';
import { postJson } from '../../src/testing/callback-sender';
import { freePort } from '../support/ports';
import { eventually, startTemporal } from '../support/stack';
import { DEV_DEFAULTS } from '../support/dev-defaults';

const entry = join(__dirname, '../../dist/start.js');

describe('metrics, health and logs of the running stack', () => {
  let env: TestWorkflowEnvironment;
  let jumio: JumioSimulator;
  let socure: SocureSimulator;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';
  let port: number;
  let metricsPort: number;
  const taskQueue = `obs-${randomUUID()}`;

  beforeAll(async () => {
    env = await startTemporal();
    [jumio, socure] = await Promise.all([startJumioSimulator(), startSocureSimulator()]);
    [port, metricsPort] = [await freePort(), await freePort()];
    child = spawn(process.execPath, [entry], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'debug',
        // As `npm start` runs it.
        ...DEV_DEFAULTS,
        KYC_PROVIDERS: 'jumio,socure',
        JUMIO_API_BASE_URL: jumio.url,
        JUMIO_AUTH_URL: jumio.authUrl,
        JUMIO_CLIENT_ID: jumio.clientId,
        JUMIO_CLIENT_SECRET: jumio.clientSecret,
        JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
        SOCURE_API_BASE_URL: socure.url,
        SOCURE_API_KEY: socure.apiKey,
        SOCURE_WEBHOOK_AUTH: `bearer:${socure.webhookSecret}`,
      },
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await eventually(async () => (output.includes('metrics: http') ? true : undefined), 90_000, 'the stack to start');
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await exited;
    }
    await Promise.all([jumio?.close(), socure?.close()]);
    await env?.teardown();
  });

  it('runs verifications whose callbacks carry personal data, serves metrics and health, and logs none of that data', async () => {
    const kyc = new KycClient(
      new Client({ connection: env.connection }),
      loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: 'jumio,socure', TEMPORAL_TASK_QUEUE: taskQueue }),
    );
    // Values unique to this run, so finding one anywhere in the output can only mean it leaked.
    const tag = randomUUID().slice(0, 8);
    const personal = {
      firstName: `Firstname${tag}`,
      surName: `Surname${tag}`,
      dob: '1971-02-13',
      documentNumber: `DOC${tag}`,
      customerUserId: `app-user-${tag}`,
      userReference: `jumio-user-${tag}`,
    };

    const jumioId = randomUUID();
    jumio.script(jumioId, { accountId: randomUUID(), status: 'PROCESSED', decision: { type: 'PASSED' } });
    const jumioCallback = {
      ...(jumio.callback(jumioId, 'PROCESSED') as object),
      userReference: personal.userReference,
    };
    expect(await postJson(`http://127.0.0.1:${port}/webhooks/jumio`, jumioCallback)).toEqual({
      status: 200,
      body: { accepted: 1 },
    });

    const socureToken = randomUUID();
    const legacy = socureCallbacks.legacy(socureToken, 'VERIFICATION_COMPLETED', { decision: 'accept' }) as {
      event: { customerUserId: string; data: { documentVerification: { documentData: Record<string, string> } } };
    };
    legacy.event.customerUserId = personal.customerUserId;
    legacy.event.data.documentVerification.documentData = {
      firstName: personal.firstName,
      surName: personal.surName,
      dob: personal.dob,
      documentNumber: personal.documentNumber,
    };
    expect(
      await postJson(
        `http://127.0.0.1:${port}/webhooks/socure`,
        legacy,
        socureCallbackHeaders(socure.webhookSecret, 'bearer'),
      ),
    ).toEqual({ status: 200, body: { accepted: 1 } });

    expect(await kyc.waitForVerification('jumio', jumioId, { timeoutMs: 60_000 })).toMatchObject({
      status: 'COMPLETED',
      decision: 'APPROVED',
    });
    expect(await kyc.waitForVerification('socure', socureToken, { timeoutMs: 60_000 })).toMatchObject({
      status: 'COMPLETED',
      decision: 'APPROVED',
    });

    // Metrics: on METRICS_PORT, the ingress's and the worker runtime's; not on the public port.
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    const scraped = await eventually(
      async () => {
        const text = await (await fetch(`${metricsUrl}/metrics`)).text();
        return /^temporal_workflow_completed\{/m.test(text) ? text : undefined;
      },
      30_000,
      'worker runtime metrics',
    );
    expect(scraped).toMatch(/^kyc_callbacks_total\{provider="jumio",code="200"\} 1$/m);
    expect(scraped).toMatch(/^kyc_callbacks_total\{provider="socure",code="200"\} 1$/m);
    expect(scraped).toMatch(/^kyc_handover_seconds_count\{provider="socure",result="accepted"\} 1$/m);
    expect(scraped).toContain('process_resident_memory_bytes');
    expect(scraped).toMatch(new RegExp(`^temporal_workflow_completed\\{.*task_queue="${taskQueue}"`, 'm'));
    expect(scraped).toMatch(/^temporal_activity_execution_latency/m);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${metricsUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${metricsUrl}/readyz`)).json()).toEqual({ status: 'ready' });

    child.kill('SIGINT');
    expect(await exited).toBe(0);

    // Logs: JSON lines on stderr from ingress, SDK and workflow alike (plus the few human lines on stdout).
    const lines = output.split('\n').filter((line) => line.startsWith('{'));
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.some((r) => r.component === 'ingress' && r.message === 'callback handed over')).toBe(true);
    expect(records.some((r) => r.component === 'temporal' && r.sdkComponent === 'worker')).toBe(true);
    expect(records.some((r) => r.component === 'temporal' && r.workflowId === `kyc:socure:${socureToken}`)).toBe(true);
    // The workflow bundle was built at build time: the worker did not run webpack.
    expect(output).not.toContain('Workflow bundle created');
    for (const value of Object.values(personal)) expect(output).not.toContain(value);
  });
});
