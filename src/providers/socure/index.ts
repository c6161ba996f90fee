// Work in progress: replaced by the full Socure module (callbacks, retrieval, simulator).
import { defineProvider } from '../module';

export const socure = defineProvider<Record<string, never>>({
  id: 'socure',
  displayName: 'Socure',
  defaults: { apiBaseUrl: 'https://example.invalid', callbackGrace: '15m', pollSchedule: '60,300,900', expiresAfter: '1d' },
  readSettings: () => ({}),
  createCallbackParser: () => {
    throw new Error('socure callbacks are not implemented yet');
  },
  createRetrievalClient: () => {
    throw new Error('socure retrieval is not implemented yet');
  },
});
