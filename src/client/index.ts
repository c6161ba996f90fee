import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { loadClientConfig, type ClientConfig } from '../config/client';
import { connectTemporalClient } from '../temporal/connection';
import type { CallbackParser } from '../providers/types';
import {
  KycDecision,
  KycStatus,
  cancelSignal,
  kycWorkflowId,
  parseKycWorkflowId,
  refreshSignal,
  stateQuery,
} from '../contracts';
import { referenceSchema } from '../providers/common';
import { isProviderId, PROVIDERS, providerModule, type ProviderId } from '../providers/registry';
import { signalRegistration } from '../temporal/verification-start';
import { type Decision, type Status, type VerificationState, isTerminal } from '../verification/model';
import {
  InvalidRequestError,
  VerificationAlreadyFinishedError,
  VerificationNotFoundError,
  WaitTimeoutError,
} from './errors';

export { InvalidRequestError, VerificationAlreadyFinishedError, VerificationNotFoundError, WaitTimeoutError };
import { inferredEnd } from '../verification/late-verdict';
import { ReopenRefusedError, reopenVerification, type ReopenOutcome } from '../late-verdicts/reopen';

export { ReopenRefusedError, type ReopenOutcome };
import {
  listDeadLetters,
  replayDeadLetter,
  type DeadLetterFilter,
  type DeadLetterSummary,
  type ReplayOutcome,
} from '../dead-letters/store';

/**
 * What the client and the CLI show of a verification: its state as the workflow holds it (every
 * field, whatever the state carries), and for a finished one what came after it closed: the
 * callbacks kept as letters (`lateCallbacks`) and, when our own timer had closed it, the provider's
 * late verdicts (`lateVerdicts`). `getVerification` and `waitForVerification` return the same view
 * of a finished verification.
 */
export type VerificationView = VerificationState & {
  lateVerdicts?: DeadLetterSummary[];
  lateCallbacks?: DeadLetterSummary[];
};

/** How long visibility may take to list a dead letter just written (see `replayUnroutable`). */
const VISIBILITY_SETTLE_MS = 1000;

export interface StartVerificationRequest {
  provider: ProviderId;
  /** The provider's own ID of the transaction (docs/providers.md, "References"). */
  reference: string;
  /** The app's opaque customer reference (an ID, not personal data). */
  customerReference?: string;
  /** When the verification should expire; default: now + the provider's P_EXPIRES_AFTER (the worker's setting). */
  expiresAt?: Date;
  /** Non-personal IDs the provider's retrieval API needs (some providers require one: docs/providers.md). */
  context?: Record<string, string>;
  /**
   * A workflow of the app's to signal (`kycVerificationFinished`, with the final state) when the
   * verification ends: the verdict reaches the app's own workflow without polling.
   */
  notifyWorkflowId?: string;
}

function assertId(field: string, value: unknown): void {
  const result = referenceSchema.safeParse(value);
  if (!result.success) throw new InvalidRequestError(`${field} ${result.error.issues[0]?.message ?? 'is invalid'}`);
}

/**
 * Refuses, before anything starts, a request that could never finish: IDs that are not IDs, an
 * expiry already past, or a context without what the provider's retrieval API needs (each
 * provider module declares that in `requiredContext`).
 */
export function validateStartRequest(request: StartVerificationRequest): void {
  if (typeof request.provider !== 'string' || !isProviderId(request.provider)) {
    throw new InvalidRequestError(`provider must be one of ${PROVIDERS.join(', ')}`);
  }
  assertId('reference', request.reference);
  if (request.customerReference !== undefined) assertId('customerReference', request.customerReference);
  if (request.notifyWorkflowId !== undefined) assertId('notifyWorkflowId', request.notifyWorkflowId);
  if (request.expiresAt !== undefined) {
    if (!(request.expiresAt instanceof Date) || Number.isNaN(request.expiresAt.getTime())) {
      throw new InvalidRequestError('expiresAt must be a valid Date');
    }
    if (request.expiresAt.getTime() <= Date.now()) throw new InvalidRequestError('expiresAt must be in the future');
  }
  for (const [key, value] of Object.entries(request.context ?? {})) assertId(`context.${key}`, value);
  const module = providerModule(request.provider);
  canonicalReference(request);
  for (const { key } of module.requiredContext ?? []) {
    if (request.context?.[key] === undefined) {
      throw new InvalidRequestError(
        `${request.provider} needs context.${key}: its retrieval API is addressed by it, so without it a lost ` +
          `callback could never be confirmed (pass context: { ${key}: '…' }, CLI: --context ${key}=…)`,
      );
    }
  }
}

/**
 * The reference the verification is registered under: the provider's canonical form of the
 * reference and context the app passed (for a provider whose keys come in kinds: `contract:<key>` for
 * a contract key started with `context.keyKind: 'contract'`), so the app's verification is the one the callbacks reach.
 */
export function canonicalReference(request: StartVerificationRequest): string {
  const module = providerModule(request.provider);
  let reference: string;
  try {
    reference = module.canonicalReference?.(request.reference, request.context ?? {}) ?? request.reference;
  } catch (err) {
    throw new InvalidRequestError(err instanceof Error ? err.message : String(err));
  }
  assertId('reference', reference);
  return reference;
}

export interface VerificationFilter {
  provider?: ProviderId;
  status?: Status;
  decision?: Decision;
  /** Only verifications started before this moment (e.g. older than 2 hours). */
  startedBefore?: Date;
  /** Only verifications started after this moment. */
  startedAfter?: Date;
  /** At most this many (default 100), running ones first, then the most recently closed. */
  limit?: number;
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
  private ownsConnection = false;

  constructor(
    readonly client: Client,
    private readonly config: Pick<ClientConfig, 'temporal'>,
  ) {}

  /**
   * Connects with Temporal's client settings (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, API key, TLS,
   * profiles; TEMPORAL_TASK_QUEUE and KYC_PAYLOAD_KEY as the worker has them, so payloads are
   * encrypted the way it decrypts them). No provider settings are needed. Call `close()` when done.
   */
  static async connect(config: Pick<ClientConfig, 'temporal'> = loadClientConfig()): Promise<KycClient> {
    const kyc = new KycClient(await connectTemporalClient(config), config);
    kyc.ownsConnection = true;
    return kyc;
  }

  /** Closes the connection `connect()` opened; a client built around the app's own connection leaves it open. */
  async close(): Promise<void> {
    if (!this.ownsConnection) return;
    this.ownsConnection = false;
    await this.client.connection.close();
  }

  /**
   * Throws {@link InvalidRequestError} for a request that could never finish (see {@link validateStartRequest}).
   * Returns the workflow ID and the reference the verification is registered under (its canonical
   * form: see {@link canonicalReference}), which `getVerification` and the others take. A
   * verification only the app starts (a provider's persons and idents, `appStartsOnly`) takes the callbacks that came
   * before it, kept as `unroutable` letters.
   */
  async startVerification(request: StartVerificationRequest): Promise<{ workflowId: string; reference: string }> {
    validateStartRequest(request);
    const reference = canonicalReference(request);
    const workflowId = kycWorkflowId(request.provider, reference);
    try {
      await signalRegistration(this.client, request.provider, this.config.temporal.taskQueue, reference, {
        ...(request.expiresAt ? { expiresAt: request.expiresAt.toISOString() } : {}),
        ...(request.customerReference ? { customerReference: request.customerReference } : {}),
        ...(request.context ? { context: request.context } : {}),
        ...(request.notifyWorkflowId ? { notifyWorkflowId: request.notifyWorkflowId } : {}),
      });
    } catch (err) {
      // Callbacks already took the verification to its end before the app got here: starting it
      // again is still idempotent, and the app reads the outcome with getVerification.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    if (providerModule(request.provider).appStartsOnly?.(reference)) await this.replayUnroutable(workflowId);
    return { workflowId, reference };
  }

  /**
   * Callbacks that came before the app's start of a verification only the app starts were kept as
   * `unroutable` letters: now that it is registered, they are handed to it. Letters are found
   * through visibility, which lags their writing a little; the ingress offers a letter's record
   * once more after writing it, so only a letter written just before this registration can be
   * missing from the first listing: a second listing a moment later takes it. A letter that cannot
   * be handed over stays listed (`kyc dead-letters --reason unroutable`, `kyc replay`); the start
   * itself has succeeded either way.
   */
  private async replayUnroutable(verificationId: string): Promise<void> {
    const replayed = new Set<string>();
    for (const pause of [0, VISIBILITY_SETTLE_MS]) {
      if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
      let letters: DeadLetterSummary[];
      try {
        letters = await this.listDeadLetters({ verificationId, reason: 'unroutable' });
      } catch {
        return;
      }
      for (const letter of letters.filter((each) => !replayed.has(each.id))) {
        replayed.add(letter.id);
        try {
          await this.replayDeadLetter(letter.id);
        } catch {
          // Left for an operator's replay: the letter is still open.
        }
      }
    }
  }

  /**
   * The verification's current state (also after it closed, within the namespace's retention).
   * A closed verification's state is its workflow result, read from history: a query would
   * replay the whole history on today's workflow code, which may no longer match the code that
   * wrote it (and needs a worker). Only a running verification is asked through the `state` query.
   */
  async getVerification(provider: ProviderId, reference: string): Promise<VerificationView> {
    const handle = this.handle(provider, reference);
    const { status } = await this.mapNotFound(provider, reference, handle.describe());
    if (status.name === 'COMPLETED' || status.name === 'CONTINUED_AS_NEW') {
      // Continued as new between describe and here: result() follows the chain to the last run.
      const state = await this.mapNotFound(provider, reference, handle.result() as Promise<VerificationState>);
      return this.view(provider, reference, state);
    }
    // Running; or closed without a result (terminated by an operator, failed): the query is all there is.
    return this.mapNotFound(provider, reference, handle.query(stateQuery));
  }

  /**
   * The one document of a finished verification, whichever call asks: its state, the callbacks
   * that arrived after it closed (kept as letters), and, when our own timer closed it, the late
   * verdicts among them (docs/providers.md, "Late verdicts"), so no reader takes an inferred
   * EXPIRED for the whole story. The state is spread as it is: fields it gains reach every reader.
   */
  private async view(provider: ProviderId, reference: string, state: VerificationState): Promise<VerificationView> {
    if (!isTerminal(state.status)) return state;
    let letters: DeadLetterSummary[];
    try {
      letters = await this.lateCallbacks(provider, reference);
    } catch {
      // Visibility unavailable (or our search attributes not registered yet): the state is still
      // the answer; the late verdict's letter, alert and push do not depend on this listing.
      return state;
    }
    const lateVerdicts = inferredEnd(state) ? letters.filter((letter) => letter.reason === 'late_verdict') : [];
    return {
      ...state,
      ...(letters.length ? { lateCallbacks: letters } : {}),
      ...(lateVerdicts.length ? { lateVerdicts } : {}),
    };
  }

  /**
   * Reopens a verification that our own timer closed (EXPIRED at its deadline or lifetime) so
   * that it asks the provider again, typically after a late verdict (see {@link reopenVerification}
   * in src/late-verdicts/reopen.ts). Throws {@link ReopenRefusedError} when it is still open or
   * its end was reported (by the provider or the app), not inferred.
   */
  async reopenVerification(provider: ProviderId, reference: string): Promise<ReopenOutcome> {
    const where = { namespace: this.config.temporal.namespace, taskQueue: this.config.temporal.taskQueue };
    return this.mapNotFound(provider, reference, reopenVerification(this.client, where, provider, reference));
  }

  /**
   * Resolves once the verification reaches a terminal status, with the same document
   * {@link getVerification} returns for it then (late callbacks and late verdicts included).
   */
  async waitForVerification(
    provider: ProviderId,
    reference: string,
    options: { timeoutMs?: number } = {},
  ): Promise<VerificationView> {
    return this.view(provider, reference, await this.finalState(provider, reference, options));
  }

  private async finalState(
    provider: ProviderId,
    reference: string,
    options: { timeoutMs?: number },
  ): Promise<VerificationState> {
    const handle = this.handle(provider, reference);
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

  /**
   * Cancels a running verification. `reason` is a short code such as `user_left` (free text could
   * carry personal data). Throws {@link VerificationAlreadyFinishedError}, with the final state,
   * when it had already ended: the app then holds a verdict it must not ignore.
   */
  async cancelVerification(provider: ProviderId, reference: string, reason?: string): Promise<void> {
    if (reason !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(reason)) {
      throw new InvalidRequestError('reason must be a short code (letters, digits, _ . -), e.g. user_left');
    }
    await this.signalRunning(provider, reference, (handle) => handle.signal(cancelSignal, reason ? { reason } : {}));
  }

  /**
   * Asks the workflow to poll the provider now, outside its schedule (an operator's "look again").
   * Throws {@link VerificationAlreadyFinishedError} when the verification has already ended.
   */
  async refreshVerification(provider: ProviderId, reference: string): Promise<void> {
    await this.signalRunning(provider, reference, (handle) => handle.signal(refreshSignal));
  }

  async listVerifications(filter: VerificationFilter = {}): Promise<VerificationSummary[]> {
    const clauses = ["WorkflowType = 'verificationWorkflow'"];
    if (filter.provider) clauses.push(`KycProvider = '${filter.provider}'`);
    if (filter.status) clauses.push(`KycStatus = '${filter.status}'`);
    if (filter.decision) clauses.push(`KycDecision = '${filter.decision}'`);
    if (filter.startedBefore) clauses.push(`StartTime < '${filter.startedBefore.toISOString()}'`);
    if (filter.startedAfter) clauses.push(`StartTime > '${filter.startedAfter.toISOString()}'`);
    const summaries: VerificationSummary[] = [];
    for await (const execution of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      const ids = parseKycWorkflowId(execution.workflowId);
      if (!ids || !isProviderId(ids.provider)) continue;
      summaries.push({
        workflowId: execution.workflowId,
        provider: ids.provider,
        reference: ids.reference,
        status: execution.typedSearchAttributes.get(KycStatus),
        decision: execution.typedSearchAttributes.get(KycDecision),
        startTime: execution.startTime,
        ...(execution.closeTime ? { closeTime: execution.closeTime } : {}),
      });
      if (summaries.length >= (filter.limit ?? 100)) break;
    }
    return summaries;
  }

  private handle(provider: ProviderId, reference: string): WorkflowHandle {
    return this.client.workflow.getHandle(kycWorkflowId(provider, reference));
  }

  /** Signals a running verification; a finished one is reported with its final state. */
  private async signalRunning(
    provider: ProviderId,
    reference: string,
    send: (handle: WorkflowHandle) => Promise<void>,
  ): Promise<void> {
    const workflowId = kycWorkflowId(provider, reference);
    const before = await this.getVerification(provider, reference);
    if (isTerminal(before.status)) throw new VerificationAlreadyFinishedError(workflowId, before);
    try {
      await send(this.handle(provider, reference));
    } catch (err) {
      // It ended between the look and the signal: report the end instead.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const after = await this.getVerification(provider, reference);
      if (!isTerminal(after.status)) throw err;
      throw new VerificationAlreadyFinishedError(workflowId, after);
    }
  }

  /** Callbacks refused after authentication, still held (docs/architecture.md, "Dead letters"): this deployment's, by its task queue. */
  async listDeadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetterSummary[]> {
    return listDeadLetters(this.client, { taskQueue: this.config.temporal.taskQueue, ...filter });
  }

  /** Late callbacks kept for one verification (events that arrived after it closed). */
  async lateCallbacks(provider: ProviderId, reference: string): Promise<DeadLetterSummary[]> {
    return listDeadLetters(this.client, {
      taskQueue: this.config.temporal.taskQueue,
      verificationId: kycWorkflowId(provider, reference),
      includeClosed: true,
    });
  }

  /** Re-injects a dead letter; idempotent (a letter replayed in full sends nothing the second time). */
  async replayDeadLetter(
    id: string,
    parserFor?: (provider: string) => CallbackParser | undefined,
  ): Promise<ReplayOutcome> {
    return replayDeadLetter(this.client, this.config.temporal.taskQueue, id, parserFor);
  }

  private async mapNotFound<T>(provider: ProviderId, reference: string, promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new VerificationNotFoundError(kycWorkflowId(provider, reference));
      throw err;
    }
  }
}
