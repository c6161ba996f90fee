/**
 * Claims at Attestr: errored, skipped and async outcomes are held until Attestr's API confirms them,
 * and a result must be signed (test/support/claims.ts).
 */
import { ConfigError, loadConfig } from '../../../app-config';
import { initialState } from '../../../verification/initial-state';
import { pollEvent } from '../../common';
import { CallbackAuthenticationError } from '../../types';
import { createAttestrCallbackParser } from '../callback';
import { HANDSHAKE_MEANINGS } from '../vocabulary';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';
import { apply, at, callback, only, policy, polled, T0 } from '../../../../test/support/claims';

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
