// Work in progress: replaced by the full Concedus module (callbacks, retrieval, simulator).
import { defineProvider } from '../module';

export const concedus = defineProvider<Record<string, never>>({
  id: 'concedus',
  displayName: 'Concedus',
  defaults: { apiBaseUrl: 'https://example.invalid', callbackGrace: '15m', pollSchedule: '60,300,900', expiresAfter: '1d' },
  readSettings: () => ({}),
  createCallbackParser: () => {
    throw new Error('concedus callbacks are not implemented yet');
  },
  createRetrievalClient: () => {
    throw new Error('concedus retrieval is not implemented yet');
  },
});
