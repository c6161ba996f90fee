/**
 * What a caller who passes one provider's authentication can make the ingress do: in process,
 * against a fake Temporal that records which workflows were started, signalled and kept as dead
 * letters. The same paths on the real dev server: test/integration/credential-holder.test.ts. The
 * callbacks: a registered provider's story (from its testing kit) with callbacks in two statuses;
 * what only one provider's callbacks carry (an account, say) is tested in its folder.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { DeadLetterRecorder } from '../../src/dead-letters/recorder';
import { silentLogger } from '../../src/logger';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { fakeTemporal } from '../support/fake-temporal';
import { lastCallback, otherCallback, useCallbackProvider, type PlayedCallbacks } from '../support/kit-callbacks';

const DAY_MS = 86_400_000;

const callbacks = useCallbackProvider(
  (played) => new Set(played.callbacks.map(({ word }) => word)).size >= 2,
  'a story with callbacks in two statuses',
);

/** One verification's callbacks, played once, their provider times at `sentAt` (default: a minute ago). */
class Verification {
  readonly played: PlayedCallbacks;
  constructor(sentAt?: Date) {
    const times = sentAt && Array.from({ length: 10 }, () => sentAt);
    this.played = callbacks.play(randomUUID(), times ? { times } : {});
  }
  get workflowId(): string {
    return this.played.workflowId;
  }
  get last(): PlayedCallbacks['callbacks'][number] {
    return lastCallback(this.played);
  }
  get other(): PlayedCallbacks['callbacks'][number] {
    return otherCallback(this.played);
  }
}

function ingress(temporal: ReturnType<typeof fakeTemporal>, env: Record<string, string> = {}) {
  const config = loadConfig({ ...DEV_DEFAULTS, ...callbacks.environment, ...env });
  const deadLetters = new DeadLetterRecorder({ client: temporal.client, config, logger: silentLogger });
  return createIngressApp({ client: temporal.client, config, logger: silentLogger, deadLetters });
}

const post = (
  app: ReturnType<typeof ingress>,
  callback: { delivery: PlayedCallbacks['callbacks'][number]['delivery'] },
) => callbacks.post(app, callback.delivery);

describe('the start bound (KYC_CALLBACK_STARTS_PER_MINUTE)', () => {
  it('starts at most the bound from made-up references; 503 + Retry-After beyond it; existing verifications always pass', async () => {
    const temporal = fakeTemporal();
    // A verification the app started: this ingress has never handed it anything.
    const appStarted = new Verification();
    temporal.existing.add(appStarted.workflowId);
    const app = ingress(temporal, { KYC_CALLBACK_STARTS_PER_MINUTE: '3' });

    const made = Array.from({ length: 10 }, () => new Verification());
    const answers = [];
    for (const verification of made) answers.push(await post(app, verification.last));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 503, 503, 503, 503, 503, 503, 503]);
    expect(answers[3]!.body.error).toBe('start_limited');
    // 3 a minute: the next start is 20 s away.
    expect(Number(answers[3]!.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    expect(temporal.started).toEqual(made.slice(0, 3).map(({ workflowId }) => workflowId));

    // Past the bound, a verification that exists still gets its callbacks: the app's and ours.
    expect((await post(app, appStarted.last)).status).toBe(200);
    const [, second] = made;
    expect((await post(app, second!.other)).status).toBe(200);
    expect(temporal.signalled.filter((id) => id === appStarted.workflowId || id === second!.workflowId)).toHaveLength(
      3,
    );
    expect(temporal.started).toHaveLength(3);

    // Dead letters are workflows too: past the bound a refused callback is answered 503 (its retry
    // finds a start), not refused without its letter. Authenticated as the provider's callbacks are.
    const invalid = await callbacks.post(app, { ...appStarted.last.delivery, body: { __not_a_callback: true } });
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
    const made = Array.from({ length: 5 }, () => new Verification());
    for (const verification of made) {
      const res = await post(app, verification.last);
      expect(res.body.error).toBe('temporal_unavailable');
    }
    temporal.state.down = false;
    const retried = [];
    for (const verification of made.slice(0, 3)) retried.push((await post(app, verification.last)).status);
    expect(retried).toEqual([200, 200, 503]);
  });
});

describe('stale callbacks (own timestamp older than the namespace retention)', () => {
  it('never starts a verification: kept as a dead letter and answered 200; an open verification still takes it', async () => {
    const temporal = fakeTemporal({ retentionSeconds: 86_400 });
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    const opened = new Verification(twoDaysAgo);
    temporal.existing.add(opened.workflowId);
    const app = ingress(temporal);

    const stale = await post(app, new Verification(twoDaysAgo).last);
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual({ accepted: 0, stale: 1 });
    expect(temporal.started).toEqual([]);
    expect(temporal.letters).toEqual(['stale']);

    const open = await post(app, opened.last);
    expect(open.body).toEqual({ accepted: 1 });
    expect(temporal.signalled).toEqual([opened.workflowId]);

    const created = new Verification(new Date());
    const fresh = await post(app, created.last);
    expect(fresh.body).toEqual({ accepted: 1 });
    expect(temporal.started).toEqual([created.workflowId]);
    // The retention is read once.
    expect(temporal.calls.describeNamespace).toBe(1);
  });

  it('falls back to KYC_NAMESPACE_RETENTION when the retention cannot be read', async () => {
    const temporal = fakeTemporal({ describeFails: true });
    const app = ingress(temporal, { KYC_NAMESPACE_RETENTION: '1h' });
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    const res = await post(app, new Verification(twoHoursAgo).last);
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
