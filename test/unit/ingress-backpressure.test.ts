import type { Client } from '@temporalio/client';
import request from 'supertest';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { HandoverLimit } from '../../src/ingress/handover-limit';
import { silentLogger } from '../../src/logger';
import { socureCallbacks } from '../../src/providers/socure/testing/simulator';
import { DEV_DEFAULTS } from '../support/dev-defaults';

const SECRET = 'bench-secret';
const config = loadConfig({
  ...DEV_DEFAULTS,
  KYC_PROVIDERS: 'socure',
  SOCURE_WEBHOOK_AUTH: `bearer:${SECRET}`,
  KYC_MAX_HANDOVERS_IN_FLIGHT: '2',
});

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
  const post = (app: ReturnType<typeof createIngressApp>, reference: string) =>
    request(app)
      .post('/webhooks/socure')
      .set('Authorization', `Bearer ${SECRET}`)
      .send(socureCallbacks.docv(reference, 'APP_OPENED') as object);

  it('answers 503 with Retry-After beyond the bound, and every accepted callback reaches Temporal', async () => {
    const temporal = hangingClient();
    const app = createIngressApp({ client: temporal.client, config, logger: silentLogger, handoverTimeoutMs: 60_000 });

    // Two callbacks fill the bound: their hand-overs hang in Temporal.
    const first = post(app, 'ref-1').then((res) => res);
    const second = post(app, 'ref-2').then((res) => res);
    await until(() => temporal.waiting.length === 2, 'two hand-overs in flight');

    // The third is refused at once, not queued, and Temporal never saw it.
    const refused = await post(app, 'ref-3');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.body).toEqual({
      error: 'overloaded',
      message: 'too many callbacks are being stored right now; retry later',
    });
    expect(temporal.started).toEqual(['kyc:socure:ref-1', 'kyc:socure:ref-2']);

    // Once Temporal takes them, the first two are acknowledged only after their hand-over completed.
    temporal.releaseAll();
    const accepted = await Promise.all([first, second]);
    expect(accepted.map((res): unknown[] => [res.status, res.body as unknown])).toEqual([
      [200, { accepted: 1 }],
      [200, { accepted: 1 }],
    ]);
    expect(temporal.completed).toEqual(['kyc:socure:ref-1', 'kyc:socure:ref-2']);

    // The provider's retry of the refused callback is accepted now that there is room.
    const retry = post(app, 'ref-3').then((res) => res);
    await until(() => temporal.waiting.length === 1, 'the retry in flight');
    temporal.releaseAll();
    expect((await retry).status).toBe(200);
    expect(temporal.completed).toEqual(['kyc:socure:ref-1', 'kyc:socure:ref-2', 'kyc:socure:ref-3']);

    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toContain('kyc_callback_events_total{provider="socure",result="overloaded"} 1');
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
    const app = createIngressApp({ client, config, logger: silentLogger });
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

describe('HandoverLimit', () => {
  /** A limit on a clock the test moves. */
  const limitAt = (cap: number) => {
    const clock = { now: 0 };
    const limit = new HandoverLimit({ cap, targetWaitMs: 2000, floor: 4, adjustEveryMs: 500, now: () => clock.now });
    /** `count` hand-overs that each took `latencyMs`, ending one adjustment interval apart. */
    const complete = (count: number, latencyMs: number) => {
      for (let i = 0; i < count; i += 1) {
        const slot = limit.enter();
        clock.now += latencyMs;
        limit.release(slot);
        clock.now += 500;
      }
    };
    return { limit, complete };
  };

  it('starts at the cap and is full when that many hand-overs wait', () => {
    const { limit } = limitAt(3);
    expect(limit.limit).toBe(3);
    limit.enter();
    limit.enter();
    expect(limit.full).toBe(false);
    limit.enter();
    expect(limit.full).toBe(true);
    expect(limit.waiting).toBe(3);
  });

  it('shrinks in proportion when Temporal is slower than the target wait, never below the floor', () => {
    const { limit, complete } = limitAt(64);
    complete(1, 8000);
    // 8 s against a 2 s target: a quarter of the waiting hand-overs would be acknowledged in time.
    expect(limit.limit).toBe(16);
    complete(20, 8000);
    expect(limit.limit).toBe(4);
  });

  it('grows back to the cap once hand-overs are fast again, and never past it', () => {
    const { limit, complete } = limitAt(64);
    complete(10, 8000);
    expect(limit.limit).toBe(4);
    complete(30, 50);
    expect(limit.limit).toBe(64);
  });

  it('never goes below a quarter of the cap unless told', () => {
    const clock = { now: 0 };
    const limit = new HandoverLimit({ cap: 64, targetWaitMs: 2000, adjustEveryMs: 500, now: () => clock.now });
    for (let i = 0; i < 20; i += 1) {
      const slot = limit.enter();
      clock.now += 8000;
      limit.release(slot);
    }
    expect(limit.limit).toBe(16);
  });
});
