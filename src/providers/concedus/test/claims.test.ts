/**
 * Claims at Concedus: an ident end mapped through CONCEDUS_STATUS_MAP is held until the status API
 * confirms it (test/support/claims.ts).
 */
import { initialState } from '../../../verification/initial-state';
import { pollEvent } from '../../common';
import { createConcedusCallbackParser } from '../callback';
import { parseStatusMap } from '../vocabulary';
import { apply, at, callback, policy, polled, T0 } from '../../../../test/support/claims';

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
