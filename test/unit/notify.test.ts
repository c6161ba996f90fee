import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import { createNotifyActivities, NotifyFailure } from '../../src/activities/notify';
import { loadConfig } from '../../src/app-config';
import { type VerificationState } from '../../src/verification/model';
import { freePort } from '../support/ports';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { TEST_POLICY, TEST_PROVIDER } from '../support/policy';
import { initialState } from '../../src/verification/initial-state';
import { NOTIFY_EVENT_TYPE, PROVISIONAL_EVENT_TYPE, type NotifyInput, type NotifyPayload } from '../../src/contracts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback that answers with the next scripted status (then 204). */
async function startReceiver(
  port = 0,
  answers: number[] = [],
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = answers.shift() ?? 204;
      if (status === 429) res.setHeader('Retry-After', '7');
      res.writeHead(status).end(status >= 400 ? 'nope' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/kyc-verdicts`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const WEBHOOK_ID = `kyc:${TEST_PROVIDER}:exec-1:finished`;

function finalState(): VerificationState {
  return {
    ...initialState(TEST_PROVIDER, 'exec-1', '2026-01-01T10:00:00.000Z', TEST_POLICY),
    status: 'COMPLETED',
    decision: 'APPROVED',
    providerStatus: 'FINISHED/OK',
    completedAt: '2026-01-01T10:05:00.000Z',
    customerReference: 'cust-42',
    registeredByApp: true,
    context: { account: 'acc-1' },
    seen: [`${TEST_PROVIDER}:exec-1:FINISHED`],
  };
}

function notifier(url: string) {
  return createNotifyActivities({ notify: { enabled: true, url, secret }, requestTimeoutMs: 5000 });
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }
  throw new Error('expected the activity to fail');
}

describe('notifyApp', () => {
  it('posts the final state, signed so the Standard Webhooks library verifies it', async () => {
    const receiver = await startReceiver();
    try {
      await new MockActivityEnvironment().run(notifier(receiver.url).notifyApp, {
        state: finalState(),
        webhookId: WEBHOOK_ID,
      });
      expect(receiver.received).toHaveLength(1);
      const [request] = receiver.received;
      expect(request!.headers['webhook-id']).toBe(WEBHOOK_ID);
      expect(request!.headers['content-type']).toBe('application/json');
      const payload = new Webhook(secret).verify(
        request!.body,
        request!.headers as Record<string, string>,
      ) as NotifyPayload;
      expect(payload).toMatchObject({
        type: NOTIFY_EVENT_TYPE,
        data: { provider: TEST_PROVIDER, reference: 'exec-1', status: 'COMPLETED', decision: 'APPROVED' },
      });
      expect(payload.data).not.toHaveProperty('seen');
      // Another secret does not verify it: the signature is real.
      const other = new Webhook(`whsec_${randomBytes(32).toString('base64')}`);
      expect(() => other.verify(request!.body, request!.headers as Record<string, string>)).toThrow();
    } finally {
      await receiver.close();
    }
  });

  it('posts a provisional decision as kyc.verification.provisional, signed the same way', async () => {
    const receiver = await startReceiver();
    try {
      const open: VerificationState = {
        ...finalState(),
        status: 'ACTION_REQUIRED',
        decision: undefined,
        completedAt: undefined,
        provisional: {
          status: 'COMPLETED',
          decision: 'REVIEW',
          providerStatus: 'evaluation_completed/REVIEW',
          awaiting: 'provider_review',
          index: 0,
          since: '2026-01-01T10:05:00.000Z',
          reviewEndsAt: '2026-01-31T10:05:00.000Z',
        },
      };
      const input: NotifyInput = {
        state: open,
        webhookId: 'kyc:fake:eval-1:provisional:0',
        type: PROVISIONAL_EVENT_TYPE,
      };
      await new MockActivityEnvironment().run(notifier(receiver.url).notifyApp, input);
      const [request] = receiver.received;
      expect(request!.headers['webhook-id']).toBe('kyc:fake:eval-1:provisional:0');
      const payload = new Webhook(secret).verify(
        request!.body,
        request!.headers as Record<string, string>,
      ) as NotifyPayload;
      expect(payload).toMatchObject({
        type: 'kyc.verification.provisional',
        data: { status: 'ACTION_REQUIRED', provisional: { decision: 'REVIEW', awaiting: 'provider_review' } },
      });
    } finally {
      await receiver.close();
    }
  });

  it('fails retryably while the receiver is down, and delivers once it is up', async () => {
    const port = await freePort();
    const activities = notifier(`http://127.0.0.1:${port}/kyc-verdicts`);
    const input = { state: finalState(), webhookId: WEBHOOK_ID };

    const down = await failureOf(new MockActivityEnvironment().run(activities.notifyApp, input));
    expect(down.type).toBe(NotifyFailure.Unavailable);
    expect(down.nonRetryable).toBe(false);
    expect(down.message).toMatch(/unreachable .*ECONNREFUSED/);

    const receiver = await startReceiver(port);
    try {
      // The retry Temporal would make: same input, now accepted and verifiable.
      await new MockActivityEnvironment({ attempt: 2 }).run(activities.notifyApp, input);
      expect(receiver.received).toHaveLength(1);
      expect(() =>
        new Webhook(secret).verify(receiver.received[0]!.body, receiver.received[0]!.headers as Record<string, string>),
      ).not.toThrow();
    } finally {
      await receiver.close();
    }
  });

  it('retries 5xx, 408 and 429 (honouring Retry-After) and gives up on other 4xx', async () => {
    const receiver = await startReceiver(0, [503, 408, 429, 401, 410]);
    const input = { state: finalState(), webhookId: 'w-1' };
    const run = () => new MockActivityEnvironment().run(notifier(receiver.url).notifyApp, input);
    try {
      for (const status of [503, 408]) {
        const failure = await failureOf(run());
        expect([failure.type, failure.nonRetryable, failure.message]).toEqual([
          NotifyFailure.Unavailable,
          false,
          `app notification endpoint answered HTTP ${status}`,
        ]);
      }
      const limited = await failureOf(run());
      expect([limited.type, limited.nonRetryable, limited.nextRetryDelay]).toEqual([
        NotifyFailure.Unavailable,
        false,
        7000,
      ]);
      for (const status of [401, 410]) {
        const failure = await failureOf(run());
        expect([failure.type, failure.nonRetryable, failure.message]).toEqual([
          NotifyFailure.Refused,
          true,
          `app notification endpoint refused the verdict with HTTP ${status}`,
        ]);
      }
      expect(receiver.received).toHaveLength(5);
    } finally {
      await receiver.close();
    }
  });

  it('refuses non-retryably on a worker without a notification URL', async () => {
    const { notifyApp } = createNotifyActivities({ notify: { enabled: false } });
    const failure = await failureOf(
      new MockActivityEnvironment().run(notifyApp, { state: finalState(), webhookId: 'w' }),
    );
    expect([failure.type, failure.nonRetryable]).toEqual([NotifyFailure.NotConfigured, true]);
  });
});

describe('KYC_NOTIFY_URL / KYC_NOTIFY_SECRET', () => {
  it('enables notification only with both, and a well-formed secret', () => {
    expect(loadConfig(DEV_DEFAULTS).notify).toEqual({ enabled: false });
    expect(
      loadConfig({ ...DEV_DEFAULTS, KYC_NOTIFY_URL: 'https://app.example/kyc', KYC_NOTIFY_SECRET: secret }).notify,
    ).toEqual({
      enabled: true,
      url: 'https://app.example/kyc',
      secret,
    });
    expect(() => loadConfig({ KYC_NOTIFY_URL: 'https://app.example/kyc' })).toThrow(
      'KYC_NOTIFY_SECRET: must be set when KYC_NOTIFY_URL is set',
    );
    expect(() => loadConfig({ KYC_NOTIFY_SECRET: secret })).toThrow(
      'KYC_NOTIFY_URL: must be set when KYC_NOTIFY_SECRET is set',
    );
    expect(() => loadConfig({ KYC_NOTIFY_URL: 'https://app.example/kyc', KYC_NOTIFY_SECRET: 'hunter2' })).toThrow(
      'KYC_NOTIFY_SECRET: must be whsec_ followed by 24 to 64 random bytes',
    );
    expect(() =>
      loadConfig({ ...DEV_DEFAULTS, KYC_NOTIFY_URL: 'ftp://app.example', KYC_NOTIFY_SECRET: secret }),
    ).toThrow('KYC_NOTIFY_URL: is not an http(s) URL');
  });
});
