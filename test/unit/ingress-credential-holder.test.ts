/**
 * What a caller who passes one provider's authentication can make the ingress do: in process,
 * against a fake Temporal that records which workflows were started, signalled and kept as dead
 * letters. The same paths on the real dev server: test/integration/credential-holder.test.ts.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import request from 'supertest';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { DeadLetterRecorder } from '../../src/dead-letters/recorder';
import { silentLogger } from '../../src/logger';
import { KYC_SEARCH_ATTRIBUTES } from '../../src/contracts';
import documented from '../fixtures/jumio/documented-callback.json';
import { DEV_DEFAULTS } from '../support/dev-defaults';

const OURS = documented.account.id;
const DAY_MS = 86_400_000;

const jumioEnv = {
  ...DEV_DEFAULTS,
  KYC_PROVIDERS: 'jumio',
  JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
  JUMIO_ACCOUNT_IDS: OURS,
};

/** Jumio's documented callback for one execution, sent now unless said otherwise. */
function callbackFor(reference: string, options: { account?: string; sentAt?: Date } = {}) {
  return {
    ...documented,
    callbackSentAt: (options.sentAt ?? new Date()).toISOString(),
    workflowExecution: {
      ...documented.workflowExecution,
      id: reference,
      href: `https://retrieval.amer-1.jumio.ai/api/v1/accounts/${options.account ?? OURS}/workflow-executions/${reference}`,
    },
    account: { id: options.account ?? OURS },
  };
}

/**
 * A Temporal that keeps which verifications exist (`existing`, also those the app started), and
 * records verification starts, signals, dead letters and readiness calls.
 */
function fakeTemporal(options: { retentionSeconds?: number; describeFails?: boolean } = {}) {
  const state = { down: false };
  const existing = new Set<string>();
  const started: string[] = [];
  const signalled: string[] = [];
  const letters: string[] = [];
  const calls = { getSystemInfo: 0, describeNamespace: 0 };
  const client = {
    connection: {
      withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
      operatorService: {
        listSearchAttributes: async () => ({
          customAttributes: Object.fromEntries(KYC_SEARCH_ATTRIBUTES.map((key) => [key.name, 2])),
        }),
      },
    },
    workflowService: {
      getSystemInfo: async () => {
        calls.getSystemInfo += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return {};
      },
      describeNamespace: async () => {
        calls.describeNamespace += 1;
        if (options.describeFails) throw new Error('permission denied');
        return { config: { workflowExecutionRetentionTtl: { seconds: options.retentionSeconds ?? 86_400 } } };
      },
    },
    workflow: {
      signalWithStart: async (_type: string, start: { workflowId: string }) => {
        if (state.down) throw new Error('unavailable');
        if (!existing.has(start.workflowId)) started.push(start.workflowId);
        existing.add(start.workflowId);
        signalled.push(start.workflowId);
        return {};
      },
      getHandle: (workflowId: string) => ({
        signal: async () => {
          if (!existing.has(workflowId)) throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
          signalled.push(workflowId);
        },
      }),
      // Dead letters are workflows too.
      start: async (_type: string, start: { args: [{ letter: { reason: string } }] }) => {
        letters.push(start.args[0].letter.reason);
        return {};
      },
    },
  } as unknown as Client;
  return { client, existing, started, signalled, letters, calls, state };
}

function ingress(temporal: ReturnType<typeof fakeTemporal>, env: Record<string, string> = {}) {
  const config = loadConfig({ ...jumioEnv, ...env });
  const deadLetters = new DeadLetterRecorder({ client: temporal.client, config, logger: silentLogger });
  return createIngressApp({ client: temporal.client, config, logger: silentLogger, deadLetters });
}

describe("Jumio's allowlist admits every Jumio customer: the account decides", () => {
  it('refuses a callback of another Jumio account (403), keeps it as a dead letter, starts nothing', async () => {
    const temporal = fakeTemporal();
    const app = ingress(temporal);
    const foreign = await request(app)
      .post('/webhooks/jumio')
      .send(callbackFor('ref-foreign', { account: 'acc-x' }));
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({
      error: 'forbidden',
      message: 'the callback is for an account that is not configured',
    });
    expect(temporal.started).toEqual([]);
    expect(temporal.signalled).toEqual([]);
    expect(temporal.letters).toEqual(['foreign_account']);

    const ours = await request(app).post('/webhooks/jumio').send(callbackFor('ref-ours'));
    expect(ours.status).toBe(200);
    expect(temporal.started).toEqual(['kyc:jumio:ref-ours']);
  });
});

describe('the start bound (KYC_CALLBACK_STARTS_PER_MINUTE)', () => {
  it('starts at most the bound from made-up references; 503 + Retry-After beyond it; existing verifications always pass', async () => {
    const temporal = fakeTemporal();
    // A verification the app started: this ingress has never handed it anything.
    temporal.existing.add('kyc:jumio:ref-app');
    const app = ingress(temporal, { KYC_CALLBACK_STARTS_PER_MINUTE: '3' });

    const answers = [];
    for (let i = 0; i < 10; i++)
      answers.push(
        await request(app)
          .post('/webhooks/jumio')
          .send(callbackFor(`ref-${i}`)),
      );
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 503, 503, 503, 503, 503, 503, 503]);
    expect(answers[3]!.body.error).toBe('start_limited');
    // 3 a minute: the next start is 20 s away.
    expect(Number(answers[3]!.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    expect(temporal.started).toEqual(['kyc:jumio:ref-0', 'kyc:jumio:ref-1', 'kyc:jumio:ref-2']);

    // Past the bound, a verification that exists still gets its callbacks: the app's and ours.
    expect((await request(app).post('/webhooks/jumio').send(callbackFor('ref-app'))).status).toBe(200);
    const later = {
      ...callbackFor('ref-1'),
      workflowExecution: { ...callbackFor('ref-1').workflowExecution, status: 'ACQUIRED' },
    };
    expect((await request(app).post('/webhooks/jumio').send(later)).status).toBe(200);
    expect(temporal.signalled.filter((id) => id === 'kyc:jumio:ref-app' || id === 'kyc:jumio:ref-1')).toHaveLength(3);
    expect(temporal.started).toHaveLength(3);

    // Dead letters are workflows too: past the bound a refused callback is answered 503 (its retry
    // finds a start), not refused without its letter.
    const invalid = await request(app)
      .post('/webhooks/jumio')
      .send({ workflowExecution: { id: 'x y', status: '' } });
    expect(invalid.status).toBe(503);
    expect(invalid.body.error).toBe('start_limited');
    expect(temporal.letters).toEqual([]);
  });
});

describe('the start bound and an outage', () => {
  it('spends no start on a hand-over that failed: after the outage the retries find the bound whole', async () => {
    const temporal = fakeTemporal();
    const app = ingress(temporal, { KYC_CALLBACK_STARTS_PER_MINUTE: '2' });
    temporal.state.down = true;
    for (let i = 0; i < 5; i++) {
      const res = await request(app)
        .post('/webhooks/jumio')
        .send(callbackFor(`ref-${i}`));
      expect(res.body.error).toBe('temporal_unavailable');
    }
    temporal.state.down = false;
    const retried = [];
    for (let i = 0; i < 3; i++)
      retried.push(
        (
          await request(app)
            .post('/webhooks/jumio')
            .send(callbackFor(`ref-${i}`))
        ).status,
      );
    expect(retried).toEqual([200, 200, 503]);
  });
});

describe('stale callbacks (own timestamp older than the namespace retention)', () => {
  it('never starts a verification: kept as a dead letter and answered 200; an open verification still takes it', async () => {
    const temporal = fakeTemporal({ retentionSeconds: 86_400 });
    temporal.existing.add('kyc:jumio:ref-open');
    const app = ingress(temporal);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);

    const stale = await request(app)
      .post('/webhooks/jumio')
      .send(callbackFor('ref-gone', { sentAt: twoDaysAgo }));
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual({ accepted: 0, stale: 1 });
    expect(temporal.started).toEqual([]);
    expect(temporal.letters).toEqual(['stale']);

    const open = await request(app)
      .post('/webhooks/jumio')
      .send(callbackFor('ref-open', { sentAt: twoDaysAgo }));
    expect(open.body).toEqual({ accepted: 1 });
    expect(temporal.signalled).toEqual(['kyc:jumio:ref-open']);

    const fresh = await request(app)
      .post('/webhooks/jumio')
      .send(callbackFor('ref-new', { sentAt: new Date() }));
    expect(fresh.body).toEqual({ accepted: 1 });
    expect(temporal.started).toEqual(['kyc:jumio:ref-new']);
    // The retention is read once.
    expect(temporal.calls.describeNamespace).toBe(1);
  });

  it('falls back to KYC_NAMESPACE_RETENTION when the retention cannot be read', async () => {
    const temporal = fakeTemporal({ describeFails: true });
    const app = ingress(temporal, { KYC_NAMESPACE_RETENTION: '1h' });
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    const res = await request(app)
      .post('/webhooks/jumio')
      .send(callbackFor('ref-old', { sentAt: twoHoursAgo }));
    expect(res.body).toEqual({ accepted: 0, stale: 1 });
    expect(temporal.started).toEqual([]);
  });
});

describe('/readyz', () => {
  it('answers a flood of probes with one call to Temporal', async () => {
    const temporal = fakeTemporal();
    const app = ingress(temporal);
    const probes = await Promise.all(Array.from({ length: 50 }, () => request(app).get('/readyz')));
    expect(probes.every((res) => res.status === 200 && res.body.status === 'ready')).toBe(true);
    expect(temporal.calls.getSystemInfo).toBe(1);
  });
});
