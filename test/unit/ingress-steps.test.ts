/**
 * Two of the ingress's steps on their own: the one place a 503 is built (src/ingress/unavailable.ts)
 * and the hand-over (src/ingress/hand-over.ts), against a fake Temporal client whose answers the
 * test picks, so each outcome of `deliverEvent` meets its mapping.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import express from 'express';
import request from 'supertest';
import { enabledProvider, loadConfig } from '../../src/app-config';
import type { DurableInbox, InboxEntry } from '../../src/inbox/durable-inbox';
import { AcceptedCallbacks } from '../../src/ingress/dedup';
import { handOverStep, type HandOverItem } from '../../src/ingress/hand-over';
import { HandoverLimit } from '../../src/ingress/handover-limit';
import { errorHandler } from '../../src/ingress/http-error';
import { IngressMetrics } from '../../src/ingress/metrics';
import { overloaded, startLimited, temporalUnavailable } from '../../src/ingress/unavailable';
import { silentLogger } from '../../src/logger';
import { providerModules } from '../../src/providers/registry';
import { StartBudget } from '../../src/temporal/start-budget';
import type { VerificationEvent } from '../../src/verification/model';
import { DEV_DEFAULTS } from '../support/dev-defaults';

const provider = providerModules[0]!.id;

describe('every 503 the ingress answers', () => {
  const app = express();
  app.get('/temporal', () => {
    throw temporalUnavailable();
  });
  app.get('/overloaded', () => {
    throw overloaded(2);
  });
  app.get('/start-limited', () => {
    throw startLimited(17);
  });
  app.use(errorHandler(() => undefined));

  it.each([
    ['/temporal', 'temporal_unavailable', '5'],
    ['/overloaded', 'overloaded', '2'],
    ['/start-limited', 'start_limited', '17'],
  ])('%s: 503 with Retry-After and a JSON body of a code and a message only', async (path, code, retryAfter) => {
    const answer = await request(app).get(path);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe(retryAfter);
    expect(answer.type).toBe('application/json');
    expect(Object.keys(answer.body as object).sort()).toEqual(['error', 'message']);
    expect(answer.body).toMatchObject({ error: code, message: expect.stringContaining('retry later') });
  });
});

describe('the hand-over, against a fake Temporal', () => {
  type Answer = (call: 'start' | 'signal') => unknown;
  /** A client whose signal-with-start and signal answer with `answer` (a value, or an error to throw). */
  function fakeClient(answer: Answer) {
    const calls: string[] = [];
    const settle = async (call: 'start' | 'signal', workflowId: string) => {
      calls.push(`${call} ${workflowId}`);
      const result = await answer(call);
      if (result instanceof Error) throw result;
      return result;
    };
    const client = {
      connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
      workflow: {
        signalWithStart: (_type: string, options: { workflowId: string }) => settle('start', options.workflowId),
        getHandle: (workflowId: string) => ({ signal: () => settle('signal', workflowId) }),
      },
    } as unknown as Client;
    return { client, calls };
  }

  function step(answer: Answer, options: { inbox?: boolean; startsPerMinute?: number; cap?: number } = {}) {
    const config = loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: provider, KYC_INBOX_PROVIDERS: provider });
    const { client, calls } = fakeClient(answer);
    const appended: InboxEntry[] = [];
    const inbox = { append: (entry: InboxEntry) => Promise.resolve(void appended.push(entry)) } as DurableInbox;
    const metrics = new IngressMetrics();
    const handOver = handOverStep({
      client,
      config,
      logger: silentLogger,
      metrics,
      handovers: new HandoverLimit({ cap: options.cap ?? 8 }),
      accepted: new AcceptedCallbacks(100),
      starts: new StartBudget(options.startsPerMinute ?? 100),
      ...(options.inbox ? { inbox } : {}),
      timeoutMs: 1000,
    });
    return { handOver, calls, appended, metrics, providerConfig: enabledProvider(config, provider) };
  }

  const event = (reference: string): VerificationEvent => ({
    provider,
    reference,
    providerStatus: 'WORD',
    source: 'callback',
    dedupKey: `callback:${reference}`,
    meaning: { status: 'IN_PROGRESS' },
  });
  const item = (reference: string, overrides: Partial<HandOverItem> = {}): HandOverItem => ({
    event: event(reference),
    startIfMissing: true,
    stale: false,
    known: false,
    ...overrides,
  });

  it('accepted: Temporal took the signal-with-start', async () => {
    const { handOver, calls, providerConfig } = step(() => ({}));
    expect(await handOver(providerConfig, [item('a')])).toEqual(['accepted']);
    expect(calls).toEqual([`start kyc:${provider}:a`]);
  });

  it('duplicate: an event Temporal acknowledged before is not handed over again', async () => {
    const { handOver, calls, providerConfig } = step(() => ({}));
    expect(await handOver(providerConfig, [item('a', { known: true })])).toEqual(['duplicate']);
    expect(calls).toEqual([]);
  });

  it('late: the verification had closed (the ID reuse policy refused the start)', async () => {
    const { handOver, providerConfig } = step(
      () => new WorkflowExecutionAlreadyStartedError('closed', `kyc:${provider}:a`, 'verificationWorkflow'),
    );
    expect(await handOver(providerConfig, [item('a')])).toEqual(['late']);
  });

  it('absent and stale: an event that may only join finds no verification', async () => {
    const { handOver, calls, providerConfig } = step(() => new WorkflowNotFoundError('gone', 'w', undefined));
    expect(
      await handOver(providerConfig, [
        item('a', { startIfMissing: false }),
        item('b', { startIfMissing: false, stale: true }),
      ]),
    ).toEqual(['absent', 'stale']);
    expect(calls).toEqual([`signal kyc:${provider}:a`, `signal kyc:${provider}:b`]);
  });

  it('Temporal unreachable: 503 temporal_unavailable, or the local inbox for a provider that keeps one', async () => {
    const down = () => new Error('UNAVAILABLE');
    const plain = step(down);
    await expect(plain.handOver(plain.providerConfig, [item('a')])).rejects.toMatchObject({
      status: 503,
      code: 'temporal_unavailable',
    });
    const withInbox = step(down, { inbox: true });
    expect(await withInbox.handOver(withInbox.providerConfig, [item('a')])).toEqual(['queued']);
    expect(withInbox.appended).toEqual([expect.objectContaining({ kind: 'event', provider, startIfMissing: true })]);
  });

  it('past the start bound: only a signal, and 503 start_limited when no verification takes it', async () => {
    const { handOver, calls, providerConfig } = step(
      (call) => (call === 'start' ? {} : new WorkflowNotFoundError('none', 'w', undefined)),
      { startsPerMinute: 1 },
    );
    // The one start of the minute goes to the first; the second may only join, and finds nothing.
    await expect(handOver(providerConfig, [item('a'), item('b')])).rejects.toMatchObject({
      status: 503,
      code: 'start_limited',
    });
    expect(calls).toEqual([`start kyc:${provider}:a`, `signal kyc:${provider}:b`]);
  });

  it('at the in-flight bound: 503 overloaded before anything is handed over', async () => {
    const { handOver, calls, providerConfig } = step(() => new Promise(() => undefined), { cap: 1 });
    void handOver(providerConfig, [item('a')]);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(handOver(providerConfig, [item('b')])).rejects.toMatchObject({ status: 503, code: 'overloaded' });
    expect(calls).toEqual([`start kyc:${provider}:a`]);
  });
});
