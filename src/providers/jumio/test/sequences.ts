/** Jumio's documented sequences for the reducer's order-independence property (test/support/sequences.ts). */
import { eventsOf, type Sequences } from '../../../../test/support/sequences';
import { jumioDecisionMeaning, jumioStatusMeaning } from '../vocabulary';

const at = eventsOf('jumio');
const callback = (status: string, second: number) => at(status, jumioStatusMeaning(status), second);

export const sequences: Sequences = {
  approved: [
    callback('INITIATED', 0),
    callback('ACQUISITION_STARTED', 1),
    callback('ACQUIRED', 2),
    callback('PROCESSED', 3),
    at('PROCESSED/PASSED', jumioDecisionMeaning('PASSED', undefined)),
  ],
  'session expired': [callback('INITIATED', 0), callback('ACQUISITION_STARTED', 1), callback('SESSION_EXPIRED', 5)],
  'with an unknown status': [callback('INITIATED', 0), callback('BRAND_NEW', 1), callback('ACQUIRED', 2)],
};
