/**
 * The ingress's memory of acknowledged callbacks, in process with a fake Temporal client: an exact
 * redelivery is answered as the first delivery was without a second signal. The callbacks: a
 * registered provider's story (from its testing kit) with callbacks in two statuses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import request from 'supertest';
import { loadConfig } from '../../src/app-config';
import { AcceptedCallbacks } from '../../src/ingress/dedup';
import { createIngressApp, type IngressDeps } from '../../src/ingress/app';
import { DurableInbox } from '../../src/inbox/durable-inbox';
import type { Logger } from '../../src/logger';
import type { CallbackDelivery } from '../../src/testing/callback-sender';
import { randomUUID } from 'node:crypto';
import { describeNamespaceKeepingYears } from '../support/fake-temporal';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { lastCallback, otherCallback, useCallbackProvider, type PlayedCallbacks } from '../support/kit-callbacks';

// A story whose callbacks carry two statuses: the last one, and an earlier one in another.
const callbacks = useCallbackProvider(
  (played) => new Set(played.callbacks.map(({ word }) => word)).size >= 2,
  'a story with callbacks in two statuses',
);
const env = () => ({ ...DEV_DEFAULTS, ...callbacks.environment });

/** One verification's callbacks, played once so every delivery of one of them is the same body. */
class Verification {
  readonly key = randomUUID();
  readonly played: PlayedCallbacks = callbacks.play(this.key);
  get workflowId(): string {
    return this.played.workflowId;
  }
  get last(): PlayedCallbacks['callbacks'][number] {
    return lastCallback(this.played);
  }
  get other(): PlayedCallbacks['callbacks'][number] {
    return otherCallback(this.played);
  }
  /** The last callback again, its provider times an hour later: other content under the same status. */
  later(): PlayedCallbacks['callbacks'][number] {
    const count = this.played.callbacks.length;
    const times = Array.from({ length: count }, (_, n) => new Date(Date.now() + 3_600_000 + n * 1000));
    return callbacks.play(this.key, { times }).callbacks.at(-1)!;
  }
}

/**
 * Records every signal the ingress asks of Temporal; `answers` decides each call's fate in turn
 * (resolve: acknowledged; an Error: that failure), and later calls are acknowledged.
 */
function recordingClient(answers: (Error | 'ack')[] = []) {
  const signals: { workflowId: string; dedupKey: string; providerStatus: string }[] = [];
  const client = {
    connection: { withDeadline: (_d: number, fn: () => Promise<unknown>) => fn() },
    workflowService: { describeNamespace: describeNamespaceKeepingYears },
    workflow: {
      signalWithStart: async (
        _type: string,
        options: { workflowId: string; signalArgs: [{ dedupKey: string; providerStatus: string }] },
      ) => {
        const [event] = options.signalArgs;
        signals.push({
          workflowId: options.workflowId,
          dedupKey: event.dedupKey,
          providerStatus: event.providerStatus,
        });
        const answer = answers.shift() ?? 'ack';
        if (answer instanceof Error) throw answer;
        return {};
      },
      // A closed verification's final state, read for the late-verdict rule: one the provider ended.
      getHandle: () => ({ result: async () => ({ status: 'COMPLETED', decision: 'APPROVED', timeline: [] }) }),
    },
  } as unknown as Client;
  return { client, signals };
}

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void =>
      void lines.push({ level, message, ...(fields ? { fields } : {}) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

/** The signal a callback of the verification is handed over as (its dedup key is compared apart). */
const signalFor = (verification: Verification, callback = verification.last) => ({
  workflowId: verification.workflowId,
  providerStatus: callback.word,
});
const withoutKeys = (signals: { workflowId: string; dedupKey: string; providerStatus: string }[]) =>
  signals.map(({ workflowId, providerStatus }) => ({ workflowId, providerStatus }));

describe('ingress: exact redeliveries of acknowledged callbacks (KYC_INGRESS_DEDUP_ENTRIES)', () => {
  const config = () => loadConfig(env());
  const app = (deps: Partial<IngressDeps> & Pick<IngressDeps, 'client'>) =>
    createIngressApp({ config: config(), logger: recordingLogger().logger, handoverTimeoutMs: 1000, ...deps });
  const post = (target: ReturnType<typeof createIngressApp>, callback: { delivery: CallbackDelivery }) =>
    callbacks.post(target, callback.delivery);

  it('answers a redelivery 200 without a second signal, counted as duplicate and logged at debug', async () => {
    const { client, signals } = recordingClient();
    const { logger, lines } = recordingLogger();
    const target = createIngressApp({ client, config: config(), logger });
    const a = new Verification();
    const body = a.last;

    const first = await post(target, body);
    const again = await post(target, body);
    const third = await post(target, body);

    expect([first.status, first.body]).toEqual([200, { accepted: 1 }]);
    expect([again.status, again.body]).toEqual([200, { accepted: 1 }]);
    expect([third.status, third.body]).toEqual([200, { accepted: 1 }]);
    expect(withoutKeys(signals)).toEqual([signalFor(a)]);
    const metrics = (await request(target).get('/metrics')).text;
    const { provider } = callbacks;
    expect(metrics).toContain(`kyc_callback_events_total{provider="${provider}",result="accepted"} 1`);
    expect(metrics).toContain(`kyc_callback_events_total{provider="${provider}",result="duplicate"} 2`);
    expect(metrics).toContain(`kyc_callbacks_total{provider="${provider}",code="200"} 3`);
    expect(lines.filter((line) => line.level === 'debug')).toEqual([
      {
        level: 'debug',
        message: 'callback already handed over; not signalled again',
        fields: { workflowId: a.workflowId, providerStatus: a.last.word },
      },
      {
        level: 'debug',
        message: 'callback already handed over; not signalled again',
        fields: { workflowId: a.workflowId, providerStatus: a.last.word },
      },
    ]);
  });

  it('signals other verifications, other statuses and changed content of the same dedup key', async () => {
    const { client, signals } = recordingClient();
    const target = app({ client });
    const [a, b] = [new Verification(), new Verification()];
    await post(target, a.last);
    await post(target, b.last);
    await post(target, a.other);
    // Same dedup key, another provider time: not an exact redelivery.
    await post(target, a.later());
    expect(withoutKeys(signals)).toEqual([signalFor(a), signalFor(b), signalFor(a, a.other), signalFor(a)]);
    expect(signals[2]!.dedupKey).not.toBe(signals[0]!.dedupKey);
    expect(signals[3]!.dedupKey).toBe(signals[0]!.dedupKey);
  });

  it('hands over again a callback whose first hand-over failed (503)', async () => {
    const { client, signals } = recordingClient([new Error('UNAVAILABLE')]);
    const target = app({ client });
    const a = new Verification();
    const body = a.last;
    expect((await post(target, body)).status).toBe(503);
    expect((await post(target, body)).body).toEqual({ accepted: 1 });
    // Acknowledged the second time: from then on a redelivery needs no signal.
    expect((await post(target, body)).body).toEqual({ accepted: 1 });
    expect(withoutKeys(signals)).toEqual([signalFor(a), signalFor(a)]);
  });

  it('hands over again a callback that found its verification closed (late)', async () => {
    const a = new Verification();
    const closed = () => new WorkflowExecutionAlreadyStartedError('closed', a.workflowId, 'verificationWorkflow');
    const { client, signals } = recordingClient([closed(), closed()]);
    const target = app({ client });
    const body = a.last;
    expect((await post(target, body)).body).toEqual({ accepted: 0, late: 1 });
    expect((await post(target, body)).body).toEqual({ accepted: 0, late: 1 });
    expect(withoutKeys(signals)).toEqual([signalFor(a), signalFor(a)]);
  });

  it('hands over again a callback that only reached the durable inbox (202)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kyc-dedup-inbox-'));
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    try {
      const inboxConfig = loadConfig({ ...env(), KYC_INBOX_PROVIDERS: callbacks.provider });
      const { client, signals } = recordingClient([new Error('UNAVAILABLE')]);
      const target = createIngressApp({ client, config: inboxConfig, logger: recordingLogger().logger, inbox });
      const a = new Verification();
      const body = a.last;
      const queued = await post(target, body);
      expect([queued.status, queued.body]).toEqual([202, { accepted: 1, queued: 1 }]);
      expect(await inbox.pending()).toHaveLength(1);
      const again = await post(target, body);
      expect([again.status, again.body]).toEqual([200, { accepted: 1 }]);
      expect(withoutKeys(signals)).toEqual([signalFor(a), signalFor(a)]);
    } finally {
      await inbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('KYC_INGRESS_DEDUP_ENTRIES=0 signals every delivery', async () => {
    const off = loadConfig({ ...env(), KYC_INGRESS_DEDUP_ENTRIES: '0' });
    expect(off.ingress.dedupEntries).toBe(0);
    expect(config().ingress.dedupEntries).toBe(10_000);
    const { client, signals } = recordingClient();
    const target = createIngressApp({ client, config: off, logger: recordingLogger().logger });
    const a = new Verification();
    const body = a.last;
    await post(target, body);
    await post(target, body);
    expect(withoutKeys(signals)).toEqual([signalFor(a), signalFor(a)]);
  });

  it('is bounded: the least recently seen entry is forgotten first, so its redelivery is signalled again', async () => {
    const { client, signals } = recordingClient();
    const target = app({ client, accepted: new AcceptedCallbacks(2) });
    const [a, b, c] = [new Verification(), new Verification(), new Verification()];
    await post(target, a.last);
    await post(target, b.last);
    // a seen again: now b is the oldest, and c pushes it out.
    await post(target, a.last);
    await post(target, c.last);
    await post(target, a.last);
    await post(target, b.last);
    expect(withoutKeys(signals)).toEqual([signalFor(a), signalFor(b), signalFor(c), signalFor(b)]);
  });

  it('answers a known redelivery even while the hand-over bound is full, where a new callback gets 503', async () => {
    const bounded = loadConfig({ ...env(), KYC_MAX_HANDOVERS_IN_FLIGHT: '1' });
    const signalled: string[] = [];
    const waiting: (() => void)[] = [];
    // The first hand-over is acknowledged at once; later ones hang, as on a saturated server.
    const client = {
      connection: { withDeadline: (_d: number, fn: () => Promise<unknown>) => fn() },
      workflowService: { describeNamespace: describeNamespaceKeepingYears },
      workflow: {
        signalWithStart: async (_type: string, options: { workflowId: string }) => {
          signalled.push(options.workflowId);
          if (signalled.length > 1) await new Promise<void>((resolve) => waiting.push(resolve));
          return {};
        },
      },
    } as unknown as Client;
    const target = createIngressApp({
      client,
      config: bounded,
      logger: recordingLogger().logger,
      handoverTimeoutMs: 60_000,
    });
    const [a, b, c] = [new Verification(), new Verification(), new Verification()];
    const known = a.last;
    expect((await post(target, known)).status).toBe(200);
    const hanging = post(target, b.last).then((res) => res);
    try {
      const deadline = Date.now() + 10_000;
      while (waiting.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(waiting).toHaveLength(1);

      expect((await post(target, c.last)).status).toBe(503);
      const redelivered = await post(target, known);
      expect([redelivered.status, redelivered.body]).toEqual([200, { accepted: 1 }]);
      expect(signalled).toEqual([a.workflowId, b.workflowId]);
    } finally {
      // Whatever failed above, the hanging hand-over ends, so the test never hangs.
      waiting.splice(0).forEach((resolve) => resolve());
    }
    expect((await hanging).status).toBe(200);
  });
});
