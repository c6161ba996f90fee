import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ClientConfig } from '../config';
import { KycDecision, KycStatus } from '../workflows/messages';
import { referenceSchema } from '../providers/common';
import { signalRegistration } from '../temporal/verification-start';
import type { ProviderId, Status, VerificationState } from '../verification/model';
import { isProviderId, isTerminal } from '../verification/model';
import { cancelSignal, kycWorkflowId, parseKycWorkflowId, stateQuery } from '../workflows/messages';

export interface StartVerificationRequest {
  provider: ProviderId;
  /** The provider's own ID of the transaction (Jumio workflowExecution.id, Socure DocV transaction ID, …). */
  reference: string;
  /** The app's opaque customer reference (an ID, not personal data). */
  customerReference?: string;
  /** When the verification should expire; default: now + the provider's P_EXPIRES_AFTER (the worker's setting). */
  expiresAt?: Date;
  /** Non-personal IDs the provider's retrieval API needs (Jumio: accountId). */
  context?: Record<string, string>;
}

export class VerificationNotFoundError extends Error {
  override name = 'VerificationNotFoundError';
}

/** The app asked for something malformed: IDs must be IDs, never personal data. */
export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
}

function assertId(field: string, value: string): void {
  const result = referenceSchema.safeParse(value);
  if (!result.success) throw new InvalidRequestError(`${field} ${result.error.issues[0]?.message ?? 'is invalid'}`);
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

export interface VerificationSummary {
  workflowId: string;
  provider: ProviderId;
  reference: string;
  status?: string;
  decision?: string;
  startTime: Date;
  closeTime?: Date;
}

/**
 * The typed client app code uses: start verifications and read their state. Starting is
 * idempotent and safe after a callback already started the verification. It needs only the
 * Temporal settings (`loadClientConfig()`): polling policies, provider credentials and webhook
 * secrets stay with the worker and the ingress.
 */
export class KycClient {
  constructor(
    readonly client: Client,
    private readonly config: Pick<ClientConfig, 'temporal'>,
  ) {}

  async startVerification(request: StartVerificationRequest): Promise<{ workflowId: string }> {
    if (!isProviderId(request.provider))
      throw new InvalidRequestError(`unknown provider '${String(request.provider)}'`);
    assertId('reference', request.reference);
    if (request.customerReference) assertId('customerReference', request.customerReference);
    const workflowId = kycWorkflowId(request.provider, request.reference);
    try {
      await signalRegistration(this.client, request.provider, this.config.temporal.taskQueue, request.reference, {
        ...(request.expiresAt ? { expiresAt: request.expiresAt.toISOString() } : {}),
        ...(request.customerReference ? { customerReference: request.customerReference } : {}),
        ...(request.context ? { context: request.context } : {}),
      });
    } catch (err) {
      // Callbacks already took the verification to its end before the app got here: starting it
      // again is still idempotent, and the app reads the outcome with getVerification.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return { workflowId };
  }

  /** The verification's current state (also after it closed, within the namespace's retention). */
  async getVerification(provider: ProviderId, reference: string): Promise<VerificationState> {
    try {
      return await this.client.workflow.getHandle(kycWorkflowId(provider, reference)).query(stateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new VerificationNotFoundError(`no verification ${kycWorkflowId(provider, reference)}`);
      throw err;
    }
  }

  /** Resolves with the final state once the verification reaches a terminal status. */
  async waitForVerification(
    provider: ProviderId,
    reference: string,
    options: { timeoutMs?: number } = {},
  ): Promise<VerificationState> {
    const handle = this.client.workflow.getHandle(kycWorkflowId(provider, reference));
    if (!options.timeoutMs) return this.mapNotFound(provider, reference, handle.result() as Promise<VerificationState>);
    // Abort the long poll itself on timeout, so no call outlives the wait (or the connection).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    try {
      return await this.mapNotFound(
        provider,
        reference,
        this.client.withAbortSignal(controller.signal, () => handle.result() as Promise<VerificationState>),
      );
    } catch (err) {
      if (controller.signal.aborted) {
        throw new WaitTimeoutError(`verification ${kycWorkflowId(provider, reference)} is not finished yet`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `reason` is a short code such as `user_left` (free text could carry personal data). */
  async cancelVerification(provider: ProviderId, reference: string, reason?: string): Promise<void> {
    if (reason !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(reason)) {
      throw new InvalidRequestError('reason must be a short code (letters, digits, _ . -), e.g. user_left');
    }
    const state = await this.getVerification(provider, reference);
    if (isTerminal(state.status)) return;
    try {
      await this.client.workflow
        .getHandle(kycWorkflowId(provider, reference))
        .signal(cancelSignal, reason ? { reason } : {});
    } catch (err) {
      // It ended between the look and the signal: there is nothing left to cancel.
      if (
        !(err instanceof WorkflowNotFoundError) ||
        !isTerminal((await this.getVerification(provider, reference)).status)
      ) {
        throw err;
      }
    }
  }

  async listVerifications(
    filter: { provider?: ProviderId; status?: Status; limit?: number } = {},
  ): Promise<VerificationSummary[]> {
    const clauses = ["WorkflowType = 'verificationWorkflow'"];
    if (filter.provider) clauses.push(`KycProvider = '${filter.provider}'`);
    if (filter.status) clauses.push(`KycStatus = '${filter.status}'`);
    const summaries: VerificationSummary[] = [];
    for await (const execution of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      const ids = parseKycWorkflowId(execution.workflowId);
      if (!ids) continue;
      summaries.push({
        workflowId: execution.workflowId,
        ...ids,
        status: execution.typedSearchAttributes.get(KycStatus),
        decision: execution.typedSearchAttributes.get(KycDecision),
        startTime: execution.startTime,
        ...(execution.closeTime ? { closeTime: execution.closeTime } : {}),
      });
      if (summaries.length >= (filter.limit ?? 100)) break;
    }
    return summaries;
  }

  private async mapNotFound<T>(provider: ProviderId, reference: string, promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new VerificationNotFoundError(`no verification ${kycWorkflowId(provider, reference)}`);
      throw err;
    }
  }
}
