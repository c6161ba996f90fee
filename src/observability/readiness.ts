import type { Client } from '@temporalio/client';
import type { Response } from 'express';
import { cachedAnswer } from '../http/cached-answer';
import { searchAttributeCheck } from '../temporal/setup';

/**
 * How long one readiness answer is reused. `/readyz` is public on the ingress port: without this,
 * every probe (or a flood of them) would be a call to Temporal.
 */
export const READINESS_CACHE_MS = 1500;
const READINESS_TIMEOUT_MS = 2000;
const RETRY_AFTER_SECONDS = 5;

export type Readiness =
  | { ready: true }
  | { ready: false; error: 'temporal_unavailable' }
  | { ready: false; error: 'search_attributes_missing'; missing: string[] };

/** Temporal answers and our search attributes are registered: asked at most once per {@link READINESS_CACHE_MS}. */
export function temporalReadinessProbe(client: Client, namespace: string): () => Promise<Readiness> {
  const missingSearchAttributes = searchAttributeCheck(client, namespace);
  return cachedAnswer(READINESS_CACHE_MS, async (): Promise<Readiness> => {
    try {
      const missing = await client.connection.withDeadline(Date.now() + READINESS_TIMEOUT_MS, async () => {
        await client.workflowService.getSystemInfo({});
        return missingSearchAttributes();
      });
      return missing.length ? { ready: false, error: 'search_attributes_missing', missing } : { ready: true };
    } catch {
      return { ready: false, error: 'temporal_unavailable' };
    }
  });
}

export function sendReadiness(res: Response, readiness: Readiness): void {
  if (readiness.ready) {
    res.json({ status: 'ready' });
    return;
  }
  // Missing search attributes: every start would fail on them; say so instead of a vague "unavailable" (fix: `kyc setup`).
  const { ready: _ready, ...reason } = readiness;
  res
    .set('Retry-After', String(RETRY_AFTER_SECONDS))
    .status(503)
    .json({ status: 'unavailable', ...reason });
}
