import { isGrpcServiceError, type Client } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { KYC_SEARCH_ATTRIBUTES } from '../contracts';

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

/**
 * The namespace has no free slot for our attributes: SQL visibility (PostgreSQL, MySQL) keeps a
 * fixed number of custom attributes per type and namespace (ten Keyword), shared with every
 * other application there.
 */
export class SearchAttributeSlotsError extends Error {
  override name = 'SearchAttributeSlotsError';
}

/** gRPC INVALID_ARGUMENT: how the server refuses an attribute past its store's limit. */
const INVALID_ARGUMENT = 3;

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
  const searchAttributes = await registerSearchAttributes(client, namespace);
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

/**
 * Registers the missing ones in one request, so that a namespace without room for all of them
 * gets none (never half a set that fails every verification start anyway). Another `kyc setup`
 * (or a compose job) registering them at the same moment is met by listing again.
 */
async function registerSearchAttributes(client: Client, namespace: string): Promise<SearchAttributeResult[]> {
  const operator = client.connection.operatorService;
  for (let attempt = 1; ; attempt++) {
    const { customAttributes } = await operator.listSearchAttributes({ namespace });
    const results: SearchAttributeResult[] = [];
    const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
    for (const key of KYC_SEARCH_ATTRIBUTES) {
      const wanted = indexedValueType(key.type);
      const existing = customAttributes?.[key.name];
      if (existing === undefined || existing === null) {
        missing[key.name] = wanted;
        results.push({ name: key.name, type: key.type, result: 'created' });
      } else if (existing !== wanted) {
        throw new SearchAttributeConflictError(
          `search attribute ${key.name} exists in namespace ${namespace} as ${IndexedValueType[existing]}, we need ${key.type}`,
        );
      } else results.push({ name: key.name, type: key.type, result: 'exists' });
    }
    if (Object.keys(missing).length === 0) return results;
    try {
      await operator.addSearchAttributes({ namespace, searchAttributes: missing });
      return results;
    } catch (err) {
      const details = isGrpcServiceError(err) ? (err.details ?? err.message) : '';
      if (/already exists/i.test(details) && attempt < 3) continue;
      if (isGrpcServiceError(err) && Number(err.code) === INVALID_ARGUMENT && /cannot have more than/i.test(details)) {
        throw new SearchAttributeSlotsError(
          `namespace ${namespace} has no room for ${Object.keys(missing).length} more Keyword search attributes ` +
            `(${Object.keys(missing).join(', ')}): its visibility store keeps a fixed number per namespace ` +
            `(${details}); remove unused ones (temporal operator search-attribute remove) or use another namespace`,
        );
      }
      throw err;
    }
  }
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
