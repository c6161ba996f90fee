/**
 * KycClient against a real dev server, worker and the Jumio simulator: typed errors, start
 * validation, and how a closed verification is read (its workflow result, no query, no worker).
 */
import { randomUUID } from 'node:crypto';
import {
  InvalidRequestError,
  KycClient,
  VerificationAlreadyFinishedError,
  VerificationNotFoundError,
} from '../../src/client';
import { postJson } from '../../src/testing/callback-sender';
import type { VerificationState } from '../../src/verification/model';
import { kycWorkflowId } from '../../src/contracts';
import { jumioTestEnv, useJumioStack } from '../../src/providers/jumio/test/jumio-env';
import { runWorker, testClient, testConfig } from '../support/stack';
import { PROVIDERS } from '../../src/providers/registry';

const fixture = useJumioStack({ JUMIO_CALLBACK_GRACE: '1h' });

function kyc(): KycClient {
  return new KycClient(fixture.stack.client, fixture.stack.config);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** A Jumio verification that callbacks take to COMPLETED/APPROVED. */
async function finishedVerification(client = kyc(), ingressUrl = fixture.stack.ingressUrl): Promise<string> {
  const id = randomUUID();
  const accountId = randomUUID();
  fixture.sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
  await client.startVerification({ provider: 'jumio', reference: id, context: { accountId } });
  expect((await postJson(`${ingressUrl}/webhooks/jumio`, fixture.sim.callback(id, 'PROCESSED'))).status).toBe(200);
  expect(await client.waitForVerification('jumio', id, { timeoutMs: 40_000 })).toMatchObject({
    status: 'COMPLETED',
    decision: 'APPROVED',
  });
  return id;
}

describe('startVerification', () => {
  it('refuses, before anything starts, a request that could never finish', async () => {
    const id = randomUUID();
    const cases: [Parameters<KycClient['startVerification']>[0], string][] = [
      [
        { provider: 'jumio', reference: id },
        "jumio needs context.accountId: its retrieval API is addressed by it, so without it a lost callback could never be confirmed (pass context: { accountId: '…' }, CLI: --context accountId=…)",
      ],
      [
        { provider: 'jumio', reference: id, context: { accountId: 'a', x: 'jane@example.com' } },
        'context.x must be an ID',
      ],
      [
        { provider: 'jumio', reference: id, context: { accountId: 'a' }, expiresAt: new Date(Date.now() - 1000) },
        'expiresAt must be in the future',
      ],
      [{ provider: 'onfido' as 'jumio', reference: id }, `provider must be one of ${PROVIDERS.join(', ')}`],
      [{ provider: 'jumio', reference: 'jane doe', context: { accountId: 'a' } }, 'reference must be an ID'],
    ];
    for (const [request, message] of cases) {
      const err = await rejection(kyc().startVerification(request));
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.message.slice(0, message.length)).toBe(message);
    }
    // Nothing was started.
    expect(await rejection(kyc().getVerification('jumio', id))).toBeInstanceOf(VerificationNotFoundError);
  });
});

describe('errors', () => {
  it('says which verification does not exist', async () => {
    const err = await rejection(kyc().getVerification('jumio', 'no-such-reference'));
    expect(err).toBeInstanceOf(VerificationNotFoundError);
    expect(err).toMatchObject({
      workflowId: 'kyc:jumio:no-such-reference',
      message: 'no verification kyc:jumio:no-such-reference',
    });
    expect(await rejection(kyc().refreshVerification('jumio', 'no-such-reference'))).toBeInstanceOf(
      VerificationNotFoundError,
    );
  });

  it('refuses to cancel or refresh a finished verification, handing back its verdict', async () => {
    const id = await finishedVerification();
    const attempts = [
      () => kyc().cancelVerification('jumio', id, 'user_left'),
      () => kyc().refreshVerification('jumio', id),
    ];
    for (const attempt of attempts) {
      const err = await rejection(attempt());
      expect(err).toBeInstanceOf(VerificationAlreadyFinishedError);
      expect(err.message).toBe(`verification kyc:jumio:${id} already finished: COMPLETED/APPROVED`);
      expect((err as VerificationAlreadyFinishedError).state).toMatchObject({
        status: 'COMPLETED',
        decision: 'APPROVED',
      });
    }
  });
});

describe('refresh', () => {
  it("sends the workflow's refresh signal to a running verification", async () => {
    const id = randomUUID();
    await kyc().startVerification({ provider: 'jumio', reference: id, context: { accountId: 'acc-r' } });
    await kyc().refreshVerification('jumio', id);
    const history = await fixture.stack.client.workflow.getHandle(kycWorkflowId('jumio', id)).fetchHistory();
    const signals = (history.events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName] : [],
    );
    expect(signals).toEqual(['register', 'refresh']);
  });
});

describe('a closed verification', () => {
  it('is read from its workflow result: no worker (and so no query replay) is needed', async () => {
    // A worker of its own, so stopping it leaves the file's stack alone.
    const config = testConfig(jumioTestEnv(fixture.sim, { JUMIO_CALLBACK_GRACE: '1h' }), fixture.env.address);
    const client = testClient(fixture.env, config);
    const worker = await runWorker(fixture.env, config);
    const own = new KycClient(client, config);
    let id: string;
    try {
      id = await finishedVerification(own);
    } finally {
      await worker.stop();
    }
    // A query would now wait for a worker that never comes; the result is in the history.
    const state = await withinSeconds(20, own.getVerification('jumio', id));
    expect(state).toMatchObject<Partial<VerificationState>>({
      status: 'COMPLETED',
      decision: 'APPROVED',
      reference: id,
    });
    expect(await withinSeconds(20, own.waitForVerification('jumio', id))).toEqual(state);
  });
});

async function withinSeconds<T>(seconds: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), seconds * 1000);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
