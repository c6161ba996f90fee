/**
 * Nothing the workflow waits for holds back an arrived callback: a terminal callback is applied
 * while a scheduled poll hangs. Its own file and test server: the time-skipping server stops
 * skipping time for good once an activity it cancelled never reports back.
 */
import { randomUUID } from 'node:crypto';
import type { VerificationState } from '../../src/verification/model';
import { callback, POLICY, useWorkflowBench } from './harness';

const bench = useWorkflowBench();
const steps = (state: VerificationState) => state.timeline.map((e) => `${e.source} ${e.providerStatus} ${e.outcome}`);
const STARTED = { status: 'IN_PROGRESS' } as const;
const PASSED = { status: 'COMPLETED', decision: 'APPROVED' } as const;

it('a terminal callback is applied while a poll hangs', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, 'hang');
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    // Past the grace: the scheduled poll starts, and hangs.
    // (With an activity in flight the test server stops skipping time: sleep just past the grace.)
    await bench.env.sleep(POLICY.callbackGraceMs + 1000);
    await waitFor(() => bench.provider.callsFor(ref, 'pollProvider') === 1);
    const sentAt = Date.now();
    await bench.callback(ref, callback(ref, 'DONE', PASSED, 2));
    const state = await bench.result(ref);
    // Applied within the task that received it, not after the poll's 30 s timeout.
    expect(Date.now() - sentAt).toBeLessThan(20_000);
    // The poll is still hanging: let it go, so the worker can shut down.
    expect(bench.provider.callsFor(ref)).toBe(1);
    bench.provider.release();
    return state;
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
  expect(steps(final)).toEqual(['callback STARTED applied', 'callback DONE applied']);
});

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
