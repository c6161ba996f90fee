import { ServiceError, type Client } from '@temporalio/client';
import request from 'supertest';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { IngressMetrics } from '../../src/ingress/metrics';
import { silentLogger } from '../../src/logger';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { useCallbackProvider } from '../support/kit-callbacks';

const callbacks = useCallbackProvider();
const config = () => loadConfig({ ...DEV_DEFAULTS, ...callbacks.environment, KYC_MAX_HANDOVERS_IN_FLIGHT: '2' });
/** The workflow of each reference a test's callbacks were played for. */
const workflowIds = new Map<string, string>();
const workflowsOf = (...references: string[]) => references.map((reference) => workflowIds.get(reference));

/**
 * A Temporal client whose signalWithStart hangs until the test lets it go, as a saturated server
 * would; it records which workflows it was handed and which hand-overs completed.
 */
function hangingClient() {
  const started: string[] = [];
  const completed: string[] = [];
  const waiting: (() => void)[] = [];
  const client = {
    connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
    workflow: {
      signalWithStart: async (_type: string, options: { workflowId: string }) => {
        started.push(options.workflowId);
        await new Promise<void>((resolve) => waiting.push(resolve));
        completed.push(options.workflowId);
        return {};
      },
    },
  } as unknown as Client;
  const releaseAll = () => waiting.splice(0).forEach((resolve) => resolve());
  return { client, started, completed, waiting, releaseAll };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ingress hand-overs in flight (KYC_MAX_HANDOVERS_IN_FLIGHT)', () => {
  // Each reference names a verification of its own; a redelivery of the same callback replays it.
  const played = new Map<string, ReturnType<typeof callbacks.callback>>();
  const post = (app: ReturnType<typeof createIngressApp>, reference: string) => {
    if (!played.has(reference)) {
      const callback = callbacks.callback();
      played.set(reference, callback);
      workflowIds.set(reference, callback.workflowId);
    }
    return callbacks.post(app, played.get(reference)!.delivery);
  };

  it('answers 503 with Retry-After beyond the bound, and every accepted callback reaches Temporal', async () => {
    const temporal = hangingClient();
    const app = createIngressApp({
      client: temporal.client,
      config: config(),
      logger: silentLogger,
      handoverTimeoutMs: 60_000,
    });

    // Two callbacks fill the bound: their hand-overs hang in Temporal.
    const first = post(app, 'ref-1').then((res) => res);
    const second = post(app, 'ref-2').then((res) => res);
    await until(() => temporal.waiting.length === 2, 'two hand-overs in flight');

    // The third is refused at once, not queued, and Temporal never saw it. Nothing has completed
    // yet, so the limit cannot tell when there will be room: a retry within its 30 s at most.
    const refused = await post(app, 'ref-3');
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(refused.body).toEqual({
      error: 'overloaded',
      message: 'too many callbacks are being stored right now; retry later',
    });
    expect(temporal.started).toEqual(workflowsOf('ref-1', 'ref-2'));

    // Once Temporal takes them, the first two are acknowledged only after their hand-over completed.
    temporal.releaseAll();
    const accepted = await Promise.all([first, second]);
    expect(accepted.map((res): unknown[] => [res.status, res.body as unknown])).toEqual([
      [200, { accepted: 1 }],
      [200, { accepted: 1 }],
    ]);
    expect(temporal.completed).toEqual(workflowsOf('ref-1', 'ref-2'));

    // The provider's retry of the refused callback is accepted now that there is room.
    const retry = post(app, 'ref-3').then((res) => res);
    await until(() => temporal.waiting.length === 1, 'the retry in flight');
    temporal.releaseAll();
    expect((await retry).status).toBe(200);
    expect(temporal.completed).toEqual(workflowsOf('ref-1', 'ref-2', 'ref-3'));

    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toContain(`kyc_callback_events_total{provider="${callbacks.provider}",result="overloaded"} 1`);
    // The limit as it moves, for operators: what it allows and what waits now.
    expect(metrics.text).toMatch(/^kyc_handover_limit 2$/m);
    expect(metrics.text).toMatch(/^kyc_handovers_in_flight 0$/m);
  });

  it('spreads the retries of a burst it refuses over different Retry-After values', async () => {
    const temporal = hangingClient();
    const app = createIngressApp({
      client: temporal.client,
      config: config(),
      logger: silentLogger,
      handoverTimeoutMs: 60_000,
    });
    const inFlight = [post(app, 'held-1').then((res) => res), post(app, 'held-2').then((res) => res)];
    await until(() => temporal.waiting.length === 2, 'two hand-overs in flight');
    try {
      const refused = await Promise.all(Array.from({ length: 40 }, (_, i) => post(app, `burst-${i}`)));
      expect(refused.every((res) => res.status === 503)).toBe(true);
      const retryAfter = refused.map((res) => Number(res.headers['retry-after']));
      expect(retryAfter.every((seconds) => Number.isInteger(seconds) && seconds >= 1 && seconds <= 30)).toBe(true);
      // Not one wave coming back at the same second.
      expect(new Set(retryAfter).size).toBeGreaterThan(5);
    } finally {
      // Released whatever the assertions say, so a failure does not leave the test hanging.
      temporal.releaseAll();
    }
    expect((await Promise.all(inFlight)).map((res) => res.status)).toEqual([200, 200]);
  });

  it('learns the no-load latency from hand-overs Temporal answered or ran out of time on, not from failures at once', async () => {
    let answer: () => Promise<unknown> = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const client = {
      connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
      workflow: { signalWithStart: () => answer() },
    } as unknown as Client;
    const metrics = new IngressMetrics();
    const app = createIngressApp({ client, config: config(), logger: silentLogger, metrics });
    const noLoad = async () => /^kyc_handover_no_load_seconds (\S+)$/m.exec(await metrics.render())?.[1];

    // Temporal unreachable: refused at once, which says nothing about how long Temporal takes.
    expect((await post(app, 'unreachable')).status).toBe(503);
    expect(await noLoad()).toBe('0');

    // The hand-over deadline passed while Temporal worked on it: at least that long, a sample.
    const deadline = Object.assign(new Error('deadline exceeded'), {
      code: 4,
      details: 'Deadline exceeded',
      metadata: {},
    });
    answer = () =>
      new Promise((_resolve, reject) =>
        setTimeout(() => reject(new ServiceError('signalWithStart', { cause: deadline })), 150),
      );
    expect((await post(app, 'slow')).status).toBe(503);
    expect(Number(await noLoad())).toBeGreaterThanOrEqual(0.14);
  });

  it('frees its slot when a hand-over fails, so the bound never leaks', async () => {
    let fail = true;
    const client = {
      connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
      workflow: {
        signalWithStart: async () => {
          if (fail) throw new Error('unavailable');
          return {};
        },
      },
    } as unknown as Client;
    const app = createIngressApp({ client, config: config(), logger: silentLogger });
    for (const reference of ['a', 'b', 'c']) expect((await post(app, reference)).status).toBe(503);
    fail = false;
    const results = await Promise.all(['d', 'e'].map((reference) => post(app, reference)));
    expect(results.map((res) => res.status)).toEqual([200, 200]);
  });

  it('defaults to 64 and refuses a bound below 1', () => {
    expect(loadConfig(DEV_DEFAULTS).ingress.maxHandoversInFlight).toBe(64);
    expect(() => loadConfig({ ...DEV_DEFAULTS, KYC_MAX_HANDOVERS_IN_FLIGHT: '0' })).toThrow(
      'KYC_MAX_HANDOVERS_IN_FLIGHT',
    );
  });
});
