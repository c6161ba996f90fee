/** Attestr's documented sequences for the reducer's order-independence property (test/support/sequences.ts). */
import { eventsOf, type Sequences } from '../../../../test/support/sequences';
import { attestrEventMeaning } from '../vocabulary';

const at = eventsOf('attestr');

export const sequences: Sequences = {
  'query then completed': [
    at('factx.query', attestrEventMeaning('factx.query'), 1),
    at('flowx.completed', attestrEventMeaning('flowx.completed'), 2),
  ],
  skipped: [at('flowx.skipped', attestrEventMeaning('flowx.skipped'), 1)],
};
