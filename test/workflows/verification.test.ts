/**
 * The cross-provider stories of a verification, once, on the time-skipping test server with a
 * scripted fake provider: happy path, duplicates and reorder, a missed callback rescued by
 * polling, expiry confirmed or postponed, an outage, cancel, refresh, continue-as-new (and, in
 * hanging-poll.test.ts, a callback that arrives while a poll hangs). Per-provider files keep only
 * what is specific to each provider.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ProviderFailure } from '../../src/verification/provider-failure';
import type { VerificationState } from '../../src/verification/model';
import {
  cancelSignal,
  KycAttention,
  kycWorkflowId,
  refreshSignal,
  registerSignal,
  verificationFinishedSignal,
} from '../../src/contracts';
import { answer, callback, HOUR, MINUTE, POLICY, useWorkflowBench } from './harness';

const bench = useWorkflowBench();
const handle = (reference: string) => bench.env.client.workflow.getHandle(kycWorkflowId('jumio', reference));
const steps = (state: VerificationState) => state.timeline.map((e) => `${e.source} ${e.providerStatus} ${e.outcome}`);

const STARTED = { status: 'IN_PROGRESS' } as const;
const PROCESSED = { status: 'SUBMITTED', retrieve: true } as const;
const PASSED = { status: 'COMPLETED', decision: 'APPROVED' } as const;

it('happy path: progress, an announced result fetched in the background, the verdict', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('PROCESSED', PROCESSED), answer('PROCESSED/PASSED', PASSED));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    await bench.callback(ref, callback(ref, 'PROCESSED', PROCESSED, 2));
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', polls: 0 });
  expect(steps(final)).toEqual([
    'callback STARTED applied',
    'callback PROCESSED applied',
    'poll PROCESSED/PASSED applied',
  ]);
  // The first "not published yet" was retried by the activity's own retry policy.
  expect(bench.provider.callsFor(ref, 'fetchAnnouncedResult')).toBe(2);
});

it('duplicates and reorder: the same end, each redelivery recorded as what it was', async () => {
  const ref = randomUUID();
  const done = callback(ref, 'DONE', PASSED, 3);
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'ACQUIRED', { status: 'SUBMITTED' }, 2));
    await bench.callback(ref, callback(ref, 'STARTED', STARTED, 1));
    await bench.callback(ref, callback(ref, 'ACQUIRED', { status: 'SUBMITTED' }, 2));
    await bench.callback(ref, done);
    await bench.callback(ref, done);
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', providerStatus: 'DONE' });
  expect(steps(final).slice(0, 4)).toEqual([
    'callback ACQUIRED applied',
    'callback STARTED stale',
    'callback ACQUIRED duplicate',
    'callback DONE applied',
  ]);
});

it('a missed final callback is rescued by polling after the grace, on the schedule', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('STARTED', STARTED), answer('STARTED', STARTED), answer('DONE', PASSED));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', polls: 3 });
  const polls = final.timeline.filter((e) => e.source === 'poll').map((e) => Date.parse(e.at));
  const quiet = Date.parse(final.lastCallbackAt!);
  expect(polls[0]! - quiet).toBeGreaterThanOrEqual(POLICY.callbackGraceMs);
  // 5 then 10 minutes, ±10 %.
  expect((polls[1]! - polls[0]!) / MINUTE).toBeGreaterThanOrEqual(4.5);
  expect((polls[1]! - polls[0]!) / MINUTE).toBeLessThanOrEqual(5.6);
  expect((polls[2]! - polls[1]!) / MINUTE).toBeGreaterThanOrEqual(9);
});

it('a callback in the grace restarts it, and the wait keeps one timer instead of one per callback', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('DONE', PASSED));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    await bench.env.sleep(6 * MINUTE);
    await bench.callback(ref, callback(ref, 'STILL_GOING', STARTED, 2));
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', polls: 1 });
  // The timer set for the first grace fires early; the poll waits for the grace after the last callback.
  const [poll] = final.timeline.filter((e) => e.source === 'poll').map((e) => Date.parse(e.at));
  expect(poll! - Date.parse(final.lastCallbackAt!)).toBeGreaterThanOrEqual(POLICY.callbackGraceMs);
  const events = (await handle(ref).fetchHistory()).events!.map((e) => e.eventType);
  const count = (type: temporal.api.enums.v1.EventType) => events.filter((t) => t === type).length;
  // condition()'s own timer was cancelled and started again on every callback (kyc-wake-timer).
  expect(count(temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_CANCELED)).toBe(0);
  // The first grace's (kept past the second callback), the second grace's, the deadline's while the poll ran.
  expect(count(temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED)).toBe(3);
});

it("Temporal's own cancel (the Web UI's button) ends a waiting verification as cancelled", async () => {
  const ref = randomUUID();
  const status = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    await waitFor(async () => (await handle(ref).query<VerificationState>('state')).status === 'IN_PROGRESS');
    await handle(ref).cancel();
    await expect(bench.result(ref)).rejects.toThrow();
    return (await handle(ref).describe()).status.name;
  });
  expect(status).toBe('CANCELLED');
});

it('expiry confirmed: at the deadline the provider still says "in progress", so it expires', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('STARTED', STARTED));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'EXPIRED', providerStatus: 'EXPIRY_REACHED' });
  expect(Date.parse(final.completedAt!)).toBeGreaterThanOrEqual(Date.parse(final.expiresAt));
  expect(steps(final).slice(-2)).toEqual(['poll STARTED duplicate', 'timer EXPIRY_REACHED applied']);
  expect(bench.provider.callsFor(ref, 'confirmDeadline')).toBe(1);
});

it('takes the verdict the deadline check finds instead of expiring', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('STARTED', STARTED), answer('STARTED', STARTED), answer('DONE', PASSED));
  const policy = { ...POLICY, callbackGraceMs: 90 * MINUTE, pollScheduleMs: [20 * MINUTE] };
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1), { policy });
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
  expect(bench.provider.callsFor(ref, 'confirmDeadline')).toBe(1);
  expect(steps(final).at(-1)).toBe('poll DONE applied');
});

it('an outage at the deadline postpones the expiry with backoff until the provider answers', async () => {
  const ref = randomUUID();
  const down = { fail: ProviderFailure.Unavailable };
  // Three attempts per look: the first two looks at the deadline fail entirely.
  bench.provider.script(ref, answer('STARTED', STARTED), answer('STARTED', STARTED), answer('STARTED', STARTED));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    // Quiet the schedule, then make the provider fail through the deadline.
    await bench.env.sleep(POLICY.expiresAfterMs - 20 * MINUTE);
    bench.provider.script(ref, down, down, down, down, down, down, answer('STARTED', STARTED));
    return bench.result(ref);
  });
  expect(final.status).toBe('EXPIRED');
  const postponed = final.timeline.filter((e) => e.outcome === 'postponed');
  expect(postponed.length).toBeGreaterThanOrEqual(1);
  expect(Date.parse(final.completedAt!) - Date.parse(final.expiresAt)).toBeGreaterThanOrEqual(5 * MINUTE);
  expect(steps(final).slice(-2)).toEqual(['poll STARTED duplicate', 'timer EXPIRY_REACHED applied']);
});

it('"not found" at the deadline does not expire a reference the provider never knew: it asks again, then expires', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, { fail: ProviderFailure.NotReady });
  const final = await bench.withWorker(async () => {
    await bench.env.client.workflow.signalWithStart('verificationWorkflow', {
      workflowId: kycWorkflowId('jumio', ref),
      taskQueue: bench.taskQueue,
      args: [{ provider: 'jumio', reference: ref, policy: POLICY }],
      signal: registerSignal,
      signalArgs: [{}],
    });
    return bench.result(ref);
  });
  expect(final.status).toBe('EXPIRED');
  expect(final.attention).toContain('reference_unknown_to_provider');
  expect(final.timeline.filter((e) => e.outcome === 'postponed')).toHaveLength(2);
  // Operators find it by its attention code.
  expect((await handle(ref).describe()).typedSearchAttributes.get(KycAttention)).toBe('reference_unknown_to_provider');
});

it('an outage while fetching an announced result delays the verdict, never decides it', async () => {
  const ref = randomUUID();
  const down = { fail: ProviderFailure.Unavailable };
  bench.provider.script(ref, down, down, down, down, answer('DONE', { status: 'COMPLETED', decision: 'REJECTED' }));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'PROCESSED', PROCESSED, 1));
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
  expect(bench.provider.callsFor(ref, 'fetchAnnouncedResult')).toBe(5);
});

it('cancel: the app cancels, in arrival order, with a short reason code', async () => {
  const ref = randomUUID();
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    await handle(ref).signal(cancelSignal, { reason: 'user_left' });
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'CANCELLED', providerStatus: 'CANCELLED_BY_APP' });
  expect(final.timeline.at(-1)).toMatchObject({ source: 'app', detail: 'user_left' });
});

it('refresh: an operator asks the provider now, outside the schedule', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('DONE', PASSED));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    await handle(ref).signal(refreshSignal);
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', polls: 1 });
  expect(steps(final).slice(1)).toEqual(['app REFRESH_REQUESTED recorded', 'poll DONE applied']);
  // Asked at once, not after the grace.
  expect(Date.parse(final.completedAt!) - Date.parse(final.createdAt)).toBeLessThan(POLICY.callbackGraceMs);
});

it('the policy comes from the worker when the starter gives none', async () => {
  const ref = randomUUID();
  const workerPolicy = { ...POLICY, expiresAfterMs: 3 * HOUR };
  bench.provider.script(ref, answer('STARTED', STARTED));
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1), { policy: null });
    return bench.result(ref);
  }, workerPolicy);
  expect(Date.parse(final.expiresAt) - Date.parse(final.createdAt)).toBe(3 * HOUR);
});

it('continue-as-new keeps the state, the dedup set and the wait, and each run stays short', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('DONE', PASSED));
  const policy = { ...POLICY, maxHistoryEvents: 40 };
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1), { policy });
    const firstRun = (await handle(ref).describe()).runId;
    for (let i = 0; i < 30; i++) await bench.callback(ref, callback(ref, `NOISE_${i}`, {}, 2));
    await bench.callback(ref, callback(ref, 'STARTED', STARTED, 1));
    await waitFor(async () => (await handle(ref).describe()).runId !== firstRun);
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
  expect(final.timeline.filter((e) => e.providerStatus.startsWith('NOISE_'))).toHaveLength(30);
  expect(final.timeline.filter((e) => e.providerStatus === 'STARTED').map((e) => e.outcome)).toEqual([
    'applied',
    'duplicate',
  ]);
  // The rescue poll still came, from the carried wait.
  expect(final.polls).toBe(1);
});

it('an announced result that arrives as the run continues as new is fetched at once by the next run', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('PROCESSED/PASSED', PASSED));
  // Queued before any worker runs, so the first task applies them all and, past twice the limit,
  // continues as new with the announcement in the state (cancelling the fetch it had just started).
  await bench.start(ref, callback(ref, 'STARTED', STARTED, 1), { policy: { ...POLICY, maxHistoryEvents: 10 } });
  for (let i = 0; i < 30; i++) await bench.callback(ref, callback(ref, `NOISE_${i}`, {}, 2));
  await bench.callback(ref, callback(ref, 'PROCESSED', PROCESSED, 3));
  const final = await bench.withWorker(() => bench.result(ref));
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', polls: 0 });
  const lastRun = await handle(ref).fetchHistory();
  expect(lastRun.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
  // Fetched straight away, not when the next poll (after the 10-minute grace) woke the new run.
  expect(Date.parse(final.updatedAt) - Date.parse(final.createdAt)).toBeLessThan(POLICY.callbackGraceMs);
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

it("the app's workflow named at start is signalled with the final state; a missing one is recorded as not delivered", async () => {
  const app = randomUUID();
  const told = randomUUID();
  const nobody = randomUUID();
  const register = (ref: string, notifyWorkflowId: string) =>
    bench.env.client.workflow.signalWithStart('verificationWorkflow', {
      workflowId: kycWorkflowId('jumio', ref),
      taskQueue: bench.taskQueue,
      args: [{ provider: 'jumio', reference: ref, policy: POLICY }],
      signal: registerSignal,
      signalArgs: [{ notifyWorkflowId }],
    });
  const [toldFinal, nobodyFinal] = await bench.withWorker(async () => {
    // Any running workflow stands in for the app's: here, another verification.
    await bench.start(app, callback(app, 'STARTED', STARTED, 1));
    await register(told, kycWorkflowId('jumio', app));
    await register(nobody, 'no-such-workflow');
    await bench.callback(told, callback(told, 'DONE', PASSED, 2));
    await bench.callback(nobody, callback(nobody, 'DONE', PASSED, 2));
    // Awaited without skipping time (a plain client): skipped time would run the stand-in to its deadline.
    const results = new Client({ connection: bench.env.connection }).workflow;
    const result = (ref: string) =>
      results.getHandle(kycWorkflowId('jumio', ref)).result() as Promise<VerificationState>;
    const finals = await Promise.all([result(told), result(nobody)]);
    await handle(app).signal(cancelSignal, {});
    await bench.result(app);
    return finals;
  });
  expect(toldFinal.timeline.at(-1)).toMatchObject({ source: 'app', providerStatus: 'APP_WORKFLOW_SIGNALLED' });
  expect(toldFinal.timeline.at(-1)?.detail).toBeUndefined();
  expect(nobodyFinal.timeline.at(-1)).toMatchObject({
    providerStatus: 'APP_WORKFLOW_SIGNALLED',
    detail: 'not_delivered',
  });
  const history = await handle(app).fetchHistory();
  const signals = (history.events ?? []).map((e) => e.workflowExecutionSignaledEventAttributes?.signalName);
  expect(signals).toContain(verificationFinishedSignal.name);
  // Signalling a workflow that does not exist waits on the server's answer: slower on a loaded machine.
}, 180_000);
