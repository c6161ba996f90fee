import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { ConfigError, EnvReader, parseDuration } from '../../../config/env-reader';
import { ProviderFailure } from '../../../verification/provider-failure';
import { ProviderCallError } from '../../../providers/http';
import { socure } from '../../../providers/socure';
import { createSocureCallbackParser, socureCallbackShape } from '../../../providers/socure/callback';
import { createSocureRetrievalClient, type SocureResultApi } from '../../../providers/socure/retrieval';
import {
  socureCallbacks,
  startSocureSimulator,
  type SocureSimulator,
} from '../../../providers/socure/testing/simulator';
import {
  isFinalRiskosDecision,
  SOCURE_DECISIONS,
  SOCURE_EVENTS,
  socureEventMeaning,
  socureResultMeaning,
  socureRiskosMeaning,
} from '../../../providers/socure/vocabulary';
import { CallbackValidationError } from '../../../providers/types';
import { serveOnLoopback } from '../../../testing/simulator-http';
import type { CanonicalMeaning, VerificationEvent } from '../../../verification/model';
import { type FieldIssue } from '../../../contracts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures', 'socure', name), 'utf8')) as unknown;
const seedEvents = fixture('seed-events.json') as Record<string, string>[];

const RECEIVED_AT = '2025-03-14T12:00:00.000Z';
const parser = createSocureCallbackParser();
const parseOne = (body: unknown): VerificationEvent => {
  const parsed = parser.parse(body, RECEIVED_AT);
  expect(parsed.rejected).toEqual([]);
  expect(parsed.events).toHaveLength(1);
  return parsed.events[0]!;
};
const issuesOf = (body: unknown): FieldIssue[] => {
  try {
    parser.parse(body, RECEIVED_AT);
  } catch (err) {
    if (err instanceof CallbackValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a CallbackValidationError');
};
/** Personal data the sample bodies carry; none of it may survive into an event. */
const PERSONAL = [
  'Jane',
  'Doe',
  '1980-01-01',
  'D1234567',
  'my-user-123',
  'app-user-123',
  'customer-123',
  'my-app-1245',
];

describe('socure callbacks: the seed AsyncAPI shape', () => {
  it.each([
    [0, 'APP_OPENED', { status: 'IN_PROGRESS' }],
    [1, 'DOCUMENTS_UPLOADED', { status: 'SUBMITTED' }],
    [2, 'VERIFICATION_COMPLETED/accept', { status: 'COMPLETED', decision: 'APPROVED' }],
    [3, 'VERIFICATION_COMPLETED/reject', { status: 'COMPLETED', decision: 'REJECTED' }],
    [4, 'VERIFICATION_COMPLETED/resubmit', { status: 'COMPLETED', decision: 'RESUBMIT' }],
    [5, 'SESSION_EXPIRED', { status: 'EXPIRED' }],
  ] as [number, string, CanonicalMeaning][])(
    'accepts seed example %i as it stands (%s)',
    (index, providerStatus, meaning) => {
      const body = seedEvents[index]!;
      const event = parseOne(body);
      expect(event).toEqual({
        provider: 'socure',
        reference: body.docvTransactionId,
        providerStatus,
        source: 'callback',
        dedupKey: `callback:${body.eventType}:${body.eventTime}`,
        meaning,
        occurredAt: new Date(body.eventTime!).toISOString(),
      });
      for (const word of PERSONAL) expect(JSON.stringify(event)).not.toContain(word);
    },
  );

  it('maps the decision review (the brief adds it to the seed enum) to REVIEW, in any case', () => {
    expect(parseOne(socureCallbacks.docv('t-1', 'VERIFICATION_COMPLETED', { decision: 'review' })).meaning).toEqual({
      status: 'COMPLETED',
      decision: 'REVIEW',
    });
    expect(parseOne(socureCallbacks.docv('t-1', 'VERIFICATION_COMPLETED', { decision: 'Accept' })).meaning).toEqual({
      status: 'COMPLETED',
      decision: 'APPROVED',
    });
  });

  it('asks the API for the verdict when VERIFICATION_COMPLETED comes without a usable decision', () => {
    const announced = { status: 'SUBMITTED', retrieve: true };
    expect(parseOne(socureCallbacks.docv('t-1', 'VERIFICATION_COMPLETED')).meaning).toEqual(announced);
    const unknown = parseOne(socureCallbacks.docv('t-1', 'VERIFICATION_COMPLETED', { decision: 'escalate' }));
    expect(unknown.meaning).toEqual(announced);
    expect(unknown.providerStatus).toBe('VERIFICATION_COMPLETED/escalate');
  });

  it('gives a redelivery the same dedup key, and another event another one', () => {
    const at = new Date('2025-03-14T09:26:53Z');
    const first = parseOne(socureCallbacks.docv('t-1', 'APP_OPENED', { at }));
    const again = parseOne(socureCallbacks.docv('t-1', 'APP_OPENED', { at }));
    const later = parseOne(socureCallbacks.docv('t-1', 'APP_OPENED', { at: new Date(at.getTime() + 1000) }));
    const other = parseOne(socureCallbacks.docv('t-1', 'DOCUMENTS_UPLOADED', { at }));
    expect(again.dedupKey).toBe(first.dedupKey);
    expect(new Set([first.dedupKey, later.dedupKey, other.dedupKey]).size).toBe(3);
  });
});

describe('socure callbacks: the legacy DocV envelope', () => {
  it('accepts the documented VERIFICATION_COMPLETED sample and keeps none of its personal data', () => {
    const event = parseOne(fixture('legacy-verification-completed.json'));
    expect(event).toEqual({
      provider: 'socure',
      reference: '1aab154e-0000-4c65-baa7-000000000001',
      providerStatus: 'VERIFICATION_COMPLETED/accept',
      source: 'callback',
      dedupKey: 'callback:VERIFICATION_COMPLETED:254b5a5d-0000-4545-80fc-000000000001',
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
      occurredAt: '2024-06-07T14:50:35.967Z',
      detail: 'standard',
      // The legacy envelope is answered by ID+ (login.gov's pairing): kept per verification.
      context: { socureApi: 'idplus' },
    });
    for (const word of PERSONAL) expect(JSON.stringify(event)).not.toContain(word);
  });

  it('reads the token under either spelling', () => {
    const body = socureCallbacks.legacy('tok-2', 'APP_OPENED', { tokenField: 'docVTransactionToken', id: 'evt-1' });
    expect(parseOne(body)).toMatchObject({ reference: 'tok-2', meaning: { status: 'IN_PROGRESS' } });
  });

  it("accepts login.gov's minimal body (no envelope ID, no time) with a stable dedup key", () => {
    const body = { event: { eventType: 'DOCUMENTS_UPLOADED', docvTransactionToken: 'tok-3' } };
    const event = parseOne(body);
    expect(event).toMatchObject({ reference: 'tok-3', meaning: { status: 'SUBMITTED' } });
    expect(event.occurredAt).toBeUndefined();
    expect(parseOne(body).dedupKey).toBe(event.dedupKey);
  });

  it('asks the API when VERIFICATION_COMPLETED carries no data', () => {
    const event = parseOne(socureCallbacks.legacy('tok-4', 'VERIFICATION_COMPLETED'));
    expect(event.meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
    expect(event.providerStatus).toBe('VERIFICATION_COMPLETED');
  });

  it('keys a redelivery by the envelope ID', () => {
    const body = socureCallbacks.legacy('tok-5', 'APP_OPENED', { id: 'evt-42' });
    expect(parseOne(body).dedupKey).toBe('callback:APP_OPENED:evt-42');
    expect(parseOne(body).dedupKey).toBe(parseOne(structuredClone(body)).dedupKey);
  });
});

describe('socure callbacks: RiskOS', () => {
  it('accepts the documented evaluation_completed sample; the reference is eval_id, not the app ID', () => {
    const event = parseOne(fixture('riskos-evaluation-completed.json'));
    expect(event).toEqual({
      provider: 'socure',
      reference: '8770e076-0000-48a9-8201-000000000001',
      providerStatus: 'evaluation_completed/ACCEPT',
      source: 'callback',
      dedupKey: 'callback:evaluation_completed:336ccd2a-0000-49a8-b2cc-000000000001',
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
      occurredAt: '2025-08-27T16:16:23.104Z',
      detail: 'Approved',
      context: { socureApi: 'riskos' },
    });
    for (const word of PERSONAL) expect(JSON.stringify(event)).not.toContain(word);
  });

  it.each([
    ['REJECT', 'REJECTED'],
    ['REVIEW', 'REVIEW'],
    ['RESUBMIT', 'RESUBMIT'],
  ])('maps evaluation_completed %s to COMPLETED/%s', (decision, canonical) => {
    expect(parseOne(socureCallbacks.riskos('eval-1', 'evaluation_completed', { decision })).meaning).toEqual({
      status: 'COMPLETED',
      decision: canonical,
    });
  });

  it("does not take a paused evaluation's REVIEW for a verdict", () => {
    const event = parseOne(socureCallbacks.riskos('eval-1', 'evaluation_paused'));
    expect(event.meaning).toEqual({ status: 'IN_PROGRESS' });
    expect(event.providerStatus).toBe('evaluation_paused');
  });

  it('confirms a workflow-specific decision through the API', () => {
    const event = parseOne(socureCallbacks.riskos('eval-1', 'evaluation_completed', { decision: 'ESCALATE' }));
    expect(event.meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
  });

  it('records case_notes_added without a status', () => {
    expect(parseOne(socureCallbacks.riskos('eval-1', 'case_notes_added')).meaning).toEqual({ informational: true });
  });

  it('answers an event about no evaluation with nothing to route, not an error', () => {
    const body = { event_id: 'e-1', event_at: RECEIVED_AT, event_type: 'watchlist_alert', data: { id: 'x' } };
    expect(parser.parse(body, RECEIVED_AT)).toEqual({ events: [], rejected: [] });
  });
});

describe('socure callbacks: the retrieval flavour travels with each verification', () => {
  it('RiskOS envelope → riskos, legacy envelope → idplus, the seed shape → the configured default', () => {
    expect(parseOne(socureCallbacks.riskos('eval-9', 'evaluation_paused')).context).toEqual({ socureApi: 'riskos' });
    expect(parseOne(socureCallbacks.legacy('tok-9', 'APP_OPENED')).context).toEqual({ socureApi: 'idplus' });
    // Not corroborated by any Socure source: no claim about its API, SOCURE_RESULT_API decides.
    expect(parseOne(seedEvents[0]).context).toBeUndefined();
  });
});

describe('socure callbacks: SOCURE_CONFIRM_VERDICTS', () => {
  const confirming = createSocureCallbackParser({ confirmVerdicts: true });
  const one = (body: unknown) => confirming.parse(body, RECEIVED_AT).events[0]!;

  it('holds a verdict from a callback back until the retrieval API confirms it', () => {
    const legacy = one(fixture('legacy-verification-completed.json'));
    expect(legacy.meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
    // The callback's word stays in the timeline; the verdict is the poll's.
    expect(legacy.providerStatus).toBe('VERIFICATION_COMPLETED/accept');
    expect(one(fixture('riskos-evaluation-completed.json')).meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
  });

  it('leaves progress alone; any other end it names is only a claim the API must confirm', () => {
    expect(one(socureCallbacks.legacy('tok-c', 'APP_OPENED')).meaning).toEqual({ status: 'IN_PROGRESS' });
    expect(one(socureCallbacks.legacy('tok-c', 'SESSION_EXPIRED')).meaning).toEqual({ claim: { status: 'EXPIRED' } });
    expect(one(socureCallbacks.legacy('tok-c', 'CONSENT_DECLINED')).meaning).toEqual({
      claim: { status: 'ABANDONED' },
    });
  });

  it('is read from SOCURE_CONFIRM_VERDICTS: on by default in production only', () => {
    const read = (env: Record<string, string>) =>
      socure.readSettings(new EnvReader(env), {
        apiBaseUrl: 'https://service.socure.com',
        production: env.NODE_ENV === 'production',
      });
    expect(read({}).confirmVerdicts).toBe(false);
    expect(read({ NODE_ENV: 'production', SOCURE_API_KEY: 'k' }).confirmVerdicts).toBe(true);
    expect(read({ NODE_ENV: 'production', SOCURE_CONFIRM_VERDICTS: 'false' }).confirmVerdicts).toBe(false);
    expect(read({ SOCURE_CONFIRM_VERDICTS: 'true' }).confirmVerdicts).toBe(true);
    expect(() => read({ SOCURE_CONFIRM_VERDICTS: 'sometimes' })).toThrow(/^SOCURE_CONFIRM_VERDICTS: /);
  });
});

describe('socure callbacks: unknown and invalid bodies', () => {
  it.each([
    ['seed', socureCallbacks.docv('t-9', 'SELFIE_RETAKE_REQUESTED'), 'SELFIE_RETAKE_REQUESTED'],
    ['legacy', socureCallbacks.legacy('t-9', 'SOMETHING_NEW'), 'SOMETHING_NEW'],
    ['riskos', socureCallbacks.riskos('t-9', 'evaluation_escalated'), 'evaluation_escalated'],
  ])('accepts an unknown %s event type as an unknown word', (_shape, body, word) => {
    expect(parseOne(body).meaning).toEqual({
      status: 'ACTION_REQUIRED',
      attention: 'unknown_event',
      unknownWord: word,
    });
  });

  it('accepts a word with a control character, or of 300 characters, as an unknown word (kept as sent, or cut)', () => {
    const control = parseOne({ ...seedEvents[0], eventType: 'APP\u0000OPENED' });
    expect(control.providerStatus).toBe('APP\u0000OPENED');
    expect(control.meaning).toEqual({
      status: 'ACTION_REQUIRED',
      attention: 'unknown_event',
      unknownWord: 'APP\u0000OPENED',
    });
    const long = parseOne(socureCallbacks.riskos('eval-long', 'evaluation_completed', { decision: 'X'.repeat(300) }));
    // A decision we do not know is asked of the API; the word is kept cut, with a digest of the whole.
    expect(long.meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
    expect(long.providerStatus).toMatch(/^evaluation_completed\/X{88}\.\.\.#[0-9a-f]{8}$/);
  });

  it.each([
    ['an empty object', {}, ['eventType', 'docvTransactionId', 'eventTime']],
    ['a reference with spaces', { ...seedEvents[0], docvTransactionId: 'not an id' }, ['docvTransactionId']],
    ['a decision that is not a word', { ...seedEvents[2], decision: 42 }, ['decision']],
    ['legacy without a token', { id: 'e', event: { eventType: 'APP_OPENED' } }, ['event.docvTransactionToken']],
    ['legacy with a non-object event', { event: 'APP_OPENED' }, ['event']],
    ['riskos evaluation without eval_id', { event_type: 'evaluation_completed', data: {} }, ['data.eval_id']],
    ['riskos without type and data', { event_id: 'e-1' }, ['event_type', 'data']],
    ['a string', 'APP_OPENED', ['']],
    ['an array', [seedEvents[0]], ['']],
  ])('refuses %s with the failing paths', (_what, body, paths) => {
    expect(issuesOf(body).map((issue) => issue.path)).toEqual(paths);
  });

  it('never echoes the offending value in an issue', () => {
    const issues = issuesOf({ ...seedEvents[0], docvTransactionId: 'Jane Doe 1980-01-01' });
    expect(JSON.stringify(issues)).not.toContain('Jane');
  });

  it('tells the shapes apart by their top-level keys', () => {
    expect(socureCallbackShape(seedEvents[0])).toBe('docv');
    expect(socureCallbackShape(fixture('legacy-verification-completed.json'))).toBe('legacy');
    expect(socureCallbackShape(fixture('riskos-evaluation-completed.json'))).toBe('riskos');
  });
});

describe('socure vocabulary', () => {
  it.each([
    ['WAITING_FOR_USER_TO_REDIRECT', undefined, { status: 'PENDING' }],
    ['APP_OPENED', undefined, { status: 'IN_PROGRESS' }],
    ['WAITING_FOR_UPLOAD', undefined, { status: 'IN_PROGRESS' }],
    ['DOCUMENT_FRONT_UPLOADED', undefined, { status: 'IN_PROGRESS' }],
    ['DOCUMENT_BACK_UPLOADED', undefined, { status: 'IN_PROGRESS' }],
    ['DOCUMENT_SELFIE_UPLOADED', undefined, { status: 'IN_PROGRESS' }],
    ['DOCUMENTS_UPLOAD_FAILED', undefined, { status: 'IN_PROGRESS' }],
    ['DOCUMENTS_UPLOADED', undefined, { status: 'SUBMITTED' }],
    ['VERIFICATION_COMPLETED', 'accept', { status: 'COMPLETED', decision: 'APPROVED' }],
    ['VERIFICATION_COMPLETED', 'reject', { status: 'COMPLETED', decision: 'REJECTED' }],
    ['VERIFICATION_COMPLETED', 'resubmit', { status: 'COMPLETED', decision: 'RESUBMIT' }],
    ['VERIFICATION_COMPLETED', 'review', { status: 'COMPLETED', decision: 'REVIEW' }],
    ['VERIFICATION_COMPLETED', undefined, { status: 'SUBMITTED', retrieve: true }],
    ['SESSION_EXPIRED', undefined, { status: 'EXPIRED' }],
    ['TOKEN_EXPIRED', undefined, { status: 'EXPIRED' }],
    ['CONSENT_DECLINED', undefined, { status: 'ABANDONED' }],
    ['SESSION_COMPLETE', undefined, { informational: true }],
    [
      'NOT_A_SOCURE_WORD',
      undefined,
      { status: 'ACTION_REQUIRED', attention: 'unknown_event', unknownWord: 'NOT_A_SOCURE_WORD' },
    ],
  ] as [string, string | undefined, CanonicalMeaning][])('DocV %s %s → %j', (eventType, decision, meaning) => {
    expect(socureEventMeaning(eventType, decision)).toEqual(meaning);
  });

  it('never sets retrieve on DOCUMENTS_UPLOADED: the user may still abandon after uploading', () => {
    expect(SOCURE_EVENTS.DOCUMENTS_UPLOADED).toEqual({ status: 'SUBMITTED' });
  });

  it('knows exactly the four decisions', () => {
    expect(SOCURE_DECISIONS).toEqual({
      accept: 'APPROVED',
      reject: 'REJECTED',
      resubmit: 'RESUBMIT',
      review: 'REVIEW',
    });
  });

  it.each([
    [undefined, 'accept', { status: 'COMPLETED', decision: 'APPROVED' }],
    // A decision the API names that we do not know: never a guessed REVIEW, never "not ready".
    [undefined, 'escalate', { status: 'ACTION_REQUIRED', attention: 'unknown_decision', unknownWord: 'escalate' }],
    ['VERIFICATION_COMPLETED', 'reject', { status: 'COMPLETED', decision: 'REJECTED' }],
    ['VERIFICATION_COMPLETED', undefined, { status: 'SUBMITTED' }],
    ['DOCUMENTS_UPLOADED', 'accept', { status: 'SUBMITTED' }],
    ['SESSION_COMPLETE', undefined, { informational: true }],
    ['ARCHIVED', undefined, { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'ARCHIVED' }],
  ] as [string | undefined, string | undefined, CanonicalMeaning][])(
    'a DocV API answer at stage %s with decision %s means %j (never an announcement)',
    (stage, decision, meaning) => {
      expect(socureResultMeaning(stage, decision)).toEqual(meaning);
    },
  );
});

describe('socure retrieval against the simulator', () => {
  let sim: SocureSimulator;
  const client = (resultApi: SocureResultApi, apiKey = sim.apiKey) =>
    createSocureRetrievalClient({ apiBaseUrl: sim.url, resultApi, apiKey });

  beforeAll(async () => {
    sim = await startSocureSimulator();
  });
  afterAll(async () => {
    await sim?.close();
  });

  const expectFailure = async (promise: Promise<unknown>, failureType: string, extra: object = {}) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderCallError);
    expect(err).toMatchObject({ failureType, ...extra });
    return err as ProviderCallError;
  };

  it('ID+: posts the documentverification module with SocureApiKey and reads the decision, not the PII', async () => {
    sim.script('idp-1', { decision: 'accept' });
    const event = await client('idplus').retrieve('idp-1', {});
    expect(event).toEqual({
      provider: 'socure',
      reference: 'idp-1',
      providerStatus: 'VERIFICATION_COMPLETED/accept',
      source: 'poll',
      dedupKey: 'poll:VERIFICATION_COMPLETED/accept',
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
      detail: 'standard',
    });
    expect(sim.requestsFor('idp-1')).toEqual([
      { method: 'POST', path: '/api/3.0/EmailAuthScore', reference: 'idp-1', scheme: 'SocureApiKey' },
    ]);
    for (const word of PERSONAL) expect(JSON.stringify(event)).not.toContain(word);
  });

  it('ID+: an answer without a decision is progress we cannot see (recorded, no status)', async () => {
    sim.script('idp-2', {});
    expect(await client('idplus').retrieve('idp-2', {})).toMatchObject({
      providerStatus: 'NO_DECISION',
      dedupKey: 'poll:NO_DECISION',
      meaning: { informational: true },
    });
  });

  it('RiskOS: GET the evaluation with Bearer; a completed one is the verdict', async () => {
    sim.script('eval-r1', { decision: 'reject' });
    expect(await client('riskos').retrieve('eval-r1', {})).toEqual({
      provider: 'socure',
      reference: 'eval-r1',
      providerStatus: 'evaluation_completed/REJECT',
      source: 'poll',
      dedupKey: 'poll:evaluation_completed/REJECT',
      meaning: { status: 'COMPLETED', decision: 'REJECTED' },
      detail: 'Rejected',
    });
    expect(sim.requestsFor('eval-r1')).toEqual([
      { method: 'GET', path: '/api/evaluation/eval-r1', reference: 'eval-r1', scheme: 'Bearer' },
    ]);
  });

  it("RiskOS: a paused evaluation's REVIEW is not a verdict", async () => {
    sim.script('eval-r2', {});
    const event = await client('riskos').retrieve('eval-r2', {});
    expect(event).toMatchObject({ providerStatus: 'evaluation_paused', meaning: { status: 'IN_PROGRESS' } });
    expect(event.meaning.decision).toBeUndefined();
  });

  it('RiskOS: a workflow-specific decision is an unknown word, kept raw: never a guessed REVIEW', async () => {
    sim.script('eval-r3', { decision: 'escalate' });
    expect(await client('riskos').retrieve('eval-r3', {})).toMatchObject({
      providerStatus: 'evaluation_completed/ESCALATE',
      meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_decision', unknownWord: 'ESCALATE' },
    });
  });

  it("DocV (the seed's Get A DocV Transaction): the stage, then the decision", async () => {
    sim.script('docv-1', { stage: 'DOCUMENTS_UPLOADED' });
    expect(await client('docv').retrieve('docv-1', {})).toMatchObject({
      providerStatus: 'DOCUMENTS_UPLOADED',
      meaning: { status: 'SUBMITTED' },
    });
    sim.script('docv-1', { decision: 'resubmit' });
    expect(await client('docv').retrieve('docv-1', {})).toMatchObject({
      providerStatus: 'VERIFICATION_COMPLETED/resubmit',
      meaning: { status: 'COMPLETED', decision: 'RESUBMIT' },
    });
    expect(sim.requestsFor('docv-1').map((r) => `${r.method} ${r.path} ${r.scheme}`)).toEqual([
      'GET /api/3.0/documents/docv-1 SocureApiKey',
      'GET /api/3.0/documents/docv-1 SocureApiKey',
    ]);
  });

  it.each(['idplus', 'riskos', 'docv'] as SocureResultApi[])(
    '%s: classifies a 5xx, a 429 (with Retry-After) and a 404, then answers',
    async (api) => {
      const reference = `faulty-${api}`;
      sim.script(reference, { decision: 'accept', faults: { serverError: 1, rateLimited: 1, notFound: 1 } });
      const retrieval = client(api);
      await expectFailure(retrieval.retrieve(reference, {}), ProviderFailure.Unavailable, { httpStatus: 503 });
      await expectFailure(retrieval.retrieve(reference, {}), ProviderFailure.RateLimited, {
        httpStatus: 429,
        retryAfterMs: 1000,
      });
      await expectFailure(retrieval.retrieve(reference, {}), ProviderFailure.NotReady, { httpStatus: 404 });
      expect((await retrieval.retrieve(reference, {})).meaning).toEqual({ status: 'COMPLETED', decision: 'APPROVED' });
      expect(sim.requestsFor(reference)).toHaveLength(4);
    },
  );

  it("asks the API the verification's own flavour names, whatever SOCURE_RESULT_API says", async () => {
    sim.script('eval-ctx', { decision: 'accept' });
    const idplusDefault = client('idplus');
    expect((await idplusDefault.retrieve('eval-ctx', { socureApi: 'riskos' })).providerStatus).toBe(
      'evaluation_completed/ACCEPT',
    );
    sim.script('tok-ctx', { decision: 'reject' });
    expect((await client('riskos').retrieve('tok-ctx', { socureApi: 'idplus' })).meaning).toEqual({
      status: 'COMPLETED',
      decision: 'REJECTED',
    });
    expect(sim.requestsFor('eval-ctx').map((r) => `${r.method} ${r.path} ${r.scheme}`)).toEqual([
      'GET /api/evaluation/eval-ctx Bearer',
    ]);
    expect(sim.requestsFor('tok-ctx').map((r) => `${r.method} ${r.path} ${r.scheme}`)).toEqual([
      'POST /api/3.0/EmailAuthScore SocureApiKey',
    ]);
    // Each flavour on its own host: the configured one on SOCURE_API_BASE_URL, the others on theirs.
    const split = createSocureRetrievalClient({
      apiBaseUrl: 'http://127.0.0.1:9/unused',
      apiBaseUrls: { riskos: sim.url },
      resultApi: 'idplus',
      apiKey: sim.apiKey,
    });
    expect((await split.retrieve('eval-ctx', { socureApi: 'riskos' })).meaning.status).toBe('COMPLETED');
    // A flavour from an app's start context that is none of the three is refused, not guessed.
    await expectFailure(idplusDefault.retrieve('eval-ctx', { socureApi: 'graphql' }), ProviderFailure.RequestRejected);
  });

  it("RiskOS: reads the Evaluation API's own field names (eval_status, decision_at), not only the webhook's", async () => {
    const app = express();
    const answer = (evalStatus: string, status: string, decision: string) => ({
      eval_id: 'eval-api',
      decision,
      decision_at: '2026-03-11T16:12:30.065472733Z',
      status,
      sub_status: 'More information needed',
      eval_status: evalStatus,
    });
    let current = answer('evaluation_paused', 'ON_HOLD', 'REVIEW');
    app.get('/api/evaluation/:id', (_req, res) => void res.json(current));
    const api = await serveOnLoopback(app);
    try {
      const riskos = createSocureRetrievalClient({ apiBaseUrl: api.url, resultApi: 'riskos', apiKey: 'k' });
      const paused = await riskos.retrieve('eval-api', {});
      expect(paused).toMatchObject({ providerStatus: 'evaluation_paused', meaning: { status: 'IN_PROGRESS' } });
      // Completed: the verdict, timed by the API's decision_at.
      current = { ...answer('evaluation_completed', 'CLOSED', 'ACCEPT'), sub_status: 'Approved' };
      const done = await riskos.retrieve('eval-api', {});
      expect(done).toMatchObject({
        providerStatus: 'evaluation_completed/ACCEPT',
        meaning: { status: 'COMPLETED', decision: 'APPROVED' },
        occurredAt: '2026-03-11T16:12:30.065Z',
      });
    } finally {
      await api.close();
    }
  });

  it('an unknown reference is not ready (404), not a verdict', async () => {
    await expectFailure(client('riskos').retrieve('never-scripted', {}), ProviderFailure.NotReady);
  });

  it('a static API key has no token to refresh: a 401 is AuthRejected after one request', async () => {
    const rotating = await startSocureSimulator({ apiKey: 'old-key' });
    try {
      rotating.script('idp-401', { decision: 'accept' });
      const retrieval = createSocureRetrievalClient({
        apiBaseUrl: rotating.url,
        resultApi: 'idplus',
        apiKey: 'old-key',
      });
      expect((await retrieval.retrieve('idp-401', {})).meaning.decision).toBe('APPROVED');
      rotating.rotateApiKey('new-key');
      await expectFailure(retrieval.retrieve('idp-401', {}), ProviderFailure.AuthRejected, { httpStatus: 401 });
      expect(rotating.requestsFor('idp-401')).toHaveLength(2);
    } finally {
      await rotating.close();
    }
  });

  it('without SOCURE_API_KEY it fails as NotConfigured and sends nothing', async () => {
    const before = sim.requests.length;
    const err = await expectFailure(client('idplus', '').retrieve('idp-1', {}), ProviderFailure.NotConfigured);
    expect(err.message).toContain('SOCURE_API_KEY');
    expect(sim.requests).toHaveLength(before);
  });

  it('an unreachable API is Unavailable', async () => {
    const retrieval = createSocureRetrievalClient({
      apiBaseUrl: 'http://127.0.0.1:9',
      resultApi: 'idplus',
      apiKey: 'k',
    });
    await expectFailure(retrieval.retrieve('idp-1', {}), ProviderFailure.Unavailable);
  });

  describe('answers that do not match the documented shape', () => {
    let odd: { url: string; close(): Promise<void> };
    beforeAll(async () => {
      const app = express();
      app.post('/api/3.0/EmailAuthScore', (_req, res) => void res.json(['not', 'an', 'object']));
      app.get(
        '/api/evaluation/:id',
        (_req, res) =>
          void res.json({ eval_id: 'someone-else', decision: 'ACCEPT', evaluation_status: 'evaluation_completed' }),
      );
      app.get('/api/3.0/documents/:id', (_req, res) => void res.type('text/plain').send('<html>oops</html>'));
      odd = await serveOnLoopback(app);
    });
    afterAll(async () => {
      await odd?.close();
    });

    it.each([
      ['idplus', 'unexpected response shape'],
      ['riskos', 'another transaction'],
      ['docv', 'not JSON'],
    ] as [SocureResultApi, string][])('%s: BadResponse (%s), never a verdict', async (resultApi, message) => {
      const retrieval = createSocureRetrievalClient({ apiBaseUrl: odd.url, resultApi, apiKey: 'k' });
      const err = await expectFailure(retrieval.retrieve('mine', {}), ProviderFailure.BadResponse);
      expect(err.message).toContain(message);
    });
  });
});

describe('socure settings', () => {
  const read = (env: Record<string, string>) => {
    const reader = new EnvReader(env);
    return {
      settings: socure.readSettings(reader, { apiBaseUrl: 'https://service.socure.com', production: false }),
      reader,
    };
  };

  it('defaults to the ID+ result API, with the key a development-only default', () => {
    const { settings, reader } = read({});
    expect(settings).toEqual({
      apiBaseUrl: 'https://service.socure.com',
      apiBaseUrls: {
        idplus: 'https://service.socure.com',
        docv: 'https://service.socure.com',
        riskos: 'https://riskos.socure.com',
      },
      resultApi: 'idplus',
      apiKey: '',
      confirmVerdicts: false,
    });
    expect(reader.devDefaults).toEqual(['SOCURE_API_KEY']);
  });

  it('reads the key and the flavour', () => {
    const { settings, reader } = read({
      SOCURE_API_KEY: 'k',
      SOCURE_RESULT_API: 'riskos',
      SOCURE_API_BASE_URL: 'https://riskos.socure.com',
    });
    expect(settings).toMatchObject({ resultApi: 'riskos', apiKey: 'k' });
    expect(reader.devDefaults).toEqual([]);
  });

  it('refuses RiskOS against the ID+ default host, naming the variable', () => {
    expect(() => read({ SOCURE_RESULT_API: 'riskos' })).toThrow(ConfigError);
    expect(() => read({ SOCURE_RESULT_API: 'riskos' })).toThrow(/^SOCURE_API_BASE_URL: /);
  });

  it('refuses an unknown flavour', () => {
    expect(() => read({ SOCURE_RESULT_API: 'graphql' })).toThrow(
      /^SOCURE_RESULT_API: 'graphql' is not one of idplus, riskos, docv/,
    );
  });

  it('has defaults that parse, and no production default for callback auth', () => {
    expect(parseDuration(socure.defaults.callbackGrace)).toBe(15 * 60_000);
    expect(socure.defaults.pollSchedule.split(',').map(parseDuration)).toEqual(
      [300, 900, 1800, 3600, 7200].map((s) => s * 1000),
    );
    expect(parseDuration(socure.defaults.expiresAfter)).toBe(24 * 3_600_000);
    expect(socure.webhookAuth.default).toBeUndefined();
  });
});

describe('socure RiskOS: what an evaluation says, webhook and API alike', () => {
  const riskosParser = createSocureCallbackParser();
  const event = (body: unknown) => {
    const { events } = riskosParser.parse(body, RECEIVED_AT);
    expect(events).toHaveLength(1);
    return events[0]!;
  };
  /** The Hosted Flow "Handle Results" answer of a paused evaluation, as documented. */
  const hostedFlowPaused = fixture('riskos-hosted-flow-paused.docs.json') as Record<string, unknown>;

  it('an evaluation_completed webhook whose data is the documented paused evaluation is progress, not a verdict', () => {
    const { id: _appId, eval_id: evalId, ...data } = hostedFlowPaused;
    const paused = event({
      event_id: 'e-paused',
      event_at: '2026-03-11T16:12:31Z',
      event_type: 'evaluation_completed',
      data: { eval_id: evalId, ...data },
    });
    expect(paused.meaning).toEqual({ status: 'IN_PROGRESS' });
    expect(paused.detail).toBe('More information needed');
    expect(paused.providerStatus).toBe('evaluation_completed');
  });

  it.each<[string, Record<string, unknown>]>([
    ['status ON_HOLD alone (the DocV step-up rule: ON_HOLD or evaluation_paused)', { status: 'ON_HOLD' }],
    ['eval_status evaluation_paused alone', { status: 'OPEN', evaluation_status: 'evaluation_paused' }],
  ])('a webhook with %s never reads its REVIEW as a verdict', (_case, data) => {
    const body = socureCallbacks.riskos('eval-p', 'evaluation_completed', { decision: 'REVIEW' }) as {
      data: Record<string, unknown>;
    };
    delete body.data.status;
    delete body.data.evaluation_status;
    Object.assign(body.data, data);
    expect(event(body).meaning).toEqual({ status: 'IN_PROGRESS' });
  });

  it('reads a reviewer decision (decision_update, case_decision_changed) as a decision', () => {
    const update = event(
      socureCallbacks.decisionUpdate('eval-u', 'ACCEPT', { status: 'CLOSED', subStatus: 'Approved' }),
    );
    expect(update).toMatchObject({
      reference: 'eval-u',
      providerStatus: 'decision_update/ACCEPT',
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
      detail: 'Approved',
    });
    // The reviewer's e-mail address is sent and never kept.
    expect(JSON.stringify(update)).not.toContain('reviewer@');
    const changed = event(socureCallbacks.caseDecisionChanged('eval-u', 'REJECT', { status: 'CLOSED' }));
    expect(changed).toMatchObject({
      providerStatus: 'case_decision_changed/REJECT',
      meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    });
    // Without a decision, the API is asked.
    const bare = socureCallbacks.decisionUpdate('eval-u', 'ACCEPT') as { data: Record<string, unknown> };
    delete bare.data.decision;
    expect(event(bare).meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
  });

  it('demands the evaluation of a reviewer decision, like every evaluation event', () => {
    const body = socureCallbacks.decisionUpdate('eval-u', 'ACCEPT') as { data: Record<string, unknown> };
    delete body.data.eval_id;
    expect(issuesOf(body).map((issue) => issue.path)).toEqual(['data.eval_id']);
  });

  it('workflow_execution_failed is FAILED ("an unrecoverable error during execution"); without an evaluation, nothing to route', () => {
    expect(event(socureCallbacks.workflowExecutionFailed('eval-f'))).toMatchObject({
      reference: 'eval-f',
      providerStatus: 'workflow_execution_failed',
      meaning: { status: 'FAILED' },
    });
    expect(riskosParser.parse(socureCallbacks.workflowExecutionFailed(), RECEIVED_AT)).toEqual({
      events: [],
      rejected: [],
    });
  });

  it.each([
    'case_status_updated',
    'case_status_changed',
    'case_notes_added',
    'case_assigned',
    'review_case_assigned',
    'review_case_unassigned',
    'case_attachment_added',
    'reevaluation',
  ])('records the case event %s without moving the verification', (eventType) => {
    expect(event(socureCallbacks.riskos('eval-c', eventType)).meaning).toEqual({ informational: true });
  });

  it("records Socure's own fraud confirmation for a human (its payload is not published)", () => {
    expect(event(socureCallbacks.riskos('eval-c', 'fraud_confirming')).meaning).toEqual({
      informational: true,
      attention: 'provider_fraud_flag',
    });
  });

  it.each<[string, Parameters<typeof socureRiskosMeaning>[0], CanonicalMeaning, boolean]>([
    [
      'a completed evaluation, case closed',
      { evalStatus: 'evaluation_completed', status: 'CLOSED', decision: 'ACCEPT' },
      { status: 'COMPLETED', decision: 'APPROVED' },
      true,
    ],
    [
      "REVIEW with the case open (not RiskOS's last word)",
      { evalStatus: 'evaluation_completed', status: 'OPEN', decision: 'REVIEW' },
      { status: 'COMPLETED', decision: 'REVIEW', provisional: { awaiting: 'provider_review' } },
      false,
    ],
    [
      'RESUBMIT, no case status',
      { evalStatus: 'evaluation_completed', decision: 'RESUBMIT' },
      { status: 'COMPLETED', decision: 'RESUBMIT', provisional: { awaiting: 'user_resubmission' } },
      false,
    ],
    [
      'REJECT, no case status',
      { evalStatus: 'evaluation_completed', decision: 'REJECT' },
      { status: 'COMPLETED', decision: 'REJECTED' },
      true,
    ],
    [
      'the documented paused answer',
      { evalStatus: 'evaluation_paused', status: 'ON_HOLD', decision: 'REVIEW' },
      { status: 'IN_PROGRESS' },
      false,
    ],
    [
      'no eval_status, ON_HOLD (Hosted Flow, no stage)',
      { status: 'ON_HOLD', decision: 'REVIEW' },
      { status: 'IN_PROGRESS' },
      false,
    ],
    [
      'no eval_status, CLOSED',
      { status: 'CLOSED', decision: 'REJECT' },
      { status: 'COMPLETED', decision: 'REJECTED' },
      true,
    ],
    ['failed ("Unrecoverable error")', { evalStatus: 'failed', decision: 'REVIEW' }, { status: 'FAILED' }, false],
    ["terminated (the integrator's own PATCH end)", { evalStatus: 'terminated' }, { status: 'CANCELLED' }, false],
    [
      'evaluation_in_progress',
      { evalStatus: 'evaluation_in_progress', decision: 'REVIEW' },
      { status: 'SUBMITTED' },
      false,
    ],
    ['completed without a decision', { evalStatus: 'evaluation_completed' }, { status: 'SUBMITTED' }, false],
    [
      'a custom decision (CANCEL)',
      { evalStatus: 'evaluation_completed', status: 'CLOSED', decision: 'CANCEL' },
      { status: 'ACTION_REQUIRED', attention: 'unknown_decision', unknownWord: 'CANCEL' },
      false,
    ],
    [
      'a stage RiskOS adds later',
      { evalStatus: 'archived' },
      { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'archived' },
      false,
    ],
  ])('an API answer: %s', (_case, evaluation, meaning, final) => {
    const reading = socureRiskosMeaning(evaluation, 'poll')!;
    expect(reading.meaning).toEqual(meaning);
    expect(reading.final).toBe(final);
  });

  it('an API answer without stage or case status is a broken answer', () => {
    expect(socureRiskosMeaning({ decision: 'ACCEPT' }, 'poll')).toBeUndefined();
  });

  it('final: a CLOSED case; without a case status, only ACCEPT and REJECT', () => {
    expect(isFinalRiskosDecision('REVIEW', 'CLOSED')).toBe(true);
    expect(isFinalRiskosDecision('ACCEPT', 'OPEN')).toBe(false);
    expect(isFinalRiskosDecision('ACCEPT', 'ON_HOLD')).toBe(false);
    expect(isFinalRiskosDecision('ACCEPT', undefined)).toBe(true);
    expect(isFinalRiskosDecision('reject', undefined)).toBe(true);
    expect(isFinalRiskosDecision('REVIEW', undefined)).toBe(false);
    expect(isFinalRiskosDecision('RESUBMIT', undefined)).toBe(false);
  });
});

describe('socure RiskOS Evaluation API against the simulator', () => {
  let sim: SocureSimulator;
  let docs: { close(): Promise<void>; url: string };
  const client = (url: string) => createSocureRetrievalClient({ apiBaseUrl: url, resultApi: 'riskos', apiKey: 'k' });

  beforeAll(async () => {
    sim = await startSocureSimulator({ apiKey: 'k' });
    // The documented Hosted Flow answer, served as it stands.
    const app = express();
    app.get('/api/evaluation/:id', (_req, res) => void res.json(fixture('riskos-hosted-flow-paused.docs.json')));
    docs = await serveOnLoopback(app);
  });
  afterAll(async () => {
    await sim?.close();
    await docs?.close();
  });

  it("the documented paused evaluation (Hosted Flow, 'More information needed') is IN_PROGRESS", async () => {
    const event = await client(docs.url).retrieve('296652a5-0a17-4e9f-8f2c-534076fefcd7', {});
    expect(event).toMatchObject({
      providerStatus: 'evaluation_paused',
      meaning: { status: 'IN_PROGRESS' },
      detail: 'More information needed',
    });
    expect(event.occurredAt).toBeUndefined();
  });

  it('the same answer without eval_status (ON_HOLD alone) is IN_PROGRESS too', async () => {
    sim.script('eval-hold', { evalStatus: null, caseStatus: 'ON_HOLD', subStatus: 'More information needed' });
    expect((await client(sim.url).retrieve('eval-hold', {})).meaning).toEqual({ status: 'IN_PROGRESS' });
  });

  it.each<[string, Record<string, unknown>, CanonicalMeaning]>([
    ['failed', { evalStatus: 'failed', caseStatus: null }, { status: 'FAILED' }],
    ['terminated', { evalStatus: 'terminated', caseStatus: null }, { status: 'CANCELLED' }],
    ['evaluation_in_progress', { evalStatus: 'evaluation_in_progress', caseStatus: null }, { status: 'SUBMITTED' }],
    [
      'evaluation_completed/CANCEL',
      { decision: 'cancel' },
      { status: 'ACTION_REQUIRED', attention: 'unknown_decision', unknownWord: 'CANCEL' },
    ],
  ])('eval_status %s', async (providerStatus, script, meaning) => {
    const evalId = `eval-${providerStatus.replace(/\W/g, '-')}`;
    sim.script(evalId, script);
    const event = await client(sim.url).retrieve(evalId, {});
    expect(event.providerStatus).toBe(providerStatus);
    expect(event.meaning).toEqual(meaning);
  });
});
