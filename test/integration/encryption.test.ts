/**
 * With KYC_PAYLOAD_KEY set, what Temporal stores is ciphertext: every payload in the history
 * (inputs, signals, activity results, the workflow's result, failure texts) is checked byte by
 * byte, and the same check run on a stack without a key finds the clear text, so it can fail.
 * Rotating the key strands nothing: a verification begun under key A continues under key B.
 * The provider: the first registered one with an approval whose callbacks announce the verdict its
 * retrieval API holds (so a wrong credential fails that retrieval), whose callbacks may start a
 * verification, and which has a secret credential.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { KycClient } from '../../src/client';
import { postJson, sendCallbacks } from '../../src/testing/callback-sender';
import type { PlayedStory, ProviderStory } from '../../src/testing/kit';
import { EncryptionCodec, payloadKeyId } from '../../src/temporal/encryption-codec';
import { kycWorkflowId } from '../../src/contracts';
import { providerVariable } from '../../src/providers/settings';
import { providerModule, type ProviderId } from '../../src/providers/registry';
import { useProviderStack } from '../support/provider-stack';
import { documentedStatus, kitWith, storyOf } from '../support/providers';
import { eventually, startStack, type Stack } from '../support/stack';

type History = temporal.api.history.v1.IHistory;
const keyA = randomBytes(32);
const keyB = randomBytes(32);

/** An approval whose callbacks announce a verdict the API holds from the start: one retrieval fetches it. */
const announcedFromStart = (story: ProviderStory<never>) =>
  story.announced &&
  story.apiKnowsFromStart &&
  story.truth.status === 'COMPLETED' &&
  story.truth.decision === 'APPROVED';
const chosen = kitWith(
  (kit, provider) =>
    storyOf(kit, announcedFromStart) !== undefined &&
    !providerModule(provider).appStartsOnly &&
    providerModule(provider).variables.some((variable) => variable.secret),
  'an announced approval its API holds, callbacks that may start a verification, and a secret credential',
);
const graceOf = (provider: ProviderId) => ({ [providerVariable(provider, 'CALLBACK_GRACE')]: '1h' });
const fixture = useProviderStack(() => chosen.choose(), {
  variables: ([provider]) => ({ KYC_PAYLOAD_KEY: keyA.toString('base64'), ...graceOf(provider!) }),
});

function provider(): ProviderId {
  return chosen.picked.provider;
}

/** The chosen story played for a verification of its own (the shared simulator scripted for it). */
function play(): PlayedStory {
  const { kit } = chosen.picked;
  return kit.stories[storyOf(kit, announcedFromStart)!]!.play(fixture.of(provider()).sim);
}

/** Stack variables: the simulator's, callbacks given an hour before any poll, and `extra`. */
function variables(extra: Record<string, string> = {}): Record<string, string> {
  return { ...fixture.sims.environment, ...graceOf(provider()), ...extra };
}

async function historyOf(client: Client, reference: string): Promise<History> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: kycWorkflowId(provider(), reference) },
  });
  return history!;
}

/**
 * Every payload anywhere in a history, except what Temporal keeps readable by design and holds
 * no personal data: search attributes (indexed), the UI summary (`userMetadata`, provider and
 * reference only), the SDK's own local-activity marker bookkeeping (`data`: sequence, attempt,
 * activity type; the activity's result beside it is encrypted) and patch markers (`patch-data`:
 * the patch's ID, a code name).
 */
const READABLE_BY_DESIGN = new Set([
  'searchAttributes',
  'upsertWorkflowSearchAttributesEventAttributes',
  'userMetadata',
]);
const MARKER_BOOKKEEPING = new Set(['data', 'patch-data']);

function payloadsIn(node: unknown, found: Payload[] = [], parent = ''): Payload[] {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return found;
  const record = node as Record<string, unknown>;
  if (record.data instanceof Uint8Array && record.metadata && typeof record.metadata === 'object') {
    found.push(record as Payload);
    return found;
  }
  for (const [key, value] of Object.entries(record)) {
    if (READABLE_BY_DESIGN.has(key) || (parent === 'details' && MARKER_BOOKKEEPING.has(key))) continue;
    payloadsIn(value, found, key);
  }
  return found;
}

/** The payloads whose bytes, read as text, contain any of the given values. */
function payloadsShowing(history: History, values: string[]): string[] {
  return payloadsIn(history)
    .map((payload) => Buffer.from(payload.data!).toString('utf8'))
    .filter((text) => values.some((value) => text.includes(value)));
}

const encodingOf = (payload: Payload) => Buffer.from(payload.metadata!.encoding!).toString();
const keyIdOf = (payload: Payload) => Buffer.from(payload.metadata!['encryption-key-id'] ?? '').toString();

/** A verification begun by the app and finished by the story's callbacks and the retrieval they announce. */
async function completeOne(stack: Stack, customerReference: string): Promise<string> {
  const played = play();
  const { reference } = played.start;
  const kyc = new KycClient(stack.client, stack.config);
  await kyc.startVerification({ ...played.start, customerReference });
  await sendCallbacks(
    `${stack.ingressUrl}/webhooks/${provider()}`,
    played.callbacks.map(({ delivery }) => delivery),
  );
  expect(await kyc.waitForVerification(provider(), reference, { timeoutMs: 30_000 })).toMatchObject({
    status: 'COMPLETED',
    customerReference,
  });
  return reference;
}

it('stores only encrypted payloads, and the app reads them in clear', async () => {
  const reference = await completeOne(fixture.stack, 'customer-secret-77');
  const history = await historyOf(fixture.stack.client, reference);

  const payloads = payloadsIn(history);
  expect(payloads.length).toBeGreaterThanOrEqual(4);
  for (const payload of payloads) {
    expect(encodingOf(payload)).toBe('binary/encrypted');
    expect(keyIdOf(payload)).toBe(payloadKeyId(keyA));
  }
  // Neither the app's data nor the verification's state is readable in any payload's bytes.
  expect(payloadsShowing(history, ['customer-secret-77', reference, '"status"', 'COMPLETED', 'json/plain'])).toEqual(
    [],
  );
});

it('the same check finds the clear text when encryption is off (it can fail)', async () => {
  const plain = await startStack(fixture.env, variables());
  try {
    const reference = await completeOne(plain, 'customer-plain-78');
    const history = await historyOf(plain.client, reference);
    expect(payloadsIn(history).some((payload) => encodingOf(payload) !== 'binary/encrypted')).toBe(true);
    expect(payloadsShowing(history, ['customer-plain-78']).length).toBeGreaterThan(0);
    expect(payloadsShowing(history, ['COMPLETED']).length).toBeGreaterThan(0);
  } finally {
    await plain.stop();
  }
});

it('encrypts failure messages and stack traces', async () => {
  // Wrong credentials: the retrieval fails for good (401 → ProviderAuthRejected) and the
  // failure, with its message and stack, lands in the history.
  const wrongSecrets = Object.fromEntries(
    providerModule(provider())
      .variables.filter((variable) => variable.secret)
      .map((variable) => [variable.name, 'not-the-secret']),
  );
  const misconfigured = await startStack(
    fixture.env,
    variables({ KYC_PAYLOAD_KEY: keyA.toString('base64'), ...wrongSecrets }),
  );
  try {
    // The callbacks alone start it, and announce the verdict the retrieval then fails to fetch.
    const played = play();
    const { reference } = played.start;
    const sent = await sendCallbacks(
      `${misconfigured.ingressUrl}/webhooks/${provider()}`,
      played.callbacks.map(({ delivery }) => delivery),
    );
    expect(sent.map(({ status }) => status)).toEqual(played.callbacks.map(() => 200));
    const failure = await eventuallyFailure(misconfigured.client, reference);
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace ?? '').toBe('');
    expect(encodingOf(failure.encodedAttributes!)).toBe('binary/encrypted');
    const [clear] = await new EncryptionCodec(keyA).decode([failure.encodedAttributes!]);
    const attributes = defaultPayloadConverter.fromPayload<{ message: string; stack_trace: string }>(clear!);
    expect(attributes.message.length).toBeGreaterThan(0);
    expect(attributes.stack_trace).toContain('at ');
  } finally {
    await misconfigured.stop();
  }
});

function eventuallyFailure(client: Client, reference: string): Promise<temporal.api.failure.v1.IFailure> {
  return eventually(
    async () => {
      const history = await historyOf(client, reference);
      const failed = history.events?.find((e) => e.activityTaskFailedEventAttributes?.failure);
      return failed?.activityTaskFailedEventAttributes?.failure ?? undefined;
    },
    45_000,
    'an activity failure in the history',
  );
}

it('rotating the key strands nothing: a verification begun under key A continues and completes under key B', async () => {
  const taskQueue = `rotation-${randomUUID()}`;
  const underA = await startStack(
    fixture.env,
    variables({ KYC_PAYLOAD_KEY: keyA.toString('base64'), TEMPORAL_TASK_QUEUE: taskQueue }),
  );
  // Its first callback is handled under A, the rest under B.
  const played = play();
  expect(played.callbacks.length).toBeGreaterThanOrEqual(2);
  const [first, ...rest] = played.callbacks;
  const { reference } = played.start;
  const url = (stack: Stack) => `${stack.ingressUrl}/webhooks/${provider()}`;
  let underB: Stack | undefined;
  try {
    const kycA = new KycClient(underA.client, underA.config);
    await kycA.startVerification({ ...played.start, customerReference: 'rot-1' });
    expect(await postJson(url(underA), first!.delivery.body, first!.delivery.headers)).toEqual({
      status: 200,
      body: { accepted: 1 },
    });
    expect(await kycA.getVerification(provider(), reference)).toMatchObject({
      status: documentedStatus(provider(), first!.word),
      providerStatus: first!.word,
    });
    await underA.stop();

    // The operator rotates: B encrypts from now on, A stays in the ring to read what it wrote.
    underB = await startStack(
      fixture.env,
      variables({
        KYC_PAYLOAD_KEY: keyB.toString('base64'),
        KYC_PAYLOAD_KEYS_OLD: keyA.toString('base64'),
        TEMPORAL_TASK_QUEUE: taskQueue,
      }),
    );
    const kycB = new KycClient(underB.client, underB.config);
    await sendCallbacks(
      url(underB),
      rest.map(({ delivery }) => delivery),
    );
    const final = await kycB.waitForVerification(provider(), reference, { timeoutMs: 30_000 });
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', customerReference: 'rot-1' });

    // The history holds payloads under both keys, and the ring reads every one of them.
    const payloads = payloadsIn(await historyOf(underB.client, reference));
    const keyIds = new Set(payloads.map(keyIdOf));
    expect(keyIds).toEqual(new Set([payloadKeyId(keyA), payloadKeyId(keyB)]));
    const ring = new EncryptionCodec(keyB, [keyA]);
    const decoded = await ring.decode(payloads);
    expect(decoded.map(encodingOf).every((encoding) => encoding !== 'binary/encrypted')).toBe(true);
    // Without A in the ring, the old payloads are refused, not misread.
    await expect(new EncryptionCodec(keyB).decode(payloads)).rejects.toThrow(/KYC_PAYLOAD_KEYS_OLD/);
  } finally {
    await underB?.stop();
    if (underA.worker.worker.getState() === 'RUNNING') await underA.stop();
  }
});
