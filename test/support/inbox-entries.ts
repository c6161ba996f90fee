/**
 * Inbox entries for the inbox's and the drainer's tests: one finished event per reference, of the
 * first registered provider that never resends a callback (whose callbacks the inbox keeps).
 */
import type { InboxEntry } from '../../src/inbox/durable-inbox';
import { PROVIDERS, providerModule } from '../../src/providers/registry';

export const INBOX_PROVIDER = PROVIDERS.find((id) => !providerModule(id).retriesCallbacks) ?? PROVIDERS[0]!;

export function inboxEvent(
  reference: string,
  receivedAt = '2026-01-01T00:00:00.000Z',
  provider: string = INBOX_PROVIDER,
): InboxEntry {
  return {
    kind: 'event',
    provider,
    event: {
      provider,
      reference,
      providerStatus: 'finished',
      source: 'callback',
      dedupKey: `callback:finished:${reference}`,
      meaning: { status: 'COMPLETED' },
    },
    startIfMissing: true,
    receivedAt,
  };
}
