import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../app-config';
import { createAttestrCallbackParser } from '../../../providers/attestr/callback';
import { createAttestrRetrievalClient, type AttestrSettings } from '../../../providers/attestr/retrieval';
import { signResult, signResultText } from '../../../providers/attestr/signature';
import {
  sampleResult,
  startAttestrSimulator,
  type AttestrSimulator,
} from '../../../providers/attestr/testing/simulator';
import {
  ATTESTR_EVENTS,
  asyncStatusMeaning,
  DEFAULT_ASYNC_STATUSES,
  HANDSHAKE_MEANINGS,
  parseAsyncStatuses,
  PROFILE_MEANINGS,
} from '../../../providers/attestr/vocabulary';
import { ProviderFailure } from '../../../verification/provider-failure';
import { ProviderCallError } from '../../../providers/http';
import { CallbackAuthenticationError, CallbackValidationError } from '../../../providers/types';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';
import { TEST_POLICY } from '../../../../test/support/policy';
import { initialState } from '../../../verification/initial-state';
import type { VerificationState } from '../../../verification/model';
import { reduce, type VerificationChange } from '../../../verification/reducer';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures', 'attestr', name), 'utf8')) as unknown;
const RECEIVED = '2025-01-01T00:00:00.000Z';
const SECRET = 'unit-client-secret';

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof CallbackValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a CallbackValidationError');
}

/** A poll-found result: the session is over, its outcome unclear until a flowx event names it. */
const SESSION_OVER = {
  status: 'COMPLETED',
  attention: 'outcome_unclear',
  provisional: { awaiting: 'outcome_confirmation' },
} as const;

describe('attestr callback parser', () => {
  const parser = createAttestrCallbackParser();
  const signing = createAttestrCallbackParser({ clientSecret: SECRET });

  it('accepts the documented flowx.completed example as it stands (no client secret configured)', () => {
    const { events, rejected } = parser.parse(fixture('flowx-completed.providers-md.json'), RECEIVED);
    expect(rejected).toEqual([]);
    expect(events).toEqual([
      {
        provider: 'attestr',
        reference: 'DS02zfeuv6n4gkq51hvw6',
        providerStatus: 'flowx.completed',
        source: 'callback',
        dedupKey: 'callback:flowx.completed',
        meaning: { status: 'COMPLETED' },
        occurredAt: '2023-02-03T04:10:11.000Z',
        context: { kind: 'flowx' },
      },
    ]);
  });

  it('accepts the documented factx.query example: keyed by profile, one event per query ID', () => {
    const [event] = parser.parse(fixture('factx-query.docs.json'), RECEIVED).events;
    expect(event).toEqual({
      provider: 'attestr',
      reference: 'AX1y-dBZ1qhpcGltIW',
      providerStatus: 'factx.query',
      source: 'callback',
      dedupKey: 'callback:factx.query:AQ0jPe2Y_J_09hiBEo',
      detail: 'query:AQ0jPe2Y_J_09hiBEo',
      meaning: { status: 'ACTION_REQUIRED' },
      occurredAt: '2022-08-20T19:45:15.867Z',
      context: { kind: 'factx' },
    });
  });

  it('keeps no personal data: stage results, tags, query texts and document IDs are dropped', () => {
    const kept = JSON.stringify([
      parser.parse(fixture('flowx-completed.providers-md.json'), RECEIVED),
      parser.parse(fixture('factx-query.docs.json'), RECEIVED),
    ]);
    for (const value of ['TAG567822', '<stageId>', '3804-324489-8469', 'PAN', 'MX17Cd6KEBSsbKSaou', '<hex>']) {
      expect(kept).not.toContain(value);
    }
  });

  it('reads the vendor shapes of every documented event', () => {
    const cases: [unknown, string, string | undefined, string][] = [
      [{ event: 'flowx.errored', payload: { _id: 'HS1', updated: 1700000000000 } }, 'HS1', 'FAILED', 'flowx'],
      [{ event: 'flowx.skipped', payload: { _id: 'HS2', tag: 'T', number: 'N' } }, 'HS2', 'ABANDONED', 'flowx'],
      [
        { event: 'async.completed', payload: { _id: 'AR0ZoLeBdqvmr-nmy1', result: { any: 'thing' } } },
        'AR0ZoLeBdqvmr-nmy1',
        'COMPLETED',
        'async',
      ],
      [{ event: 'async.errored', payload: { _id: 'AR2' } }, 'AR2', 'FAILED', 'async'],
    ];
    for (const [body, reference, status, kind] of cases) {
      const [event] = parser.parse(body, RECEIVED).events;
      expect(event).toMatchObject({ reference, meaning: { status }, context: { kind }, source: 'callback' });
    }
    const [timed] = parser.parse(cases[0]![0], RECEIVED).events;
    expect(timed!.occurredAt).toBe('2023-11-14T22:13:20.000Z');
  });

  it('gives a redelivery the same dedup key and different queries different keys', () => {
    const body = { event: 'flowx.completed', payload: { _id: 'HS3', result: {}, updated: 1 } };
    expect(parser.parse(body, RECEIVED).events[0]!.dedupKey).toBe(
      parser.parse(structuredClone(body), RECEIVED).events[0]!.dedupKey,
    );
    const query = (id: string) => ({ event: 'factx.query', payload: { _id: id, profile: 'P1', queries: [] } });
    expect(parser.parse(query('Q1'), RECEIVED).events[0]!.dedupKey).not.toBe(
      parser.parse(query('Q2'), RECEIVED).events[0]!.dedupKey,
    );
  });

  it('accepts and records unknown events with no meaning, never a 400', () => {
    const [flowx] = parser.parse({ event: 'flowx.paused', payload: { _id: 'HS4' } }, RECEIVED).events;
    expect(flowx).toMatchObject({
      reference: 'HS4',
      providerStatus: 'flowx.paused',
      meaning: {},
      context: { kind: 'flowx' },
    });
    const [factx] = parser.parse({ event: 'factx.closed', payload: { _id: 'X9', profile: 'P2' } }, RECEIVED).events;
    expect(factx).toMatchObject({
      reference: 'P2',
      meaning: {},
      context: { kind: 'factx' },
      dedupKey: 'callback:factx.closed:X9',
    });
    const [other] = parser.parse({ event: 'kyc.new-thing', payload: { _id: 'Z1' } }, RECEIVED).events;
    expect(other).toMatchObject({ reference: 'Z1', meaning: {} });
    expect(other!.context).toBeUndefined();
  });

  it('refuses unusable bodies with the failing paths', () => {
    expect(issuesOf(() => parser.parse({}, RECEIVED)).map((i) => i.path)).toEqual(['event', 'payload']);
    expect(issuesOf(() => parser.parse([], RECEIVED)).map((i) => i.path)).toEqual(['']);
    expect(
      issuesOf(() => parser.parse({ event: 'flowx.completed', payload: {} }, RECEIVED)).map((i) => i.path),
    ).toEqual(['payload._id']);
    expect(
      issuesOf(() => parser.parse({ event: 'flowx.completed', payload: { _id: 'has space' } }, RECEIVED))[0],
    ).toMatchObject({
      path: 'payload._id',
      message: expect.stringContaining('must be an ID'),
    });
    expect(
      issuesOf(() => parser.parse({ event: 'factx.query', payload: { _id: 'Q1', queries: 'x' } }, RECEIVED)).map(
        (i) => i.path,
      ),
    ).toEqual(['payload.profile', 'payload.queries']);
    expect(issuesOf(() => parser.parse({ event: 7, payload: { _id: 'A' } }, RECEIVED)).map((i) => i.path)).toEqual([
      'event',
    ]);
  });

  it('accepts a result of any shape when no signature is checked (the event is sent only once)', () => {
    for (const result of ['text', [1, 2], 42]) {
      expect(parser.parse({ event: 'flowx.errored', payload: { _id: 'A', result } }, RECEIVED).events).toHaveLength(1);
    }
  });

  describe('resultSignature, with the client secret configured', () => {
    const completed = (
      signature: string | undefined,
      result: Record<string, unknown> | undefined = sampleResult(),
    ) => ({
      event: 'flowx.completed',
      payload: {
        _id: 'HS5',
        ...(result ? { result } : {}),
        ...(signature !== undefined ? { resultSignature: signature } : {}),
        updated: 1,
      },
    });

    it('accepts a result signed with the secret (hex in either case)', () => {
      expect(signing.parse(completed(signResult(sampleResult(), SECRET)), RECEIVED).events).toHaveLength(1);
      expect(signing.parse(completed(signResult(sampleResult(), SECRET).toUpperCase()), RECEIVED).events).toHaveLength(
        1,
      );
    });

    it('refuses a wrong, malformed or missing signature, and a completion without a result', () => {
      expect(() => signing.parse(completed(signResult(sampleResult(), 'other secret')), RECEIVED)).toThrow(
        CallbackAuthenticationError,
      );
      expect(() => signing.parse(completed(signResult({ other: 1 }, SECRET)), RECEIVED)).toThrow(
        CallbackAuthenticationError,
      );
      expect(() => signing.parse(completed('<hex>'), RECEIVED)).toThrow(CallbackAuthenticationError);
      expect(() => signing.parse(completed(undefined), RECEIVED)).toThrow(CallbackAuthenticationError);
      expect(() => signing.parse(completed(undefined, undefined), RECEIVED)).toThrow(CallbackAuthenticationError);
      expect(() => signing.parse(fixture('flowx-completed.providers-md.json'), RECEIVED)).toThrow(
        CallbackAuthenticationError,
      );
    });

    // Attestr signs the result as it serialised it: the check runs over those bytes, not over a
    // re-serialisation, which would differ in white space, number spelling, escapes and key order.
    const rawCompleted = (resultText: string, signature: string) =>
      `{"event":"flowx.completed","payload":{"_id":"HS7","result": ${resultText} ,"resultSignature":"${signature}","updated":1}}`;
    const RAW_RESULT = '{ "stage-2": {"output": {"score": 1.0, "name": "Jos\\u00e9"}}, "10": {"input": {}} }';

    it('verifies the signature over the raw bytes of result, as received', () => {
      const raw = rawCompleted(RAW_RESULT, signResultText(RAW_RESULT, SECRET));
      expect(JSON.stringify((JSON.parse(raw) as { payload: { result: unknown } }).payload.result)).not.toBe(RAW_RESULT);
      expect(signing.parse(JSON.parse(raw), RECEIVED, raw).events).toHaveLength(1);
    });

    it('refuses a signature over a re-serialisation when the raw bytes differ', () => {
      const parsed = (JSON.parse(rawCompleted(RAW_RESULT, '')) as { payload: { result: unknown } }).payload.result;
      const raw = rawCompleted(RAW_RESULT, signResult(parsed, SECRET));
      expect(() => signing.parse(JSON.parse(raw), RECEIVED, raw)).toThrow(CallbackAuthenticationError);
    });

    it('accepts unsigned events without a result; an event carrying a result must be signed', () => {
      expect(signing.parse({ event: 'flowx.skipped', payload: { _id: 'HS6' } }, RECEIVED).events).toHaveLength(1);
      expect(signing.parse({ event: 'async.completed', payload: { _id: 'AR3' } }, RECEIVED).events).toHaveLength(1);
      expect(() =>
        signing.parse({ event: 'async.completed', payload: { _id: 'AR3', result: { a: 1 } } }, RECEIVED),
      ).toThrow(CallbackAuthenticationError);
      expect(() =>
        signing.parse(
          { event: 'flowx.errored', payload: { _id: 'HS7', result: { a: 1 }, resultSignature: 'ab' } },
          RECEIVED,
        ),
      ).toThrow(CallbackAuthenticationError);
    });

    it('is skipped without the secret', () => {
      expect(parser.parse(completed('00'), RECEIVED).events).toHaveLength(1);
    });
  });
});

describe('attestr unknown words', () => {
  const parser = createAttestrCallbackParser();

  it('an event name Attestr adds later is an unknown word (ACTION_REQUIRED, raw name kept), never a 400', () => {
    const [event] = parser.parse({ event: 'flowx.paused', payload: { _id: 'hs-1' } }, '').events;
    expect(event).toMatchObject({
      reference: 'hs-1',
      providerStatus: 'flowx.paused',
      meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_event', unknownWord: 'flowx.paused' },
    });
    const [odd] = parser.parse({ event: 'x'.repeat(150), payload: { _id: 'hs-1' } }, '').events;
    expect(odd!.meaning).toMatchObject({ status: 'ACTION_REQUIRED', attention: 'unknown_event' });
    expect(odd!.providerStatus).toMatch(/^x{88}\.\.\.#[0-9a-f]{8}$/);
  });
});

describe('attestr vocabulary', () => {
  it('maps the webhook events as the documented status mapping says, with no decision', () => {
    expect(ATTESTR_EVENTS).toEqual({
      'async.completed': { status: 'COMPLETED' },
      'async.errored': { status: 'FAILED' },
      'flowx.completed': { status: 'COMPLETED' },
      'flowx.errored': { status: 'FAILED' },
      'flowx.skipped': { status: 'ABANDONED' },
      'factx.query': { status: 'ACTION_REQUIRED' },
    });
  });

  it('maps what the retrieval API shows', () => {
    expect(HANDSHAKE_MEANINGS).toEqual({
      'handshake.unconsumed': { status: 'PENDING' },
      'handshake.consumed': { status: 'IN_PROGRESS' },
      // The Execution Result API serves results of errored and skipped flows too, and nothing in
      // it tells them apart: a poll-found result is provisional until a flowx event names the outcome.
      'handshake.result': SESSION_OVER,
      // Archived after the flow ran: the session is over all the same, its result gone.
      'handshake.archived': SESSION_OVER,
      'handshake.archived-unconsumed': { status: 'EXPIRED' },
    });
    expect(PROFILE_MEANINGS).toEqual({
      'profile.query-open': { status: 'ACTION_REQUIRED' },
      'profile.queries-answered': { informational: true },
    });
    const statuses = parseAsyncStatuses(DEFAULT_ASYNC_STATUSES);
    expect(statuses).toEqual({ PENDING: 'SUBMITTED', COMPLETED: 'COMPLETED', ERRORED: 'FAILED' });
    expect(asyncStatusMeaning(statuses, 'completed')).toEqual({ status: 'COMPLETED' });
    expect(asyncStatusMeaning(statuses, 'QUEUED')).toEqual({
      status: 'ACTION_REQUIRED',
      attention: 'unknown_status',
      unknownWord: 'QUEUED',
    });
  });

  it('reads ATTESTR_ASYNC_STATUSES, refusing malformed values with the variable named', () => {
    expect(parseAsyncStatuses(' queued = submitted , done=COMPLETED ')).toEqual({
      QUEUED: 'SUBMITTED',
      DONE: 'COMPLETED',
    });
    const base = { ...DEV_DEFAULTS, KYC_PROVIDERS: 'attestr' };
    expect(loadConfig({ ...base, ATTESTR_ASYNC_STATUSES: 'DONE=COMPLETED' }).providers.attestr!.settings).toMatchObject(
      {
        asyncStatuses: { DONE: 'COMPLETED' },
      },
    );
    for (const bad of ['DONE', 'DONE=FINISHED', '=COMPLETED', ',']) {
      expect(() => loadConfig({ ...base, ATTESTR_ASYNC_STATUSES: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, ATTESTR_ASYNC_STATUSES: bad })).toThrow(/^ATTESTR_ASYNC_STATUSES: /);
    }
  });

  it('has documented defaults, and refuses a missing auth token in production', () => {
    const config = loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: 'attestr' });
    expect(config.providers.attestr!.apiBaseUrl).toBe('https://api.attestr.com/api/v2');
    expect(config.providers.attestr!.policy).toMatchObject({ callbackGraceMs: 300_000, expiresAfterMs: 86_400_000 });
    expect(config.devDefaults).toEqual(expect.arrayContaining(['ATTESTR_AUTH_TOKEN', 'ATTESTR_WEBHOOK_AUTH']));
    const production = {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      KYC_PROVIDERS: 'attestr',
      ATTESTR_WEBHOOK_AUTH: 'basic:t',
    };
    expect(() => loadConfig({ ...production, ATTESTR_CLIENT_SECRET: 's' })).toThrow(/^ATTESTR_AUTH_TOKEN: /);
    expect(() => loadConfig({ ...production, ATTESTR_AUTH_TOKEN: 'token' })).toThrow(/^ATTESTR_CLIENT_SECRET: /);
    expect(() => loadConfig({ ...production, ATTESTR_AUTH_TOKEN: 'token', ATTESTR_CLIENT_SECRET: 's' })).not.toThrow();
  });
});

describe('attestr retrieval client against the simulator', () => {
  let sim: AttestrSimulator;
  const settings = (overrides: Partial<AttestrSettings> = {}): AttestrSettings => ({
    apiBaseUrl: sim.apiBaseUrl,
    authToken: sim.authToken,
    clientSecret: sim.clientSecret,
    asyncStatuses: parseAsyncStatuses(DEFAULT_ASYNC_STATUSES),
    ...overrides,
  });
  const failureOf = async (promise: Promise<unknown>): Promise<ProviderCallError> => {
    try {
      await promise;
    } catch (err) {
      if (err instanceof ProviderCallError) return err;
      throw err;
    }
    throw new Error('expected a ProviderCallError');
  };
  const calls = (id: string) => sim.requests.filter((r) => r.endsWith(`/${id}`)).length;

  beforeAll(async () => {
    sim = await startAttestrSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('reads a handshake in each state of the Execution Result API', async () => {
    const client = createAttestrRetrievalClient(settings());
    const expected = {
      unconsumed: ['handshake.unconsumed', 'PENDING'],
      consumed: ['handshake.consumed', 'IN_PROGRESS'],
      result: ['handshake.result', 'COMPLETED'],
      archived: ['handshake.archived', 'COMPLETED'],
    } as const;
    const meaningOf = (state: string, status: string | undefined) =>
      state === 'result' || state === 'archived' ? SESSION_OVER : { status };
    for (const [state, [providerStatus, status]] of Object.entries(expected)) {
      sim.script(`hs-${state}`, { kind: 'flowx', state: state as keyof typeof expected });
      const event = await client.retrieve(`hs-${state}`, {});
      expect(event).toEqual({
        provider: 'attestr',
        reference: `hs-${state}`,
        providerStatus,
        source: 'poll',
        dedupKey: `poll:${providerStatus}`,
        meaning: meaningOf(state, status),
      });
    }
    expect(sim.requests).toContain('GET /public/flowx/handshake/hs-result');
  });

  it('refuses a result whose signature does not verify, unless no secret is configured', async () => {
    sim.script('hs-tampered', { kind: 'flowx', state: 'result', badSignature: true });
    const err = await failureOf(createAttestrRetrievalClient(settings()).retrieve('hs-tampered', { kind: 'flowx' }));
    expect(err.failureType).toBe(ProviderFailure.BadResponse);
    const unchecked = await createAttestrRetrievalClient(settings({ clientSecret: undefined })).retrieve(
      'hs-tampered',
      {},
    );
    expect(unchecked.meaning).toEqual(SESSION_OVER);
  });

  it('verifies a served result over its raw bytes (spacing, 1.0, escapes kept as Attestr wrote them)', async () => {
    const rawResult = '{ "stage-1" : {"input": {}, "output": {"match": 1.0, "city": "S\\u00e3o Paulo"}} }';
    sim.script('hs-raw', { kind: 'flowx', state: 'result', rawResult });
    const event = await createAttestrRetrievalClient(settings()).retrieve('hs-raw', { kind: 'flowx' });
    expect(event.providerStatus).toBe('handshake.result');
  });

  it('reads async outcomes through the configured status words', async () => {
    const client = createAttestrRetrievalClient(
      settings({ asyncStatuses: { PENDING: 'SUBMITTED', DONE: 'COMPLETED' } }),
    );
    for (const [status, meaning] of [
      ['PENDING', { status: 'SUBMITTED' }],
      ['done', { status: 'COMPLETED' }],
      ['QUEUED', {}],
    ] as const) {
      sim.script('ar-1', { kind: 'async', status });
      expect(await client.retrieve('ar-1', { kind: 'async' })).toMatchObject({
        providerStatus: status,
        dedupKey: `poll:${status}`,
        meaning,
      });
    }
    expect(sim.requests).toContain('GET /public/async/ar-1');
  });

  it("reads a profile's open queries, keeping none of its personal fields", async () => {
    const client = createAttestrRetrievalClient(settings());
    sim.script('pf-1', {
      kind: 'factx',
      queries: [
        { id: 'q1', answered: true },
        { id: 'q2', answered: false },
      ],
    });
    const open = await client.retrieve('pf-1', { kind: 'factx' });
    expect(open).toMatchObject({ providerStatus: 'profile.query-open', meaning: { status: 'ACTION_REQUIRED' } });
    expect(JSON.stringify(open)).not.toMatch(/Simulated|example\.invalid|document/);
    sim.script('pf-1', { kind: 'factx', queries: [{ id: 'q1', answered: true }] });
    expect(await client.retrieve('pf-1', { kind: 'factx' })).toMatchObject({
      providerStatus: 'profile.queries-answered',
      meaning: { informational: true },
    });
  });

  it('classifies 5xx, 429 (with Retry-After) and 404, then answers', async () => {
    const client = createAttestrRetrievalClient(settings());
    sim.script('hs-faulty', {
      kind: 'flowx',
      state: 'result',
      faults: { serverError: 1, rateLimited: 1, notFound: 1 },
    });
    const unavailable = await failureOf(client.retrieve('hs-faulty', {}));
    expect([unavailable.failureType, unavailable.httpStatus]).toEqual([ProviderFailure.Unavailable, 503]);
    const limited = await failureOf(client.retrieve('hs-faulty', {}));
    expect([limited.failureType, limited.retryAfterMs]).toEqual([ProviderFailure.RateLimited, 1000]);
    expect((await failureOf(client.retrieve('hs-faulty', {}))).failureType).toBe(ProviderFailure.NotReady);
    expect((await client.retrieve('hs-faulty', {})).meaning).toEqual(SESSION_OVER);
    expect(calls('hs-faulty')).toBe(4);
  });

  it('a rejected static token is an auth failure, not retried (there is no token to refresh)', async () => {
    sim.script('hs-auth', { kind: 'flowx', state: 'result' });
    const client = createAttestrRetrievalClient(settings());
    sim.revokeToken();
    const err = await failureOf(client.retrieve('hs-auth', {}));
    expect([err.failureType, err.httpStatus]).toEqual([ProviderFailure.AuthRejected, 401]);
    expect(calls('hs-auth')).toBe(1);
    expect((await createAttestrRetrievalClient(settings()).retrieve('hs-auth', {})).meaning).toEqual(SESSION_OVER);
  });

  it('missing credentials, an unknown kind and a malformed answer are permanent failures', async () => {
    const before = sim.requests.length;
    const unconfigured = await failureOf(
      createAttestrRetrievalClient(settings({ authToken: '' })).retrieve('hs-x', {}),
    );
    expect(unconfigured.failureType).toBe(ProviderFailure.NotConfigured);
    expect(unconfigured.message).toContain('ATTESTR_AUTH_TOKEN');
    expect(sim.requests.length).toBe(before);
    const client = createAttestrRetrievalClient(settings());
    expect((await failureOf(client.retrieve('hs-x', { kind: 'bogus' }))).failureType).toBe(
      ProviderFailure.RequestRejected,
    );
    sim.script('ar-bad', { kind: 'async', status: null });
    expect((await failureOf(client.retrieve('ar-bad', { kind: 'async' }))).failureType).toBe(
      ProviderFailure.BadResponse,
    );
    // A status word, even an empty one, is no broken answer: an unknown word.
    sim.script('ar-empty', { kind: 'async', status: '' });
    expect((await client.retrieve('ar-empty', { kind: 'async' })).meaning).toEqual({
      status: 'ACTION_REQUIRED',
      attention: 'unknown_status',
      unknownWord: '(empty)',
    });
  });
});

describe('attestr: a poll-found outcome is provisional until a flowx event names it', () => {
  let sim: AttestrSimulator;
  beforeAll(async () => {
    sim = await startAttestrSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  const HANDSHAKE = 'DS02zfeuv6n4gkq51hvw6';
  const T0 = '2023-02-03T04:00:00.000Z';
  const policy = { ...TEST_POLICY, reviewWindowMs: 30 * 60_000 };
  const client = () =>
    createAttestrRetrievalClient({
      apiBaseUrl: sim.apiBaseUrl,
      authToken: sim.authToken,
      clientSecret: sim.clientSecret,
      asyncStatuses: parseAsyncStatuses(DEFAULT_ASYNC_STATUSES),
    });
  const step = (state: VerificationState, change: VerificationChange, now: string) =>
    reduce(state, change, { now, policy, random: () => 0.5, rules: { provisional: true } }).state;
  const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

  it('a result found by polling, then flowx.errored: FAILED, final (the webhook corrects the outcome)', async () => {
    // The Execution Result API: {"consumed":true,"archived":null,"result":{…},"resultSignature":…}.
    sim.script(HANDSHAKE, { kind: 'flowx', state: 'result', result: { 'stage-1': { input: {}, output: {} } } });
    const answer = await client().retrieve(HANDSHAKE, {});
    let state = initialState('attestr', HANDSHAKE, T0, policy);
    state = step(state, { kind: 'polled', purpose: 'schedule', result: { answer } }, at(5));
    expect(state).toMatchObject({
      status: 'ACTION_REQUIRED',
      provisional: { status: 'COMPLETED', awaiting: 'outcome_confirmation', reviewEndsAt: at(35) },
    });
    expect(state.attention).toContain('outcome_unclear');

    // The flow-webhooks page's payload, as flowx.errored.
    const errored = createAttestrCallbackParser({ clientSecret: sim.clientSecret }).parse(
      {
        event: 'flowx.errored',
        payload: {
          _id: HANDSHAKE,
          tag: 'TAG567822',
          number: '3804-324489-8469',
          requestId: 'RQ-1',
          flowId: 'FX02zfeuvcj36knhn06us',
          snapshot: null,
          updated: 1675397411000,
        },
      },
      at(6),
    ).events[0]!;
    state = step(state, { kind: 'callback', event: errored }, at(6));
    expect(state).toMatchObject({ status: 'FAILED', decisionFinal: true, providerStatus: 'flowx.errored' });
    expect(state.decisions?.map((d) => `${d.status} ${d.final}`)).toEqual(['COMPLETED false', 'FAILED true']);
  });

  it('an archived handshake the flow had used is not EXPIRED at the deadline: provisional, then closed by the window, not final', async () => {
    // {"consumed":true,"archived":1675397411000,"result":null,"resultSignature":null}
    sim.script(HANDSHAKE, { kind: 'flowx', state: 'archived' });
    const answer = await client().retrieve(HANDSHAKE, {});
    expect(answer).toMatchObject({ providerStatus: 'handshake.archived', meaning: SESSION_OVER });
    let state = initialState('attestr', HANDSHAKE, T0, policy);
    const deadline = Date.parse(state.expiresAt);
    const after = (ms: number) => new Date(deadline + ms).toISOString();
    state = step(state, { kind: 'deadline-reached', check: { answer } }, after(0));
    expect(state.status).toBe('ACTION_REQUIRED');
    expect(state.provisional?.awaiting).toBe('outcome_confirmation');
    state = step(state, { kind: 'review-window-ended', check: { answer } }, state.provisional!.reviewEndsAt);
    expect(state).toMatchObject({ status: 'COMPLETED', decisionFinal: false, providerStatus: 'REVIEW_WINDOW_ENDED' });
    expect(state.attention).toEqual(expect.arrayContaining(['outcome_unclear', 'review_window_ended']));
  });

  it('an archived handshake nobody opened is EXPIRED, by Attestr', async () => {
    // {"consumed":false,"archived":1675397411000,"result":null}
    sim.script(HANDSHAKE, { kind: 'flowx', state: 'archived', consumed: false });
    const answer = await client().retrieve(HANDSHAKE, {});
    expect(answer).toMatchObject({ providerStatus: 'handshake.archived-unconsumed', meaning: { status: 'EXPIRED' } });
    const state = step(
      initialState('attestr', HANDSHAKE, T0, policy),
      { kind: 'polled', purpose: 'schedule', result: { answer } },
      at(5),
    );
    expect(state).toMatchObject({ status: 'EXPIRED', decisionFinal: true });
  });
});
