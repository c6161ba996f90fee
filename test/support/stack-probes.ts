/**
 * What a test asks a durable stack about what the ingress did: whether a verification's workflow
 * was started, and the dead letters kept for a reason (as the operator lists them, `kyc dead-letters`).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { kycWorkflowId } from '../../src/contracts';
import type { ProviderId } from '../../src/providers/registry';
import type { DurableStack } from './durable-stack';

export async function workflowExists(
  stack: Pick<DurableStack, 'client'>,
  provider: ProviderId,
  reference: string,
): Promise<boolean> {
  try {
    await stack.client.workflow.getHandle(kycWorkflowId(provider, reference)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** `kyc dead-letters --json --reason <reason>`, which must succeed. */
export async function deadLettersFor(
  stack: Pick<DurableStack, 'kyc'>,
  reason: string,
): Promise<{ verificationId?: string; events: number }[]> {
  const out = await stack.kyc('dead-letters', '--json', '--reason', reason);
  expect(out).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(out.stdout) as { verificationId?: string; events: number }[];
}
