/**
 * Provisional decisions on the real workflow (time-skipping test server, scripted provider): a
 * decision the provider will revisit keeps the verification open, the app is told of it (the
 * `kyc.verification.provisional` push and the `kycVerificationProvisional` signal), the later
 * decision ends it, final; without one, the review window closes it, not final. The meanings are
 * those a provider's parser gives its documented review payloads (its provider's provisional test).
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { CanonicalMeaning, VerificationState } from '../../src/verification/model';
import {
  cancelSignal,
  KycDecision,
  KycStatus,
  kycWorkflowId,
  PROVISIONAL_EVENT_TYPE,
  registerSignal,
  stateQuery,
  verificationFinishedSignal,
  verificationProvisionalSignal,
} from '../../src/contracts';
import { answer, callback, FAKE_PROVIDER, HOUR, POLICY, useWorkflowBench } from './harness';

const bench = useWorkflowBench();
const handle = (reference: string) => bench.env.client.workflow.getHandle(kycWorkflowId(FAKE_PROVIDER, reference));

/** `evaluation_completed` REVIEW on an OPEN case ("In Review"), as the provider's parser reads it. */
const IN_REVIEW: CanonicalMeaning = {
  status: 'COMPLETED',
  decision: 'REVIEW',
  provisional: { awaiting: 'provider_review' },
};
/** The reviewer's `decision_update` ACCEPT on the CLOSED case. */
const ACCEPTED: CanonicalMeaning = { status: 'COMPLETED', decision: 'APPROVED' };
const STARTED: CanonicalMeaning = { status: 'IN_PROGRESS' };

const REVIEW_POLICY = { ...POLICY, notify: true, reviewWindowMs: 3 * 24 * HOUR };

/** Waits, without skipping time, until the verification's state satisfies `done`. */
async function until(ref: string, done: (state: VerificationState) => boolean): Promise<VerificationState> {
  let state: VerificationState | undefined;
  for (let i = 0; i < 200; i++) {
    state = await handle(ref).query(stateQuery);
    if (done(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`verification ${ref} never reached the expected state: ${JSON.stringify(state)}`);
}

it("REVIEW keeps it open and is told to the app; the reviewer's decision ends it, final", async () => {
  const ref = randomUUID();
  const app = randomUUID();
  bench.provider.script(ref, answer('evaluation_completed/REVIEW', IN_REVIEW));
  const { held, final } = await bench.withWorker(async () => {
    // Any running workflow stands in for the app's: here, another verification.
    await bench.start(app, callback(app, 'STARTED', STARTED, 1), { policy: POLICY });
    await bench.env.client.workflow.signalWithStart('verificationWorkflow', {
      workflowId: kycWorkflowId(FAKE_PROVIDER, ref),
      taskQueue: bench.taskQueue,
      args: [{ provider: FAKE_PROVIDER, reference: ref, policy: REVIEW_POLICY }],
      signal: registerSignal,
      signalArgs: [{ notifyWorkflowId: kycWorkflowId(FAKE_PROVIDER, app) }],
    });
    await bench.callback(ref, callback(ref, 'evaluation_completed/REVIEW', IN_REVIEW, 1));
    const held = await until(ref, (state) => state.timeline.filter((e) => e.source === 'app').length === 2);
    // Operators list reviews under way: KycStatus ACTION_REQUIRED, KycDecision the provisional REVIEW.
    const attributes = (await handle(ref).describe()).typedSearchAttributes;
    expect([attributes.get(KycStatus), attributes.get(KycDecision)]).toEqual(['ACTION_REQUIRED', 'REVIEW']);
    await bench.callback(ref, callback(ref, 'decision_update/ACCEPT', ACCEPTED, 2));
    const final = (await new Client({ connection: bench.env.connection }).workflow
      .getHandle(kycWorkflowId(FAKE_PROVIDER, ref))
      .result()) as VerificationState;
    await handle(app).signal(cancelSignal, {});
    await bench.result(app);
    return { held, final };
  }, REVIEW_POLICY);

  expect(held).toMatchObject({
    status: 'ACTION_REQUIRED',
    provisional: { decision: 'REVIEW', awaiting: 'provider_review', index: 0 },
  });
  expect(held.decision).toBeUndefined();
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', decisionFinal: true });
  expect(final.decisions?.map((d) => `${d.decision} ${d.final}`)).toEqual(['REVIEW false', 'APPROVED true']);

  const pushed = bench.provider.notifications.filter((n) => n.state.reference === ref);
  expect(pushed.map((n) => [n.webhookId, (n as { type?: string }).type, n.state.status])).toEqual([
    [`${kycWorkflowId(FAKE_PROVIDER, ref)}:provisional:0`, PROVISIONAL_EVENT_TYPE, 'ACTION_REQUIRED'],
    [`${kycWorkflowId(FAKE_PROVIDER, ref)}:finished`, undefined, 'COMPLETED'],
  ]);
  const history = await handle(app).fetchHistory();
  const signals = (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
    .filter((name) => name === verificationProvisionalSignal.name || name === verificationFinishedSignal.name);
  expect(signals).toEqual([verificationProvisionalSignal.name, verificationFinishedSignal.name]);
}, 120_000);

it('without a final decision, the review window closes it with the provisional one, not final; the deadline does not', async () => {
  const ref = randomUUID();
  // Every look at the provider finds the same REVIEW.
  bench.provider.script(ref, answer('evaluation_completed/REVIEW', IN_REVIEW));
  const policy = { ...POLICY, reviewWindowMs: 3 * 24 * HOUR };
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'evaluation_completed/REVIEW', IN_REVIEW, 1), { policy });
    return bench.result(ref);
  }, policy);
  expect(final).toMatchObject({
    status: 'COMPLETED',
    decision: 'REVIEW',
    decisionFinal: false,
    providerStatus: 'REVIEW_WINDOW_ENDED',
  });
  expect(final.attention).toEqual(expect.arrayContaining(['provider_review', 'review_window_ended']));
  // The 2-hour deadline passed long before: it expired nothing.
  expect(final.timeline.some((e) => e.providerStatus === 'EXPIRY_REACHED')).toBe(false);
  const closing = final.timeline.find((e) => e.providerStatus === 'REVIEW_WINDOW_ENDED')!;
  expect(Date.parse(closing.at) - Date.parse(final.createdAt)).toBeGreaterThanOrEqual(3 * 24 * HOUR);
  expect(closing).toMatchObject({ source: 'timer', outcome: 'applied' });
}, 120_000);
