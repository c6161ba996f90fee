/**
 * KycClient against a real dev server, worker and a provider's simulator (from its testing kit):
 * typed errors, start validation, and how a closed verification is read (its workflow result, no
 * query, no worker). The provider: the first registered one whose retrieval API needs a context key
 * from the start (what the start validation refuses without it), with an approval its callbacks end.
 */
import { randomUUID } from 'node:crypto';
import {
  InvalidRequestError,
  KycClient,
  VerificationAlreadyFinishedError,
  VerificationNotFoundError,
} from '../../src/client';
import { sendCallbacks } from '../../src/testing/callback-sender';
import type { ProviderStory } from '../../src/testing/kit';
import type { VerificationState } from '../../src/verification/model';
import { kycWorkflowId } from '../../src/contracts';
import { providerVariable } from '../../src/providers/settings';
import { PROVIDERS, providerModule, type ProviderId } from '../../src/providers/registry';
import { useProviderStack } from '../support/provider-stack';
import { kitWith, storyOf } from '../support/providers';
import { runWorker, testClient, testConfig } from '../support/stack';

/** An approval its callbacks end (announced or carried in them). */
const approvalByCallbacks = (story: ProviderStory<never>) =>
  story.callbacksDecide && story.truth.status === 'COMPLETED' && story.truth.decision === 'APPROVED';

const chosen = kitWith(
  (kit, provider) =>
    (providerModule(provider).requiredContext ?? []).length > 0 && storyOf(kit, approvalByCallbacks) !== undefined,
  'a required context key and an approval its callbacks end',
);
const graceOf = (provider: ProviderId) => ({ [providerVariable(provider, 'CALLBACK_GRACE')]: '1h' });
const fixture = useProviderStack(() => chosen.choose(), { variables: ([provider]) => graceOf(provider!) });

function kyc(): KycClient {
  return fixture.kyc;
}

function provider(): ProviderId {
  return chosen.picked.provider;
}

/** The context key its retrieval API is addressed by. */
function requiredKey(): string {
  return providerModule(provider()).requiredContext![0]!.key;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** A verification the app starts and the approval story's callbacks take to COMPLETED/APPROVED. */
async function finishedVerification(client = kyc(), ingressUrl = fixture.stack.ingressUrl): Promise<string> {
  const { kit } = chosen.picked;
  const played = kit.stories[storyOf(kit, approvalByCallbacks)!]!.play(fixture.of(provider()).sim);
  const id = played.start.reference;
  await client.startVerification(played.start);
  const sent = await sendCallbacks(
    `${ingressUrl}/webhooks/${provider()}`,
    played.callbacks.map(({ delivery }) => delivery),
  );
  expect(sent.map(({ status }) => status)).toEqual(played.callbacks.map(() => 200));
  expect(await client.waitForVerification(provider(), id, { timeoutMs: 40_000 })).toMatchObject({
    status: 'COMPLETED',
    decision: 'APPROVED',
  });
  return id;
}

describe('startVerification', () => {
  it('refuses, before anything starts, a request that could never finish', async () => {
    const id = randomUUID();
    const p = provider();
    const key = requiredKey();
    const cases: [Parameters<KycClient['startVerification']>[0], string][] = [
      [
        { provider: p, reference: id },
        `${p} needs context.${key}: its retrieval API is addressed by it, so without it a lost callback could never be confirmed (pass context: { ${key}: '…' }, CLI: --context ${key}=…)`,
      ],
      [{ provider: p, reference: id, context: { [key]: 'a', x: 'jane@example.com' } }, 'context.x must be an ID'],
      [
        { provider: p, reference: id, context: { [key]: 'a' }, expiresAt: new Date(Date.now() - 1000) },
        'expiresAt must be in the future',
      ],
      [{ provider: 'onfido' as ProviderId, reference: id }, `provider must be one of ${PROVIDERS.join(', ')}`],
      [{ provider: p, reference: 'jane doe', context: { [key]: 'a' } }, 'reference must be an ID'],
    ];
    for (const [request, message] of cases) {
      const err = await rejection(kyc().startVerification(request));
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect(err.message.slice(0, message.length)).toBe(message);
    }
    // Nothing was started.
    expect(await rejection(kyc().getVerification(p, id))).toBeInstanceOf(VerificationNotFoundError);
  });
});

describe('errors', () => {
  it('says which verification does not exist', async () => {
    const err = await rejection(kyc().getVerification(provider(), 'no-such-reference'));
    expect(err).toBeInstanceOf(VerificationNotFoundError);
    expect(err).toMatchObject({
      workflowId: `kyc:${provider()}:no-such-reference`,
      message: `no verification kyc:${provider()}:no-such-reference`,
    });
    expect(await rejection(kyc().refreshVerification(provider(), 'no-such-reference'))).toBeInstanceOf(
      VerificationNotFoundError,
    );
  });

  it('refuses to cancel or refresh a finished verification, handing back its verdict', async () => {
    const id = await finishedVerification();
    const attempts = [
      () => kyc().cancelVerification(provider(), id, 'user_left'),
      () => kyc().refreshVerification(provider(), id),
    ];
    for (const attempt of attempts) {
      const err = await rejection(attempt());
      expect(err).toBeInstanceOf(VerificationAlreadyFinishedError);
      expect(err.message).toBe(`verification kyc:${provider()}:${id} already finished: COMPLETED/APPROVED`);
      expect((err as VerificationAlreadyFinishedError).state).toMatchObject({
        status: 'COMPLETED',
        decision: 'APPROVED',
      });
    }
  });
});

describe('refresh', () => {
  it("sends the workflow's refresh signal to a running verification", async () => {
    // A user who never finishes: the provider, asked, still says "open".
    const played = chosen.picked.kit.neverFinishes.play(fixture.of(provider()).sim);
    const id = played.start.reference;
    await kyc().startVerification(played.start);
    await kyc().refreshVerification(provider(), id);
    const history = await fixture.stack.client.workflow.getHandle(kycWorkflowId(provider(), id)).fetchHistory();
    const signals = (history.events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName] : [],
    );
    expect(signals).toEqual(['register', 'refresh']);
  });
});

describe('a closed verification', () => {
  it('is read from its workflow result: no worker (and so no query replay) is needed', async () => {
    // A worker of its own, so stopping it leaves the file's stack alone.
    const config = testConfig({ ...fixture.sims.environment, ...graceOf(provider()) }, fixture.env.address);
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
    const state = await withinSeconds(20, own.getVerification(provider(), id));
    expect(state).toMatchObject<Partial<VerificationState>>({
      status: 'COMPLETED',
      decision: 'APPROVED',
      reference: id,
    });
    expect(await withinSeconds(20, own.waitForVerification(provider(), id))).toEqual(state);
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
