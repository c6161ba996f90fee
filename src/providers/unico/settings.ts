import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError, type EnvReader } from '../../config/env-reader';
import { DEFAULT_UNICO_FLOWS, unicoFlowTableSchema, type UnicoFlowTable } from './flows';
import { DEFAULT_UNICO_EVENTS, unicoEventTableSchema, type UnicoEventTable } from './vocabulary';

export interface UnicoSettings {
  /** GetProcess host (Web & SDK contract). */
  apiBaseUrl: string;
  /** OAuth2 token endpoint for the JWT-bearer grant. */
  authUrl: string;
  /** The assertion's `aud`: Unico's identity URL of the environment the service account lives in. */
  authAudience: string;
  /** The service account, `<account>@<tenant>.iam.acesso.io`: the assertion's `iss`. */
  serviceAccount: string;
  /** The service account's RSA key; undefined until configured (development only). */
  privateKey: KeyObject | undefined;
  /** How each webhook `lastEvent` is handled: the shipped table overlaid by configuration. */
  events: UnicoEventTable;
  /** Which capabilities each flow (or GetProcess capacity) uses: the shipped table overlaid by `UNICO_FLOWS`. */
  flows: UnicoFlowTable;
}

export function readUnicoSettings(env: EnvReader, apiBaseUrl: string): UnicoSettings {
  const authUrl = env.url('UNICO_AUTH_URL', 'https://identity.acesso.io/oauth2/token');
  return {
    apiBaseUrl,
    authUrl,
    // The identity service's own URL, so pointing UNICO_AUTH_URL at the sandbox
    // (identityhomolog.acesso.io) cannot leave a production audience behind: a classic 401.
    authAudience: env.url('UNICO_AUTH_AUDIENCE', new URL(authUrl).origin),
    serviceAccount: env.devString('UNICO_SERVICE_ACCOUNT', ''),
    privateKey: readPrivateKey(env),
    events: readEventTable(env),
    flows: readFlowTable(env),
  };
}

/** The flow table: the shipped defaults, then `UNICO_FLOWS` (entry by entry; `[]` means a flow that uses none). */
function readFlowTable(env: EnvReader): UnicoFlowTable {
  const inline = env.string('UNICO_FLOWS');
  return {
    ...DEFAULT_UNICO_FLOWS,
    ...(inline ? readJsonTable('UNICO_FLOWS', inline, unicoFlowTableSchema, '{"idlive": ["liveness"], …}') : {}),
  };
}

/**
 * The key from `UNICO_PRIVATE_KEY` (PEM; `\n` escapes allowed, as env files often need) or from
 * the file `UNICO_PRIVATE_KEY_FILE`. Parsed at start-up, so a broken key stops start-up instead
 * of failing the first verification; kept as a KeyObject, which never prints its material.
 */
function readPrivateKey(env: EnvReader): KeyObject | undefined {
  const file = env.string('UNICO_PRIVATE_KEY_FILE');
  if (file && env.has('UNICO_PRIVATE_KEY')) {
    throw new ConfigError('UNICO_PRIVATE_KEY_FILE', 'set either UNICO_PRIVATE_KEY or UNICO_PRIVATE_KEY_FILE, not both');
  }
  const variable = file ? 'UNICO_PRIVATE_KEY_FILE' : 'UNICO_PRIVATE_KEY';
  const pem = file ? readText(variable, file) : env.devString('UNICO_PRIVATE_KEY', '').replace(/\\n/g, '\n');
  if (!pem) return undefined;
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigError(variable, 'is not a PEM private key (the .pem of the Unico service account)');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigError(
      variable,
      `must be an RSA key (Unico requires RS256), not ${key.asymmetricKeyType ?? 'unknown'}`,
    );
  }
  return key;
}

/**
 * The `lastEvent` table: the shipped defaults, then `UNICO_EVENTS_FILE`, then `UNICO_EVENTS`
 * (the most specific wins, entry by entry). An entry `{}` turns a shipped reaction off.
 */
function readEventTable(env: EnvReader): UnicoEventTable {
  const file = env.string('UNICO_EVENTS_FILE');
  const inline = env.string('UNICO_EVENTS');
  return {
    ...DEFAULT_UNICO_EVENTS,
    ...(file ? parseEventTable('UNICO_EVENTS_FILE', readText('UNICO_EVENTS_FILE', file)) : {}),
    ...(inline ? parseEventTable('UNICO_EVENTS', inline) : {}),
  };
}

function parseEventTable(variable: string, text: string): UnicoEventTable {
  return readJsonTable(variable, text, unicoEventTableSchema, '{"EVENT_TYPE_…": {"status": "IN_PROGRESS"}, …}');
}

/** A JSON table from configuration, or a one-line ConfigError naming the variable and the first problem. */
function readJsonTable<T>(variable: string, text: string, schema: z.ZodType<T>, expected: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(variable, `is not valid JSON (expected ${expected})`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw new ConfigError(variable, `${path ? `${path}: ` : ''}${issue.message}`);
  }
  return result.data;
}

function readText(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(variable, `cannot read '${path}' (${code})`);
  }
}
