/**
 * What the ingress does with one callback, in six named steps: who is calling, what it says,
 * what we refuse, what Temporal already has, the hand-over, and what came late. It answers 2xx
 * only once every accepted event is durably with Temporal (or in the local inbox), so a provider
 * that retries never loses one.
 */
import type { Request } from 'express';
import type { ProviderConfig } from '../app-config';
import type { RefusedCallback } from '../dead-letters/letter';
import { boundedIssues } from '../providers/common';
import type { CallbackParser } from '../providers/types';
import type { VerificationEvent } from '../verification/model';
import { authenticate } from './authenticate';
import { markKnown, type AcceptedCallbacks } from './dedup';
import type { HandOver, HandOverOutcome } from './hand-over';
import type { lateKeeper } from './keep-late';
import { parseCallback } from './parse';
import { refuseUnusable, type KeepLetter, type Refusal } from './refuse';
import { isStale, type NamespaceRetention } from './stale-callbacks';

export interface ReceiverDeps {
  parsers: ReadonlyMap<string, CallbackParser>;
  keepLetter: KeepLetter;
  accepted: AcceptedCallbacks;
  handOver: HandOver;
  keepLate: ReturnType<typeof lateKeeper>;
  retention: NamespaceRetention;
}

/** The answer to a callback that was taken (refusals are thrown as HttpErrors). */
export interface Answer {
  status: 200 | 202;
  body: Record<string, unknown>;
}

export function callbackReceiver(deps: ReceiverDeps) {
  return async function receive(req: Request, provider: ProviderConfig): Promise<Answer> {
    // 1. Who is calling: the provider's own rules, on the raw request, before a byte is parsed.
    authenticate(req, provider.webhookAuth);
    const receivedAt = new Date().toISOString();
    // Past authentication, nothing is refused without a dead letter (src/dead-letters/).
    const refuse = (refusal: Refusal) =>
      deps.keepLetter({ ...refusal, provider: provider.id, receivedAt, rawBody: rawBytes(req.body) });
    // 2. What it says: JSON, then the provider's schema, as canonical events.
    const parsed = await parseCallback(req, deps.parsers.get(provider.id)!, receivedAt, refuse);
    // 3. What we refuse: unusable records and too many of them, each kept as a dead letter.
    await refuseUnusable(parsed, refuse);
    // A stale event (older than the namespace's retention) may still join an open verification; it never starts one.
    const staleBefore = await staleBeforeFor(parsed.events);
    const items = [
      ...parsed.events.map((event) => {
        const stale = isStale(event, staleBefore);
        return { event, startIfMissing: !stale, stale };
      }),
      ...(parsed.alsoIfExists ?? []).map((event) => ({ event, startIfMissing: false, stale: false })),
    ];
    // 4. What Temporal already has: exact redeliveries of acknowledged events need no signal.
    const known = markKnown(deps.accepted, provider.id, items);
    // 5. Hand over: bounded in flight, durably with Temporal (or the inbox, for providers that never retry).
    const outcomes = await deps.handOver(provider, known);
    // 6. Keep what came late: events for closed verifications as letters; a late verdict is raised.
    if (outcomes.includes('late')) await deps.keepLate(provider, receivedAt, parsed.events, outcomes);
    const stale = items.filter((_item, index) => outcomes[index] === 'stale');
    if (stale.length) {
      await refuse({
        reason: 'stale',
        issues: [{ path: '', message: 'older than the namespace retention, and no open verification takes it' }],
        events: stale.map((item) => item.event),
      });
    }
    return answer(outcomes, parsed.rejected);
  };

  /**
   * The milliseconds since the epoch before which a provider timestamp is stale; the namespace's
   * retention is asked only when an event carries a timestamp.
   */
  async function staleBeforeFor(events: VerificationEvent[]): Promise<number> {
    if (!events.some((event) => event.occurredAt)) return -Infinity;
    return Date.now() - (await deps.retention.ms());
  }
}

/** 200 with what was taken; 202 when some events wait in the local inbox for Temporal, durably. */
function answer(outcomes: HandOverOutcome[], rejected: RefusedCallback['issues']): Answer {
  const count = (outcome: HandOverOutcome) => outcomes.filter((each) => each === outcome).length;
  const queued = count('queued');
  // A known duplicate is with Temporal already: accepted, as its first delivery was.
  const body: Record<string, unknown> = { accepted: count('accepted') + count('duplicate') + queued };
  if (queued) body.queued = queued;
  if (count('late')) body.late = count('late');
  if (count('stale')) body.stale = count('stale');
  if (rejected.length) {
    const { issues, moreIssues } = boundedIssues(rejected);
    body.rejected = issues;
    if (moreIssues) body.moreRejected = moreIssues;
  }
  return { status: queued ? 202 : 200, body };
}

/** The raw request bytes (express.raw), if any. */
function rawBytes(raw: unknown): Buffer | undefined {
  return Buffer.isBuffer(raw) ? raw : undefined;
}
