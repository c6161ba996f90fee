/**
 * Claims at Socure: SESSION_EXPIRED (legacy DocV) and RiskOS workflow_execution_failed name an end on
 * a static secret alone; under confirmed verdicts they are held until Socure's API confirms them
 * (test/support/claims.ts).
 */
import { classifyLateEvents } from '../../../late-verdicts/classify';
import { inferredEnd } from '../../../verification/late-verdict';
import { initialState } from '../../../verification/initial-state';
import { pollEvent } from '../../common';
import { createSocureCallbackParser } from '../callback';
import { apply, at, callback, only, policy, polled, T0 } from '../../../../test/support/claims';

describe('Socure legacy DocV: SESSION_EXPIRED is a claim in production', () => {
  const TOKEN = '1aab154e-0000-4c65-baa7-000000000001';
  const parser = createSocureCallbackParser({ confirmVerdicts: true });
  const sessionExpired = () =>
    only(
      parser.parse(
        {
          id: 'e1',
          event: { eventType: 'SESSION_EXPIRED', created: '2026-01-01T10:00:00Z', docvTransactionToken: TOKEN },
        },
        T0,
      ).events,
    );
  // ID+ answers without a decision ({"referenceId": "x"}): it cannot tell.
  const noDecision = pollEvent('socure', TOKEN, 'NO_DECISION', { informational: true });

  it('holds the claim, asks the API at once, and the verdict that comes ends it, final', () => {
    const claimed = sessionExpired();
    expect(claimed.meaning).toEqual({ claim: { status: 'EXPIRED' } });
    let state = apply(initialState('socure', TOKEN, T0, policy), callback(claimed), at(1));
    expect(state.status).toBe('PENDING');
    expect(state.claim).toMatchObject({ status: 'EXPIRED', providerStatus: 'SESSION_EXPIRED' });
    expect(state.wait.nextPollAt).toBe(at(1));
    state = apply(state, polled(noDecision), at(1));
    expect(state.claim?.status).toBe('EXPIRED');

    const completed = only(
      parser.parse(
        {
          id: 'e2',
          event: {
            eventType: 'VERIFICATION_COMPLETED',
            created: '2026-01-01T10:05:00Z',
            docvTransactionToken: TOKEN,
            data: { documentVerification: { decision: { name: 'standard', value: 'accept' } } },
          },
        },
        at(5),
      ).events,
    );
    state = apply(state, callback(completed), at(5));
    const accepted = pollEvent('socure', TOKEN, 'VERIFICATION_COMPLETED/accept', {
      status: 'COMPLETED',
      decision: 'APPROVED',
    });
    state = apply(state, { kind: 'polled', purpose: 'announced', result: { answer: accepted } }, at(6));
    expect(state).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', decisionFinal: true });
    expect(state.claim).toBeUndefined();
  });

  it('unconfirmed at the deadline: applied by our timer (CLAIM_UNCONFIRMED), so a later verdict is a late verdict', () => {
    let state = apply(initialState('socure', TOKEN, T0, policy), callback(sessionExpired()), at(1));
    state = apply(state, { kind: 'deadline-reached', check: { answer: noDecision } }, state.expiresAt);
    expect(state).toMatchObject({ status: 'EXPIRED', decisionFinal: false, providerStatus: 'CLAIM_UNCONFIRMED' });
    expect(state.timeline.at(-1)).toMatchObject({ source: 'timer', detail: 'SESSION_EXPIRED claim_unconfirmed' });
    expect(inferredEnd(state)).toBe('CLAIM_UNCONFIRMED');
    const verdict = only(
      createSocureCallbackParser().parse(
        {
          id: 'e3',
          event: {
            eventType: 'VERIFICATION_COMPLETED',
            docvTransactionToken: TOKEN,
            data: { documentVerification: { decision: { value: 'accept' } } },
          },
        },
        at(2000),
      ).events,
    );
    expect(classifyLateEvents(state, [verdict], at(2000), 30 * 24 * 3600_000)).toMatchObject({
      reason: 'late_verdict',
      note: { inferredEnd: 'CLAIM_UNCONFIRMED', inferredStatus: 'EXPIRED' },
    });
  });

  it('runs started before claims apply the callback at once, as they did', () => {
    const state = apply(initialState('socure', TOKEN, T0, policy), callback(sessionExpired()), at(1), {
      provisional: false,
    });
    expect(state.status).toBe('EXPIRED');
  });

  it('RiskOS workflow_execution_failed is a claim; the API answer eval_status failed confirms it', () => {
    const EVAL = '296652a5-0a17-4e9f-8f2c-534076fefcd7';
    const failed = only(
      parser.parse(
        { event_id: 'f1', event_at: T0, event_type: 'workflow_execution_failed', data: { eval_id: EVAL } },
        T0,
      ).events,
    );
    expect(failed.meaning).toEqual({ claim: { status: 'FAILED' } });
    let state = apply(initialState('socure', EVAL, T0, policy), callback(failed), at(1));
    state = apply(state, polled(pollEvent('socure', EVAL, 'failed', { status: 'FAILED' })), at(1));
    expect(state).toMatchObject({ status: 'FAILED', decisionFinal: true });
  });
});
