/**
 * Provisional decisions, on the pure reducer: a provider decision that will be revisited (a
 * RiskOS REVIEW with its case still open) keeps the verification open, the later decision ends
 * it, the review window closes it when none comes, and every end says whether it is final.
 * Events are read from Socure RiskOS's documented payloads by the real parser.
 */
import { createSocureCallbackParser } from '../../../providers/socure/callback';
import { socureCallbacks } from '../../../providers/socure/testing/simulator';
import { classifyLateEvents } from '../../../late-verdicts/classify';
import { inferredEnd } from '../../../verification/late-verdict';
import { initialState } from '../../../verification/initial-state';
import type { VerificationEvent, VerificationPolicy, VerificationState } from '../../../verification/model';
import { reduce, type VerificationChange } from '../../../verification/reducer';
import { lifetimeEndsAt } from '../../../verification/waiting';
import { TEST_POLICY } from '../../../../test/support/policy';

const DAY = 24 * 3600_000;
const T0 = '2026-03-11T16:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const POLICY: VerificationPolicy = { ...TEST_POLICY, reviewWindowMs: 7 * DAY };
const EVAL = '296652a5-0a17-4e9f-8f2c-534076fefcd7';

const parser = createSocureCallbackParser();
function webhook(body: unknown): VerificationEvent {
  const { events } = parser.parse(body, T0);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** "A case can have a REVIEW decision and an Open status with an 'In Review' sub-status simultaneously." */
const inReview = () =>
  webhook(
    socureCallbacks.riskos(EVAL, 'evaluation_completed', {
      decision: 'REVIEW',
      status: 'OPEN',
      subStatus: 'In Review',
      evalStatus: 'evaluation_completed',
      at: new Date(at(1000)),
    }),
  );
/** "The reviewer's decision is communicated back to your system via webhook (`decision_update` event)". */
const reviewerAccepts = () =>
  webhook(socureCallbacks.decisionUpdate(EVAL, 'ACCEPT', { status: 'CLOSED', at: new Date(at(DAY)) }));

function apply(
  changes: VerificationChange[],
  options: { provisional?: boolean; now?: string; from?: VerificationState } = {},
): VerificationState {
  let state = options.from ?? initialState('socure', EVAL, T0, POLICY);
  for (const change of changes) {
    state = reduce(state, change, {
      now: options.now ?? at(2000),
      policy: POLICY,
      random: () => 0.5,
      rules: { provisional: options.provisional ?? true },
    }).state;
  }
  return state;
}
const callback = (event: VerificationEvent): VerificationChange => ({ kind: 'callback', event });

describe('provisional decisions', () => {
  it('reads an evaluation_completed REVIEW on an open case as provisional (provider_review)', () => {
    expect(inReview().meaning).toEqual({
      status: 'COMPLETED',
      decision: 'REVIEW',
      provisional: { awaiting: 'provider_review' },
    });
    const resubmit = webhook(
      socureCallbacks.riskos(EVAL, 'evaluation_completed', { decision: 'RESUBMIT', status: 'OPEN' }),
    );
    expect(resubmit.meaning.provisional).toEqual({ awaiting: 'user_resubmission' });
    // A closed case is RiskOS's last word, whatever its decision.
    const closed = webhook(
      socureCallbacks.riskos(EVAL, 'evaluation_completed', { decision: 'REVIEW', status: 'CLOSED' }),
    );
    expect(closed.meaning).toEqual({ status: 'COMPLETED', decision: 'REVIEW' });
  });

  it("keeps the verification open on REVIEW, and the reviewer's decision_update ends it, final", () => {
    const held = apply([callback(inReview())]);
    expect(held).toMatchObject({
      status: 'ACTION_REQUIRED',
      providerStatus: 'evaluation_completed/REVIEW',
      provisional: {
        status: 'COMPLETED',
        decision: 'REVIEW',
        awaiting: 'provider_review',
        index: 0,
        reviewEndsAt: at(2000 + 7 * DAY),
      },
    });
    expect(held.decision).toBeUndefined();
    expect(held.attention).toContain('provider_review');
    expect(held.timeline.at(-1)).toMatchObject({ outcome: 'applied', status: 'ACTION_REQUIRED' });
    expect(held.timeline.at(-1)!.detail).toContain('provisional:REVIEW');

    const ended = apply([callback(reviewerAccepts())], { from: held, now: at(DAY + 5000) });
    expect(ended).toMatchObject({
      status: 'COMPLETED',
      decision: 'APPROVED',
      decisionFinal: true,
      providerStatus: 'decision_update/ACCEPT',
    });
    expect(ended.provisional).toBeUndefined();
    expect(ended.decisions!.map((d) => `${d.providerStatus} ${d.decision} ${d.final}`)).toEqual([
      'evaluation_completed/REVIEW REVIEW false',
      'decision_update/ACCEPT APPROVED true',
    ]);
  });

  it('a manual case completion (a second evaluation_completed, CLOSED) ends it too', () => {
    const completion = webhook(
      socureCallbacks.riskos(EVAL, 'evaluation_completed', {
        decision: 'REJECT',
        status: 'CLOSED',
        at: new Date(at(DAY)),
      }),
    );
    const ended = apply([callback(inReview()), callback(completion)]);
    expect(ended).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED', decisionFinal: true });
  });

  it('the final decision first and the provisional after: the same end (the provisional is stale)', () => {
    const inOrder = apply([callback(inReview()), callback(reviewerAccepts())]);
    const reversed = apply([callback(reviewerAccepts()), callback(inReview())]);
    for (const state of [inOrder, reversed]) {
      expect(state).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', decisionFinal: true });
    }
    expect(reversed.timeline.at(-1)!.outcome).toBe('stale');
  });

  it('a later provisional replaces the held one, but the review window still counts from the first', () => {
    const resubmit = webhook(
      socureCallbacks.riskos(EVAL, 'decision_update', { decision: 'RESUBMIT', status: 'OPEN', at: new Date(at(DAY)) }),
    );
    const first = apply([callback(inReview())]);
    const second = apply([callback(resubmit)], { from: first, now: at(DAY + 1000) });
    expect(second.provisional).toMatchObject({
      decision: 'RESUBMIT',
      awaiting: 'user_resubmission',
      index: 1,
      reviewEndsAt: first.provisional!.reviewEndsAt,
    });
    expect(second.status).toBe('ACTION_REQUIRED');
    expect(second.attention).toEqual(expect.arrayContaining(['provider_review', 'awaiting_resubmission']));
  });

  it('the deadline does not expire a provisional decision', () => {
    const held = apply([callback(inReview())]);
    const checked = apply(
      [{ kind: 'deadline-reached', check: { answer: { ...inReview(), source: 'poll', dedupKey: 'poll:x' } } }],
      { from: held, now: at(DAY + 60_000) },
    );
    expect(checked.status).toBe('ACTION_REQUIRED');
    expect(checked.provisional?.decision).toBe('REVIEW');
    expect(checked.timeline.at(-1)).toMatchObject({ providerStatus: 'EXPIRY_POSTPONED', outcome: 'postponed' });
  });

  it('the review window closes it with the provisional decision, not final: an inferred end, so a later decision is a late verdict', () => {
    const held = apply([callback(inReview())]);
    const sameAnswer = {
      answer: { ...inReview(), source: 'poll' as const, dedupKey: 'poll:evaluation_completed/REVIEW' },
    };
    const closed = apply([{ kind: 'review-window-ended', check: sameAnswer }], {
      from: held,
      now: held.provisional!.reviewEndsAt,
    });
    expect(closed).toMatchObject({
      status: 'COMPLETED',
      decision: 'REVIEW',
      decisionFinal: false,
      providerStatus: 'REVIEW_WINDOW_ENDED',
    });
    expect(closed.attention).toContain('review_window_ended');
    expect(closed.timeline.at(-1)).toMatchObject({ source: 'timer', outcome: 'applied', status: 'COMPLETED' });
    expect(inferredEnd(closed)).toBe('REVIEW_WINDOW_ENDED');

    const late = classifyLateEvents(closed, [reviewerAccepts()], at(8 * DAY), 30 * DAY);
    expect(late).toMatchObject({
      reason: 'late_verdict',
      note: { inferredEnd: 'REVIEW_WINDOW_ENDED', inferredStatus: 'COMPLETED', verdicts: [{ decision: 'APPROVED' }] },
    });
    // The same REVIEW again is no verdict.
    expect(classifyLateEvents(closed, [inReview()], at(8 * DAY), 30 * DAY)).toEqual({ reason: 'late' });
  });

  it('the last look at the end of the window may find the final decision: then that ends it, final', () => {
    const held = apply([callback(inReview())]);
    const accepted = {
      answer: { ...reviewerAccepts(), source: 'poll' as const, dedupKey: 'poll:decision_update/ACCEPT' },
    };
    const closed = apply([{ kind: 'review-window-ended', check: accepted }], { from: held });
    expect(closed).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', decisionFinal: true });
    expect(inferredEnd(closed)).toBeUndefined();
  });

  it('the lifetime never ends a provisional decision before a day past its review window', () => {
    const held = apply([callback(inReview())]);
    const short = { ...POLICY, maxLifetimeMs: DAY };
    expect(lifetimeEndsAt(held.createdAt, held.expiresAt, short)).toBe(Date.parse(T0) + 2 * DAY);
    expect(lifetimeEndsAt(held.createdAt, held.expiresAt, short, held.provisional!.reviewEndsAt)).toBe(
      Date.parse(held.provisional!.reviewEndsAt) + DAY,
    );
  });

  it('a provisional answer to an announced fetch is the answer: the fetch is done, never repeated at once', () => {
    const announced = apply([callback({ ...inReview(), meaning: { status: 'SUBMITTED', retrieve: true } })]);
    expect(announced.wait.resultAnnounced).toBe(true);
    const answer = { ...inReview(), source: 'poll' as const, dedupKey: 'poll:evaluation_completed/REVIEW' };
    const fetched = apply([{ kind: 'polled', purpose: 'announced', result: { answer } }], { from: announced });
    expect(fetched.status).toBe('ACTION_REQUIRED');
    expect(fetched.wait.resultAnnounced).toBe(false);
  });

  it('records which provisional decision the app was told of', () => {
    const held = apply([callback(inReview())]);
    const told = apply([{ kind: 'notified', channel: 'webhook', delivered: true, provisional: 0 }], { from: held });
    expect(told.told).toEqual({ provisional: 1 });
    expect(told.timeline.at(-1)).toMatchObject({ providerStatus: 'APP_NOTIFIED', detail: 'provisional:0' });
  });

  it('every end says whether it is final: our timer is not, the app and the provider are', () => {
    const expired = apply([{ kind: 'lifetime-ended' }]);
    expect(expired).toMatchObject({ status: 'EXPIRED', decisionFinal: false });
    const cancelled = apply([{ kind: 'cancel-requested' }]);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', decisionFinal: true });
  });

  it('without the rule (runs started before it), a provisional decision ends the verification as it did', () => {
    const old = apply([callback(inReview()), callback(reviewerAccepts())], { provisional: false });
    expect(old).toMatchObject({ status: 'COMPLETED', decision: 'REVIEW' });
    expect(old.provisional).toBeUndefined();
    expect(old.decisionFinal).toBeUndefined();
    expect(old.decisions).toBeUndefined();
  });
});
