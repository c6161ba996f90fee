import express from 'express';
import {
  IssuedTokens,
  logRequests,
  serveOnLoopback,
  takeFault,
  type Faults,
  type RunningSimulator,
} from '../../../testing/simulator-http';

/** Jumio's documented workflow statuses; any other string plays a status Jumio adds later. */
export type JumioWorkflowStatus =
  | 'INITIATED'
  | 'ACQUISITION_STARTED'
  | 'ACQUIRED'
  | 'PROCESSED'
  | 'SESSION_EXPIRED'
  | 'TOKEN_EXPIRED'
  | (string & {});
/** Jumio's documented decision types; any other string plays a type Jumio adds later. */
export type JumioDecisionType = 'PASSED' | 'WARNING' | 'REJECTED' | 'NOT_EXECUTED' | (string & {});

export interface JumioExecutionScript {
  accountId: string;
  status: JumioWorkflowStatus;
  /**
   * The decision once PROCESSED. `label` defaults to the type (Jumio's top-level labels repeat it);
   * `null` sends `details: {}`, a decision without a label.
   */
  decision?: { type: JumioDecisionType; label?: string | null };
  /** Faults served (in order: 5xx, 429, 404) before real answers, on the status and details endpoints alike. */
  faults?: Faults;
}

export interface JumioSimulator extends RunningSimulator {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  /** Sets (or replaces) what the retrieval API says about one workflow execution. */
  script(executionId: string, script: JumioExecutionScript): void;
  /** Makes every issued token invalid, as a rotation on Jumio's side would. */
  revokeTokens(): void;
  /** Requests served, for assertions: "METHOD path". */
  requests: string[];
  tokensIssued(): number;
  /**
   * A callback body for one execution, in Jumio's documented shape. With `nullFields`, the optional
   * fields Jumio may send as `null` (`callbackSentAt`, `href`, `definitionKey`, `account`) are null.
   * The `href` names this simulator, or `hrefBase` (another simulator playing another of Jumio's regions).
   * The account is the scripted execution's, or `accountId` for one not scripted.
   */
  callback(
    executionId: string,
    status: string,
    sentAt?: Date,
    options?: { nullFields?: boolean; hrefBase?: string; accountId?: string },
  ): unknown;
}

/**
 * A Jumio retrieval API on loopback: the OAuth2 token endpoint (client credentials, Basic auth),
 * workflow-execution `/status` and details, with scripted outcomes and faults.
 */
export async function startJumioSimulator(options: { tokenLifetimeSeconds?: number } = {}): Promise<JumioSimulator> {
  const clientId = 'sim-client';
  const clientSecret = 'sim-secret';
  const executions = new Map<string, JumioExecutionScript>();
  const tokens = new IssuedTokens('sim-token');

  const app = express();
  const requests = logRequests(app);
  app.post('/oauth2/token', express.urlencoded({ extended: false }), (req, res) => {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    if (req.get('authorization') !== expected) return res.status(401).json({ error: 'invalid_client' });
    if ((req.body as Record<string, string>).grant_type !== 'client_credentials') {
      return res.status(400).json({ error: 'unsupported_grant_type' });
    }
    const token = tokens.issue();
    return res.json({ access_token: token, expires_in: options.tokenLifetimeSeconds ?? 3600, token_type: 'Bearer' });
  });

  const authorized: express.RequestHandler = (req, res, next) => {
    if (!tokens.accepts(req.get('authorization'))) return void res.status(401).json({ message: 'Unauthorized' });
    if (!req.get('user-agent')) return void res.status(403).json({ message: 'User-Agent required' });
    next();
  };

  const lookup = (req: express.Request, res: express.Response): JumioExecutionScript | undefined => {
    const script = executions.get(String(req.params.executionId));
    if (!script || script.accountId !== req.params.accountId) {
      res.status(404).json({ message: 'Not found' });
      return undefined;
    }
    const fault = takeFault((script.faults ??= {}));
    if (fault) {
      if (fault === 429) res.set('Retry-After', '1');
      res.status(fault).json({ message: 'scripted fault' });
      return undefined;
    }
    return script;
  };

  const base = '/api/v1/accounts/:accountId/workflow-executions/:executionId';
  app.get(`${base}/status`, authorized, (req, res) => {
    const script = lookup(req, res);
    if (!script) return;
    res.json({
      account: { id: script.accountId },
      workflowExecution: { id: req.params.executionId, definitionKey: '10011', status: script.status },
    });
  });
  app.get(base, authorized, (req, res) => {
    const script = lookup(req, res);
    if (!script) return;
    res.json({
      workflow: { id: req.params.executionId, status: script.status, definitionKey: '10011' },
      account: { id: script.accountId },
      createdAt: '2025-01-21T14:50:00.000Z',
      completedAt: script.status === 'PROCESSED' ? '2025-01-21T14:55:00.000Z' : undefined,
      decision:
        script.status === 'PROCESSED' && script.decision
          ? {
              type: script.decision.type,
              details: script.decision.label === null ? {} : { label: script.decision.label ?? script.decision.type },
              // "Transactions that are started but not completed are assigned a score of -1".
              risk: { score: script.decision.type === 'NOT_EXECUTED' ? -1 : 10 },
            }
          : undefined,
      capabilities: {},
    });
  });

  const running = await serveOnLoopback(app);
  return {
    ...running,
    authUrl: `${running.url}/oauth2/token`,
    clientId,
    clientSecret,
    requests,
    script: (executionId, script) => void executions.set(executionId, script),
    revokeTokens: () => tokens.revokeAll(),
    tokensIssued: () => tokens.issuedCount(),
    callback: (executionId, status, sentAt = new Date(), options = {}) => {
      const accountId = executions.get(executionId)?.accountId ?? options.accountId ?? 'unknown-account';
      const accountHref = `${options.hrefBase ?? running.url}/api/v1/accounts/${accountId}`;
      if (options.nullFields) {
        return {
          callbackSentAt: null,
          workflowExecution: { id: executionId, href: null, definitionKey: null, status },
          account: null,
        };
      }
      return {
        callbackSentAt: sentAt.toISOString(),
        workflowExecution: {
          id: executionId,
          href: `${accountHref}/workflow-executions/${executionId}`,
          definitionKey: '10011',
          status,
        },
        account: { id: accountId, href: accountHref },
      };
    },
  };
}
