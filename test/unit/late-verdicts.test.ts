/**
 * The late-verdict rule on final states built by the real reducer: an end our timer inferred
 * (deadline, maximum lifetime) is told apart from one the provider or the app reported, and only
 * a verdict within the window, after an inferred end, is a late verdict.
 */
import { type CanonicalMeaning, type VerificationEvent, type VerificationState } from '../../src/verification/model';
import { reduce, type VerificationChange } from '../../src/verification/reducer';
import { classifyLateEvents, lifetimeOverOnReopen } from '../../src/late-verdicts/classify';
import { TEST_POLICY } from '../support/policy';
import { initialState } from '../../src/verification/initial-state';
import { inferredEnd, isVerdict } from '../../src/verification/late-verdict';

const START = '2026-01-01T00:00:00.000Z';
const CLOSE = '2026-01-02T00:00:00.000Z';
const DAY_MS = 86_400_000;
const WINDOW_MS = 30 * DAY_MS;

function event(providerStatus: string, meaning: CanonicalMeaning, source: 'callback' | 'poll' = 'callback') {
  const e: VerificationEvent = {
    provider: 'jumio',
    reference: 'ref-1',
    providerStatus,
    source,
    dedupKey: `${source}:${providerStatus}`,
    meaning,
  };
  return e;
}

function apply(changes: VerificationChange[]): VerificationState {
  let state = initialState('jumio', 'ref-1', START, TEST_POLICY);
  for (const change of changes)
    state = reduce(state, change, { now: CLOSE, policy: TEST_POLICY, random: () => 0.5 }).state;
  return state;
}

const submitted = event('ACQUIRED', { status: 'SUBMITTED' });
const notified: VerificationChange = { kind: 'notified', channel: 'webhook', delivered: true };

/** Still in progress when the deadline is confirmed with the provider: our timer expires it. */
const expiredByDeadline = apply([
  { kind: 'callback', event: submitted },
  { kind: 'deadline-reached', check: { answer: event('ACQUIRED', { status: 'SUBMITTED' }, 'poll') } },
  notified,
]);
const expiredByLifetime = apply([{ kind: 'callback', event: submitted }, { kind: 'lifetime-ended' }, notified]);
const expiredByProvider = apply([
  { kind: 'callback', event: event('SESSION_EXPIRED', { status: 'EXPIRED' }) },
  notified,
]);
const failedByProvider = apply([{ kind: 'callback', event: event('NOT_EXECUTED', { status: 'FAILED' }) }]);
const abandonedByProvider = apply([{ kind: 'callback', event: event('CONSENT_DECLINED', { status: 'ABANDONED' }) }]);
const cancelledByApp = apply([{ kind: 'cancel-requested', reason: 'user_left' }]);

const announced = event('PROCESSED', { status: 'SUBMITTED', retrieve: true });
const approved = event('PROCESSED/PASSED', { status: 'COMPLETED', decision: 'APPROVED' }, 'poll');
const failed = event('NOT_EXECUTED', { status: 'FAILED' });

describe('inferredEnd: our timer, not the provider or the app', () => {
  it('names the timer that closed it', () => {
    expect(expiredByDeadline.status).toBe('EXPIRED');
    expect(inferredEnd(expiredByDeadline)).toBe('EXPIRY_REACHED');
    expect(expiredByLifetime.status).toBe('EXPIRED');
    expect(inferredEnd(expiredByLifetime)).toBe('MAX_LIFETIME_REACHED');
  });

  it('is undefined for ends the provider or the app reported, and for open verifications', () => {
    expect(expiredByProvider.status).toBe('EXPIRED');
    expect(inferredEnd(expiredByProvider)).toBeUndefined();
    expect(inferredEnd(failedByProvider)).toBeUndefined();
    expect(inferredEnd(abandonedByProvider)).toBeUndefined();
    expect(inferredEnd(cancelledByApp)).toBeUndefined();
    expect(inferredEnd(apply([{ kind: 'callback', event: submitted }]))).toBeUndefined();
  });

  it('still finds the closing entry when the timeline was capped and notifications follow it', () => {
    const capped = { ...expiredByDeadline, timeline: expiredByDeadline.timeline.slice(-2) };
    expect(inferredEnd(capped)).toBe('EXPIRY_REACHED');
  });
});

describe('isVerdict: what the provider decided', () => {
  it('counts a terminal status other than ours, and an announced result', () => {
    expect(isVerdict(approved, 'EXPIRED')).toBe(true);
    expect(isVerdict(failed, 'EXPIRED')).toBe(true);
    expect(isVerdict(event('CONSENT_DECLINED', { status: 'ABANDONED' }), 'EXPIRED')).toBe(true);
    expect(isVerdict(announced, 'EXPIRED')).toBe(true);
  });

  it('does not count progress, agreement with us, unknown words or our own events', () => {
    expect(isVerdict(submitted, 'EXPIRED')).toBe(false);
    expect(isVerdict(event('SESSION_EXPIRED', { status: 'EXPIRED' }), 'EXPIRED')).toBe(false);
    expect(isVerdict(event('SOMETHING_NEW', {}), 'EXPIRED')).toBe(false);
    expect(isVerdict({ ...approved, source: 'timer' }, 'EXPIRED')).toBe(false);
    expect(isVerdict({ ...approved, source: 'app' }, 'EXPIRED')).toBe(false);
  });
});

describe('classifyLateEvents', () => {
  const soon = '2026-01-03T00:00:00.000Z';

  it('a verdict within the window after an inferred end is a late verdict, with its note', () => {
    const late = classifyLateEvents(expiredByDeadline, [submitted, announced], soon, WINDOW_MS);
    expect(late).toEqual({
      reason: 'late_verdict',
      note: {
        inferredEnd: 'EXPIRY_REACHED',
        inferredStatus: 'EXPIRED',
        closedAt: CLOSE,
        verdicts: [{ providerStatus: 'PROCESSED', status: 'SUBMITTED', retrieve: true }],
      },
    });
    expect(classifyLateEvents(expiredByLifetime, [failed], soon, WINDOW_MS)).toMatchObject({
      reason: 'late_verdict',
      note: { inferredEnd: 'MAX_LIFETIME_REACHED', verdicts: [{ providerStatus: 'NOT_EXECUTED', status: 'FAILED' }] },
    });
  });

  it('is plain late past the window, without a verdict, after a reported end, or without a final state', () => {
    const afterWindow = new Date(Date.parse(CLOSE) + WINDOW_MS + 1).toISOString();
    const atWindow = new Date(Date.parse(CLOSE) + WINDOW_MS).toISOString();
    expect(classifyLateEvents(expiredByDeadline, [approved], afterWindow, WINDOW_MS)).toEqual({ reason: 'late' });
    expect(classifyLateEvents(expiredByDeadline, [approved], atWindow, WINDOW_MS).reason).toBe('late_verdict');
    expect(classifyLateEvents(expiredByDeadline, [submitted], soon, WINDOW_MS)).toEqual({ reason: 'late' });
    expect(classifyLateEvents(expiredByProvider, [approved], soon, WINDOW_MS)).toEqual({ reason: 'late' });
    expect(classifyLateEvents(failedByProvider, [approved], soon, WINDOW_MS)).toEqual({ reason: 'late' });
    expect(classifyLateEvents(cancelledByApp, [approved], soon, WINDOW_MS)).toEqual({ reason: 'late' });
    expect(classifyLateEvents(undefined, [approved], soon, WINDOW_MS)).toEqual({ reason: 'late' });
  });
});

describe('lifetimeOverOnReopen: a reopened run must not close again before the provider answers', () => {
  const policy = { ...TEST_POLICY, maxLifetimeMs: 10 * DAY_MS };
  const carried = initialState('jumio', 'ref-1', START, { ...policy, expiresAfterMs: DAY_MS });
  const lifetimeEnds = Date.parse(START) + 10 * DAY_MS;

  it('a first run starts over at the reopen time, so its lifetime starts again', () => {
    expect(lifetimeOverOnReopen({}, lifetimeEnds + DAY_MS)).toBe(false);
    expect(lifetimeOverOnReopen({ policy }, lifetimeEnds + DAY_MS)).toBe(false);
  });

  it('a run continued as new carries the original start: past its lifetime, a reopen would close at once', () => {
    expect(lifetimeOverOnReopen({ carried, policy }, lifetimeEnds - 1)).toBe(false);
    expect(lifetimeOverOnReopen({ carried, policy }, lifetimeEnds)).toBe(true);
  });
});
