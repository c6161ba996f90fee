import { randomUUID } from 'node:crypto';
import express from 'express';
import { serveOnLoopback, takeFault, type Faults, type RunningSimulator } from '../../../testing/simulator-http';

/** A DocV decision as DocV writes it (lower case); RiskOS answers render it in upper case. */
export type SocureDecisionValue = 'accept' | 'reject' | 'resubmit' | 'review';

export interface SocureTransactionScript {
  /** The verdict, once there is one; anything else renders as given (to test unknown decisions). */
  decision?: SocureDecisionValue | (string & {});
  /**
   * The DocV stage the `docv` API reports while there is no decision (default DOCUMENTS_UPLOADED).
   * RiskOS reports a paused evaluation and ID+ an answer without a decision meanwhile.
   */
  stage?: string;
  /**
   * RiskOS only: the evaluation's `eval_status` (default `evaluation_completed` with a decision,
   * else `evaluation_paused`); `null` leaves it out, as the Hosted Flow example of a paused
   * evaluation does. Any word, to play `failed`, `terminated`, `evaluation_in_progress` or one
   * RiskOS adds later.
   */
  evalStatus?: string | null;
  /** RiskOS only: the case `status` (default CLOSED with a decision, else ON_HOLD); `null` leaves it out. */
  caseStatus?: string | null;
  /** RiskOS only: the case `sub_status` (default: from the decision, or "Awaiting Customer"). */
  subStatus?: string;
  /** Faults served (in order: 5xx, 429, 404) before real answers, on every flavour's endpoint. */
  faults?: Faults;
  /**
   * RiskOS only: what the evaluation says later, each step from `afterMs` after it was scripted (a
   * case in review, then the reviewer's decision): `[{ afterMs: 60_000, decision: 'accept',
   * caseStatus: 'CLOSED' }]` on a script of `{ decision: 'review', caseStatus: 'OPEN' }`.
   */
  timeline?: ({ afterMs: number } & Omit<SocureTransactionScript, 'faults' | 'timeline'>)[];
}

export interface SocureRequest {
  method: string;
  path: string;
  /** The transaction the request asked about, when it named one. */
  reference?: string;
  /** The Authorization scheme sent (`SocureApiKey`, `Bearer`), never the key. */
  scheme?: string;
}

export interface SocureSimulator extends RunningSimulator {
  apiKey: string;
  /** The secret the simulated Socure account sends with its callbacks. */
  webhookSecret: string;
  /** Sets (or replaces) what the APIs say about one DocV transaction or RiskOS evaluation. */
  script(reference: string, script: SocureTransactionScript): void;
  /** Replaces the account's API key, as a rotation in Socure's dashboard would: the old key gets 401. */
  rotateApiKey(newKey: string): void;
  /** Requests served, in order, for assertions. */
  requests: SocureRequest[];
  requestsFor(reference: string): SocureRequest[];
  /** Callback bodies in Socure's shapes. */
  callbacks: typeof socureCallbacks;
  /** The headers Socure's callbacks carry, in the given style, with {@link webhookSecret}. */
  callbackHeaders(style?: SocureCallbackAuthStyle): Record<string, string>;
}

/**
 * Socure's retrieval APIs on loopback, all three flavours, with scripted outcomes and faults:
 * ID+ `POST /api/3.0/EmailAuthScore` (`SocureApiKey`), RiskOS `GET /api/evaluation/{eval_id}`
 * (`Bearer`), and the seed's `GET /api/3.0/documents/{docvTransactionId}` (`SocureApiKey`).
 * An unscripted reference is 404.
 */
export async function startSocureSimulator(
  options: { apiKey?: string; webhookSecret?: string } = {},
): Promise<SocureSimulator> {
  let apiKey = options.apiKey ?? 'sim-socure-api-key';
  const webhookSecret = options.webhookSecret ?? 'sim-socure-webhook-secret';
  const transactions = new Map<string, SocureTransactionScript & { scriptedAt: number }>();
  const requests: SocureRequest[] = [];

  const app = express();
  app.use(express.json());

  /** Checks the key in the flavour's scheme and records the request; false when answered already. */
  const admit = (req: express.Request, res: express.Response, scheme: string, reference: unknown): boolean => {
    const header = req.get('authorization') ?? '';
    const sent = header.split(' ')[0];
    requests.push({
      method: req.method,
      path: req.path,
      ...(typeof reference === 'string' ? { reference } : {}),
      ...(sent ? { scheme: sent } : {}),
    });
    if (header !== `${scheme} ${apiKey}`) {
      res.status(401).json({ status: 'Error', msg: 'Invalid API key' });
      return false;
    }
    return true;
  };

  /** The script for a reference after any scripted fault; undefined when answered already. */
  const lookup = (reference: string, res: express.Response): SocureTransactionScript | undefined => {
    const script = transactions.get(reference);
    if (!script) {
      res.status(404).json({ status: 'Error', msg: 'Not found' });
      return undefined;
    }
    const fault = takeFault((script.faults ??= {}));
    if (fault) {
      if (fault === 429) res.set('Retry-After', '1');
      res.status(fault).json({ status: 'Error', msg: 'scripted fault' });
      return undefined;
    }
    // The latest step of its timeline that is due, over the script itself.
    const elapsed = Date.now() - script.scriptedAt;
    const steps = (script.timeline ?? []).filter((step) => step.afterMs <= elapsed);
    return steps.reduce<SocureTransactionScript>(
      (now, { afterMs: _afterMs, ...step }) => ({ ...now, ...step }),
      script,
    );
  };

  app.post('/api/3.0/EmailAuthScore', (req, res) => {
    const body = (req.body ?? {}) as { modules?: unknown; docvTransactionToken?: unknown };
    if (!admit(req, res, 'SocureApiKey', body.docvTransactionToken)) return;
    const token = body.docvTransactionToken;
    if (typeof token !== 'string' || !Array.isArray(body.modules) || !body.modules.includes('documentverification')) {
      return void res
        .status(400)
        .json({ status: 'Error', msg: 'documentverification module and docvTransactionToken required' });
    }
    const script = lookup(token, res);
    if (!script) return;
    res.json({
      referenceId: `sim-ref-${token}`,
      ...(script.decision
        ? {
            documentVerification: {
              reasonCodes: ['I831'],
              documentType: { type: 'Drivers License', country: 'USA', state: 'NY' },
              decision: { name: 'standard', value: script.decision },
              documentData: { firstName: 'Jane', surName: 'Doe', dob: '1980-01-01' },
            },
          }
        : {}),
    });
  });

  app.get('/api/evaluation/:evalId', (req, res) => {
    const evalId = String(req.params.evalId);
    if (!admit(req, res, 'Bearer', evalId)) return;
    const script = lookup(evalId, res);
    if (!script) return;
    const done = script.decision !== undefined;
    const evalStatus =
      script.evalStatus === undefined ? (done ? 'evaluation_completed' : 'evaluation_paused') : script.evalStatus;
    const caseStatus = script.caseStatus === undefined ? (done ? 'CLOSED' : 'ON_HOLD') : script.caseStatus;
    // The Evaluation API's own names (Hosted Flow "Handle Results"): eval_status for the stage.
    res.json({
      id: `app-${evalId}`,
      workflow: 'consumer_onboarding',
      eval_id: evalId,
      decision: done ? script.decision!.toUpperCase() : 'REVIEW',
      ...(caseStatus !== null ? { status: caseStatus } : {}),
      sub_status: script.subStatus ?? (done ? riskosSubStatus(script.decision!) : 'Awaiting Customer'),
      ...(evalStatus !== null ? { eval_status: evalStatus } : {}),
      tags: [],
      review_queues: ['Default Queue'],
      environment_name: 'Sandbox',
      data_enrichments: [],
    });
  });

  app.get('/api/3.0/documents/:transactionId', (req, res) => {
    const transactionId = String(req.params.transactionId);
    if (!admit(req, res, 'SocureApiKey', transactionId)) return;
    const script = lookup(transactionId, res);
    if (!script) return;
    res.json({
      docvTransactionId: transactionId,
      status: script.decision ? 'VERIFICATION_COMPLETED' : (script.stage ?? 'DOCUMENTS_UPLOADED'),
      ...(script.decision ? { decision: script.decision } : {}),
    });
  });

  const running = await serveOnLoopback(app);
  return {
    ...running,
    get apiKey() {
      return apiKey;
    },
    webhookSecret,
    requests,
    requestsFor: (reference) => requests.filter((request) => request.reference === reference),
    script: (reference, script) => void transactions.set(reference, { ...script, scriptedAt: Date.now() }),
    rotateApiKey: (newKey) => {
      apiKey = newKey;
    },
    callbacks: socureCallbacks,
    callbackHeaders: (style = 'bearer') => socureCallbackHeaders(webhookSecret, style),
  };
}

function riskosSubStatus(decision: string): string {
  const labels: Record<string, string> = {
    accept: 'Approved',
    reject: 'Rejected',
    review: 'Review',
    resubmit: 'Resubmit',
  };
  return labels[decision.toLowerCase()] ?? 'Closed';
}

/**
 * How a Socure account authenticates its callbacks: legacy DocV sends the shared secret as the
 * whole Authorization header (login.gov) or as a bearer token; RiskOS sends Basic or Bearer.
 */
export type SocureCallbackAuthStyle = 'bearer' | 'raw' | 'basic';

export function socureCallbackHeaders(
  secret: string,
  style: SocureCallbackAuthStyle = 'bearer',
): Record<string, string> {
  switch (style) {
    case 'bearer':
      return { Authorization: `Bearer ${secret}` };
    case 'raw':
      return { Authorization: secret };
    case 'basic':
      return { Authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
  }
}

interface CallbackOptions {
  decision?: string;
  at?: Date;
}

/** What a RiskOS event's `data` says of its evaluation besides the decision. */
interface RiskosOptions extends CallbackOptions {
  id?: string;
  /** The case status (default CLOSED on evaluation_completed, else ON_HOLD); `null` leaves it out. */
  status?: string | null;
  subStatus?: string;
  /** The stage, sent as `evaluation_status` (default: the event type's); `null` leaves it out. */
  evalStatus?: string | null;
  /** Send the stage under the Evaluation API's name, `eval_status`, instead. */
  evalStatusField?: 'evaluation_status' | 'eval_status';
}

/** Builds callback bodies in each of Socure's shapes, with made-up personal data where Socure sends some. */
export const socureCallbacks = {
  /** The seed's AsyncAPI shape. */
  docv(transactionId: string, eventType: string, options: CallbackOptions & { customerUserId?: string } = {}): unknown {
    return {
      eventType,
      docvTransactionId: transactionId,
      customerUserId: options.customerUserId ?? 'app-user-123',
      eventTime: (options.at ?? new Date()).toISOString(),
      ...(options.decision ? { decision: options.decision } : {}),
    };
  },

  /** The legacy DocV envelope; VERIFICATION_COMPLETED with a decision carries the document's data too. */
  legacy(
    token: string,
    eventType: string,
    options: CallbackOptions & { id?: string; tokenField?: 'docvTransactionToken' | 'docVTransactionToken' } = {},
  ): unknown {
    return {
      id: options.id ?? randomUUID(),
      origId: token,
      eventGroup: 'DocvNotification',
      reason: eventType,
      environmentName: 'Sandbox',
      event: {
        eventType,
        created: (options.at ?? new Date()).toISOString(),
        customerUserId: 'app-user-123',
        [options.tokenField ?? 'docvTransactionToken']: token,
        referenceId: token,
        message: eventType,
        ...(options.decision
          ? {
              data: {
                referenceId: `sim-ref-${token}`,
                documentVerification: {
                  reasonCodes: ['I831', 'I836'],
                  documentType: { type: 'Drivers License', country: 'USA', state: 'NY' },
                  decision: { name: 'standard', value: options.decision },
                  documentData: { firstName: 'Jane', surName: 'Doe', dob: '1980-01-01', documentNumber: 'D1234567' },
                },
              },
            }
          : {}),
      },
    };
  },

  /** A RiskOS event; a paused evaluation carries RiskOS's placeholder REVIEW unless told otherwise. */
  riskos(evalId: string | undefined, eventType: string, options: RiskosOptions = {}): unknown {
    const completed = ['evaluation_completed', 'decision_update', 'case_decision_changed'].includes(eventType);
    const decision = options.decision ?? (completed ? 'ACCEPT' : 'REVIEW');
    const status = options.status === undefined ? (completed ? 'CLOSED' : 'ON_HOLD') : options.status;
    const evalStatus =
      options.evalStatus === undefined
        ? eventType.startsWith('evaluation_')
          ? eventType
          : completed
            ? 'evaluation_completed'
            : 'evaluation_paused'
        : options.evalStatus;
    return {
      event_id: options.id ?? randomUUID(),
      event_at: (options.at ?? new Date()).toISOString(),
      event_type: eventType,
      data: {
        id: 'app-evaluation-1245',
        workflow: 'consumer_onboarding',
        ...(evalId !== undefined ? { eval_id: evalId } : {}),
        decision,
        ...(status !== null ? { status } : {}),
        sub_status: options.subStatus ?? (completed ? riskosSubStatus(decision) : 'Awaiting Customer'),
        ...(evalStatus !== null ? { [options.evalStatusField ?? 'evaluation_status']: evalStatus } : {}),
        tags: [],
        review_queues: [],
        data_enrichments: [],
      },
    };
  },

  /**
   * A reviewer's decision on the evaluation's case ("Webhook events": `decision_update`, "Manual
   * reviewer decision"). Only the envelope and `data.decision` are documented; the rest follows the
   * evaluation's shape. `reviewer_id` is an e-mail address in Socure's case events: sent, never kept.
   */
  decisionUpdate(evalId: string, decision: string, options: RiskosOptions = {}): unknown {
    const body = socureCallbacks.riskos(evalId, 'decision_update', { decision, ...options }) as {
      data: Record<string, unknown>;
    };
    body.data.reviewer_id = 'reviewer@example.invalid';
    return body;
  },

  /** The webhook configuration reference's name for the same event: "A reviewer changed the decision on a case". */
  caseDecisionChanged(evalId: string, decision: string, options: RiskosOptions = {}): unknown {
    return socureCallbacks.riskos(evalId, 'case_decision_changed', { decision, ...options });
  },

  /** "An unrecoverable error during execution"; its fields are not published: `data.eval_id` when there is one. */
  workflowExecutionFailed(evalId?: string, options: { id?: string; at?: Date } = {}): unknown {
    return {
      event_id: options.id ?? randomUUID(),
      event_at: (options.at ?? new Date()).toISOString(),
      event_type: 'workflow_execution_failed',
      data: evalId !== undefined ? { eval_id: evalId } : {},
    };
  },
};
