// Work in progress: replaced by the full Unico module (callbacks, retrieval, simulator).
import { defineProvider } from '../module';

export const unico = defineProvider<Record<string, never>>({
  id: 'unico',
  displayName: 'Unico',
  defaults: { apiBaseUrl: 'https://example.invalid', callbackGrace: '15m', pollSchedule: '60,300,900', expiresAfter: '1d' },
  readSettings: () => ({}),
  createCallbackParser: () => {
    throw new Error('unico callbacks are not implemented yet');
  },
  createRetrievalClient: () => {
    throw new Error('unico retrieval is not implemented yet');
  },
});
