import express, { type Express, type Request, type Response } from 'express';
import {
  isGrpcDeadlineError,
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { enabledProvider, type AppConfig, type ProviderConfig } from '../config';
import type { Logger } from '../logger';
import { boundedIssues } from '../providers/common';
import {
  CallbackAuthenticationError,
  CallbackNotOursError,
  CallbackValidationError,
  type CallbackParser,
} from '../providers/types';
import { parseUntrustedJson } from '../providers/untrusted-json';
import { signalProviderEvent } from '../temporal/verification-start';
import { isProviderId, type ProviderId, type VerificationEvent } from '../verification/model';
import { kycWorkflowId, providerEventSignal } from '../workflows/messages';
import { AcceptedCallbacks } from './accepted-callbacks';
import { authenticate } from './auth';
import { LateVerdictAlarm, type LateLetter } from '../late-verdicts/alarm';
import { DeadLetterNotKeptError, type DeadLetterRecorder, type RefusedCallback } from './dead-letters';
import { HandoverLimit } from './handover-limit';
import { errorHandler, HttpError, notFound } from './http-error';
import type { DurableInbox } from './inbox';
import { IngressMetrics, PROMETHEUS_CONTENT_TYPE } from './metrics';
import { sendReadiness, temporalReadinessProbe } from './readiness';
import { isStale, NamespaceRetention } from './stale-callbacks';
import { StartBudget, StartLimitedError } from './start-budget';

export interface IngressDeps {
  client: Client;
  config: AppConfig;
  logger: Logger;
  /** How long a hand-over to Temporal may take before we answer 503 (providers time out at ~5 s). */
  handoverTimeoutMs?: number;
  metrics?: IngressMetrics;
  /** Keeps callbacks refused after authentication as dead letters; without it they are only counted. */
  deadLetters?: DeadLetterRecorder;
  /** Where events of KYC_INBOX_PROVIDERS wait while Temporal is unreachable, instead of a 503. */
  inbox?: DurableInbox;
  /** Default: KYC_MAX_HANDOVERS_IN_FLIGHT, following the queue in Temporal below it. */
  handoverLimit?: HandoverLimit;
  /** Events Temporal acknowledged, so exact redeliveries need no signal; default: KYC_INGRESS_DEDUP_ENTRIES of them. */
  accepted?: AcceptedCallbacks;
  /** Workflows callbacks may start per provider per minute; shared with the inbox drainer and dead letters. */
  startBudget?: StartBudget;
  /** The namespace's retention, past which a callback's own timestamp makes it stale. */
  retention?: NamespaceRetention;
}

/** Seconds a provider should wait before retrying when Temporal cannot take the callback. */
const RETRY_AFTER_SECONDS = 5;
/** Records one callback may carry (Concedus sends arrays); more is refused rather than half-stored. */
export const MAX_EVENTS_PER_CALLBACK = 500;
/** Hand-overs to different verifications that run at once, so a large array answers within the provider's timeout. */
const HANDOVER_CONCURRENCY = 8;

/**
 * The webhook ingress: for each provider route, authenticate (on the raw request, before any
 * parsing), parse and validate, normalise into canonical events, and hand each to its
 * verification's workflow with signal-with-start. It answers 2xx only once every accepted
 * event is durably with Temporal, so a provider that retries never loses one.
 */
export function createIngressApp(deps: IngressDeps): Express {
  const { client, config, logger } = deps;
  const metrics = deps.metrics ?? new IngressMetrics();
  const handoverTimeoutMs = deps.handoverTimeoutMs ?? 4000;
  // Hand-overs waiting on Temporal right now. Beyond the limit a callback is refused with 503 at
  // once instead of joining a queue whose wait would pass the provider's timeout (5-30 s): a burst
  // then degrades into retries, and every 2xx still means the callback is with Temporal.
  const handovers =
    deps.handoverLimit ??
    new HandoverLimit({ cap: config.ingress.maxHandoversInFlight, deadlineMs: handoverTimeoutMs });
  metrics.trackHandoverLimit(handovers);
  const accepted = deps.accepted ?? new AcceptedCallbacks(config.ingress.dedupEntries);
  const starts = deps.startBudget ?? new StartBudget(config.ingress.callbackStartsPerMinute);
  const retention =
    deps.retention ??
    new NamespaceRetention({
      client,
      namespace: config.temporal.namespace,
      fallbackMs: config.ingress.namespaceRetentionFallbackMs,
      logger,
    });
  const lateVerdicts = new LateVerdictAlarm({
    client,
    config,
    logger,
    counter: metrics.lateVerdicts,
    timeoutMs: handoverTimeoutMs,
  });
  const parsers = new Map<ProviderId, CallbackParser>(
    config.enabledProviders.map((id) => {
      const provider = enabledProvider(config, id);
      return [id, provider.module.createCallbackParser(provider.settings)];
    }),
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.ingress.trustProxy);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Public on this port: one call to Temporal answers every probe for a second and a half.
  const readiness = temporalReadinessProbe(client, config.temporal.namespace);
  app.get('/readyz', async (_req, res) => {
    sendReadiness(res, await readiness());
  });

  // With METRICS_PORT set, metrics live on that port only (src/observability/metrics-server.ts), not on the public one.
  if (config.observability.metricsPort === undefined) {
    app.get('/metrics', async (_req, res) => {
      res.type(PROMETHEUS_CONTENT_TYPE).send(await metrics.render());
    });
  }

  // The raw bytes are kept (no global JSON parser): authentication and signature checks need them.
  const rawBody = express.raw({ type: () => true, limit: config.ingress.bodyLimitBytes });

  app.post(
    '/webhooks/:provider',
    (req, _res, next) => {
      const id = String(req.params.provider);
      next(isProviderId(id) && parsers.has(id) ? undefined : 'route');
    },
    rawBody,
    async (req: Request, res: Response) => {
      const started = process.hrtime.bigint();
      const provider = enabledProvider(config, req.params.provider as ProviderId);
      try {
        const result = await receive(req, provider);
        metrics.callbacks.inc({ provider: provider.id, code: String(result.status) });
        res.status(result.status).json(result.body);
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 500;
        metrics.callbacks.inc({ provider: provider.id, code: String(status) });
        throw err;
      } finally {
        metrics.observeLatency(provider.id, Number(process.hrtime.bigint() - started) / 1e9);
      }
    },
  );

  app.use(notFound);
  app.use(
    errorHandler((err) => {
      logger.error('unhandled ingress error', { error: err instanceof Error ? err.name : typeof err });
    }),
  );
  return app;

  async function receive(req: Request, provider: ProviderConfig) {
    authenticate(req, provider.webhookAuth);
    if (!req.is(['application/json', 'application/*+json', 'text/json'])) {
      throw new HttpError(415, 'unsupported_media_type', 'callbacks must be JSON (Content-Type: application/json)');
    }
    const receivedAt = new Date().toISOString();
    // Past authentication, nothing is refused without a dead letter (see src/ingress/dead-letters.ts).
    const refuse = (refused: Omit<RefusedCallback, 'provider' | 'receivedAt' | 'rawBody'>) =>
      keepDeadLetter({ ...refused, provider: provider.id, receivedAt, rawBody: rawBytes(req.body) });
    const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let body;
    try {
      body = parseJson(text);
    } catch (err) {
      await refuse({ reason: 'invalid_json', issues: [{ path: '', message: 'not JSON' }] });
      throw err;
    }
    const parser = parsers.get(provider.id)!;
    // Counted before any record is validated: validation costs per record, on the event loop every provider shares.
    const records = parser.countRecords?.(body, MAX_EVENTS_PER_CALLBACK) ?? 0;
    if (records > MAX_EVENTS_PER_CALLBACK) {
      await refuse({
        reason: 'oversize',
        issues: [
          {
            path: '',
            message: `more than ${MAX_EVENTS_PER_CALLBACK} records; at most ${MAX_EVENTS_PER_CALLBACK} per callback`,
          },
        ],
      });
      throw new HttpError(413, 'too_many_records', `a callback may carry at most ${MAX_EVENTS_PER_CALLBACK} records`);
    }
    let parsed;
    try {
      // The raw text too: signatures are checked over the bytes the provider signed.
      parsed = parser.parse(body, receivedAt, text);
    } catch (err) {
      if (err instanceof CallbackAuthenticationError) {
        throw new HttpError(401, 'unauthorized', 'callback signature does not verify');
      }
      if (err instanceof CallbackValidationError) {
        await refuse({ reason: 'schema', issues: err.issues });
        throw new HttpError(400, 'invalid_callback', 'callback does not match the provider schema', {
          issues: err.issues,
        });
      }
      if (err instanceof CallbackNotOursError) {
        // Authenticated as the provider, but for another of its customers: nothing is started.
        await refuse({ reason: err.reason, issues: err.issues, events: err.events });
        throw new HttpError(403, 'forbidden', 'the callback is for an account that is not configured');
      }
      throw err;
    }
    if (parsed.rejected.length > 0) await refuse({ reason: 'schema', issues: parsed.rejected });
    if (parsed.events.length === 0 && parsed.rejected.length > 0) {
      throw new HttpError(400, 'invalid_callback', 'no record of the callback could be used', {
        issues: parsed.rejected,
      });
    }

    const total = parsed.events.length + (parsed.alsoIfExists?.length ?? 0);
    if (total > MAX_EVENTS_PER_CALLBACK) {
      await refuse({
        reason: 'oversize',
        issues: [{ path: '', message: `${total} records; at most ${MAX_EVENTS_PER_CALLBACK} per callback` }],
        events: parsed.events,
      });
      throw new HttpError(413, 'too_many_records', `a callback may carry at most ${MAX_EVENTS_PER_CALLBACK} records`);
    }
    const staleBefore = await staleBeforeFor(parsed.events);
    const items = [
      // A stale event may still join an open verification; it never starts one.
      ...parsed.events.map((event) => {
        const stale = isStale(event, staleBefore);
        return { event, startIfMissing: !stale, stale };
      }),
      ...(parsed.alsoIfExists ?? []).map((event) => ({ event, startIfMissing: false, stale: false })),
    ];
    // A redelivery of events Temporal already acknowledged needs no hand-over, so no slot either.
    const known = items.map(({ event }) => accepted.has(kycWorkflowId(provider.id, event.reference), event));
    const needsHandover = known.some((isKnown) => !isKnown);
    // A provider that never retries is not refused: its events go on to the hand-over, and to the inbox if that fails.
    if (needsHandover && handovers.full && !keepsAnInbox(provider)) {
      // Counted, not logged: under a burst this happens hundreds of times a second.
      metrics.events.inc({ provider: provider.id, result: 'overloaded' }, total);
      throw new HttpError(503, 'overloaded', 'too many callbacks are being stored right now; retry later', {
        retryAfterSeconds: handovers.refuse(),
      });
    }
    const outcomes = await inParallelPerVerification(
      items.map((item, index) => ({ ...item, known: known[index]! })),
      ({ event, startIfMissing, stale, known: isKnown }) =>
        isKnown ? Promise.resolve(duplicate(provider, event)) : handOver(provider, event, startIfMissing, stale),
    );
    const queued = outcomes.filter((o) => o === 'queued').length;
    // A known duplicate is with Temporal already: accepted, as its first delivery was.
    const acceptedCount = outcomes.filter((o) => o === 'accepted' || o === 'duplicate').length;
    const body200: Record<string, unknown> = { accepted: acceptedCount + queued };
    if (queued) body200.queued = queued;
    const late = outcomes.filter((o) => o === 'late').length;
    if (late) {
      body200.late = late;
      await keepLateEvents(provider, receivedAt, parsed.events, outcomes);
    }
    const stale = items.filter((_item, index) => outcomes[index] === 'stale');
    if (stale.length) {
      body200.stale = stale.length;
      await refuse({
        reason: 'stale',
        issues: [{ path: '', message: 'older than the namespace retention, and no open verification takes it' }],
        events: stale.map((item) => item.event),
      });
    }
    if (parsed.rejected.length) {
      const { issues, moreIssues } = boundedIssues(parsed.rejected);
      body200.rejected = issues;
      if (moreIssues) body200.moreRejected = moreIssues;
    }
    // 202: some events wait in the local inbox for Temporal, durably.
    return { status: queued ? 202 : 200, body: body200 };
  }

  /**
   * One late letter per verification, holding the events that found it closed. When our own timer
   * had closed it and a provider's verdict is among them (src/late-verdicts/rule.ts), the letter is
   * a `late_verdict`: counted and logged as an alert, and pushed to the app when it takes pushes.
   */
  async function keepLateEvents(
    provider: ProviderConfig,
    receivedAt: string,
    events: VerificationEvent[],
    outcomes: string[],
  ): Promise<void> {
    const lateByVerification = new Map<string, VerificationEvent[]>();
    events.forEach((event, index) => {
      if (outcomes[index] !== 'late') return;
      const id = kycWorkflowId(provider.id, event.reference);
      lateByVerification.set(id, [...(lateByVerification.get(id) ?? []), event]);
    });
    for (const [verificationId, lateEvents] of lateByVerification) {
      const letter = await lateLetter(provider, verificationId, lateEvents, receivedAt);
      await keepDeadLetter(letter.refused);
      try {
        await lateVerdicts.raise(letter);
      } catch (err) {
        logger.error('late verdict notification not started', { workflowId: verificationId, error: errorKind(err) });
        // The letter is kept and idempotent: a retried callback finds the same letter and starts the push.
        throw new HttpError(503, 'temporal_unavailable', 'the callback could not be stored; retry later', {
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        });
      }
    }
  }

  /** The late-verdict rule needs the final state; unreadable for now is a 503 (the provider retries). */
  async function lateLetter(
    provider: ProviderConfig,
    verificationId: string,
    events: VerificationEvent[],
    receivedAt: string,
  ): Promise<LateLetter> {
    try {
      return await lateVerdicts.letterFor(provider.id, verificationId, events, receivedAt);
    } catch (err) {
      logger.error('final state of a closed verification unreadable', {
        workflowId: verificationId,
        error: errorKind(err),
      });
      // A provider that never retries keeps at least the plain late letter; the others send it again.
      if (keepsAnInbox(provider)) {
        const issues = [{ path: '', message: 'the verification had already closed' }];
        return { refused: { provider: provider.id, reason: 'late', issues, receivedAt, events, verificationId } };
      }
      throw new HttpError(503, 'temporal_unavailable', 'the callback could not be stored; retry later', {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    }
  }

  /**
   * The milliseconds since the epoch before which a provider timestamp is stale; the namespace's
   * retention is asked only when an event carries a timestamp.
   */
  async function staleBeforeFor(events: VerificationEvent[]): Promise<number> {
    if (!events.some((event) => event.occurredAt)) return -Infinity;
    return Date.now() - (await retention.ms());
  }

  /**
   * A late or stale event is answered 2xx (the provider must stop retrying), so its letter must be
   * kept first: when neither Temporal nor the inbox can, 503 makes the provider send it again.
   * Other refusals keep their 4xx whatever happens to the letter, except past the start bound:
   * then 503 too, and the provider's retry finds a token (nothing refused is lost unkept).
   */
  async function keepDeadLetter(refused: RefusedCallback): Promise<void> {
    metrics.events.inc({ provider: refused.provider, result: `dead_letter_${refused.reason}` });
    if (!deps.deadLetters) return;
    try {
      // A letter is a workflow too: within the same start bound as verifications.
      await deps.deadLetters.record(refused, starts);
    } catch (err) {
      if (err instanceof StartLimitedError) throw startLimited(refused.provider, err.retryAfterSeconds);
      logger.error('dead letter not kept', { provider: refused.provider, reason: refused.reason });
      const answeredOk = ['late', 'late_verdict', 'stale'].includes(refused.reason);
      if (answeredOk && err instanceof DeadLetterNotKeptError) {
        throw new HttpError(503, 'temporal_unavailable', 'the callback could not be stored; retry later', {
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        });
      }
    }
  }

  /** An exact redelivery of an event Temporal acknowledged: counted and logged, not signalled again. */
  function duplicate(provider: ProviderConfig, event: VerificationEvent): 'duplicate' {
    metrics.events.inc({ provider: provider.id, result: 'duplicate' });
    logger.debug('callback already handed over; not signalled again', {
      workflowId: kycWorkflowId(provider.id, event.reference),
      providerStatus: event.providerStatus,
    });
    return 'duplicate';
  }

  /**
   * Hands one event to its verification. `startIfMissing`: it may start the verification, within
   * the start bound; past the bound it may only join an existing one, and a callback that would
   * start one waits (in the inbox, or as a 503 the provider retries). A `stale` event only joins.
   */
  async function handOver(
    provider: ProviderConfig,
    event: VerificationEvent,
    startIfMissing: boolean,
    stale: boolean,
  ): Promise<'accepted' | 'late' | 'absent' | 'queued' | 'stale'> {
    const workflowId = kycWorkflowId(provider.id, event.reference);
    const grant = startIfMissing ? starts.mayStart(provider.id, workflowId) : false;
    const mayStart = grant !== false;
    const slot = handovers.enter();
    let tookTemporalsTime = true;
    const endTimer = metrics.handover.startTimer({ provider: provider.id });
    try {
      await client.connection.withDeadline(Date.now() + handoverTimeoutMs, () =>
        mayStart
          ? // No policy passed: the workflow takes it from the worker's configuration.
            signalProviderEvent(client, config.temporal.taskQueue, event)
          : client.workflow.getHandle(workflowId).signal(providerEventSignal, event),
      );
      // Only now, acknowledged by Temporal, may a redelivery skip its signal.
      accepted.remember(workflowId, event);
      starts.noteExists(workflowId);
      metrics.events.inc({ provider: provider.id, result: 'accepted' });
      endTimer({ result: 'accepted' });
      logger.info('callback handed over', { workflowId, providerStatus: event.providerStatus });
      return 'accepted';
    } catch (err) {
      tookTemporalsTime = answeredOrOutOfTime(err);
      // Nothing was started: the token serves the next callback (after an outage, the providers' retries).
      if (grant === 'granted') starts.giveBack(provider.id);
      if (!mayStart && err instanceof WorkflowNotFoundError) {
        if (stale) {
          endTimer({ result: 'stale' });
          return 'stale';
        }
        if (!startIfMissing) {
          endTimer({ result: 'absent' });
          return 'absent';
        }
        // Past the start bound, and no verification to join.
        endTimer({ result: 'start_limited' });
        metrics.events.inc({ provider: provider.id, result: 'start_limited' });
        // A provider that never retries is not refused: the drainer starts it when the bound allows.
        if (keepsAnInbox(provider)) return keepInInbox(provider, event, true, 'start_limited');
        throw startLimited(provider.id, starts.retryAfterSeconds(provider.id));
      }
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // The verification has already closed; by the ID reuse policy a late callback starts nothing.
        metrics.events.inc({ provider: provider.id, result: 'late' });
        endTimer({ result: 'late' });
        logger.warn('callback for a closed verification ignored', { workflowId, providerStatus: event.providerStatus });
        return 'late';
      }
      if (keepsAnInbox(provider)) {
        endTimer({ result: 'queued' });
        return keepInInbox(provider, event, startIfMissing, errorKind(err));
      }
      metrics.events.inc({ provider: provider.id, result: 'temporal_unavailable' });
      endTimer({ result: 'temporal_unavailable' });
      logger.warn('temporal unavailable for callback', { workflowId, error: errorKind(err) });
      throw new HttpError(503, 'temporal_unavailable', 'the callback could not be stored; retry later', {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    } finally {
      handovers.release(slot, tookTemporalsTime);
    }
  }

  function keepsAnInbox(provider: ProviderConfig): boolean {
    return deps.inbox !== undefined && config.reliability.inboxProviders.includes(provider.id);
  }

  /** More than KYC_CALLBACK_STARTS_PER_MINUTE new workflows from this provider's callbacks: retry when a start is free. */
  function startLimited(provider: ProviderId, retryAfterSeconds: number): HttpError {
    return new HttpError(503, 'start_limited', 'too many new verifications from callbacks right now; retry later', {
      retryAfterSeconds,
    });
  }

  /**
   * For a provider that never retries, a 503 would lose the event: it waits, fsynced, in the inbox
   * (`why`: Temporal unreachable, or the start bound reached).
   */
  async function keepInInbox(
    provider: ProviderConfig,
    event: VerificationEvent,
    startIfMissing: boolean,
    why: string,
  ): Promise<'queued'> {
    try {
      await deps.inbox!.append({
        kind: 'event',
        provider: provider.id,
        event,
        startIfMissing,
        receivedAt: new Date().toISOString(),
      });
    } catch {
      metrics.events.inc({ provider: provider.id, result: 'temporal_unavailable' });
      logger.error('callback not handed over and the local inbox refused', { why });
      throw new HttpError(503, 'temporal_unavailable', 'the callback could not be stored; retry later', {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    }
    metrics.events.inc({ provider: provider.id, result: 'queued' });
    logger.warn('callback kept in the local inbox', { why });
    return 'queued';
  }
}

/** The raw request bytes (express.raw), if any. */
function rawBytes(raw: unknown): Buffer | undefined {
  return Buffer.isBuffer(raw) ? raw : undefined;
}

/**
 * Runs `work` for every item with bounded concurrency, keeping items of one verification in
 * their original order (one after the other) so a callback's own sequence is preserved.
 */
async function inParallelPerVerification<T extends { event: VerificationEvent }, R>(
  items: T[],
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const lanes = new Map<string, number[]>();
  items.forEach((item, index) => {
    const lane = `${item.event.provider}:${item.event.reference}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), index]);
  });
  const queue = [...lanes.values()];
  const runLane = async (): Promise<void> => {
    for (let lane = queue.shift(); lane; lane = queue.shift()) {
      for (const index of lane) results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HANDOVER_CONCURRENCY, queue.length) }, runLane));
  return results;
}

function parseJson(text: string): unknown {
  if (!text.trim()) throw new HttpError(400, 'invalid_json', 'request body is empty');
  try {
    return parseUntrustedJson(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
}

/**
 * Temporal answered (no such verification, or already closed), or the hand-over deadline passed:
 * either way its latency is how long Temporal took. An unreachable Temporal fails at once and is
 * no sample of it (src/ingress/handover-limit.ts).
 */
function answeredOrOutOfTime(err: unknown): boolean {
  return (
    err instanceof WorkflowNotFoundError ||
    err instanceof WorkflowExecutionAlreadyStartedError ||
    isGrpcDeadlineError(err)
  );
}

function errorKind(err: unknown): string {
  if (isGrpcServiceError(err)) return `grpc:${err.code}`;
  if (err instanceof ServiceError) return 'ServiceError';
  return err instanceof Error ? err.name : typeof err;
}
