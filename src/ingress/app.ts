import express, { type Express, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import { enabledProvider, type AppConfig } from '../app-config';
import type { DeadLetterRecorder } from '../dead-letters/recorder';
import type { DurableInbox } from '../inbox/durable-inbox';
import { LateVerdictAlarm } from '../late-verdicts/alarm';
import type { Logger } from '../logger';
import { PROMETHEUS_CONTENT_TYPE } from '../observability/prometheus';
import { sendReadiness, temporalReadinessProbe } from '../observability/readiness';
import type { CallbackParser } from '../providers/types';
import { StartBudget } from '../temporal/start-budget';
import { type ProviderId } from '../providers/registry';
import { AcceptedCallbacks } from './dedup';
import { handOverStep } from './hand-over';
import { HandoverLimit } from './handover-limit';
import { errorHandler, HttpError, notFound } from './http-error';
import { lateKeeper } from './keep-late';
import { IngressMetrics } from './metrics';
import { callbackReceiver } from './receive';
import { letterKeeper } from './refuse';
import { NamespaceRetention } from './stale-callbacks';

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

/**
 * The webhook ingress: for each provider route, the callback goes through the named steps of
 * src/ingress/receive.ts (authenticate, parse, refuse, dedup, hand over, keep late). This file
 * only wires them to express: the routes, the raw body, metrics per request, errors as JSON.
 */
export function createIngressApp(deps: IngressDeps): Express {
  const { client, config, logger } = deps;
  const metrics = deps.metrics ?? new IngressMetrics();
  const timeoutMs = deps.handoverTimeoutMs ?? 4000;
  // Hand-overs waiting on Temporal right now. Beyond the limit a callback is refused with 503 at
  // once instead of joining a queue whose wait would pass the provider's timeout (5-30 s): a burst
  // then degrades into retries, and every 2xx still means the callback is with Temporal.
  const handovers =
    deps.handoverLimit ?? new HandoverLimit({ cap: config.ingress.maxHandoversInFlight, deadlineMs: timeoutMs });
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
  const parsers = new Map<string, CallbackParser>(
    config.enabledProviders.map((id) => {
      const provider = enabledProvider(config, id);
      return [id, provider.module.createCallbackParser(provider.settings)];
    }),
  );
  const keepLetter = letterKeeper({ deadLetters: deps.deadLetters, metrics, starts, logger });
  const handOver = handOverStep({
    client,
    config,
    logger,
    metrics,
    handovers,
    accepted,
    starts,
    inbox: deps.inbox,
    timeoutMs,
  });
  const lateVerdicts = new LateVerdictAlarm({ client, config, logger, counter: metrics.lateVerdicts, timeoutMs });
  const keepLate = lateKeeper({ lateVerdicts, keepLetter, handOver, logger });
  const receive = callbackReceiver({ parsers, keepLetter, accepted, handOver, keepLate, retention });

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
      next(parsers.has(id) ? undefined : 'route');
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
}
