import { isGrpcServiceError, type Client } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { KYC_SEARCH_ATTRIBUTES } from '../workflows/messages';

const { IndexedValueType } = temporal.api.enums.v1;

export interface SearchAttributeResult {
  name: string;
  type: SearchAttributeType;
  result: 'created' | 'exists';
}

export interface SetupReport {
  namespace: string;
  searchAttributes: SearchAttributeResult[];
  /** How long a closed verification stays readable; undefined: the namespace keeps no limit we could read. */
  retentionSeconds?: number;
  longestLifetimeSeconds: number;
  warnings: string[];
}

/** A search attribute exists under our name with another type: only an operator can decide what to do. */
export class SearchAttributeConflictError extends Error {
  override name = 'SearchAttributeConflictError';
}

function indexedValueType(type: SearchAttributeType): temporal.api.enums.v1.IndexedValueType {
  return IndexedValueType[`INDEXED_VALUE_TYPE_${type}`];
}

/** Our search attributes not registered in the namespace (empty: all there). */
export async function missingSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
  return KYC_SEARCH_ATTRIBUTES.filter((key) => customAttributes?.[key.name] === undefined).map((key) => key.name);
}

/**
 * Prepares an existing cluster's namespace for the verifications: registers our search
 * attributes through the operator service (idempotent: existing ones are left alone), and reads
 * the namespace's retention, warning when a closed verification would be forgotten before the
 * longest verification lifetime has passed (see the README: status, late callbacks, ID reuse).
 */
export async function setUpNamespace(
  client: Client,
  namespace: string,
  longestLifetimeMs: number,
): Promise<SetupReport> {
  const operator = client.connection.operatorService;
  const { customAttributes } = await operator.listSearchAttributes({ namespace });
  const searchAttributes: SearchAttributeResult[] = [];
  for (const key of KYC_SEARCH_ATTRIBUTES) {
    const wanted = indexedValueType(key.type);
    const existing = customAttributes?.[key.name];
    if (existing !== undefined && existing !== null) {
      if (existing !== wanted) {
        throw new SearchAttributeConflictError(
          `search attribute ${key.name} exists in namespace ${namespace} as ${IndexedValueType[existing]}, we need ${key.type}`,
        );
      }
      searchAttributes.push({ name: key.name, type: key.type, result: 'exists' });
      continue;
    }
    try {
      await operator.addSearchAttributes({ namespace, searchAttributes: { [key.name]: wanted } });
      searchAttributes.push({ name: key.name, type: key.type, result: 'created' });
    } catch (err) {
      // Another `kyc setup` (or a compose job) registered it a moment ago.
      if (!(isGrpcServiceError(err) && /already exists/i.test(err.details ?? err.message))) throw err;
      searchAttributes.push({ name: key.name, type: key.type, result: 'exists' });
    }
  }
  const stillMissing = await missingSearchAttributes(client, namespace);
  if (stillMissing.length) throw new Error(`search attributes still missing after setup: ${stillMissing.join(', ')}`);

  const retentionSeconds = await namespaceRetentionSeconds(client, namespace);
  const longestLifetimeSeconds = Math.ceil(longestLifetimeMs / 1000);
  const warnings: string[] = [];
  if (retentionSeconds !== undefined && retentionSeconds > 0 && retentionSeconds < longestLifetimeSeconds) {
    warnings.push(
      `retention ${formatSeconds(retentionSeconds)} is shorter than the longest verification lifetime ` +
        `${formatSeconds(longestLifetimeSeconds)}: a closed verification is forgotten sooner (status says not found) ` +
        'and a late callback after that starts a new verification instead of being recorded as late',
    );
  }
  return {
    namespace,
    searchAttributes,
    ...(retentionSeconds !== undefined ? { retentionSeconds } : {}),
    longestLifetimeSeconds,
    warnings,
  };
}

/** How long the namespace keeps a closed workflow; undefined when it states no limit. */
export async function namespaceRetentionSeconds(client: Client, namespace: string): Promise<number | undefined> {
  const described = await client.workflowService.describeNamespace({ namespace });
  const ttl = described.config?.workflowExecutionRetentionTtl;
  return ttl?.seconds != null ? Number(ttl.seconds) : undefined;
}

/** `90000` → `1d 1h`; whole units only, for people. */
export function formatSeconds(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.slice(0, 2).join(' ') || '0s';
}

/** gRPC status codes (numbers fixed by the gRPC spec). */
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;

/**
 * For readiness probes: which of our search attributes the namespace lacks. Once all are there
 * the answer is kept (they are not removed in normal operation), so a healthy probe costs one
 * call. Where the credentials may not list search attributes (a restricted API key), it cannot
 * tell and stops asking rather than failing readiness.
 */
export function searchAttributeCheck(client: Client, namespace: string): () => Promise<string[]> {
  let settled = false;
  return async () => {
    if (settled) return [];
    try {
      const missing = await missingSearchAttributes(client, namespace);
      settled = missing.length === 0;
      return missing;
    } catch (err) {
      if (isGrpcServiceError(err) && [PERMISSION_DENIED, UNIMPLEMENTED].includes(Number(err.code))) {
        settled = true;
        return [];
      }
      throw err;
    }
  };
}
