/**
 * What the ingress does with one callback, in seven named steps: who is calling, what it says,
 * what we refuse, what Temporal already has, the hand-over, what came late, and what nobody may
 * start yet. It answers 2xx
 * only once every accepted event is durably with Temporal (or in the local inbox), so a provider
 * that retries never loses one.
 */
import type { Request } from 'express';
import type { ProviderConfig } from '../app-config';
import { kycWorkflowId } from '../contracts';
import type { RefusedCallback } from '../dead-letters/letter';
import { boundedIssues } from '../providers/common';
import type { CallbackParser } from '../providers/types';
import type { VerificationEvent } from '../verification/model';
import { authenticate } from './authenticate';
import { markKnown, type AcceptedCallbacks } from './dedup';
import type { HandOver, HandOverItem, HandOverOutcome } from './hand-over';
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
    const joinOnly = parsed.joinOnly ?? [];
    const items = [
      ...parsed.events.map((event) => {
        const stale = isStale(event, staleBefore);
        return { event, startIfMissing: !stale, stale };
      }),
      ...(parsed.alsoIfExists ?? []).map((event) => ({ event, startIfMissing: false, stale: false })),
      ...joinOnly.flatMap(joiningItems),
    ];
    // 4. What Temporal already has: exact redeliveries of acknowledged events need no signal.
    const known = markKnown(deps.accepted, provider.id, items);
    // 5. Hand over: bounded in flight, durably with Temporal (or the inbox, for providers that never retry).
    const outcomes = await deps.handOver(provider, known);
    // 6. Keep what came late: events for closed verifications as letters; a late verdict is raised.
    if (outcomes.includes('late')) {
      await deps.keepLate(
        provider,
        receivedAt,
        items.map((item) => item.event),
        outcomes,
      );
    }
    const stale = items.filter((_item, index) => outcomes[index] === 'stale');
    if (stale.length) {
      await refuse({
        reason: 'stale',
        issues: [{ path: '', message: 'older than the namespace retention, and no open verification takes it' }],
        events: stale.map((item) => item.event),
      });
    }
    // 7. Keep what nobody may start: records about a verification the app has not registered yet.
    const unroutable = await keepUnroutable(
      provider,
      joinOnly,
      outcomes.slice(items.length - joinOnly.flat().length),
      refuse,
    );
    return answer(outcomes, parsed.rejected, unroutable);
  };

  /**
   * Records about a verification only the app starts, none of whose verifications exists: one
   * `unroutable` letter per verification (the app's start replays them into it). The app may have
   * registered it while the letter was written, so each record is offered once more afterwards.
   * Returns how many records joined at that second offer and how many are left unrouted.
   */
  async function keepUnroutable(
    provider: ProviderConfig,
    records: VerificationEvent[][],
    outcomes: HandOverOutcome[],
    refuse: (refusal: Refusal) => Promise<void>,
  ): Promise<{ joined: number; left: number }> {
    const byVerification = new Map<string, VerificationEvent[][]>();
    let at = 0;
    for (const record of records) {
      const mine = outcomes.slice(at, at + record.length);
      at += record.length;
      if (!mine.every((outcome) => outcome === 'absent')) continue;
      const id = kycWorkflowId(provider.id, record[0]!.reference);
      byVerification.set(id, [...(byVerification.get(id) ?? []), record]);
    }
    let [joined, left] = [0, 0];
    for (const [verificationId, unrouted] of byVerification) {
      await refuse({
        reason: 'unroutable',
        verificationId,
        issues: [{ path: '', message: 'no verification is registered for it, and only the app starts one' }],
        events: unrouted.flat(),
      });
      const again = await deps.handOver(
        provider,
        unrouted.flatMap(joiningItems).map((item) => ({ ...item, known: false })),
      );
      if (again.includes('accepted') || again.includes('duplicate')) joined += unrouted.length;
      else left += unrouted.length;
    }
    return { joined, left };
  }

  /**
   * The milliseconds since the epoch before which a provider timestamp is stale; the namespace's
   * retention is asked only when an event carries a timestamp.
   */
  async function staleBeforeFor(events: VerificationEvent[]): Promise<number> {
    if (!events.some((event) => event.occurredAt)) return -Infinity;
    return Date.now() - (await deps.retention.ms());
  }
}

/**
 * 200 with what was taken (and `unroutable`: records kept for a verification the app has not
 * started yet); 202 when some events wait in the local inbox for Temporal, durably.
 */
function answer(
  outcomes: HandOverOutcome[],
  rejected: RefusedCallback['issues'],
  unroutable: { joined: number; left: number },
): Answer {
  const count = (outcome: HandOverOutcome) => outcomes.filter((each) => each === outcome).length;
  const queued = count('queued');
  // A known duplicate is with Temporal already: accepted, as its first delivery was.
  const body: Record<string, unknown> = {
    accepted: count('accepted') + count('duplicate') + queued + unroutable.joined,
  };
  if (queued) body.queued = queued;
  if (count('late')) body.late = count('late');
  if (count('stale')) body.stale = count('stale');
  if (unroutable.left) body.unroutable = unroutable.left;
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

/**
 * A record's events about a verification only the app starts: none may start one; its subject (the
 * first) is the verification it is about, whose absence makes the record unroutable and whose
 * close makes it late.
 */
function joiningItems(record: VerificationEvent[]): Omit<HandOverItem, 'known'>[] {
  return record.map((event, index) => ({ event, startIfMissing: false, stale: false, joinOnly: index === 0 }));
}
