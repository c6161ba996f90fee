/**
 * Claims on the real workflow (time-skipping test server, scripted provider): an end a
 * static-secret callback names is put to the provider's API at once, not after the grace; the
 * API's end is the verdict, and a claim it never confirms is applied at the deadline, not final.
 */
import { randomUUID } from 'node:crypto';
import type { CanonicalMeaning } from '../../src/verification/model';
import { answer, callback, POLICY, useWorkflowBench } from './harness';

const bench = useWorkflowBench();

/** A session-expired callback as a provider's parser reads it with its verdicts confirmed (a claim). */
const CLAIMED_EXPIRY: CanonicalMeaning = { claim: { status: 'EXPIRED' } };
const STARTED: CanonicalMeaning = { status: 'IN_PROGRESS' };

it('a claim is put to the API at once; the API says the same: the end is final', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('SESSION_EXPIRED', { status: 'EXPIRED' }));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'APP_OPENED', STARTED, 1));
    await bench.callback(ref, callback(ref, 'SESSION_EXPIRED', CLAIMED_EXPIRY, 2));
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'EXPIRED', decisionFinal: true, providerStatus: 'SESSION_EXPIRED' });
  const claimAt = Date.parse(final.timeline.find((e) => e.source === 'callback' && e.outcome === 'recorded')!.at);
  const pollAt = Date.parse(final.timeline.find((e) => e.source === 'poll')!.at);
  // Asked at once: well before the 10-minute grace would have let a fallback poll happen.
  expect(pollAt - claimAt).toBeLessThan(POLICY.callbackGraceMs);
  expect(bench.provider.callsFor(ref, 'pollProvider')).toBe(1);
});

it('a claim the API cannot confirm is applied at the deadline, by our timer, not final', async () => {
  const ref = randomUUID();
  // ID+ answers without a decision: it cannot tell.
  bench.provider.script(ref, answer('NO_DECISION', { informational: true }));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'SESSION_EXPIRED', CLAIMED_EXPIRY, 1));
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'EXPIRED', decisionFinal: false, providerStatus: 'CLAIM_UNCONFIRMED' });
  expect(final.attention).toContain('claim_unconfirmed');
  const closing = final.timeline.find((e) => e.providerStatus === 'CLAIM_UNCONFIRMED')!;
  expect(Date.parse(closing.at)).toBeGreaterThanOrEqual(Date.parse(final.expiresAt));
});
