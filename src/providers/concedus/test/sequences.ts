/** Concedus's documented sequences for the reducer's order-independence property (test/support/sequences.ts). */
import { eventsOf, type Sequences } from '../../../../test/support/sequences';
import { CONCEDUS_VOCABULARY, concedusMeaning, MISMATCHES } from '../vocabulary';

const at = eventsOf('concedus');

export const sequences: Sequences = {
  accepted: [
    at('ident:101', concedusMeaning(CONCEDUS_VOCABULARY, 'ident', '101'), 1),
    at('ident:110', concedusMeaning(CONCEDUS_VOCABULARY, 'ident', '110'), 2),
    at('mismatches', MISMATCHES, 3),
    at('complianceRecord:100', concedusMeaning(CONCEDUS_VOCABULARY, 'complianceRecord', '100'), 4),
  ],
  aborted: [
    at('ident:101', concedusMeaning(CONCEDUS_VOCABULARY, 'ident', '101'), 1),
    at('ident:102', concedusMeaning(CONCEDUS_VOCABULARY, 'ident', '102'), 2),
  ],
};
