import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import express from 'express';
import {
  serveOnLoopback,
  takeFault,
  type Faults,
  type RunningSimulator,
  IssuedTokens,
  logRequests,
} from '../../../testing/simulator-http';
import { JWT_BEARER_GRANT, MAX_ASSERTION_SECONDS } from '../assertion';
import { PROCESS_RESULT, PROCESS_STATE } from '../vocabulary';

export type UnicoProcessState = (typeof PROCESS_STATE)[keyof typeof PROCESS_STATE];
export type UnicoProcessResult = (typeof PROCESS_RESULT)[keyof typeof PROCESS_RESULT];
export type UnicoWebhookResult = 'ok' | 'expired' | 'invalid_identity';

export interface UnicoProcessScript {
  /** Any string, so tests can play a state Unico adds later. */
  state: UnicoProcessState | (string & {});
  /** Default PROCESS_RESULT_UNSPECIFIED, as Unico answers for a process still running. */
  result?: UnicoProcessResult | (string & {});
  /**
   * GetProcess's capability sub-results; default: Unico's documented "approved in IDUnico"
   * answer (live, POSITIVE, score engine off), or for flow `idlive` Unico's own idlive example
   * (live, the rest UNSPECIFIED). Scripts play the table's other rows; `null` sends
   * `authenticationInfo: null`.
   */
  authenticationInfo?: Record<string, unknown> | null;
  /** Leaves `authenticationInfo` out of the answer altogether. */
  withoutAuthenticationInfo?: boolean;
  /** The flow that ran (GetProcess `flow`; default `id`); `null` leaves it out. */
  flow?: string | null;
  /** GetProcess `capacities` (default: `["PROCESS_CAPACITY_IDLIVE"]` for flow `idlive`, else none). */
  capacities?: string[];
  /** Faults served (in order: 5xx, 429, 404) before real answers. */
  faults?: Faults;
  /** Replaces the whole answer, to play a broken response. */
  body?: unknown;
}

/** The personal data every simulated GetProcess answer carries, so tests can prove none of it is kept. */
export const SIMULATED_PERSON = { duiType: 'DUI_TYPE_BR_CPF', duiValue: '73940285016', friendlyName: 'Maria Simulada' };

export interface UnicoWebhookBody {
  processId: string;
  state?: string;
  result?: string;
  flow?: string;
  lastEvent?: string;
  lastEventDescription?: string;
}

export interface AcceptedAssertion {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface UnicoSimulator extends RunningSimulator {
  authUrl: string;
  audience: string;
  serviceAccount: string;
  /** Sets (or replaces) what GetProcess says about one process. */
  script(processId: string, script: UnicoProcessScript): void;
  /** Makes every issued token invalid, as a rotation on Unico's side would. */
  revokeTokens(): void;
  /** Requests served, for assertions: "METHOD path". */
  requests: string[];
  /** GetProcess calls for one process (faults included). */
  processGets(processId: string): number;
  tokensIssued(): number;
  /** Every assertion the token endpoint accepted, decoded. */
  assertions: AcceptedAssertion[];
  /** A webhook body as Unico sends it when a process finishes (the documented shape). */
  finished(processId: string, result: UnicoWebhookResult, fields?: Partial<UnicoWebhookBody>): UnicoWebhookBody;
  /** Any webhook body, e.g. one carrying a `lastEvent` Unico may add. */
  callback(processId: string, fields: Partial<UnicoWebhookBody>): UnicoWebhookBody;
}

export interface UnicoSimulatorOptions {
  /** The service account's public key: the simulator verifies every assertion's RS256 signature with it. */
  publicKey: KeyObject | string;
  serviceAccount?: string;
  audience?: string;
  tokenLifetimeSeconds?: number;
}

const ALLOWED_CLAIMS = ['iss', 'aud', 'scope', 'iat', 'exp'];

/**
 * Unico IDCloud on loopback: the identity service's JWT-bearer token endpoint (signature, issuer,
 * audience, lifetime and the no-extra-claims rule checked) and GetProcess with scripted outcomes
 * and faults per process.
 */
export async function startUnicoSimulator(options: UnicoSimulatorOptions): Promise<UnicoSimulator> {
  const publicKey = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  const serviceAccount = options.serviceAccount ?? 'kyc-orchestrator@sim-tenant.iam.acesso.io';
  // Like Unico's, the expected audience is the identity service's own URL (known once listening).
  let audience = options.audience ?? '';
  const processes = new Map<string, UnicoProcessScript & { createdAt: Date }>();
  const tokens = new IssuedTokens('sim-unico-token');
  const assertions: AcceptedAssertion[] = [];

  const app = express();
  const requests = logRequests(app);

  app.post('/oauth2/token', express.urlencoded({ extended: false }), (req, res) => {
    const form = req.body as Record<string, string | undefined>;
    if (form.grant_type !== JWT_BEARER_GRANT) return res.status(400).json({ error: 'unsupported_grant_type' });
    const checked = checkAssertion(form.assertion ?? '');
    if ('refusal' in checked) {
      return res
        .status(checked.refusal.status)
        .json({ error: checked.refusal.error, error_description: checked.refusal.why });
    }
    assertions.push(checked.accepted);
    const token = tokens.issue();
    return res.json({ access_token: token, token_type: 'Bearer', expires_in: options.tokenLifetimeSeconds ?? 3600 });
  });

  app.get('/client/v1/process/:processId', (req, res) => {
    if (!tokens.accepts(req.get('authorization'))) {
      return void res.status(401).json({ error: { code: 401, message: 'Unauthorized' } });
    }
    const processId = String(req.params.processId);
    const script = processes.get(processId);
    if (!script) return void res.status(404).json({ error: { code: 404, message: 'process not found' } });
    const fault = takeFault((script.faults ??= {}));
    if (fault) {
      if (fault === 429) res.set('Retry-After', '1');
      return void res.status(fault).json({ error: { code: fault, message: 'scripted fault' } });
    }
    if (script.body !== undefined) return void res.json(script.body);
    res.json({ process: processAnswer(processId, script) });
  });

  const running = await serveOnLoopback(app);
  audience ||= running.url;
  return {
    ...running,
    authUrl: `${running.url}/oauth2/token`,
    audience,
    serviceAccount,
    requests,
    assertions,
    script: (processId, script) =>
      void processes.set(processId, { ...script, createdAt: processes.get(processId)?.createdAt ?? new Date() }),
    revokeTokens: () => tokens.revokeAll(),
    processGets: (processId) => requests.filter((r) => r === `GET /client/v1/process/${processId}`).length,
    tokensIssued: () => tokens.issuedCount(),
    finished: (processId, result, fields = {}) => ({
      processId,
      state: PROCESS_STATE.FINISHED,
      flow: 'id',
      result,
      ...(result === 'expired'
        ? {
            lastEvent: 'EVENT_TYPE_SESSION_ENDED',
            lastEventDescription: 'Session ended by timeout or by new session created',
          }
        : {}),
      ...fields,
    }),
    callback: (processId, fields) => ({ processId, ...fields }),
  };

  function checkAssertion(
    assertion: string,
  ): { accepted: AcceptedAssertion } | { refusal: { status: number; error: string; why: string } } {
    const refuse = (status: number, error: string, why: string) => ({ refusal: { status, error, why } });
    const parts = assertion.split('.');
    if (parts.length !== 3) return refuse(400, 'invalid_request', 'assertion is not a compact JWT');
    const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return refuse(400, 'invalid_request', 'assertion is not readable');
    }
    if (header.alg !== 'RS256') return refuse(401, 'invalid_grant', 'alg must be RS256');
    const signed = Buffer.from(`${headerPart}.${claimsPart}`);
    if (!verify('sha256', signed, publicKey, Buffer.from(signaturePart, 'base64url'))) {
      return refuse(401, 'invalid_grant', 'signature does not verify');
    }
    const extra = Object.keys(claims).filter((name) => !ALLOWED_CLAIMS.includes(name));
    if (extra.length) return refuse(400, 'invalid_request', `1.2.22: unexpected claims ${extra.join(', ')}`);
    const missing = ALLOWED_CLAIMS.filter((name) => claims[name] === undefined);
    if (missing.length) return refuse(400, 'invalid_request', `missing claims ${missing.join(', ')}`);
    if (claims.iss !== serviceAccount) return refuse(401, 'invalid_grant', 'unknown service account');
    if (claims.aud !== audience) return refuse(401, 'invalid_grant', 'aud is not this identity service');
    if (claims.scope !== '*') return refuse(400, 'invalid_scope', 'scope must be *');
    const now = Date.now() / 1000;
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isInteger(iat) || !Number.isInteger(exp))
      return refuse(400, 'invalid_request', 'iat and exp must be seconds');
    if (iat > now + 60) return refuse(401, 'invalid_grant', 'iat is in the future');
    if (exp <= now) return refuse(401, 'invalid_grant', 'assertion expired');
    if (exp - iat > MAX_ASSERTION_SECONDS) return refuse(401, 'invalid_grant', 'exp is more than an hour after iat');
    return { accepted: { header, claims } };
  }
}

/** Unico's documented sub-results of a process "completed and approved in IDUnico". */
export const APPROVED_AUTHENTICATION = {
  authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE',
  scoreEngineResult: { scoreEnabled: 'SCORE_ENABLED_FALSE', score: 0 },
  authenticationId: '652f8864-c364-4cc7-9abb-d38a86d21d66',
  livenessResult: 'LIVENESS_RESULT_LIVE',
};

/**
 * Unico's own GetProcess example of an `idlive` process (devcenter.unico.io, "Example of responses
 * separated by flows"), verbatim but for the `person` block: a liveness-only flow, so every other
 * capability answers UNSPECIFIED (and `faceWithOtherIdResult` carries Unico's own typo).
 */
export const IDLIVE_AUTHENTICATION = {
  authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED',
  scoreEngineResult: { scoreEnabled: 'SCORE_ENABLED_FALSE', score: 0 },
  livenessResult: 'LIVENESS_RESULT_LIVE',
  bioTokenEngineResult: 'BIO_TOKEN_ENGINE_RESULT_UNSPECIFIED',
  identityFraudstersResult: 'TRUST_RESULT_UNSPECIFIED',
  faceWithOtherIdResult: 'TRUST_RESULT_UNSPECIFIE',
};

/** What a process that has not finished (or failed) answers: every capability UNSPECIFIED. */
const UNSPECIFIED_AUTHENTICATION = {
  authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED',
  scoreEngineResult: { scoreEnabled: 'SCORE_ENABLED_UNSPECIFIED', score: 0 },
  authenticationId: '',
  livenessResult: 'LIVENESS_RESULT_UNSPECIFIED',
};

/** GetProcess's answer: the verdict fields plus the personal data a real answer carries. */
function processAnswer(processId: string, script: UnicoProcessScript & { createdAt: Date }) {
  const finished = script.state !== PROCESS_STATE.CREATED;
  const flow = script.flow === undefined ? 'id' : script.flow;
  const approved = script.state === PROCESS_STATE.FINISHED && script.result === PROCESS_RESULT.OK;
  const capacities = script.capacities ?? (flow === 'idlive' ? ['PROCESS_CAPACITY_IDLIVE'] : undefined);
  const authenticationInfo =
    script.authenticationInfo !== undefined
      ? script.authenticationInfo
      : approved
        ? flow === 'idlive'
          ? IDLIVE_AUTHENTICATION
          : APPROVED_AUTHENTICATION
        : UNSPECIFIED_AUTHENTICATION;
  return {
    id: processId,
    ...(flow !== null ? { flow } : {}),
    callbackUri: '/done',
    userRedirectUrl: `https://cadastro.sim.unico.app/process/${processId}`,
    state: script.state,
    result: script.result ?? PROCESS_RESULT.UNSPECIFIED,
    createdAt: script.createdAt.toISOString(),
    ...(finished ? { finishedAt: new Date().toISOString() } : {}),
    expiresAt: new Date(script.createdAt.getTime() + 7 * 86_400_000).toISOString(),
    purpose: 'creditprocess',
    clientReference: 'sim-client-reference',
    person: {
      ...SIMULATED_PERSON,
      notifications: [{ notificationChannel: 'NOTIFICATION_CHANNEL_EMAIL', email: 'maria@example.invalid' }],
    },
    ...(script.withoutAuthenticationInfo ? {} : { authenticationInfo }),
    ...(capacities ? { capacities } : {}),
  };
}

/**
 * How Unico authenticates its webhook calls, as chosen at registration (developer.unico.io,
 * "Webhooks › Setup"): Basic `user:pass`, an API key given as `Header:value` (split on the first
 * colon) or a bare `value` (sent as the Authorization header), or a bearer token. Unico's OAuth2
 * option also sends `Bearer`, but with a token it fetched from the integrator's identity provider:
 * a static `bearer:` rule only matches when that provider issues a fixed token.
 */
export type UnicoWebhookAuth =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'apiKey'; key: string };

/** The headers Unico sends with each webhook for one registered auth method. */
export function unicoWebhookHeaders(auth: UnicoWebhookAuth): Record<string, string> {
  switch (auth.kind) {
    case 'bearer':
      return { Authorization: `Bearer ${auth.token}` };
    case 'basic':
      return { Authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` };
    case 'apiKey': {
      const colon = auth.key.indexOf(':');
      return colon < 0 ? { Authorization: auth.key } : { [auth.key.slice(0, colon)]: auth.key.slice(colon + 1) };
    }
  }
}

/** The `UNICO_WEBHOOK_AUTH` rule that accepts what {@link unicoWebhookHeaders} sends. */
export function unicoWebhookAuthSpec(auth: UnicoWebhookAuth): string {
  switch (auth.kind) {
    case 'bearer':
      return `bearer:${auth.token}`;
    case 'basic':
      return `basic:${auth.user}:${auth.password}`;
    case 'apiKey': {
      const colon = auth.key.indexOf(':');
      return colon < 0
        ? `header:Authorization=${auth.key}`
        : `header:${auth.key.slice(0, colon)}=${auth.key.slice(colon + 1)}`;
    }
  }
}
