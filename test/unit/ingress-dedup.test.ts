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
import { describeNamespaceKeepingYears } from '../support/fake-temporal';
import documented from '../fixtures/jumio/documented-callback.json';
import { DEV_DEFAULTS } from '../support/dev-defaults';

const env = { ...DEV_DEFAULTS, KYC_PROVIDERS: 'jumio', JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1' };
const config = loadConfig(env);

/** Jumio's documented callback for another workflow execution (another verification). */
const callbackFor = (reference: string, sentAt = documented.callbackSentAt) => ({
  ...documented,
  callbackSentAt: sentAt,
  workflowExecution: { ...documented.workflowExecution, id: reference },
});

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

const signalFor = (reference: string, status = 'PROCESSED') => ({
  workflowId: `kyc:jumio:${reference}`,
  dedupKey: `callback:${status}`,
  providerStatus: status,
});

describe('ingress: exact redeliveries of acknowledged callbacks (KYC_INGRESS_DEDUP_ENTRIES)', () => {
  const app = (deps: Partial<IngressDeps> & Pick<IngressDeps, 'client'>) =>
    createIngressApp({ config, logger: recordingLogger().logger, handoverTimeoutMs: 1000, ...deps });
  const post = (target: ReturnType<typeof createIngressApp>, body: unknown) =>
    request(target)
      .post('/webhooks/jumio')
      .send(body as object);

  it('answers a redelivery 200 without a second signal, counted as duplicate and logged at debug', async () => {
    const { client, signals } = recordingClient();
    const { logger, lines } = recordingLogger();
    const target = createIngressApp({ client, config, logger });
    const body = callbackFor('ref-a');

    const first = await post(target, body);
    const again = await post(target, body);
    const third = await post(target, body);

    expect([first.status, first.body]).toEqual([200, { accepted: 1 }]);
    expect([again.status, again.body]).toEqual([200, { accepted: 1 }]);
    expect([third.status, third.body]).toEqual([200, { accepted: 1 }]);
    expect(signals).toEqual([signalFor('ref-a')]);
    const metrics = (await request(target).get('/metrics')).text;
    expect(metrics).toContain('kyc_callback_events_total{provider="jumio",result="accepted"} 1');
    expect(metrics).toContain('kyc_callback_events_total{provider="jumio",result="duplicate"} 2');
    expect(metrics).toContain('kyc_callbacks_total{provider="jumio",code="200"} 3');
    expect(lines.filter((line) => line.level === 'debug')).toEqual([
      {
        level: 'debug',
        message: 'callback already handed over; not signalled again',
        fields: { workflowId: 'kyc:jumio:ref-a', providerStatus: 'PROCESSED' },
      },
      {
        level: 'debug',
        message: 'callback already handed over; not signalled again',
        fields: { workflowId: 'kyc:jumio:ref-a', providerStatus: 'PROCESSED' },
      },
    ]);
  });

  it('signals other verifications, other statuses and changed content of the same dedup key', async () => {
    const { client, signals } = recordingClient();
    const target = app({ client });
    await post(target, callbackFor('ref-a'));
    await post(target, callbackFor('ref-b'));
    const acquired = callbackFor('ref-a');
    acquired.workflowExecution = { ...acquired.workflowExecution, status: 'ACQUIRED' };
    await post(target, acquired);
    // Same dedup key (callback:PROCESSED), another provider time: not an exact redelivery.
    await post(target, callbackFor('ref-a', '2025-01-21T15:00:00.000Z'));
    expect(signals).toEqual([
      signalFor('ref-a'),
      signalFor('ref-b'),
      signalFor('ref-a', 'ACQUIRED'),
      signalFor('ref-a'),
    ]);
  });

  it('hands over again a callback whose first hand-over failed (503)', async () => {
    const { client, signals } = recordingClient([new Error('UNAVAILABLE')]);
    const target = app({ client });
    const body = callbackFor('ref-a');
    expect((await post(target, body)).status).toBe(503);
    expect((await post(target, body)).body).toEqual({ accepted: 1 });
    // Acknowledged the second time: from then on a redelivery needs no signal.
    expect((await post(target, body)).body).toEqual({ accepted: 1 });
    expect(signals).toEqual([signalFor('ref-a'), signalFor('ref-a')]);
  });

  it('hands over again a callback that found its verification closed (late)', async () => {
    const closed = () => new WorkflowExecutionAlreadyStartedError('closed', 'kyc:jumio:ref-a', 'verificationWorkflow');
    const { client, signals } = recordingClient([closed(), closed()]);
    const target = app({ client });
    const body = callbackFor('ref-a');
    expect((await post(target, body)).body).toEqual({ accepted: 0, late: 1 });
    expect((await post(target, body)).body).toEqual({ accepted: 0, late: 1 });
    expect(signals).toEqual([signalFor('ref-a'), signalFor('ref-a')]);
  });

  it('hands over again a callback that only reached the durable inbox (202)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kyc-dedup-inbox-'));
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    try {
      const inboxConfig = loadConfig({ ...env, KYC_INBOX_PROVIDERS: 'jumio' });
      const { client, signals } = recordingClient([new Error('UNAVAILABLE')]);
      const target = createIngressApp({ client, config: inboxConfig, logger: recordingLogger().logger, inbox });
      const body = callbackFor('ref-a');
      const queued = await post(target, body);
      expect([queued.status, queued.body]).toEqual([202, { accepted: 1, queued: 1 }]);
      expect(await inbox.pending()).toHaveLength(1);
      const again = await post(target, body);
      expect([again.status, again.body]).toEqual([200, { accepted: 1 }]);
      expect(signals).toEqual([signalFor('ref-a'), signalFor('ref-a')]);
    } finally {
      await inbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('KYC_INGRESS_DEDUP_ENTRIES=0 signals every delivery', async () => {
    const off = loadConfig({ ...env, KYC_INGRESS_DEDUP_ENTRIES: '0' });
    expect(off.ingress.dedupEntries).toBe(0);
    expect(config.ingress.dedupEntries).toBe(10_000);
    const { client, signals } = recordingClient();
    const target = createIngressApp({ client, config: off, logger: recordingLogger().logger });
    const body = callbackFor('ref-a');
    await post(target, body);
    await post(target, body);
    expect(signals).toEqual([signalFor('ref-a'), signalFor('ref-a')]);
  });

  it('is bounded: the least recently seen entry is forgotten first, so its redelivery is signalled again', async () => {
    const { client, signals } = recordingClient();
    const target = app({ client, accepted: new AcceptedCallbacks(2) });
    await post(target, callbackFor('ref-a'));
    await post(target, callbackFor('ref-b'));
    // ref-a seen again: now ref-b is the oldest, and ref-c pushes it out.
    await post(target, callbackFor('ref-a'));
    await post(target, callbackFor('ref-c'));
    await post(target, callbackFor('ref-a'));
    await post(target, callbackFor('ref-b'));
    expect(signals).toEqual([signalFor('ref-a'), signalFor('ref-b'), signalFor('ref-c'), signalFor('ref-b')]);
  });

  it('answers a known redelivery even while the hand-over bound is full, where a new callback gets 503', async () => {
    const bounded = loadConfig({ ...env, KYC_MAX_HANDOVERS_IN_FLIGHT: '1' });
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
    const known = callbackFor('ref-a');
    expect((await post(target, known)).status).toBe(200);
    const hanging = post(target, callbackFor('ref-b')).then((res) => res);
    try {
      const deadline = Date.now() + 10_000;
      while (waiting.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(waiting).toHaveLength(1);

      expect((await post(target, callbackFor('ref-c'))).status).toBe(503);
      const redelivered = await post(target, known);
      expect([redelivered.status, redelivered.body]).toEqual([200, { accepted: 1 }]);
      expect(signalled).toEqual(['kyc:jumio:ref-a', 'kyc:jumio:ref-b']);
    } finally {
      // Whatever failed above, the hanging hand-over ends, so the test never hangs.
      waiting.splice(0).forEach((resolve) => resolve());
    }
    expect((await hanging).status).toBe(200);
  });
});
