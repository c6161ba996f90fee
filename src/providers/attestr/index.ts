// Work in progress: replaced by the full Attestr module (callbacks, retrieval, simulator).
import { defineProvider } from '../module';

export const attestr = defineProvider<Record<string, never>>({
  id: 'attestr',
  displayName: 'Attestr',
  defaults: { apiBaseUrl: 'https://example.invalid', callbackGrace: '15m', pollSchedule: '60,300,900', expiresAfter: '1d' },
  readSettings: () => ({}),
  createCallbackParser: () => {
    throw new Error('attestr callbacks are not implemented yet');
  },
  createRetrievalClient: () => {
    throw new Error('attestr retrieval is not implemented yet');
  },
});
