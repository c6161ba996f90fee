/**
 * For in-process ingress tests with a fake Temporal client. The namespace's retention as
 * `DescribeNamespace` answers it, years long, so documented callbacks (timestamped 2025) are not
 * stale there; staleness itself is tested with a retention of a day
 * (test/unit/ingress-credential-holder.test.ts, test/integration/credential-holder.test.ts). And
 * clients that record the hand-overs the ingress asks of them.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { KYC_SEARCH_ATTRIBUTES } from '../../src/contracts';

export const describeNamespaceKeepingYears = async () => ({
  config: { workflowExecutionRetentionTtl: { seconds: 10 * 365 * 86_400 } },
});

/** Records what the ingress asks of Temporal; the real server is exercised by the integration tests. */
export function recordingClient(behaviour: () => Promise<unknown> = async () => ({})) {
  const calls: { workflowType: string; options: Record<string, unknown> }[] = [];
  const client = {
    connection: {
      withDeadline: (_d: number, fn: () => Promise<unknown>) => fn(),
      // Our search attributes are registered (as `kyc setup` leaves them); 2 = KEYWORD.
      operatorService: {
        listSearchAttributes: async () => ({
          customAttributes: Object.fromEntries(KYC_SEARCH_ATTRIBUTES.map((key) => [key.name, 2])),
        }),
      },
    },
    workflowService: { getSystemInfo: async () => ({}), describeNamespace: describeNamespaceKeepingYears },
    workflow: {
      signalWithStart: async (workflowType: string, options: Record<string, unknown>) => {
        calls.push({ workflowType, options });
        return behaviour();
      },
      // A closed verification's final state, read for the late-verdict rule: one the provider ended.
      getHandle: () => ({ result: async () => ({ status: 'COMPLETED', decision: 'APPROVED', timeline: [] }) }),
    },
  } as unknown as Client;
  return { client, calls };
}

/**
 * A Temporal that keeps which verifications exist (`existing`, also those the app started), and
 * records verification starts, signals, dead letters and readiness calls.
 */
export function fakeTemporal(options: { retentionSeconds?: number; describeFails?: boolean } = {}) {
  const state = { down: false };
  const existing = new Set<string>();
  const started: string[] = [];
  const signalled: string[] = [];
  const letters: string[] = [];
  const calls = { getSystemInfo: 0, describeNamespace: 0 };
  const client = {
    connection: {
      withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
      operatorService: {
        listSearchAttributes: async () => ({
          customAttributes: Object.fromEntries(KYC_SEARCH_ATTRIBUTES.map((key) => [key.name, 2])),
        }),
      },
    },
    workflowService: {
      getSystemInfo: async () => {
        calls.getSystemInfo += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return {};
      },
      describeNamespace: async () => {
        calls.describeNamespace += 1;
        if (options.describeFails) throw new Error('permission denied');
        return { config: { workflowExecutionRetentionTtl: { seconds: options.retentionSeconds ?? 86_400 } } };
      },
    },
    workflow: {
      signalWithStart: async (_type: string, start: { workflowId: string }) => {
        if (state.down) throw new Error('unavailable');
        if (!existing.has(start.workflowId)) started.push(start.workflowId);
        existing.add(start.workflowId);
        signalled.push(start.workflowId);
        return {};
      },
      getHandle: (workflowId: string) => ({
        signal: async () => {
          if (!existing.has(workflowId)) throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
          signalled.push(workflowId);
        },
      }),
      // Dead letters are workflows too.
      start: async (_type: string, start: { args: [{ letter: { reason: string } }] }) => {
        letters.push(start.args[0].letter.reason);
        return {};
      },
    },
  } as unknown as Client;
  return { client, existing, started, signalled, letters, calls, state };
}
