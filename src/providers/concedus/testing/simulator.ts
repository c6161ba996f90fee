import express from 'express';
import {
  serveOnLoopback,
  takeFault,
  type Faults,
  type RunningSimulator,
  logRequests,
} from '../../../testing/simulator-http';
import type { KeyKind } from '../records';

export interface ConcedusStatusScript {
  /** What the status endpoint answers; undefined: 404 "Compliance record not created". */
  status?: number;
  /** Compliance records only: the record's `modified` (ISO 8601 without zone, as Concedus writes it). */
  modified?: string;
  /** Faults served (in order: 5xx, 429, 404) before real answers. */
  faults?: Faults;
}

/** A compliance record in Concedus's callback shape (legacy, or inside a `complianceRecord` topic). */
export interface ComplianceRecord {
  /** A code, or a status word (Concedus's codes are numbers; the schema reads any word too). */
  status: number | string;
  key: string | null;
  modified: string | null;
  customerKey?: string;
  contractKey?: string;
}

export interface ConcedusSimulator extends RunningSimulator {
  username: string;
  password: string;
  /** `CONCEDUS_WEBHOOK_AUTH` for an ingress that should accept this simulator's callbacks. */
  webhookAuth: string;
  /** The headers a callback needs to pass {@link webhookAuth}. */
  callbackHeaders: Record<string, string>;
  /** Sets (or replaces) what the status API says about one key. */
  script(kind: KeyKind, key: string, script: ConcedusStatusScript): void;
  /** Makes every issued access token invalid, as a rotation on Concedus's side would. */
  revokeTokens(): void;
  /** Makes every refresh token invalid too, so only a new login helps. */
  revokeRefreshTokens(): void;
  /** Requests served, for assertions: "METHOD path". */
  requests: string[];
  logins(): number;
  refreshes(): number;
  /** Callback builders in Concedus's documented shapes; a callback body is an array of these. */
  /** A compliance record; `nullKey` / `nullModified` send `null` for Concedus's own key / time. */
  complianceRecord(
    subject: { customerKey: string } | { contractKey: string },
    status?: number | string,
    modified?: Date,
    options?: { nullKey?: boolean; nullModified?: boolean },
  ): ComplianceRecord;
  complianceTopic(...records: ComplianceRecord[]): unknown;
  identResult(personKey: string, identId: string, status?: string): unknown;
  identRequestCreated(personKey: string, identId: string): unknown;
  mismatches(personKey: string, identId: string, fields: string[], created?: Date): unknown;
}

const NOT_FOUND = {
  code: '404',
  info: 'Not found',
  reason: 'Compliance key not found or Compliance record not created',
};

/**
 * Concedus's API on loopback: username/password login and refresh (tokens live four minutes,
 * refresh tokens are single-use), the compliance status of customers and contracts and the ident
 * status of persons and idents, with scripted answers and faults per key.
 */
export async function startConcedusSimulator(
  options: { tokenLifetimeSeconds?: number; callbackCredential?: string } = {},
): Promise<ConcedusSimulator> {
  const username = 'sim-user';
  const password = 'sim-password';
  const callbackCredential = options.callbackCredential ?? 'concedus-callbacks:sim-secret';
  const lifetimeMs = (options.tokenLifetimeSeconds ?? 240) * 1000;
  const scripts = new Map<string, ConcedusStatusScript>();
  const accessTokens = new Map<string, number>();
  const refreshTokens = new Set<string>();
  let logins = 0;
  let refreshes = 0;
  let issued = 0;
  let recordSeq = 0;

  const issue = () => {
    issued += 1;
    const accessToken = `sim-access-${issued}`;
    const refreshToken = `sim-refresh-${issued}`;
    const expiresAt = Date.now() + lifetimeMs;
    accessTokens.set(accessToken, expiresAt);
    refreshTokens.add(refreshToken);
    return { accessToken, exp: Math.floor(expiresAt / 1000), refreshToken };
  };

  const app = express();
  const requests = logRequests(app);
  app.post('/v2/auth/token', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.username !== username || body.password !== password) {
      return void res.status(401).json({ code: '401', info: 'Unauthorized', reason: 'Invalid credentials' });
    }
    logins += 1;
    res.json(issue());
  });
  app.post('/v2/auth/refresh', express.json(), (req, res) => {
    const token = ((req.body ?? {}) as Record<string, unknown>).RefreshToken;
    if (typeof token !== 'string' || !refreshTokens.delete(token)) {
      return void res.status(400).json({ error: 'Invalid request' });
    }
    refreshes += 1;
    res.json(issue());
  });

  const authorized: express.RequestHandler = (req, res, next) => {
    const token = (req.get('authorization') ?? '').replace(/^Bearer /, '');
    const expiresAt = accessTokens.get(token);
    if (expiresAt === undefined || expiresAt < Date.now()) {
      return void res.status(401).json({ code: '401', info: 'Unauthorized', reason: 'Invalid token' });
    }
    next();
  };
  app.get('/v2/auth/check', authorized, (req, res) => {
    const token = (req.get('authorization') ?? '').replace(/^Bearer /, '');
    res.json({ exp: Math.floor(accessTokens.get(token)! / 1000) });
  });

  const statusRoute = (kind: KeyKind, path: string) =>
    app.get(`${path}/:key`, authorized, (req, res) => {
      const key = String(req.params.key);
      const script = scripts.get(`${kind}:${key}`);
      const fault = script && takeFault((script.faults ??= {}));
      if (fault) {
        if (fault === 429) res.set('Retry-After', '1');
        return void res.status(fault).json(fault === 404 ? NOT_FOUND : { code: String(fault), info: 'scripted fault' });
      }
      if (script?.status === undefined) return void res.status(404).json(NOT_FOUND);
      if (kind === 'person' || kind === 'ident') return void res.json({ status: script.status });
      res.json({
        status: script.status,
        key: `Concedus+Q${key.slice(0, 8).toUpperCase()}+14`,
        modified: script.modified ?? concedusTime(new Date()),
        // The status API writes `customerKey`; the export writes `customerkey`. Both are Concedus.
        [kind === 'customer' ? 'customerKey' : 'contractkey']: key,
      });
    });
  statusRoute('customer', '/v2/compliance/status/customers');
  statusRoute('contract', '/v2/compliance/status/contracts');
  statusRoute('person', '/v2/status/person');
  statusRoute('ident', '/v2/status/ident');

  const running = await serveOnLoopback(app);
  return {
    ...running,
    username,
    password,
    webhookAuth: `basic:${callbackCredential}`,
    callbackHeaders: { Authorization: `Basic ${Buffer.from(callbackCredential).toString('base64')}` },
    requests,
    script: (kind, key, script) => void scripts.set(`${kind}:${key}`, script),
    revokeTokens: () => accessTokens.clear(),
    revokeRefreshTokens: () => refreshTokens.clear(),
    logins: () => logins,
    refreshes: () => refreshes,
    complianceRecord: (subject, status = 100, modified = new Date(), options = {}) => {
      recordSeq += 1;
      return {
        status,
        key: options.nullKey ? null : `${recordSeq.toString(16).padStart(8, '0')}${'0'.repeat(24)}`,
        modified: options.nullModified ? null : concedusTime(modified),
        ...subject,
      };
    },
    complianceTopic: (...records) => ({ topic: 'complianceRecord', complianceRecord: records }),
    identResult: (personKey, identId, status = 'success') => ({
      topic: 'identResult',
      kyc: 'WEBID',
      identId,
      personKey,
      reason: status === 'success' ? null : 'ident cancelled',
      status,
    }),
    identRequestCreated: (personKey, identId) => ({
      topic: 'identRequestCreated',
      kyc: 'WEBID',
      identId,
      personKey,
      url: `https://test.webid-solutions.de/service/qa/cn/000713/aid/${identId}`,
    }),
    mismatches: (personKey, identId, fields, created = new Date()) => ({
      topic: 'mismatches',
      mismatches: [
        {
          IdentId: identId,
          PersonKey: personKey,
          Created: created.toISOString(),
          Mismatches: fields.map((FieldName) => ({ FieldName, Value: 'Frankfurt', KycValue: 'Beirut' })),
        },
      ],
    }),
  };
}

/** Concedus's `modified`: ISO 8601 to the second, without a zone. */
function concedusTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}
