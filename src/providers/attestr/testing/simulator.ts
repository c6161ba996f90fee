import express from 'express';
import { serveOnLoopback, takeFault, type Faults, type RunningSimulator } from '../../../testing/simulator-http';
import { signResult, signResultText } from '../signature';

/** What the Execution Result API says about one handshake. */
export interface AttestrHandshakeScript {
  kind: 'flowx';
  state: 'unconsumed' | 'consumed' | 'result' | 'archived';
  /** `archived` only: whether the flow had been opened before it was archived (default true). */
  consumed?: boolean;
  /** The stage outputs served once the state is `result` (a small fake by default). */
  result?: Record<string, unknown>;
  /** Serve a resultSignature that does not match, as a tampered answer would. */
  badSignature?: boolean;
  /**
   * Serve `result` as exactly these bytes (e.g. `1.0`, `\u00e3`, extra spaces), signed over them,
   * as a serialiser other than JSON.stringify writes it.
   */
  rawResult?: string;
  faults?: Faults;
}

/** What the async request outcome says (its status words are the simulator's guess too). */
export interface AttestrAsyncScript {
  kind: 'async';
  /** Any word; `null` leaves the status out, as a broken answer would. */
  status: string | null;
  faults?: Faults;
}

/** What the Get Profile API says about a background-check profile's follow-up queries. */
export interface AttestrProfileScript {
  kind: 'factx';
  /** Query IDs, with whether the customer has answered each. */
  queries: { id: string; answered: boolean }[];
  faults?: Faults;
}

export type AttestrScript = AttestrHandshakeScript | AttestrAsyncScript | AttestrProfileScript;

export interface AttestrSimulator extends RunningSimulator {
  /** The API base to configure as ATTESTR_API_BASE_URL (with the version path, like the real one). */
  apiBaseUrl: string;
  /** The app's Authorization token (ATTESTR_AUTH_TOKEN). */
  authToken: string;
  /** The app's client secret (ATTESTR_CLIENT_SECRET), which signs results. */
  clientSecret: string;
  /** The dashboard's webhook token (ATTESTR_WEBHOOK_AUTH=basic:<token>). */
  webhookToken: string;
  /** Sets (or replaces) what the API says about one handshake, async request or profile. */
  script(id: string, script: AttestrScript): void;
  /** Makes the current auth token invalid, as regenerating it on the dashboard would. */
  revokeToken(): void;
  /** Requests served, for assertions: "METHOD path" (path without the version prefix). */
  requests: string[];
  /** Headers Attestr sends with every webhook call. */
  webhookHeaders(token?: string): Record<string, string>;
  /** A flowx.* body in the documented shape; flowx.completed carries a signed result. */
  flowxCallback(
    handshakeId: string,
    event: string,
    options?: { updated?: Date; result?: Record<string, unknown>; signature?: string },
  ): unknown;
  /** An async.* body (shape not published: `_id` and `updated`, inferred). */
  /**
   * An async.* body (shape not published: `_id` and `updated`, inferred); with `result`, a result
   * signed with the client secret (or with `signature` as given, to play a forged one).
   */
  asyncCallback(
    asyncId: string,
    event: string,
    updated?: Date,
    options?: { result?: Record<string, unknown>; signature?: string },
  ): unknown;
  /** A factx.query body in the documented shape. */
  factxQueryCallback(profileId: string, queryId: string, created?: Date): unknown;
}

const VERSION_PATH = '/api/v2';

/** A stand-in for a flow's stage outputs: shaped like Attestr's, holding no real data. */
export function sampleResult(): Record<string, unknown> {
  return { 'stage-1': { input: {}, output: { verified: true } } };
}

/**
 * Attestr's retrieval API on loopback: static `Basic <token>` auth, the Execution Result API
 * (signed with the client secret), the async request outcome and the Get Profile API, with
 * scripted outcomes and faults per ID; plus the webhook bodies Attestr sends.
 */
export async function startAttestrSimulator(): Promise<AttestrSimulator> {
  let authToken = 'sim-attestr-token';
  let rotations = 0;
  const clientSecret = 'sim-attestr-client-secret';
  const webhookToken = 'sim-attestr-webhook-token';
  const scripts = new Map<string, AttestrScript>();
  const requests: string[] = [];

  const app = express();
  const api = express.Router();
  app.use(VERSION_PATH, api);

  api.use((req, res, next) => {
    requests.push(`${req.method} ${req.path}`);
    if (req.get('authorization') !== `Basic ${authToken}`) {
      return void res.status(401).json({ code: 4016, message: 'Invalid client authorization' });
    }
    next();
  });

  const lookup = <K extends AttestrScript['kind']>(kind: K, req: express.Request, res: express.Response) => {
    const script = scripts.get(String(req.params.id));
    if (!script || script.kind !== kind) {
      res.status(404).json({ code: 4004, message: 'Record not found' });
      return undefined;
    }
    const fault = takeFault((script.faults ??= {}));
    if (fault) {
      if (fault === 429) res.set('Retry-After', '1');
      res.status(fault).json({ code: fault * 10, message: 'scripted fault' });
      return undefined;
    }
    return script as Extract<AttestrScript, { kind: K }>;
  };

  api.get('/public/flowx/handshake/:id', (req, res) => {
    const script = lookup('flowx', req, res);
    if (!script) return;
    const archived = script.state === 'archived';
    if (script.state === 'result' && script.rawResult !== undefined) {
      const signature = script.badSignature
        ? signResult({ tampered: true }, clientSecret)
        : signResultText(script.rawResult, clientSecret);
      return void res
        .type('application/json')
        .send(
          `{"_id":${JSON.stringify(req.params.id)},"consumed":true,"archived":null,` +
            `"result":${script.rawResult},"resultSignature":"${signature}"}`,
        );
    }
    const result = script.state === 'result' ? (script.result ?? sampleResult()) : null;
    res.json({
      _id: req.params.id,
      number: '3804-324489-8469',
      tag: 'TAG-SIM',
      requestId: 'RQ-SIM',
      consumed: archived ? script.consumed !== false : script.state !== 'unconsumed',
      archived: archived ? Date.now() : null,
      result,
      resultSignature: result
        ? script.badSignature
          ? signResult({ tampered: true }, clientSecret)
          : signResult(result, clientSecret)
        : null,
    });
  });

  api.get('/public/async/:id', (req, res) => {
    const script = lookup('async', req, res);
    if (!script) return;
    res.json({ _id: req.params.id, number: 'AR-SIM-1', ...(script.status !== null ? { status: script.status } : {}) });
  });

  api.get('/public/factx/:id', (req, res) => {
    const script = lookup('factx', req, res);
    if (!script) return;
    res.json({
      _id: req.params.id,
      tag: 'EMP-SIM',
      number: 'BGV-SIM-1',
      // Personal fields exist in the real answer; the client must never keep them.
      name: 'Simulated Person',
      email: 'person@example.invalid',
      mobile: '0000000000',
      items: [],
      queries: script.queries.map((query) => ({
        _id: query.id,
        text: 'Please share your updated document',
        documents: [],
        response: query.answered ? 'shared' : null,
        created: Date.now(),
      })),
      created: Date.now(),
      updated: Date.now(),
    });
  });

  const running = await serveOnLoopback(app);
  return {
    ...running,
    apiBaseUrl: `${running.url}${VERSION_PATH}`,
    get authToken() {
      return authToken;
    },
    clientSecret,
    webhookToken,
    requests,
    script: (id, script) => void scripts.set(id, script),
    revokeToken: () => {
      rotations += 1;
      authToken = `sim-attestr-token-${rotations}`;
    },
    webhookHeaders: (token = webhookToken) => ({ Authorization: `Basic ${token}` }),
    flowxCallback: (handshakeId, event, options = {}) => {
      const result = options.result ?? (event === 'flowx.completed' ? sampleResult() : undefined);
      return {
        event,
        payload: {
          _id: handshakeId,
          tag: 'TAG567822',
          number: '3804-324489-8469',
          requestId: 'RQ-SIM',
          flowId: 'FX02zfeuvcj36knhn06us',
          snapshot: null,
          ...(result ? { result, resultSignature: options.signature ?? signResult(result, clientSecret) } : {}),
          updated: (options.updated ?? new Date()).getTime(),
        },
      };
    },
    asyncCallback: (asyncId, event, updated = new Date(), options = {}) => ({
      event,
      payload: {
        _id: asyncId,
        number: 'AR-SIM-1',
        updated: updated.getTime(),
        ...(options.result
          ? { result: options.result, resultSignature: options.signature ?? signResult(options.result, clientSecret) }
          : {}),
      },
    }),
    factxQueryCallback: (profileId, queryId, created = new Date()) => ({
      event: 'factx.query',
      payload: {
        _id: queryId,
        profile: profileId,
        queries: [
          {
            _id: `${queryId}-q`,
            text: 'Please share your updated document',
            documents: [],
            response: null,
            responseDocuments: null,
            created: created.getTime(),
            createdBy: null,
            updated: null,
            updatedBy: null,
          },
        ],
      },
    }),
  };
}
