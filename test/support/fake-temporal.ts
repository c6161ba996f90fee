/**
 * For in-process ingress tests with a fake Temporal client. The namespace's retention as
 * `DescribeNamespace` answers it, years long, so documented callbacks (timestamped 2025) are not
 * stale there; staleness itself is tested with a retention of a day
 * (test/unit/ingress-credential-holder.test.ts, test/integration/credential-holder.test.ts). And a
 * client that records the hand-overs the ingress asks of it.
 */
import type { Client } from '@temporalio/client';
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
