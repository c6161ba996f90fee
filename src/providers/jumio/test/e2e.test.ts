/**
 * Jumio end to end: the real Temporal dev server, our worker and ingress, and the Jumio
 * simulator on loopback. Callbacks go through HTTP exactly as Jumio would send them.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../../client';
import { createIngressApp } from '../../../ingress/app';
import { listen } from '../../../http/listen';
import { silentLogger } from '../../../logger';
import {
  startJumioSimulator,
  type JumioExecutionScript,
  type JumioSimulator,
} from '../../../providers/jumio/testing/simulator';
import { postJson, sendCallbacks } from '../../../testing/callback-sender';
import type { VerificationState } from '../../../verification/model';
import { kycWorkflowId } from '../../../contracts';
import { jumioTestEnv } from './jumio-env';
import {
  eventually,
  runWorker,
  startStack,
  startTemporal,
  testConfig,
  type Stack,
} from '../../../../test/support/stack';

let env: TestWorkflowEnvironment;
let sim: JumioSimulator;
/** Fallback polling starts 2 s after the last callback. */
let polling: Stack;
/** Polling only after an hour: every outcome here comes from callbacks (and announced-result retrieval). */
let callbacksOnly: Stack;

function jumioEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return jumioTestEnv(sim, {
    JUMIO_CALLBACK_GRACE: '2s',
    JUMIO_POLL_SCHEDULE: '1,1,1,1,1',
    JUMIO_EXPIRES_AFTER: '1h',
    KYC_PROVIDER_RETRY_INITIAL: '200ms',
    KYC_PROVIDER_RETRY_MAX: '1s',
    ...overrides,
  });
}

beforeAll(async () => {
  env = await startTemporal();
  sim = await startJumioSimulator();
  polling = await startStack(env, jumioEnv());
  callbacksOnly = await startStack(env, jumioEnv({ JUMIO_CALLBACK_GRACE: '1h' }));
});

afterAll(async () => {
  await polling?.stop();
  await callbacksOnly?.stop();
  await sim?.close();
  await env?.teardown();
});

/** A new execution on the simulator with a fresh ID, as Jumio would create on account creation. */
function newExecution(script: Omit<JumioExecutionScript, 'accountId'>): { id: string; accountId: string } {
  const id = randomUUID();
  const accountId = randomUUID();
  sim.script(id, { accountId, ...script });
  return { id, accountId };
}

function webhook(stack: Stack): string {
  return `${stack.ingressUrl}/webhooks/jumio`;
}

async function finalState(stack: Stack, id: string): Promise<VerificationState> {
  return new KycClient(stack.client, stack.config).waitForVerification('jumio', id, { timeoutMs: 40_000 });
}

describe('happy path', () => {
  it('walks INITIATED → ACQUIRED → PROCESSED to COMPLETED/APPROVED, with timeline and search attributes', async () => {
    const { id, accountId } = newExecution({ status: 'PROCESSED', decision: { type: 'PASSED' } });
    const kyc = new KycClient(callbacksOnly.client, callbacksOnly.config);
    await kyc.startVerification({
      provider: 'jumio',
      reference: id,
      context: { accountId },
      customerReference: 'cust-42',
    });

    const t0 = Date.now();
    const results = await sendCallbacks(webhook(callbacksOnly), [
      { body: sim.callback(id, 'INITIATED', new Date(t0)) },
      { body: sim.callback(id, 'ACQUIRED', new Date(t0 + 1000)) },
      { body: sim.callback(id, 'PROCESSED', new Date(t0 + 2000)) },
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results[0]!.body).toEqual({ accepted: 1 });

    const state = await finalState(callbacksOnly, id);
    expect(state).toMatchObject({
      provider: 'jumio',
      reference: id,
      status: 'COMPLETED',
      decision: 'APPROVED',
      providerStatus: 'PROCESSED/PASSED',
      customerReference: 'cust-42',
      registeredByApp: true,
    });
    expect(state.expiresAt).toBeDefined();
    expect(state.timeline.map((e) => [e.source, e.providerStatus, e.outcome, e.status])).toEqual([
      ['callback', 'INITIATED', 'applied', 'PENDING'],
      ['callback', 'ACQUIRED', 'applied', 'SUBMITTED'],
      ['callback', 'PROCESSED', 'applied', 'SUBMITTED'],
      ['poll', 'PROCESSED/PASSED', 'applied', 'COMPLETED'],
    ]);

    const description = await callbacksOnly.client.workflow.getHandle(kycWorkflowId('jumio', id)).describe();
    // Three callbacks, one retrieval, one verdict: the history stays small (search attributes are
    // written only when the status changes).
    expect(description.historyLength).toBeLessThan(40);
    expect(description.searchAttributes).toMatchObject({
      KycProvider: ['jumio'],
      KycStatus: ['COMPLETED'],
      KycDecision: ['APPROVED'],
    });
    // The query still answers after the workflow closed.
    expect((await kyc.getVerification('jumio', id)).status).toBe('COMPLETED');
  });
});

describe('decisions', () => {
  it.each([
    ['PASSED', undefined, 'COMPLETED', 'APPROVED'],
    ['WARNING', undefined, 'COMPLETED', 'REVIEW'],
    ['REJECTED', undefined, 'COMPLETED', 'REJECTED'],
    ['NOT_EXECUTED', 'TECHNICAL_ERROR', 'FAILED', undefined],
    ['NOT_EXECUTED', 'TOKEN_EXPIRED', 'EXPIRED', undefined],
    // "Started but not completed … the end-user exits the process": the user left.
    ['NOT_EXECUTED', 'NOT_EXECUTED', 'ABANDONED', undefined],
    ['NOT_EXECUTED', null, 'ABANDONED', undefined],
  ] as const)('decision %s (label %s) → %s/%s', async (type, label, status, decision) => {
    const { id } = newExecution({ status: 'PROCESSED', decision: { type, ...(label !== undefined ? { label } : {}) } });
    const reply = await postJson(webhook(callbacksOnly), sim.callback(id, 'PROCESSED'));
    expect(reply.status).toBe(200);
    const state = await finalState(callbacksOnly, id);
    expect(state.status).toBe(status);
    expect(state.decision).toBe(decision);
  });
});

describe('ordering and duplicates', () => {
  it('starts from a callback that arrives before the app, and the app start joins the same execution', async () => {
    const { id, accountId } = newExecution({ status: 'ACQUIRED' });
    expect((await postJson(webhook(callbacksOnly), sim.callback(id, 'ACQUIRED'))).status).toBe(200);
    const kyc = new KycClient(callbacksOnly.client, callbacksOnly.config);
    const handle = callbacksOnly.client.workflow.getHandle(kycWorkflowId('jumio', id));
    const firstRun = (await handle.describe()).runId;

    await kyc.startVerification({
      provider: 'jumio',
      reference: id,
      context: { accountId },
      customerReference: 'late-app',
    });
    await kyc.startVerification({ provider: 'jumio', reference: id, context: { accountId } });
    const state = await eventually(async () => {
      const s = await kyc.getVerification('jumio', id);
      return s.registeredByApp ? s : undefined;
    });
    expect(state).toMatchObject({ status: 'SUBMITTED', customerReference: 'late-app' });
    expect((await handle.describe()).runId).toBe(firstRun);
    const executions = [];
    for await (const e of callbacksOnly.client.workflow.list({ query: `WorkflowId = '${kycWorkflowId('jumio', id)}'` }))
      executions.push(e);
    expect(executions).toHaveLength(1);

    sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'REJECTED' } });
    await postJson(webhook(callbacksOnly), sim.callback(id, 'PROCESSED'));
    expect(await finalState(callbacksOnly, id)).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
  });

  it('answers a callback for an already finished verification without starting a new one', async () => {
    const { id } = newExecution({ status: 'PROCESSED', decision: { type: 'PASSED' } });
    await postJson(webhook(callbacksOnly), sim.callback(id, 'PROCESSED'));
    await finalState(callbacksOnly, id);
    const late = await postJson(webhook(callbacksOnly), sim.callback(id, 'PROCESSED'));
    expect(late).toEqual({ status: 200, body: { accepted: 0, late: 1 } });
    const runs = [];
    for await (const e of callbacksOnly.client.workflow.list({ query: `WorkflowId = '${kycWorkflowId('jumio', id)}'` }))
      runs.push(e);
    expect(runs).toHaveLength(1);
  });
});

describe('answers that need a human', () => {
  /** GET requests for one execution's `/status` and details, as the simulator served them. */
  const executionGets = (id: string) => sim.requests.filter((r) => r.startsWith('GET ') && r.includes(id)).length;

  it('an unknown decision.type on the announced result is ACTION_REQUIRED with attention, fetched once, not in a loop', async () => {
    const { id } = newExecution({ status: 'PROCESSED', decision: { type: 'HOLD_FOR_REVIEW' } });
    await postJson(webhook(callbacksOnly), sim.callback(id, 'PROCESSED'));
    const kyc = new KycClient(callbacksOnly.client, callbacksOnly.config);
    const state = await eventually(async () => {
      const s = await kyc.getVerification('jumio', id);
      return s.status === 'ACTION_REQUIRED' ? s : undefined;
    }, 30_000);
    expect(state).toMatchObject({ providerStatus: 'PROCESSED/HOLD_FOR_REVIEW', attention: ['unknown_decision'] });
    expect(state.decision).toBeUndefined();
    expect(state.wait.resultAnnounced).toBe(false);
    // The announced fetch is done: `/status` and details once, then silence until the fallback
    // polls (an hour away here), never the same fetch repeated at once, hundreds of times a minute.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(executionGets(id)).toBe(2);
  });

  it('a /status word Jumio adds later is ACTION_REQUIRED with attention, fetched once', async () => {
    const { id } = newExecution({ status: 'ACQUISITION_COMPLETED' });
    await postJson(webhook(callbacksOnly), sim.callback(id, 'PROCESSED'));
    const kyc = new KycClient(callbacksOnly.client, callbacksOnly.config);
    const state = await eventually(async () => {
      const s = await kyc.getVerification('jumio', id);
      return s.status === 'ACTION_REQUIRED' ? s : undefined;
    }, 30_000);
    expect(state).toMatchObject({ providerStatus: 'ACQUISITION_COMPLETED', attention: ['unknown_status'] });
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(executionGets(id)).toBe(1);
  });
});

describe('nulls and words the timeline cannot keep as sent', () => {
  it('a callback with null callbackSentAt, href, definitionKey and account is accepted (200), not refused', async () => {
    const { id, accountId } = newExecution({ status: 'PROCESSED', decision: { type: 'PASSED' } });
    const kyc = new KycClient(callbacksOnly.client, callbacksOnly.config);
    // Without `account`, the app's start names it, so the announced result can be fetched.
    await kyc.startVerification({ provider: 'jumio', reference: id, context: { accountId } });
    const reply = await postJson(
      webhook(callbacksOnly),
      sim.callback(id, 'PROCESSED', undefined, { nullFields: true }),
    );
    expect(reply).toEqual({ status: 200, body: { accepted: 1 } });
    expect(await finalState(callbacksOnly, id)).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
  });

  it('a status "ÄÖÜ" is accepted (200) as an unknown word, kept as sent, never a 400', async () => {
    const { id } = newExecution({ status: 'ACQUIRED' });
    const reply = await postJson(webhook(callbacksOnly), sim.callback(id, 'ÄÖÜ'));
    expect(reply).toEqual({ status: 200, body: { accepted: 1 } });
    const kyc = new KycClient(callbacksOnly.client, callbacksOnly.config);
    const state = await eventually(async () => {
      const s = await kyc.getVerification('jumio', id);
      return s.timeline.length > 0 ? s : undefined;
    });
    expect(state).toMatchObject({
      status: 'ACTION_REQUIRED',
      providerStatus: 'ÄÖÜ',
      attention: ['unknown_status'],
    });
  });
});

describe('missed callbacks and expiry', () => {
  it('rescues a dropped PROCESSED callback by polling', async () => {
    const { id, accountId } = newExecution({ status: 'PROCESSED', decision: { type: 'PASSED' } });
    const kyc = new KycClient(polling.client, polling.config);
    await kyc.startVerification({ provider: 'jumio', reference: id, context: { accountId } });
    const t0 = Date.now();
    await sendCallbacks(
      webhook(polling),
      [{ body: sim.callback(id, 'ACQUIRED', new Date(t0)) }, { body: sim.callback(id, 'PROCESSED', new Date(t0 + 1)) }],
      { drop: [1] },
    );
    const state = await finalState(polling, id);
    expect(state).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(state.timeline.find((e) => e.status === 'COMPLETED')?.source).toBe('poll');
    expect(state.timeline.some((e) => e.providerStatus === 'PROCESSED' && e.source === 'callback')).toBe(false);
    expect(state.polls).toBeGreaterThanOrEqual(1);
  });

  it.each(['SESSION_EXPIRED', 'TOKEN_EXPIRED'])('ends EXPIRED on a %s callback', async (status) => {
    const { id } = newExecution({ status: 'INITIATED' });
    await postJson(webhook(callbacksOnly), sim.callback(id, 'ACQUISITION_STARTED'));
    await postJson(webhook(callbacksOnly), sim.callback(id, status));
    const state = await finalState(callbacksOnly, id);
    expect(state).toMatchObject({ status: 'EXPIRED', providerStatus: status });
    expect(state.decision).toBeUndefined();
  });
});

describe('provider outages', () => {
  it('retries a retrieval API that fails for a while (5xx, 429, 404) and then answers', async () => {
    const { id } = newExecution({
      status: 'PROCESSED',
      decision: { type: 'REJECTED' },
      faults: { serverError: 3, rateLimited: 1, notFound: 2 },
    });
    await postJson(webhook(callbacksOnly), sim.callback(id, 'PROCESSED'));
    const state = await finalState(callbacksOnly, id);
    expect(state).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
  });

  it('refreshes a revoked OAuth token and carries on', async () => {
    const { id } = newExecution({ status: 'PROCESSED', decision: { type: 'PASSED' } });
    await postJson(webhook(callbacksOnly), sim.callback(id, 'ACQUIRED'));
    sim.revokeTokens();
    const before = sim.tokensIssued();
    await postJson(webhook(callbacksOnly), sim.callback(id, 'PROCESSED'));
    expect(await finalState(callbacksOnly, id)).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(sim.tokensIssued()).toBeGreaterThan(before);
  });

  it('finishes a verification after the worker restarts mid-way', async () => {
    const config = testConfig(jumioEnv({ JUMIO_CALLBACK_GRACE: '1h' }), env.address);
    const client = callbacksOnly.client;
    const ingress = await listen(createIngressApp({ client, config, logger: silentLogger }), 0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${ingress.port}/webhooks/jumio`;
      const { id } = newExecution({ status: 'PROCESSED', decision: { type: 'PASSED' } });
      const first = await runWorker(env, config);
      await postJson(url, sim.callback(id, 'ACQUIRED'));
      const kyc = new KycClient(client, config);
      await eventually(async () =>
        (await kyc.getVerification('jumio', id)).status === 'SUBMITTED' ? true : undefined,
      );
      await first.stop();

      // While no worker runs, the callback is still accepted: it waits in Temporal.
      expect((await postJson(url, sim.callback(id, 'PROCESSED'))).status).toBe(200);
      const second = await runWorker(env, config);
      try {
        // Generous: the task first waits out the stopped worker's sticky queue, and a loaded machine adds to it.
        expect(await kyc.waitForVerification('jumio', id, { timeoutMs: 90_000 })).toMatchObject({
          status: 'COMPLETED',
          decision: 'APPROVED',
        });
      } finally {
        await second.stop();
      }
    } finally {
      await ingress.close();
    }
  }, 150_000);
});

describe('ingress authentication', () => {
  it('refuses a callback from an address outside the allowlist with 403 and starts nothing', async () => {
    const config = testConfig(jumioEnv({ JUMIO_WEBHOOK_AUTH: 'ip:34.202.241.227,52.8.136.0/24' }), env.address);
    const ingress = await listen(
      createIngressApp({ client: callbacksOnly.client, config, logger: silentLogger }),
      0,
      '127.0.0.1',
    );
    try {
      const id = randomUUID();
      const reply = await postJson(`http://127.0.0.1:${ingress.port}/webhooks/jumio`, sim.callback(id, 'PROCESSED'));
      expect(reply).toEqual({
        status: 403,
        body: { error: 'forbidden', message: 'callback source address is not allowed' },
      });
      await expect(callbacksOnly.client.workflow.getHandle(kycWorkflowId('jumio', id)).describe()).rejects.toThrow(
        /not found/i,
      );
    } finally {
      await ingress.close();
    }
  });

  it('behind a trusted proxy, allows by the forwarded client address', async () => {
    const config = testConfig(
      jumioEnv({ JUMIO_WEBHOOK_AUTH: 'ip:52.8.136.236', TRUST_PROXY: 'loopback', JUMIO_CALLBACK_GRACE: '1h' }),
      env.address,
    );
    const worker = await runWorker(env, config);
    const ingress = await listen(
      createIngressApp({ client: callbacksOnly.client, config, logger: silentLogger }),
      0,
      '127.0.0.1',
    );
    try {
      const url = `http://127.0.0.1:${ingress.port}/webhooks/jumio`;
      const id = randomUUID();
      expect((await postJson(url, sim.callback(id, 'ACQUIRED'), { 'X-Forwarded-For': '198.51.100.7' })).status).toBe(
        403,
      );
      expect((await postJson(url, sim.callback(id, 'ACQUIRED'), { 'X-Forwarded-For': '52.8.136.236' })).status).toBe(
        200,
      );
    } finally {
      await ingress.close();
      await worker.stop();
    }
  });
});

describe("Jumio's regions", () => {
  /** Another of Jumio's regions, listed in JUMIO_REGIONS: the transaction lives there, the configured region answers 404. */
  let otherRegion: JumioSimulator;
  let regional: Stack;

  beforeAll(async () => {
    otherRegion = await startJumioSimulator();
    regional = await startStack(
      env,
      jumioEnv({ JUMIO_CALLBACK_GRACE: '1h', JUMIO_REGIONS: `${otherRegion.url}=${otherRegion.authUrl}` }),
    );
  });

  afterAll(async () => {
    await regional?.stop();
    await otherRegion?.close();
  });

  it("a callback href on another listed region is retrieved there, with that region's token", async () => {
    const id = randomUUID();
    const accountId = randomUUID();
    otherRegion.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
    // Jumio's callback names the execution's URL on its own region.
    const callback = otherRegion.callback(id, 'PROCESSED');
    expect(await postJson(webhook(regional), callback)).toEqual({ status: 200, body: { accepted: 1 } });
    const final = await new KycClient(regional.client, regional.config).waitForVerification('jumio', id, {
      timeoutMs: 30_000,
    });
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', providerStatus: 'PROCESSED/PASSED' });
    expect(final.attention).not.toContain('foreign_region_href');
    const execution = `/api/v1/accounts/${accountId}/workflow-executions/${id}`;
    expect(otherRegion.requests).toEqual(
      expect.arrayContaining(['POST /oauth2/token', `GET ${execution}/status`, `GET ${execution}`]),
    );
    // The configured region, where it does not live, is never asked about it.
    expect(sim.requests.filter((request) => request.includes(id))).toEqual([]);
  });

  it('an href on a host that is no listed region is never fetched: the configured region is asked', async () => {
    const { id, accountId } = newExecution({ status: 'PROCESSED', decision: { type: 'REJECTED' } });
    const forged = { ...(sim.callback(id, 'PROCESSED') as Record<string, unknown>) };
    forged.workflowExecution = {
      ...(forged.workflowExecution as Record<string, unknown>),
      href: `https://retrieval.example.net/api/v1/accounts/${accountId}/workflow-executions/${id}`,
    };
    expect(await postJson(webhook(regional), forged)).toEqual({ status: 200, body: { accepted: 1 } });
    const final = await new KycClient(regional.client, regional.config).waitForVerification('jumio', id, {
      timeoutMs: 30_000,
    });
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(final.attention).toContain('foreign_region_href');
    expect(otherRegion.requests.filter((request) => request.includes(id))).toEqual([]);
  });
});
