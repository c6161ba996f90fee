import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request } from 'express';
import { ConfigError, loadConfig } from '../../src/app-config';
import { EnvReader } from '../../src/config/env-reader';
import { parseWebhookAuth } from '../../src/config/webhook-auth';
import { authenticate } from '../../src/ingress/authenticate';
import { ProviderFailure } from '../../src/verification/provider-failure';
import { ProviderCallError } from '../../src/providers/http';
import { CallbackValidationError } from '../../src/providers/types';
import { unico } from '../../src/providers/unico';
import { assertionClaims, signAssertion, JWT_BEARER_GRANT } from '../../src/providers/unico/assertion';
import { createUnicoCallbackParser } from '../../src/providers/unico/callback';
import { createUnicoRetrievalClient } from '../../src/providers/unico/retrieval';
import type { UnicoSettings } from '../../src/providers/unico/settings';
import {
  SIMULATED_PERSON,
  startUnicoSimulator,
  unicoWebhookAuthSpec,
  unicoWebhookHeaders,
  type UnicoSimulator,
  type UnicoWebhookAuth,
} from '../../src/providers/unico/testing/simulator';
import { DEFAULT_UNICO_FLOWS, unicoFlowOf } from '../../src/providers/unico/flows';
import {
  DEFAULT_UNICO_EVENTS,
  unicoProcessMeaning,
  unicoWebhookStateMeaning,
  type UnicoEventTable,
} from '../../src/providers/unico/vocabulary';
import type { CanonicalMeaning } from '../../src/verification/model';
import { DEV_DEFAULTS } from '../support/dev-defaults';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../fixtures/unico', name), 'utf8')) as unknown;
const PROCESS_ID = '8263a268-5388-492a-bca2-28e1ff4a69f0';
const RECEIVED_AT = '2025-01-01T00:00:00.000Z';

function rsaPem(): { pem: string; publicKey: KeyObject; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey, privateKey };
}

function readSettings(env: Record<string, string>, apiBaseUrl = 'https://api.idcloud.unico.app'): UnicoSettings {
  return unico.readSettings(new EnvReader(env), { apiBaseUrl, production: false });
}

function thrown<T extends Error>(fn: () => unknown): T {
  try {
    fn();
  } catch (err) {
    return err as T;
  }
  throw new Error('expected a throw');
}

async function rejection(promise: Promise<unknown>): Promise<ProviderCallError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProviderCallError) return err;
    throw err;
  }
  throw new Error('expected a ProviderCallError');
}

describe('unico callback parser', () => {
  const parser = createUnicoCallbackParser({ ...DEFAULT_UNICO_EVENTS });

  it('accepts the seed "finished — successful" example as it stands: an announcement to confirm', () => {
    const { events, rejected } = parser.parse(fixture('seed-finished-ok.json'), RECEIVED_AT);
    expect(rejected).toEqual([]);
    expect(events).toEqual([
      {
        provider: 'unico',
        reference: PROCESS_ID,
        providerStatus: 'PROCESS_STATE_FINISHED/ok',
        source: 'callback',
        dedupKey: 'callback:PROCESS_STATE_FINISHED/ok',
        meaning: { status: 'SUBMITTED', retrieve: true },
        detail: 'flow:id',
        // The flow decides which of GetProcess's sub-results count: kept for an answer that names none.
        context: { flow: 'id' },
      },
    ]);
  });

  it('accepts the seed "finished — expired" example: the lastEvent, then the state; never the free text', () => {
    const { events } = parser.parse(fixture('seed-finished-expired.json'), RECEIVED_AT);
    expect(events.map((e) => [e.providerStatus, e.dedupKey, e.meaning])).toEqual([
      [
        'EVENT_TYPE_SESSION_ENDED',
        'callback:lastEvent:EVENT_TYPE_SESSION_ENDED',
        { status: 'IN_PROGRESS', retrieve: true },
      ],
      [
        'PROCESS_STATE_FINISHED/expired',
        'callback:PROCESS_STATE_FINISHED/expired',
        { status: 'SUBMITTED', retrieve: true },
      ],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/Session ended/);
    expect(events.every((e) => e.occurredAt === undefined && e.reference === PROCESS_ID)).toBe(true);
  });

  it("accepts Unico's shorter documented shapes: no result, no flow, nulls, unknown fields (not kept)", () => {
    const asyncApiExample = { processId: PROCESS_ID, state: 'PROCESS_STATE_FINISHED', flow: 'idtoken' };
    expect(parser.parse(asyncApiExample, RECEIVED_AT).events).toMatchObject([
      {
        providerStatus: 'PROCESS_STATE_FINISHED',
        detail: 'flow:idtoken',
        meaning: { status: 'SUBMITTED', retrieve: true },
      },
    ]);
    const withNulls = {
      processId: PROCESS_ID,
      state: 'PROCESS_STATE_FINISHED',
      result: 'ok',
      flow: null,
      lastEvent: null,
      lastEventDescription: null,
      person: { friendlyName: 'Someone' },
    };
    const { events } = parser.parse(withNulls, RECEIVED_AT);
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty('detail');
    expect(JSON.stringify(events)).not.toMatch(/Someone/);
  });

  it('gives a redelivery of the same notification the same dedup keys (at-least-once)', () => {
    const body = fixture('seed-finished-expired.json');
    const keys = (b: unknown) => parser.parse(b, RECEIVED_AT).events.map((e) => e.dedupKey);
    expect(keys(structuredClone(body))).toEqual(keys(body));
  });

  it('reads unknown states and results as unknown words, unknown events as recorded with attention', () => {
    const { events } = parser.parse(
      {
        processId: PROCESS_ID,
        state: 'PROCESS_STATE_ARCHIVED',
        result: 'ok_with_notes',
        lastEvent: 'EVENT_TYPE_NEW_STEP',
      },
      RECEIVED_AT,
    );
    expect(events.map((e) => [e.providerStatus, e.meaning])).toEqual([
      // Unico says its set of events grows and calls it configuration: recorded, a human told, no move.
      ['EVENT_TYPE_NEW_STEP', { informational: true, attention: 'unknown_event', unknownWord: 'EVENT_TYPE_NEW_STEP' }],
      [
        'PROCESS_STATE_ARCHIVED/ok_with_notes',
        { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'PROCESS_STATE_ARCHIVED' },
      ],
    ]);
    const unknownResult = parser.parse(
      { processId: PROCESS_ID, state: 'PROCESS_STATE_FINISHED', result: 'partial' },
      RECEIVED_AT,
    );
    expect(unknownResult.events[0]!.meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
    // Words that name Object.prototype members are still just unknown words.
    const prototypeWords = parser.parse(
      { processId: PROCESS_ID, state: 'constructor', lastEvent: 'toString' },
      RECEIVED_AT,
    );
    expect(prototypeWords.events.map((e) => e.meaning)).toEqual([
      { informational: true, attention: 'unknown_event', unknownWord: 'toString' },
      { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'constructor' },
    ]);
  });

  it('reacts to a new lastEvent through the configured table alone', () => {
    const configured = createUnicoCallbackParser({
      ...DEFAULT_UNICO_EVENTS,
      EVENT_TYPE_FACE_MATCHED: { status: 'SUBMITTED', retrieve: true },
    });
    const body = { processId: PROCESS_ID, state: 'PROCESS_STATE_CREATED', lastEvent: 'EVENT_TYPE_FACE_MATCHED' };
    expect(parser.parse(body, RECEIVED_AT).events[0]!.meaning).toEqual({
      informational: true,
      attention: 'unknown_event',
      unknownWord: 'EVENT_TYPE_FACE_MATCHED',
    });
    expect(configured.parse(body, RECEIVED_AT).events[0]!.meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
  });

  it.each<[string, unknown, string[]]>([
    ['an array', [{ processId: PROCESS_ID, state: 'PROCESS_STATE_FINISHED' }], ['']],
    ['no processId', { state: 'PROCESS_STATE_FINISHED', result: 'ok' }, ['processId']],
    ['a processId that is not an ID', { processId: 'Maria da Silva', state: 'PROCESS_STATE_FINISHED' }, ['processId']],
    ['neither state nor lastEvent', { processId: PROCESS_ID, result: 'ok' }, ['state']],
    ['a state that is not a word', { processId: PROCESS_ID, state: 42 }, ['state']],
    ['an empty state and no lastEvent', { processId: PROCESS_ID, state: '' }, ['state']],
    [
      'several bad fields',
      { processId: 7, state: 'PROCESS_STATE_FINISHED', result: 3, flow: {} },
      ['processId', 'result', 'flow'],
    ],
  ])('refuses %s with the failing paths', (_what, body, paths) => {
    const err = thrown<CallbackValidationError>(() => parser.parse(body, RECEIVED_AT));
    expect(err).toBeInstanceOf(CallbackValidationError);
    expect(err.issues.map((issue) => issue.path)).toEqual(paths);
  });
});

describe('unico vocabulary', () => {
  it.each<[string, string | undefined, CanonicalMeaning | undefined]>([
    // "Unspecified because not used" is no failure: with no sub-results at all, nothing contradicts Unico's OK.
    ['PROCESS_STATE_FINISHED', 'PROCESS_RESULT_OK', { status: 'COMPLETED', decision: 'APPROVED' }],
    ['PROCESS_STATE_FINISHED', 'PROCESS_RESULT_INVALID_IDENTITY', { status: 'COMPLETED', decision: 'REJECTED' }],
    ['PROCESS_STATE_FINISHED', 'PROCESS_RESULT_EXPIRED', { status: 'EXPIRED' }],
    ['PROCESS_STATE_FINISHED', 'PROCESS_RESULT_ERROR', { status: 'FAILED' }],
    ['PROCESS_STATE_FINISHED', 'PROCESS_RESULT_UNSPECIFIED', undefined],
    ['PROCESS_STATE_FINISHED', undefined, undefined],
    [
      'PROCESS_STATE_FINISHED',
      'PROCESS_RESULT_SOMETHING_NEW',
      { status: 'ACTION_REQUIRED', attention: 'unknown_result', unknownWord: 'PROCESS_RESULT_SOMETHING_NEW' },
    ],
    // State first: a failed process is FAILED whatever its result says.
    ['PROCESS_STATE_FAILED', 'PROCESS_RESULT_OK', { status: 'FAILED' }],
    ['PROCESS_STATE_FAILED', undefined, { status: 'FAILED' }],
    ['PROCESS_STATE_CREATED', 'PROCESS_RESULT_UNSPECIFIED', { status: 'PENDING' }],
    ['PROCESS_STATE_CREATED', 'PROCESS_RESULT_OK', { status: 'PENDING' }],
    [
      'PROCESS_STATE_UNSPECIFIED',
      'PROCESS_RESULT_OK',
      { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'PROCESS_STATE_UNSPECIFIED' },
    ],
  ])('GetProcess %s / %s', (state, result, meaning) => {
    expect(unicoProcessMeaning(state, result)).toEqual(meaning);
  });

  // Unico's decision table (devcenter.unico.io, by Unico API, "Response Scenarios"): Approve only
  // when the face is live and belongs to the CPF holder; Retry and Reprove rows as Unico suggests.
  const auth = (liveness: string, authentication: string, fraudsters?: string, score?: number) => ({
    livenessResult: `LIVENESS_RESULT_${liveness}`,
    authenticationResult: `AUTHENTICATION_RESULT_${authentication}`,
    ...(fraudsters ? { identityFraudstersResult: `IDENTITY_FRAUDSTERS_RESULT_${fraudsters}` } : {}),
    ...(score === undefined
      ? { scoreEngineResult: { scoreEnabled: 'SCORE_ENABLED_FALSE', score: 0 } }
      : { scoreEngineResult: { scoreEnabled: 'SCORE_ENABLED_TRUE', score } }),
  });
  it.each<[string, string, ReturnType<typeof auth> | undefined, CanonicalMeaning]>([
    ['clear positive', 'PROCESS_RESULT_OK', auth('LIVE', 'POSITIVE'), { status: 'COMPLETED', decision: 'APPROVED' }],
    [
      'positive, fraudster base says INCONCLUSIVE',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'POSITIVE', 'INCONCLUSIVE'),
      { status: 'COMPLETED', decision: 'APPROVED' },
    ],
    [
      'positive but a fraudster-base hit',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'POSITIVE', 'YES'),
      { status: 'COMPLETED', decision: 'REVIEW' },
    ],
    [
      'positive but suspicious behaviour',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'POSITIVE', 'SUSPICIOUS'),
      { status: 'COMPLETED', decision: 'REVIEW' },
    ],
    [
      'liveness UNSPECIFIED (Retry)',
      'PROCESS_RESULT_OK',
      auth('UNSPECIFIED', 'POSITIVE'),
      { status: 'COMPLETED', decision: 'RESUBMIT' },
    ],
    [
      'identity verification UNSPECIFIED (Retry)',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'UNSPECIFIED'),
      { status: 'COMPLETED', decision: 'RESUBMIT' },
    ],
    [
      'inconclusive, inconclusive, score=0 (Retry)',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'INCONCLUSIVE', 'INCONCLUSIVE', 0),
      { status: 'COMPLETED', decision: 'RESUBMIT' },
    ],
    [
      'inconclusive with a fraudster-base hit, score<0 (Reprove)',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'INCONCLUSIVE', 'YES', -40),
      { status: 'COMPLETED', decision: 'REJECTED' },
    ],
    [
      'inconclusive with a fraudster-base hit, no score (Reprove)',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'INCONCLUSIVE', 'YES'),
      { status: 'COMPLETED', decision: 'REJECTED' },
    ],
    [
      'inconclusive, inconclusive, score<0 (Reprove)',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'INCONCLUSIVE', 'INCONCLUSIVE', -10),
      { status: 'COMPLETED', decision: 'REJECTED' },
    ],
    [
      'inconclusive, score>0 (not in the captured table: a human decides)',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'INCONCLUSIVE', 'INCONCLUSIVE', 70),
      { status: 'COMPLETED', decision: 'REVIEW' },
    ],
    [
      'inconclusive without a risk score',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'INCONCLUSIVE'),
      { status: 'COMPLETED', decision: 'REVIEW' },
    ],
    [
      'OK but NOT_LIVE',
      'PROCESS_RESULT_OK',
      auth('NOT_LIVE', 'POSITIVE'),
      { status: 'COMPLETED', decision: 'REJECTED' },
    ],
    ['OK but NEGATIVE', 'PROCESS_RESULT_OK', auth('LIVE', 'NEGATIVE'), { status: 'COMPLETED', decision: 'REJECTED' }],
    [
      'an authentication word Unico adds later',
      'PROCESS_RESULT_OK',
      auth('LIVE', 'SOMETHING_NEW'),
      {
        status: 'ACTION_REQUIRED',
        attention: 'unknown_sub_result',
        unknownWord: 'AUTHENTICATION_RESULT_SOMETHING_NEW',
      },
    ],
    [
      'invalid identity: NOT_LIVE (Reprove)',
      'PROCESS_RESULT_INVALID_IDENTITY',
      auth('NOT_LIVE', 'UNSPECIFIED'),
      { status: 'COMPLETED', decision: 'REJECTED' },
    ],
    [
      'invalid identity: NEGATIVE (Reprove)',
      'PROCESS_RESULT_INVALID_IDENTITY',
      auth('LIVE', 'NEGATIVE'),
      { status: 'COMPLETED', decision: 'REJECTED' },
    ],
    [
      'invalid identity: LIVE, UNSPECIFIED (Retry: risk-score discrepancy)',
      'PROCESS_RESULT_INVALID_IDENTITY',
      auth('LIVE', 'UNSPECIFIED'),
      { status: 'COMPLETED', decision: 'RESUBMIT' },
    ],
  ])('GetProcess FINISHED, authenticationInfo: %s', (_name, result, info, meaning) => {
    expect(unicoProcessMeaning('PROCESS_STATE_FINISHED', result, info)).toEqual(meaning);
  });

  it.each<[string, CanonicalMeaning]>([
    ['PROCESS_STATE_FINISHED', { status: 'SUBMITTED', retrieve: true }],
    ['PROCESS_STATE_FAILED', { status: 'SUBMITTED', retrieve: true }],
    ['PROCESS_STATE_CREATED', { status: 'PENDING' }],
    // The webhook vocabulary is not GetProcess's: a PROCESS_RESULT_* word is no webhook state.
    ['PROCESS_RESULT_OK', { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'PROCESS_RESULT_OK' }],
    ['finished', { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'finished' }],
  ])('webhook state %s', (state, meaning) => {
    expect(unicoWebhookStateMeaning(state)).toEqual(meaning);
  });

  it('ships a reaction for every documented lastEvent, none of them a verdict', () => {
    expect(Object.keys(DEFAULT_UNICO_EVENTS).sort()).toEqual(
      [
        'EVENT_TYPE_PROCESS_CREATED',
        'EVENT_TYPE_QR_CODE_READ',
        'EVENT_TYPE_PROCESS_STARTED_BY_USER',
        'EVENT_TYPE_IDENTITY_VALIDATION_STEP_FINISHED',
        'EVENT_TYPE_DOCUMENT_STEP_STARTED',
        'EVENT_TYPE_DOCUMENT_PHOTO_CAPTURED',
        'EVENT_TYPE_DOCUMENT_UPLOADED_FROM_GALLERY',
        'EVENT_TYPE_DOCUMENT_STEP_FINISHED',
        'EVENT_TYPE_SESSION_ENDED',
        'EVENT_TYPE_ERROR_ON_DOCUMENT_STEP',
      ].sort(),
    );
    expect(DEFAULT_UNICO_EVENTS.EVENT_TYPE_PROCESS_CREATED).toEqual({ status: 'PENDING' });
    expect(DEFAULT_UNICO_EVENTS.EVENT_TYPE_SESSION_ENDED).toEqual({ status: 'IN_PROGRESS', retrieve: true });
    expect(Object.values(DEFAULT_UNICO_EVENTS).every((m) => !('decision' in m) && m.status !== 'COMPLETED')).toBe(true);
  });
});

describe('unico settings', () => {
  it('has documented defaults', () => {
    expect(unico.defaults).toEqual({
      apiBaseUrl: 'https://api.idcloud.unico.app',
      callbackGrace: '30m',
      pollSchedule: '15m,30m,1h,2h,4h,8h,12h',
      expiresAfter: '7d',
    });
    const settings = readSettings({});
    expect(settings).toMatchObject({
      authUrl: 'https://identity.acesso.io/oauth2/token',
      authAudience: 'https://identity.acesso.io',
      serviceAccount: '',
      privateKey: undefined,
    });
    expect(settings.events).toEqual(DEFAULT_UNICO_EVENTS);
    const sandbox = readSettings({ UNICO_AUTH_URL: 'https://identityhomolog.acesso.io/oauth2/token' });
    expect(sandbox.authAudience).toBe('https://identityhomolog.acesso.io');
    const config = loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: 'unico' });
    expect(config.providers.unico!.policy.expiresAfterMs).toBe(7 * 86_400_000);
    expect(config.devDefaults).toEqual(['UNICO_WEBHOOK_AUTH', 'UNICO_SERVICE_ACCOUNT', 'UNICO_PRIVATE_KEY']);
  });

  describe('lastEvent table (UNICO_EVENTS, UNICO_EVENTS_FILE)', () => {
    const file = join(__dirname, '../fixtures/unico/events.json');

    it('adds new events and overrides shipped ones, entry by entry; the variable beats the file', () => {
      const events: UnicoEventTable = readSettings({
        UNICO_EVENTS_FILE: file,
        UNICO_EVENTS:
          '{"EVENT_TYPE_LIVENESS_CAPTURED":{"status":"SUBMITTED"},"EVENT_TYPE_QR_CODE_READ":{"status":"PENDING"}}',
      }).events;
      expect(events.EVENT_TYPE_LIVENESS_CAPTURED).toEqual({ status: 'SUBMITTED' });
      expect(events.EVENT_TYPE_MANUAL_REVIEW_FINISHED).toEqual({ status: 'SUBMITTED', retrieve: true });
      expect(events.EVENT_TYPE_QR_CODE_READ).toEqual({ status: 'PENDING' });
      // `{}` turns a shipped reaction off; the others stay.
      expect(events.EVENT_TYPE_ERROR_ON_DOCUMENT_STEP).toEqual({});
      expect(events.EVENT_TYPE_DOCUMENT_STEP_STARTED).toEqual({ status: 'IN_PROGRESS' });
    });

    it.each<[string, Record<string, string>, string, RegExp]>([
      ['JSON that does not parse', { UNICO_EVENTS: '{EVENT_TYPE_X: 1' }, 'UNICO_EVENTS', /not valid JSON/],
      [
        'an unknown status',
        { UNICO_EVENTS: '{"EVENT_TYPE_X":{"status":"DONE"}}' },
        'UNICO_EVENTS',
        /EVENT_TYPE_X\.status/,
      ],
      ['a verdict', { UNICO_EVENTS: '{"EVENT_TYPE_X":{"status":"COMPLETED"}}' }, 'UNICO_EVENTS', /retrieve/],
      ['a misspelt field', { UNICO_EVENTS: '{"EVENT_TYPE_X":{"staus":"PENDING"}}' }, 'UNICO_EVENTS', /EVENT_TYPE_X/],
      [
        'retrieve that is not a boolean',
        { UNICO_EVENTS: '{"EVENT_TYPE_X":{"retrieve":"yes"}}' },
        'UNICO_EVENTS',
        /retrieve/,
      ],
      ['a list instead of a map', { UNICO_EVENTS: '["EVENT_TYPE_X"]' }, 'UNICO_EVENTS', /record|object/],
      [
        'a file that does not exist',
        { UNICO_EVENTS_FILE: '/nonexistent/unico-events.json' },
        'UNICO_EVENTS_FILE',
        /ENOENT/,
      ],
    ])('stops start-up on %s, naming the variable', (_what, env, variable, problem) => {
      const err = thrown<ConfigError>(() => loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: 'unico', ...env }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.variable).toBe(variable);
      expect(err.message).toMatch(problem);
    });

    it('stops start-up on a file with a bad entry', () => {
      const dir = mkdtempSync(join(tmpdir(), 'unico-events-'));
      const bad = join(dir, 'events.json');
      writeFileSync(bad, JSON.stringify({ EVENT_TYPE_X: { status: 'NOPE' } }));
      const err = thrown<ConfigError>(() => loadConfig({ ...DEV_DEFAULTS, UNICO_EVENTS_FILE: bad }));
      expect(err.variable).toBe('UNICO_EVENTS_FILE');
    });
  });

  describe('service-account key', () => {
    const { pem } = rsaPem();

    it('reads a PEM from UNICO_PRIVATE_KEY, also with \\n escapes, or from UNICO_PRIVATE_KEY_FILE', () => {
      expect(readSettings({ UNICO_PRIVATE_KEY: pem }).privateKey?.asymmetricKeyType).toBe('rsa');
      expect(readSettings({ UNICO_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }).privateKey?.asymmetricKeyType).toBe('rsa');
      const dir = mkdtempSync(join(tmpdir(), 'unico-key-'));
      writeFileSync(join(dir, 'key.pem'), pem);
      const env = new EnvReader({ UNICO_PRIVATE_KEY_FILE: join(dir, 'key.pem') });
      expect(
        unico.readSettings(env, { apiBaseUrl: 'https://x.test', production: false }).privateKey?.asymmetricKeyType,
      ).toBe('rsa');
      expect(env.devDefaults).not.toContain('UNICO_PRIVATE_KEY');
    });

    it('never prints the key material', () => {
      const settings = readSettings({ UNICO_PRIVATE_KEY: pem });
      expect(JSON.stringify(settings)).not.toMatch(/PRIVATE KEY|MII/);
    });

    it.each<[string, Record<string, string>, string]>([
      ['a value that is not a key', { UNICO_PRIVATE_KEY: 'not-a-key' }, 'UNICO_PRIVATE_KEY'],
      [
        'an EC key (Unico needs RS256)',
        {
          UNICO_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
        },
        'UNICO_PRIVATE_KEY',
      ],
      [
        'both the key and a key file',
        { UNICO_PRIVATE_KEY: pem, UNICO_PRIVATE_KEY_FILE: '/x.pem' },
        'UNICO_PRIVATE_KEY_FILE',
      ],
      ['a key file that does not exist', { UNICO_PRIVATE_KEY_FILE: '/nonexistent/key.pem' }, 'UNICO_PRIVATE_KEY_FILE'],
    ])('stops start-up on %s', (_what, env, variable) => {
      const err = thrown<ConfigError>(() => readSettings(env));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.variable).toBe(variable);
      expect(err.message).not.toContain('BEGIN');
    });

    it('refuses missing credentials in production', () => {
      const base = {
        NODE_ENV: 'production',
        TEMPORAL_ADDRESS: '127.0.0.1:7233',
        KYC_PROVIDERS: 'unico',
        UNICO_WEBHOOK_AUTH: 'bearer:s3cret',
      };
      expect(thrown<ConfigError>(() => loadConfig(base)).variable).toBe('UNICO_SERVICE_ACCOUNT');
      const withAccount = { ...base, UNICO_SERVICE_ACCOUNT: 'svc@tenant.iam.acesso.io' };
      expect(thrown<ConfigError>(() => loadConfig(withAccount)).variable).toBe('UNICO_PRIVATE_KEY');
      expect(loadConfig({ ...withAccount, UNICO_PRIVATE_KEY: pem }).providers.unico!.id).toBe('unico');
    });
  });
});

describe('unico retrieval client against the simulator', () => {
  const keys = rsaPem();
  let sim: UnicoSimulator;

  beforeAll(async () => {
    sim = await startUnicoSimulator({ publicKey: keys.publicKey });
  });
  afterAll(async () => {
    await sim?.close();
  });

  const settings = (env: Record<string, string> = {}): UnicoSettings =>
    readSettings(
      { UNICO_AUTH_URL: sim.authUrl, UNICO_SERVICE_ACCOUNT: sim.serviceAccount, UNICO_PRIVATE_KEY: keys.pem, ...env },
      sim.url,
    );
  const client = (env: Record<string, string> = {}) => createUnicoRetrievalClient(settings(env));
  const newProcess = (script: Parameters<UnicoSimulator['script']>[1]): string => {
    const id = randomUUID();
    sim.script(id, script);
    return id;
  };

  it('reads an approved process (live, positive) as a poll event, keeping none of the personal data', async () => {
    const id = newProcess({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK' });
    const event = await client().retrieve(id, {});
    expect(event).toEqual({
      provider: 'unico',
      reference: id,
      providerStatus: 'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK',
      source: 'poll',
      dedupKey: 'poll:PROCESS_STATE_FINISHED/PROCESS_RESULT_OK',
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
      detail: 'flow:id liveness:LIVE auth:POSITIVE',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
    });
    const text = JSON.stringify(event);
    expect(text).not.toContain(SIMULATED_PERSON.duiValue);
    expect(text).not.toContain(SIMULATED_PERSON.friendlyName);
  });

  it.each<[string, string | undefined, string, CanonicalMeaning]>([
    [
      'PROCESS_STATE_FINISHED',
      'PROCESS_RESULT_INVALID_IDENTITY',
      'PROCESS_STATE_FINISHED/PROCESS_RESULT_INVALID_IDENTITY',
      { status: 'COMPLETED', decision: 'REJECTED' },
    ],
    [
      'PROCESS_STATE_FINISHED',
      'PROCESS_RESULT_EXPIRED',
      'PROCESS_STATE_FINISHED/PROCESS_RESULT_EXPIRED',
      { status: 'EXPIRED' },
    ],
    [
      'PROCESS_STATE_FINISHED',
      'PROCESS_RESULT_ERROR',
      'PROCESS_STATE_FINISHED/PROCESS_RESULT_ERROR',
      { status: 'FAILED' },
    ],
    ['PROCESS_STATE_FAILED', 'PROCESS_RESULT_ERROR', 'PROCESS_STATE_FAILED/PROCESS_RESULT_ERROR', { status: 'FAILED' }],
    ['PROCESS_STATE_CREATED', undefined, 'PROCESS_STATE_CREATED', { status: 'PENDING' }],
  ])('reads %s / %s', async (state, result, providerStatus, meaning) => {
    const id = newProcess({ state, ...(result ? { result } : {}) });
    const event = await client().retrieve(id, {});
    expect(event.providerStatus).toBe(providerStatus);
    expect(event.meaning).toEqual(meaning);
    expect(event.occurredAt === undefined).toBe(state === 'PROCESS_STATE_CREATED');
  });

  it('reads authenticationInfo: an OK whose authentication is inconclusive with a fraudster hit is REJECTED', async () => {
    const id = newProcess({
      state: 'PROCESS_STATE_FINISHED',
      result: 'PROCESS_RESULT_OK',
      // A flow with the fraudster base and the risk score: every sub-result below counts.
      flow: 'idchecktrust',
      authenticationInfo: {
        authenticationResult: 'AUTHENTICATION_RESULT_INCONCLUSIVE',
        livenessResult: 'LIVENESS_RESULT_LIVE',
        identityFraudstersResult: 'IDENTITY_FRAUDSTERS_RESULT_YES',
        scoreEngineResult: { scoreEnabled: 'SCORE_ENABLED_TRUE', score: -50 },
      },
    });
    const event = await client().retrieve(id, {});
    expect(event.providerStatus).toBe('PROCESS_STATE_FINISHED/PROCESS_RESULT_OK');
    expect(event.meaning).toEqual({ status: 'COMPLETED', decision: 'REJECTED' });
    // The sub-results are kept as a label for the timeline (no personal data in them).
    expect(event.detail).toBe('flow:idchecktrust liveness:LIVE auth:INCONCLUSIVE fraudsters:YES score:-50');
  });

  it('reads an OK whose authentication is inconclusive (no risk score) as REVIEW, never APPROVED', async () => {
    const id = newProcess({
      state: 'PROCESS_STATE_FINISHED',
      result: 'PROCESS_RESULT_OK',
      authenticationInfo: {
        authenticationResult: 'AUTHENTICATION_RESULT_INCONCLUSIVE',
        livenessResult: 'LIVENESS_RESULT_LIVE',
      },
    });
    expect((await client().retrieve(id, {})).meaning).toEqual({ status: 'COMPLETED', decision: 'REVIEW' });
  });

  it('says the result is pending while a finished process has no result yet', async () => {
    const id = newProcess({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_UNSPECIFIED' });
    expect((await rejection(client().retrieve(id, {}))).failureType).toBe(ProviderFailure.ResultPending);
  });

  it('signs an RS256 assertion with exactly the documented claims, and caches the token', async () => {
    const before = { tokens: sim.tokensIssued(), assertions: sim.assertions.length };
    const c = client();
    const id = newProcess({ state: 'PROCESS_STATE_CREATED' });
    await Promise.all([c.retrieve(id, {}), c.retrieve(id, {})]);
    await c.retrieve(id, {});
    expect(sim.tokensIssued() - before.tokens).toBe(1);
    const { header, claims } = sim.assertions[before.assertions]!;
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'scope']);
    expect(claims).toMatchObject({ iss: sim.serviceAccount, aud: sim.url, scope: '*' });
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(3600);
    expect(Math.abs(Number(claims.iat) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('fetches a fresh token once when Unico answers 401 (revoked token), then succeeds', async () => {
    const c = client();
    const id = newProcess({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK' });
    await c.retrieve(id, {});
    const tokens = sim.tokensIssued();
    sim.revokeTokens();
    expect((await c.retrieve(id, {})).meaning.decision).toBe('APPROVED');
    expect(sim.tokensIssued()).toBe(tokens + 1);
  });

  it('renews the token before it expires', async () => {
    const shortLived = await startUnicoSimulator({ publicKey: keys.publicKey, tokenLifetimeSeconds: 1 });
    try {
      const c = createUnicoRetrievalClient(
        readSettings(
          {
            UNICO_AUTH_URL: shortLived.authUrl,
            UNICO_SERVICE_ACCOUNT: shortLived.serviceAccount,
            UNICO_PRIVATE_KEY: keys.pem,
          },
          shortLived.url,
        ),
      );
      const id = randomUUID();
      shortLived.script(id, { state: 'PROCESS_STATE_CREATED' });
      await c.retrieve(id, {});
      await c.retrieve(id, {});
      expect(shortLived.tokensIssued()).toBe(1);
      await new Promise((r) => setTimeout(r, 600));
      await c.retrieve(id, {});
      expect(shortLived.tokensIssued()).toBe(2);
    } finally {
      await shortLived.close();
    }
  });

  it('classifies scripted faults: 5xx unavailable, 429 rate limited with Retry-After, 404 not ready, then the answer', async () => {
    const c = client();
    const id = newProcess({
      state: 'PROCESS_STATE_FINISHED',
      result: 'PROCESS_RESULT_INVALID_IDENTITY',
      faults: { serverError: 1, rateLimited: 1, notFound: 1 },
    });
    const outage = await rejection(c.retrieve(id, {}));
    expect([outage.failureType, outage.httpStatus]).toEqual([ProviderFailure.Unavailable, 503]);
    const limited = await rejection(c.retrieve(id, {}));
    expect([limited.failureType, limited.retryAfterMs]).toEqual([ProviderFailure.RateLimited, 1000]);
    expect((await rejection(c.retrieve(id, {}))).failureType).toBe(ProviderFailure.NotReady);
    expect((await c.retrieve(id, {})).meaning).toEqual({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(sim.processGets(id)).toBe(4);
  });

  it('treats an unknown process as not ready (Unico answers 404)', async () => {
    expect((await rejection(client().retrieve(randomUUID(), {}))).failureType).toBe(ProviderFailure.NotReady);
  });

  it.each<[string, unknown]>([
    ['an answer without process.state', { process: { id: 'x' } }],
    ['an answer that is not an object', ['PROCESS_STATE_FINISHED']],
  ])('refuses %s as a bad response, never a verdict', async (_what, body) => {
    const id = newProcess({ state: 'PROCESS_STATE_FINISHED', body });
    expect((await rejection(client().retrieve(id, {}))).failureType).toBe(ProviderFailure.BadResponse);
  });

  it('refuses an answer about another process', async () => {
    const other = randomUUID();
    const id = newProcess({
      state: 'PROCESS_STATE_FINISHED',
      body: { process: { id: other, state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK' } },
    });
    expect((await rejection(client().retrieve(id, {}))).failureType).toBe(ProviderFailure.BadResponse);
  });

  it('is "not configured" without a service account or key, and calls nothing', async () => {
    const requests = sim.requests.length;
    expect((await rejection(client({ UNICO_SERVICE_ACCOUNT: '' }).retrieve(PROCESS_ID, {}))).failureType).toBe(
      ProviderFailure.NotConfigured,
    );
    expect((await rejection(client({ UNICO_PRIVATE_KEY: '' }).retrieve(PROCESS_ID, {}))).failureType).toBe(
      ProviderFailure.NotConfigured,
    );
    expect(sim.requests.length).toBe(requests);
  });

  it.each<[string, () => Record<string, string>]>([
    ['a key Unico does not know', () => ({ UNICO_PRIVATE_KEY: rsaPem().pem })],
    ['the wrong audience', () => ({ UNICO_AUTH_AUDIENCE: 'https://identityhomolog.acesso.io' })],
    ['another service account', () => ({ UNICO_SERVICE_ACCOUNT: 'someone@else.iam.acesso.io' })],
  ])('reports a refused assertion (%s) as an auth failure, asking the token endpoint once', async (_what, env) => {
    const id = newProcess({ state: 'PROCESS_STATE_CREATED' });
    const tokenCalls = () => sim.requests.filter((r) => r === 'POST /oauth2/token').length;
    const before = tokenCalls();
    const err = await rejection(client(env()).retrieve(id, {}));
    expect([err.failureType, err.httpStatus]).toEqual([ProviderFailure.AuthRejected, 401]);
    expect(tokenCalls() - before).toBe(1);
    expect(sim.processGets(id)).toBe(0);
  });

  it('simulator: refuses an assertion with extra claims (Unico error 1.2.22) and other grants', async () => {
    const claims = { ...assertionClaims(sim.serviceAccount, sim.audience, Date.now()), sub: 'extra' };
    const post = (form: Record<string, string>) =>
      fetch(sim.authUrl, { method: 'POST', body: new URLSearchParams(form) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, string>,
      }));
    const extra = await post({
      grant_type: JWT_BEARER_GRANT,
      assertion: signAssertion(claims as never, keys.privateKey),
    });
    expect(extra.status).toBe(400);
    expect(extra.body.error_description).toMatch(/1\.2\.22.*sub/);
    const tooLong = { ...assertionClaims(sim.serviceAccount, sim.audience, Date.now()) };
    tooLong.exp = tooLong.iat + 7200;
    expect(
      (await post({ grant_type: JWT_BEARER_GRANT, assertion: signAssertion(tooLong, keys.privateKey) })).status,
    ).toBe(401);
    expect((await post({ grant_type: 'client_credentials' })).status).toBe(400);
  });
});

describe('unico webhook auth helpers', () => {
  const request = (headers: Record<string, string>) =>
    ({
      ip: '203.0.113.9',
      get: (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
    }) as unknown as Request;

  it.each<[string, UnicoWebhookAuth, Record<string, string>]>([
    ['Bearer token', { kind: 'bearer', token: 'tok-1' }, { Authorization: 'Bearer tok-1' }],
    [
      'Basic user:pass',
      { kind: 'basic', user: 'unico', password: 'p4ss' },
      { Authorization: `Basic ${Buffer.from('unico:p4ss').toString('base64')}` },
    ],
    ['API key header:value', { kind: 'apiKey', key: 'X-API-Key:abc123' }, { 'X-API-Key': 'abc123' }],
    [
      'API key with a scheme',
      { kind: 'apiKey', key: 'Authorization:Bearer abc123' },
      { Authorization: 'Bearer abc123' },
    ],
    ['API key value only', { kind: 'apiKey', key: 'abc123' }, { Authorization: 'abc123' }],
  ])('%s: the headers Unico sends pass the matching UNICO_WEBHOOK_AUTH, and others do not', (_what, auth, headers) => {
    expect(unicoWebhookHeaders(auth)).toEqual(headers);
    const rules = parseWebhookAuth('UNICO_WEBHOOK_AUTH', unicoWebhookAuthSpec(auth));
    expect(() => authenticate(request(headers), rules)).not.toThrow();
    expect(() => authenticate(request({}), rules)).toThrow(/credentials/);
    const wrong = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, `${v}x`]));
    expect(() => authenticate(request(wrong), rules)).toThrow(/credentials/);
  });
});

describe('unico fraud flag: both spellings, never APPROVED', () => {
  const idtrust = unicoFlowOf(DEFAULT_UNICO_FLOWS, { flow: 'idtrust' });
  const finished = (info: Record<string, string>, flow = idtrust) =>
    unicoProcessMeaning('PROCESS_STATE_FINISHED', 'PROCESS_RESULT_OK', info, flow);
  const live = { livenessResult: 'LIVENESS_RESULT_LIVE' };

  it.each(['TRUST_RESULT_YES', 'IDENTITY_FRAUDSTERS_RESULT_YES', 'IDENTITY_FRAUDSTERS_RESULT_SUSPICIOUS'])(
    'a positive live face with fraudster hit %s is REVIEW',
    (hit) => {
      expect(
        finished({ ...live, authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE', identityFraudstersResult: hit }),
      ).toEqual({ status: 'COMPLETED', decision: 'REVIEW' });
    },
  );

  it("GetProcess's TRUST_RESULT_YES is a hit whatever the flow says it used, and with no flow named", () => {
    const info = {
      ...live,
      authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE',
      identityFraudstersResult: 'TRUST_RESULT_YES',
    };
    for (const flow of [unicoFlowOf(DEFAULT_UNICO_FLOWS, { flow: 'id' }), unicoFlowOf(DEFAULT_UNICO_FLOWS, {})]) {
      expect(finished(info, flow)).toEqual({ status: 'COMPLETED', decision: 'REVIEW' });
    }
  });

  it("an inconclusive face with a TRUST_RESULT_YES hit is REJECTED (the table's Reprove)", () => {
    expect(
      finished({
        ...live,
        authenticationResult: 'AUTHENTICATION_RESULT_INCONCLUSIVE',
        identityFraudstersResult: 'TRUST_RESULT_YES',
      }),
    ).toEqual({ status: 'COMPLETED', decision: 'REJECTED' });
  });

  it('the face seen with another ID (faceWithOtherIdResult YES) is a hit too', () => {
    expect(
      finished({
        ...live,
        authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE',
        faceWithOtherIdResult: 'TRUST_RESULT_YES',
      }),
    ).toEqual({ status: 'COMPLETED', decision: 'REVIEW' });
  });

  it.each([
    'TRUST_RESULT_NO',
    'TRUST_RESULT_INCONCLUSIVE',
    'TRUST_RESULT_UNSPECIFIED',
    'IDENTITY_FRAUDSTERS_RESULT_NO',
  ])('%s is no hit', (word) => {
    expect(
      finished({ ...live, authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE', identityFraudstersResult: word }),
    ).toEqual({ status: 'COMPLETED', decision: 'APPROVED' });
  });

  it('a fraudster word Unico adds later, in a flow that uses the base, is an unknown word', () => {
    expect(
      finished({
        ...live,
        authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE',
        identityFraudstersResult: 'TRUST_RESULT_MAYBE',
      }),
    ).toEqual({ status: 'ACTION_REQUIRED', attention: 'unknown_sub_result', unknownWord: 'TRUST_RESULT_MAYBE' });
  });
});

describe('unico flows: only the capabilities a flow uses are read', () => {
  const flow = (names: Parameters<typeof unicoFlowOf>[1]) => unicoFlowOf(DEFAULT_UNICO_FLOWS, names);
  const idlive = fixture('getprocess-idlive.docs.json') as {
    process: { authenticationInfo: Record<string, unknown>; capacities: string[] };
  };

  it('PROCESS_RESULT_OK with no authenticationInfo (no capability answered) is APPROVED, whatever the flow', () => {
    for (const names of [{ flow: 'id' }, { flow: 'creditoconsignado' }, {}]) {
      expect(unicoProcessMeaning('PROCESS_STATE_FINISHED', 'PROCESS_RESULT_OK', undefined, flow(names))).toEqual({
        status: 'COMPLETED',
        decision: 'APPROVED',
      });
    }
  });

  it("Unico's idlive example (live, authentication UNSPECIFIED because not used) is APPROVED", () => {
    expect(
      unicoProcessMeaning(
        'PROCESS_STATE_FINISHED',
        'PROCESS_RESULT_OK',
        idlive.process.authenticationInfo,
        flow({ flow: 'idlive', capacities: idlive.process.capacities }),
      ),
    ).toEqual({ status: 'COMPLETED', decision: 'APPROVED' });
  });

  it("the same sub-results from flow id (which uses authentication) are the table's Retry", () => {
    expect(
      unicoProcessMeaning(
        'PROCESS_STATE_FINISHED',
        'PROCESS_RESULT_OK',
        idlive.process.authenticationInfo,
        flow({ flow: 'id', capacities: idlive.process.capacities }),
      ),
    ).toEqual({ status: 'COMPLETED', decision: 'RESUBMIT' });
  });

  it('reads the flow from GetProcess first, then its capacities, then the webhook (context)', () => {
    expect(flow({ flow: 'idlive', contextFlow: 'id' })).toMatchObject({ kind: 'known', name: 'idlive' });
    expect(flow({ capacities: ['PROCESS_CAPACITY_IDLIVE'], contextFlow: 'id' })).toMatchObject({
      kind: 'known',
      name: 'PROCESS_CAPACITY_IDLIVE',
    });
    expect(flow({ contextFlow: 'idlive' })).toMatchObject({ kind: 'known', name: 'idlive' });
    expect(flow({ flow: 'idsmart', contextFlow: 'idlive' })).toEqual({ kind: 'unknown', name: 'idsmart' });
    expect(flow({ capacities: ['PROCESS_CAPACITY_NEW'] })).toEqual({ kind: 'unknown', name: 'PROCESS_CAPACITY_NEW' });
    expect(flow({})).toEqual({ kind: 'unnamed' });
    // Object.prototype names are no flows.
    expect(flow({ flow: 'constructor' })).toEqual({ kind: 'unknown', name: 'constructor' });
  });

  it('an unknown flow: a clear positive is APPROVED, a negative decides, an UNSPECIFIED asks a human (unknown_flow)', () => {
    const unknown = flow({ flow: 'idsmart' });
    const ok = (info: Record<string, string>) =>
      unicoProcessMeaning('PROCESS_STATE_FINISHED', 'PROCESS_RESULT_OK', info, unknown);
    expect(
      ok({ livenessResult: 'LIVENESS_RESULT_LIVE', authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE' }),
    ).toEqual({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(ok({ livenessResult: 'LIVENESS_RESULT_NOT_LIVE' })).toEqual({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(
      ok({ livenessResult: 'LIVENESS_RESULT_LIVE', authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED' }),
    ).toEqual({ status: 'ACTION_REQUIRED', attention: 'unknown_flow', unknownWord: 'idsmart' });
    expect(
      unicoProcessMeaning(
        'PROCESS_STATE_FINISHED',
        'PROCESS_RESULT_INVALID_IDENTITY',
        { livenessResult: 'LIVENESS_RESULT_LIVE', authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED' },
        unknown,
      ),
    ).toEqual({ status: 'ACTION_REQUIRED', attention: 'unknown_flow', unknownWord: 'idsmart' });
  });

  it('INVALID_IDENTITY: the Retry row (live, authentication UNSPECIFIED) only for a flow that uses authentication', () => {
    const info = { livenessResult: 'LIVENESS_RESULT_LIVE', authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED' };
    const invalid = (names: Parameters<typeof unicoFlowOf>[1]) =>
      unicoProcessMeaning('PROCESS_STATE_FINISHED', 'PROCESS_RESULT_INVALID_IDENTITY', info, flow(names));
    expect(invalid({ flow: 'id' })).toEqual({ status: 'COMPLETED', decision: 'RESUBMIT' });
    expect(invalid({ flow: 'idlive' })).toEqual({ status: 'COMPLETED', decision: 'REJECTED' });
  });

  it('a liveness word Unico adds later is an unknown word, never a guessed RESUBMIT', () => {
    expect(
      unicoProcessMeaning(
        'PROCESS_STATE_FINISHED',
        'PROCESS_RESULT_OK',
        { livenessResult: 'LIVENESS_RESULT_NEW' },
        flow({ flow: 'idlive' }),
      ),
    ).toEqual({ status: 'ACTION_REQUIRED', attention: 'unknown_sub_result', unknownWord: 'LIVENESS_RESULT_NEW' });
  });

  it('UNICO_FLOWS adds and corrects flows, and refuses a capability it does not know', () => {
    const settings = readSettings({
      UNICO_FLOWS: '{"idsmart": ["liveness"], "id": ["liveness", "authentication", "fraudsters"]}',
    });
    expect(settings.flows.idsmart).toEqual(['liveness']);
    expect(settings.flows.id).toEqual(['liveness', 'authentication', 'fraudsters']);
    expect(settings.flows.idlive).toEqual(['liveness']);
    expect(readSettings({}).flows).toEqual(DEFAULT_UNICO_FLOWS);
    expect(thrown<ConfigError>(() => readSettings({ UNICO_FLOWS: '{"idsmart": ["face"]}' })).message).toMatch(
      /^UNICO_FLOWS: idsmart\.0: /,
    );
    expect(thrown<ConfigError>(() => readSettings({ UNICO_FLOWS: 'idsmart=liveness' })).message).toMatch(
      /^UNICO_FLOWS: is not valid JSON/,
    );
  });
});

describe('unico webhook words: empty is absent, anything else is kept', () => {
  const parser = createUnicoCallbackParser({ ...DEFAULT_UNICO_EVENTS });

  it('reads "" for result, flow and lastEvent as absent, not as a refused word', () => {
    const { events } = parser.parse(
      { processId: PROCESS_ID, state: 'PROCESS_STATE_FINISHED', result: '', flow: '', lastEvent: '' },
      RECEIVED_AT,
    );
    expect(events).toEqual([
      {
        provider: 'unico',
        reference: PROCESS_ID,
        providerStatus: 'PROCESS_STATE_FINISHED',
        source: 'callback',
        dedupKey: 'callback:PROCESS_STATE_FINISHED',
        meaning: { status: 'SUBMITTED', retrieve: true },
      },
    ]);
  });

  it('a state longer than a word (61 characters) is an unknown word, not a 400', () => {
    const state = `PROCESS_STATE_${'X'.repeat(47)}`;
    expect(state).toHaveLength(61);
    const { events } = parser.parse({ processId: PROCESS_ID, state }, RECEIVED_AT);
    expect(events[0]!.meaning).toEqual({ status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: state });
  });

  it("keeps the webhook's flow in the context, for a GetProcess answer that names none", () => {
    const { events } = parser.parse(
      { processId: PROCESS_ID, state: 'PROCESS_STATE_FINISHED', flow: 'idlive', result: 'ok' },
      RECEIVED_AT,
    );
    expect(events[0]!.context).toEqual({ flow: 'idlive' });
  });
});

describe('unico flows against the simulator', () => {
  const keys = rsaPem();
  let sim: UnicoSimulator;
  beforeAll(async () => {
    sim = await startUnicoSimulator({ publicKey: keys.publicKey });
  });
  afterAll(async () => {
    await sim?.close();
  });
  const client = () =>
    createUnicoRetrievalClient(
      readSettings(
        { UNICO_AUTH_URL: sim.authUrl, UNICO_SERVICE_ACCOUNT: sim.serviceAccount, UNICO_PRIVATE_KEY: keys.pem },
        sim.url,
      ),
    );
  const newProcess = (script: Parameters<UnicoSimulator['script']>[1]): string => {
    const id = randomUUID();
    sim.script(id, script);
    return id;
  };

  it("reads Unico's idlive GetProcess example, served as it stands, as APPROVED", async () => {
    const body = fixture('getprocess-idlive.docs.json') as { process: { id: string } };
    sim.script(body.process.id, { state: 'PROCESS_STATE_FINISHED', body });
    const event = await client().retrieve(body.process.id, {});
    expect(event).toMatchObject({
      providerStatus: 'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK',
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
      detail: 'flow:idlive liveness:LIVE',
    });
  });

  it('the simulator plays the idlive flow with the same sub-results by default', async () => {
    const id = newProcess({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK', flow: 'idlive' });
    expect((await client().retrieve(id, {})).meaning).toEqual({ status: 'COMPLETED', decision: 'APPROVED' });
  });

  it('an answer that names no flow is read by the flow the webhook named (context)', async () => {
    const id = newProcess({
      state: 'PROCESS_STATE_FINISHED',
      result: 'PROCESS_RESULT_OK',
      flow: null,
      authenticationInfo: {
        livenessResult: 'LIVENESS_RESULT_LIVE',
        authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED',
      },
    });
    expect((await client().retrieve(id, { flow: 'idlive' })).meaning).toEqual({
      status: 'COMPLETED',
      decision: 'APPROVED',
    });
    // Without the webhook's flow, every capability counts: Unico's table says Retry.
    expect((await client().retrieve(id, {})).meaning).toEqual({ status: 'COMPLETED', decision: 'RESUBMIT' });
  });

  it.each([
    ['absent', { withoutAuthenticationInfo: true }],
    ['null', { authenticationInfo: null }],
  ])('PROCESS_RESULT_OK with authenticationInfo %s is APPROVED', async (_case, script) => {
    const id = newProcess({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK', ...script });
    expect((await client().retrieve(id, {})).meaning).toEqual({ status: 'COMPLETED', decision: 'APPROVED' });
  });

  it("a fraudster hit in GetProcess's TRUST_RESULT_* spelling is never APPROVED", async () => {
    const id = newProcess({
      state: 'PROCESS_STATE_FINISHED',
      result: 'PROCESS_RESULT_OK',
      flow: 'idtrust',
      authenticationInfo: {
        livenessResult: 'LIVENESS_RESULT_LIVE',
        authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE',
        identityFraudstersResult: 'TRUST_RESULT_YES',
      },
    });
    const event = await client().retrieve(id, {});
    expect(event.meaning).toEqual({ status: 'COMPLETED', decision: 'REVIEW' });
    expect(event.detail).toBe('flow:idtrust liveness:LIVE auth:POSITIVE fraudsters:YES');
  });
});
