/**
 * Claims: an end that a callback names on a static secret alone (Socure SESSION_EXPIRED, Attestr
 * flowx.skipped, a Concedus ident failure) is held until the provider's API confirms it, read from
 * the vendors' documented payloads by the real parsers and applied by the reducer.
 */
import { ConfigError, loadConfig } from '../../src/app-config';
import { createAttestrCallbackParser } from '../../src/providers/attestr/callback';
import { createConcedusCallbackParser } from '../../src/providers/concedus/callback';
import { parseStatusMap } from '../../src/providers/concedus/vocabulary';
import { createSocureCallbackParser } from '../../src/providers/socure/callback';
import { pollEvent } from '../../src/providers/common';
import { HANDSHAKE_MEANINGS } from '../../src/providers/attestr/vocabulary';
import { CallbackAuthenticationError } from '../../src/providers/types';
import { classifyLateEvents } from '../../src/late-verdicts/classify';
import { inferredEnd } from '../../src/verification/late-verdict';
import { initialState } from '../../src/verification/initial-state';
import type { VerificationEvent, VerificationPolicy, VerificationState } from '../../src/verification/model';
import { reduce, type VerificationChange } from '../../src/verification/reducer';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { TEST_POLICY } from '../support/policy';

const T0 = '2026-01-01T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const policy: VerificationPolicy = { ...TEST_POLICY };

function apply(state: VerificationState, change: VerificationChange, now: string, rules = { provisional: true }) {
  return reduce(state, change, { now, policy, random: () => 0.5, rules }).state;
}
const callback = (event: VerificationEvent): VerificationChange => ({ kind: 'callback', event });
const polled = (answer: VerificationEvent): VerificationChange => ({
  kind: 'polled',
  purpose: 'schedule',
  result: { answer },
});
const only = (events: VerificationEvent[]) => {
  expect(events).toHaveLength(1);
  return events[0]!;
};

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

describe('Attestr: errored, skipped and async outcomes are claims; a result must be signed', () => {
  const HANDSHAKE = 'DS02zfeuv6n4gkq51hvw6';
  const SECRET = 'unit-client-secret';
  const parser = createAttestrCallbackParser({ clientSecret: SECRET, confirmOutcomes: true });
  const skipped = () =>
    only(
      parser.parse(
        {
          event: 'flowx.skipped',
          payload: { _id: HANDSHAKE, tag: 'TAG567822', flowId: 'FX02zfeuvcj36knhn06us', updated: 1675397411000 },
        },
        T0,
      ).events,
    );
  const handshake = (state: 'handshake.result' | 'handshake.unconsumed') =>
    pollEvent('attestr', HANDSHAKE, state, structuredClone(HANDSHAKE_MEANINGS[state]!));

  it('flowx.skipped is confirmed by the handshake holding a result: ABANDONED, final', () => {
    expect(skipped().meaning).toEqual({ claim: { status: 'ABANDONED' } });
    let state = apply(initialState('attestr', HANDSHAKE, T0, policy), callback(skipped()), at(1));
    state = apply(state, polled(handshake('handshake.result')), at(1));
    expect(state).toMatchObject({ status: 'ABANDONED', decisionFinal: true, providerStatus: 'flowx.skipped' });
  });

  it('flowx.skipped is contradicted by an unconsumed handshake: dropped, attention, still open', () => {
    let state = apply(initialState('attestr', HANDSHAKE, T0, policy), callback(skipped()), at(1));
    state = apply(state, polled(handshake('handshake.unconsumed')), at(1));
    expect(state.status).toBe('PENDING');
    expect(state.claim).toBeUndefined();
    expect(state.attention).toContain('claim_contradicted');
  });

  it('an async.completed carrying an unsigned result is refused (401)', () => {
    const body = { event: 'async.completed', payload: { _id: 'AR02x', result: { a: 1 }, updated: 1675397411000 } };
    expect(() => parser.parse(body, T0, JSON.stringify(body))).toThrow(CallbackAuthenticationError);
    // Without a result it is accepted, as a claim the async outcome API confirms.
    const bare = { event: 'async.completed', payload: { _id: 'AR02x', updated: 1675397411000 } };
    expect(only(parser.parse(bare, T0, JSON.stringify(bare).toString()).events).meaning).toEqual({
      claim: { status: 'COMPLETED' },
    });
  });

  it('production requires ATTESTR_CLIENT_SECRET, unless ATTESTR_REQUIRE_SIGNATURE=false', () => {
    const env = {
      ...DEV_DEFAULTS,
      NODE_ENV: 'production',
      KYC_PROVIDERS: 'attestr',
      TEMPORAL_ADDRESS: 'temporal.example.invalid:7233',
      ATTESTR_AUTH_TOKEN: 'token',
      ATTESTR_WEBHOOK_AUTH: 'basic:webhook-token',
    };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/^ATTESTR_CLIENT_SECRET: required in production/);
    expect(() => loadConfig({ ...env, ATTESTR_REQUIRE_SIGNATURE: 'false' })).not.toThrow();
    expect(loadConfig({ ...env, ATTESTR_CLIENT_SECRET: 'secret' }).providers.attestr!.settings).toMatchObject({
      confirmOutcomes: true,
    });
  });
});

describe('Concedus: an ident end through CONCEDUS_STATUS_MAP is a claim', () => {
  const PERSON = 'PERS_c8f24e33-0000-0000-0000-000000000001';
  it('identResult failed is claimed FAILED; the status API {"status":0} confirms it', () => {
    const vocabulary = parseStatusMap('CONCEDUS_STATUS_MAP', 'identResult:failed=FAILED');
    const parser = createConcedusCallbackParser(vocabulary, { confirmVerdicts: true });
    // A person's ident record joins the app's verification (it never starts one): joinOnly.
    const parsed = parser.parse(
      [
        {
          topic: 'identResult',
          kyc: 'WEBID',
          identId: '315065706',
          personKey: PERSON,
          reason: 'x',
          status: 'failed',
        },
      ],
      T0,
    );
    const [event] = [...parsed.events, ...(parsed.joinOnly ?? []).flat()];
    expect(event!.meaning).toEqual({ claim: { status: 'FAILED' } });
    let state = apply(initialState('concedus', event!.reference, T0, policy), callback(event!), at(1));
    expect(state.claim?.status).toBe('FAILED');
    state = apply(state, polled(pollEvent('concedus', event!.reference, 'ident:0', { status: 'FAILED' })), at(1));
    expect(state).toMatchObject({ status: 'FAILED', decisionFinal: true });
  });
});
