import express from 'express';
import { ConfigError, loadConfig } from '../../../app-config';
import { canonicalReference, InvalidRequestError, validateStartRequest } from '../../../client';
import { ProviderFailure } from '../../../verification/provider-failure';
import { ProviderCallError } from '../../../providers/http';
import { createConcedusCallbackParser } from '../../../providers/concedus/callback';
import { createConcedusRetrievalClient, type ConcedusSettings } from '../../../providers/concedus/retrieval';
import { startConcedusSimulator, type ConcedusSimulator } from '../../../providers/concedus/testing/simulator';
import { CONCEDUS_VOCABULARY, concedusMeaning, parseStatusMap } from '../../../providers/concedus/vocabulary';
import { CallbackValidationError, type ParsedCallback } from '../../../providers/types';
import { serveOnLoopback } from '../../../testing/simulator-http';
import type { VerificationEvent } from '../../../verification/model';
import seeds from '../../../../test/fixtures/concedus/seed-examples.json';
import vendor from '../../../../test/fixtures/concedus/vendor-examples.json';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';

const parser = createConcedusCallbackParser();
const parse = (body: unknown): ParsedCallback => parser.parse(body, '2025-09-03T07:00:00.000Z');
/** The events of records about a person or an ident: each record's own verification (they join it, never start it). */
const joining = (result: ParsedCallback): VerificationEvent[] => (result.joinOnly ?? []).map((record) => record[0]!);

function validationIssues(body: unknown): { path: string; message: string }[] {
  try {
    parse(body);
  } catch (err) {
    if (err instanceof CallbackValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a CallbackValidationError');
}

describe('concedus callback parser', () => {
  describe("the seed's examples, as they stand", () => {
    it('legacy record with a customerKey: the customer is accepted', () => {
      const { events, rejected } = parse(seeds.legacyCustomer);
      expect(rejected).toEqual([]);
      expect(events).toEqual([
        {
          provider: 'concedus',
          reference: '885eb2cc-12d6-49dd-b52a-a6634f510e17',
          source: 'callback',
          providerStatus: 'complianceRecord:100',
          dedupKey: 'complianceRecord:f283d8c84766484892cf097db8c5e2b5:100:2025-09-03T06:38:08',
          meaning: { status: 'COMPLETED', decision: 'APPROVED' },
          // "modified" has no zone: read as UTC.
          occurredAt: '2025-09-03T06:38:08.000Z',
          context: { keyKind: 'customer' },
        },
      ]);
    });

    it('legacy record with a contractKey: the contract is accepted', () => {
      const [event] = parse(seeds.legacyContract).events;
      expect(event).toMatchObject({
        reference: 'contract:885eb2cc-12d6-49dd-b52a-a6634f510e17',
        meaning: { status: 'COMPLETED', decision: 'APPROVED' },
        context: { keyKind: 'contract' },
      });
    });

    it('the seeds reuse one UUID for a customer and a contract: two verifications, never merged', () => {
      const customer = parse(seeds.legacyCustomer).events[0]!;
      const contract = parse(seeds.legacyContract).events[0]!;
      expect(customer.context?.keyKind).toBe('customer');
      expect(contract.context?.keyKind).toBe('contract');
      // The customer keeps the plain key; the contract's kind is part of its identity.
      expect(customer.reference).toBe('885eb2cc-12d6-49dd-b52a-a6634f510e17');
      expect(contract.reference).toBe('contract:885eb2cc-12d6-49dd-b52a-a6634f510e17');
      // A person or ident with that same value is yet another verification.
      const person = joining(parse([{ topic: 'identResult', personKey: customer.reference, status: 'success' }]))[0]!;
      const ident = joining(parse([{ topic: 'identResult', identId: customer.reference, status: 'success' }]))[0]!;
      expect(new Set([customer, contract, person, ident].map((e) => e.reference)).size).toBe(4);
      expect(person.reference).toBe('person:885eb2cc-12d6-49dd-b52a-a6634f510e17');
      expect(ident.reference).toBe('ident:885eb2cc-12d6-49dd-b52a-a6634f510e17');
    });

    it('complianceRecord topic: same event as the legacy format, same dedup key', () => {
      const { events } = parse(seeds.topicComplianceRecord);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        reference: '92561303-8e1d-4b71-9537-d7c8d6163ccc',
        providerStatus: 'complianceRecord:100',
        occurredAt: '2025-09-03T06:36:49.000Z',
        context: { keyKind: 'customer' },
      });
      const legacy = parse([seeds.topicComplianceRecord[0]!.complianceRecord[0]]).events[0]!;
      expect(legacy.dedupKey).toBe(events[0]!.dedupKey);
    });

    it('identResult topic: the person is SUBMITTED, no verdict (compliance decides); it starts no verification', () => {
      const result = parse(seeds.topicIdentResult);
      // A person's verification cannot end on its own: the record only joins one the app registered.
      expect(result.events).toEqual([]);
      expect(result.joinOnly?.map((record) => record.map((event) => event.reference))).toEqual([
        ['person:0ac7e1d8-9e39-486b-b28d-bd8551ec90ed', 'ident:315065706'],
      ]);
      expect(joining(result)).toEqual([
        {
          provider: 'concedus',
          reference: 'person:0ac7e1d8-9e39-486b-b28d-bd8551ec90ed',
          source: 'callback',
          providerStatus: 'identResult:success',
          dedupKey: 'identResult:315065706:success',
          meaning: { status: 'SUBMITTED' },
          context: { keyKind: 'person', identId: '315065706' },
        },
      ]);
    });
  });

  describe("the vendor's shapes", () => {
    it('fans a multi-topic array out to every verification it names, keeping no mismatch value', () => {
      const result = parse(vendor.multiTopic);
      expect(result.rejected).toEqual([]);
      const row = (e: VerificationEvent) => [e.reference, e.providerStatus, e.meaning.status, e.context?.keyKind];
      expect(result.events.map(row)).toEqual([
        ['92561303-8e1d-4b71-9537-d7c8d6163ccc', 'complianceRecord:100', 'COMPLETED', 'customer'],
      ]);
      // The person's records join the person's verification, which only the app starts.
      expect(joining(result).map(row)).toEqual([
        ['person:PERS_c8f24e33-0000-0000-0000-000000000001', 'identResult:success', 'SUBMITTED', 'person'],
        ['person:PERS_c8f24e33-0000-0000-0000-000000000001', 'mismatches', 'ACTION_REQUIRED', 'person'],
      ]);
      const mismatch = joining(result)[1]!;
      expect(mismatch.detail).toBe('fields: BirthPlace,Nationality');
      expect(mismatch.occurredAt).toBe('2023-06-01T13:23:17.706Z');
      expect(mismatch.dedupKey).toBe('mismatches:315065706:2023-06-01T13:23:17.706Z');
      const text = JSON.stringify(result);
      for (const value of ['Frankfurt', 'Beirut', '"DE"', '"lb"', 'WEBID']) expect(text).not.toContain(value);
    });

    it("reads field names case-insensitively (the export's `customerkey`) and keys with '+'", () => {
      const [event] = parse(vendor.exportRecord).events;
      expect(event).toMatchObject({
        reference: 'CUS_c8f24e33-bdef-4a12-ab7f-000000000007',
        dedupKey: 'complianceRecord:Concedus+Q0000048D+14:100:2021-08-27T11:11:04',
        context: { keyKind: 'customer' },
      });
      const mixed = parse([{ STATUS: 100, Key: 'k1', Modified: '2025-01-01T00:00:00', ContractKey: 'C-1' }]).events[0];
      expect(mixed).toMatchObject({
        reference: 'contract:C-1',
        providerStatus: 'complianceRecord:100',
        context: { keyKind: 'contract' },
      });
    });

    it('prefers the documented spelling when a record carries both', () => {
      const [event] = parse([
        { status: 100, key: 'k', modified: 'x', customerkey: 'LOWER', customerKey: 'DOCUMENTED' },
      ]).events;
      expect(event!.reference).toBe('DOCUMENTED');
    });

    it('converts a zone offset to UTC', () => {
      const [event] = parse([{ ...vendor.statusByCustomer }]).events;
      expect(event!.occurredAt).toBe('2022-08-03T09:17:28.000Z');
    });

    it('routes a record naming both a contract and a customer to the contract', () => {
      const [event, ...others] = parse([
        { status: 100, key: 'k', modified: '2025-01-01T00:00:00', customerKey: 'CU-1', contractKey: 'CO-1' },
      ]).events;
      expect(others).toEqual([]);
      expect(event).toMatchObject({ reference: 'contract:CO-1', context: { keyKind: 'contract' } });
    });

    it('accepts legacy and topic items mixed in one array', () => {
      const result = parse([...seeds.legacyContract, ...seeds.topicIdentResult, ...seeds.topicComplianceRecord]);
      expect(result.events.map((e) => e.context?.keyKind)).toEqual(['contract', 'customer']);
      expect(joining(result).map((e) => e.context?.keyKind)).toEqual(['person']);
    });

    it('identResultKYC: the same result as identResult (same dedup key), attachments not kept', () => {
      const kyc = {
        ...seeds.topicIdentResult[0],
        topic: 'identResultKYC',
        attachments: [{ name: 'passport.pdf', data: 'JVBERi0=' }],
      };
      const [event] = joining(parse([kyc]));
      expect(event).toMatchObject({
        providerStatus: 'identResultKYC:success',
        dedupKey: 'identResult:315065706:success',
      });
      expect(JSON.stringify(event)).not.toMatch(/passport|JVBERi0/);
    });

    it('identRequestCreated: PENDING, without the ident link', () => {
      const [event] = parse([
        {
          topic: 'identRequestCreated',
          kyc: 'WEBID',
          identId: 264618,
          personKey: 'PERS_1',
          url: 'https://test.webid-solutions.de/aid/264618',
        },
      ]).joinOnly![0]!;
      expect(event).toMatchObject({
        reference: 'person:PERS_1',
        providerStatus: 'identRequestCreated',
        meaning: { status: 'PENDING' },
        context: { keyKind: 'person', identId: '264618' },
      });
      expect(event!.dedupKey).toMatch(/^identRequestCreated:[0-9a-f]{24}$/);
      expect(JSON.stringify(event)).not.toContain('webid-solutions');
    });

    it('an ident topic with only an ident ID (numeric) is keyed by the ident', () => {
      const [event] = joining(parse([{ topic: 'identResult', identId: 315065706, status: 'success' }]));
      expect(event).toMatchObject({ reference: 'ident:315065706', context: { keyKind: 'ident' } });
    });
  });

  describe('unknown codes raise attention and unknown topics are recorded, never refused', () => {
    it.each([
      [
        'a compliance code',
        [{ status: 200, key: 'k', modified: '2025-01-01T00:00:00', customerKey: 'C-1' }],
        'complianceRecord:200',
      ],
      ['a compliance status word', [{ status: 'declined', key: 'k', customerKey: 'C-1' }], 'complianceRecord:declined'],
      [
        'an identResult status',
        [
          {
            topic: 'identResult',
            personKey: 'P-1',
            identId: '1',
            reason: 'Fraud suspicion, Max Mustermann',
            status: 'failed',
          },
        ],
        'identResult:failed',
      ],
      ['a topic', [{ topic: 'contractDeclined', contractKey: 'CO-9', status: 7 }], 'contractDeclined:7'],
    ])('%s', (what, body, providerStatus) => {
      const result = parse(body);
      const { rejected } = result;
      const events = [...result.events, ...joining(result)];
      expect(rejected).toEqual([]);
      expect(events).toHaveLength(1);
      expect(events[0]!.providerStatus).toBe(providerStatus);
      // An unknown code never waits forever for a known one: a human is asked (the unknown-word
      // rule). A topic is not a code but a kind of message: recorded, with attention.
      const word = providerStatus.slice(providerStatus.indexOf(':') + 1);
      expect(events[0]!.meaning).toEqual(
        what === 'a topic'
          ? { informational: true, attention: 'unknown_topic', unknownWord: 'contractDeclined' }
          : { status: 'ACTION_REQUIRED', attention: 'unknown_code', unknownWord: word },
      );
      expect(JSON.stringify(events)).not.toContain('Mustermann');
    });

    it('an unknown topic keeps its dedup key across a redelivery with another key order', () => {
      const a = parse([{ topic: 'newTopic', customerKey: 'C-1', extra: { b: 1, a: 2 } }]).events[0]!;
      const b = parse([{ extra: { a: 2, b: 1 }, customerKey: 'C-1', topic: 'newTopic' }]).events[0]!;
      const c = parse([{ topic: 'newTopic', customerKey: 'C-1', extra: { a: 3, b: 1 } }]).events[0]!;
      expect(a.dedupKey).toBe(b.dedupKey);
      expect(a.dedupKey).not.toBe(c.dedupKey);
      expect(a.meaning).toEqual({ informational: true, attention: 'unknown_topic', unknownWord: 'newTopic' });
    });
  });

  describe('dedup keys', () => {
    const record = { status: 100, key: 'k1', modified: '2025-09-03T06:38:08', customerKey: 'C-1' };
    const key = (body: unknown) => parse(body).events[0]!.dedupKey;

    it('are equal for a redelivery and differ for another status or modification', () => {
      expect(key([record])).toBe(key([{ ...record }]));
      expect(key([record])).not.toBe(key([{ ...record, status: 200 }]));
      expect(key([record])).not.toBe(key([{ ...record, modified: '2025-09-03T06:39:00' }]));
    });
  });

  describe('bad bodies', () => {
    it.each([
      ['an object', { status: 100, customerKey: 'C-1' }],
      ['a string', 'hello'],
      ['null', null],
    ])('%s is refused: Concedus sends arrays', (_what, body) => {
      expect(validationIssues(body)).toEqual([{ path: '', message: 'must be a JSON array of records' }]);
    });

    it('an empty array is refused', () => {
      expect(validationIssues([])).toEqual([{ path: '', message: 'contains no records' }]);
    });

    it('a body with no usable record is refused with every failing path', () => {
      const issues = validationIssues([
        { key: 'k', customerKey: 'C-1' },
        { status: 100, key: 'k', modified: '2025-01-01T00:00:00' },
        'text',
        { status: 100, customerKey: 'has spaces in it' },
        { topic: 'complianceRecord', complianceRecord: [] },
        { topic: 'identResult', personKey: 'P-1' },
        { topic: 'mismatches', mismatches: [{ Created: '2023-06-01T13:23:17.706Z', Mismatches: [] }] },
        { topic: 42 },
        { topic: 'newTopic' },
        { status: { code: 100 }, customerKey: 'C-1' },
      ]);
      expect(issues.map((i) => i.path)).toEqual([
        '[0].status',
        '[1]',
        '[2]',
        '[3].customerKey',
        '[4].complianceRecord',
        '[5].status',
        '[6].mismatches[0]',
        '[7].topic',
        '[8]',
        '[9].status',
      ]);
      expect(issues[1]!.message).toBe('names neither a customerKey nor a contractKey');
      expect(issues[9]!.message).toBe('must be a status code (a number or a status word)');
      // Messages say what is wrong, never echo the value.
      expect(JSON.stringify(issues)).not.toContain('has spaces in it');
    });

    it('a partly bad array: the good records are used, the bad ones reported by path', () => {
      const { events, rejected } = parse([
        { status: 100, key: 'k1', modified: '2025-01-01T00:00:00', customerKey: 'C-1' },
        {
          topic: 'complianceRecord',
          complianceRecord: [
            { status: 100, key: 'k2', modified: '2025-01-01T00:00:00', contractKey: 'CO-2' },
            { status: 100, key: 'k3', modified: '2025-01-01T00:00:00' },
          ],
        },
        { key: 'k4', customerKey: 'C-4' },
        // The ellipsis in "PERS_…" (as one doc example writes it) is not a key.
        {
          topic: 'mismatches',
          mismatches: [{ IdentId: '1', PersonKey: 'PERS_…', Mismatches: [{ FieldName: 'BirthPlace' }] }],
        },
      ]);
      expect(events.map((e) => e.reference)).toEqual(['C-1', 'contract:CO-2']);
      expect(rejected).toEqual([
        { path: '[1].complianceRecord[1]', message: 'names neither a customerKey nor a contractKey' },
        { path: '[2].status', message: 'must be a status code (a number or a status word)' },
        { path: '[3].mismatches[0].PersonKey', message: expect.stringContaining('must be an ID') as string },
      ]);
    });

    it('a mismatch field name that is not a name is left out of the detail', () => {
      const [event] = parse([
        {
          topic: 'mismatches',
          mismatches: [
            { PersonKey: 'P-1', Mismatches: [{ FieldName: 'Street' }, { FieldName: 'Hauptstraße 5, Berlin' }, {}] },
          ],
        },
      ]).joinOnly![0]!;
      expect(event!.detail).toBe('fields: Street');
    });
  });
});

describe('concedus vocabulary', () => {
  it.each([
    ['complianceRecord', '100', { status: 'COMPLETED', decision: 'APPROVED' }],
    ['complianceRecord', '200', { status: 'ACTION_REQUIRED', attention: 'unknown_code', unknownWord: '200' }],
    ['ident', '0', { status: 'FAILED' }],
    // A verified ident is progress: compliance decides whether the customer is accepted.
    ['ident', '100', { status: 'SUBMITTED' }],
    ['ident', '101', { status: 'SUBMITTED' }],
    ['ident', '102', { status: 'ABANDONED' }],
    ['ident', '110', { status: 'SUBMITTED' }],
    ['ident', '103', { status: 'ACTION_REQUIRED', attention: 'unknown_code', unknownWord: '103' }],
    ['identResult', 'success', { status: 'SUBMITTED' }],
    ['identResult', 'failed', { status: 'ACTION_REQUIRED', attention: 'unknown_code', unknownWord: 'failed' }],
    [
      'identResult',
      'constructor',
      { status: 'ACTION_REQUIRED', attention: 'unknown_code', unknownWord: 'constructor' },
    ],
  ] as const)('%s %s', (kind, code, meaning) => {
    expect(concedusMeaning(CONCEDUS_VOCABULARY, kind, code)).toEqual(meaning);
  });

  it('CONCEDUS_STATUS_MAP adds and replaces codes', () => {
    const vocabulary = parseStatusMap(
      'CONCEDUS_STATUS_MAP',
      'complianceRecord:200=COMPLETED/REJECTED, identResult:success=COMPLETED/APPROVED',
    );
    expect(concedusMeaning(vocabulary, 'complianceRecord', '200')).toEqual({
      status: 'COMPLETED',
      decision: 'REJECTED',
    });
    expect(concedusMeaning(vocabulary, 'complianceRecord', '100')).toEqual({
      status: 'COMPLETED',
      decision: 'APPROVED',
    });
    expect(concedusMeaning(vocabulary, 'identResult', 'success')).toEqual({
      status: 'COMPLETED',
      decision: 'APPROVED',
    });
    expect(CONCEDUS_VOCABULARY.complianceRecord['200']).toBeUndefined();
  });

  it.each([
    'complianceRecord:200',
    'compliance:200=FAILED',
    'ident:1=DONE',
    'ident:1=COMPLETED',
    'ident:1=FAILED/APPROVED',
    'ident:1=COMPLETED/MAYBE',
  ])('refuses %s with one line naming the variable', (spec) => {
    expect(() => parseStatusMap('CONCEDUS_STATUS_MAP', spec)).toThrow(ConfigError);
    expect(() => parseStatusMap('CONCEDUS_STATUS_MAP', spec)).toThrow(/^CONCEDUS_STATUS_MAP: /);
  });
});

describe('concedus configuration', () => {
  const base = { KYC_PROVIDERS: 'concedus', TEMPORAL_ADDRESS: '127.0.0.1:7233' };

  it('reads the CONCEDUS_ variables', () => {
    const config = loadConfig({
      ...base,
      CONCEDUS_API_BASE_URL: 'https://demo2.api.concedus.com/',
      CONCEDUS_USERNAME: 'u',
      CONCEDUS_PASSWORD: 'p',
      CONCEDUS_STATUS_MAP: 'complianceRecord:200=COMPLETED/REJECTED',
      CONCEDUS_WEBHOOK_AUTH: 'basic:concedus:secret',
    });
    const provider = config.providers.concedus!;
    const settings = provider.settings as ConcedusSettings;
    expect(provider.apiBaseUrl).toBe('https://demo2.api.concedus.com');
    expect(settings).toMatchObject({ apiBaseUrl: 'https://demo2.api.concedus.com', username: 'u', password: 'p' });
    expect(settings.vocabulary.complianceRecord['200']).toEqual({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(provider.policy).toMatchObject({ callbackGraceMs: 30 * 60_000, expiresAfterMs: 7 * 86_400_000 });
    expect(provider.policy.pollScheduleMs[0]).toBe(300_000);
    expect(settings.confirmVerdicts).toBe(false);
  });

  it('CONCEDUS_CONFIRM_VERDICTS: on by default in production, and then a compliance 100 callback only announces', () => {
    const production = { ...base, NODE_ENV: 'production', CONCEDUS_USERNAME: 'u', CONCEDUS_PASSWORD: 'p' };
    const withAuth = { ...production, CONCEDUS_WEBHOOK_AUTH: 'basic:c:s' };
    expect((loadConfig(withAuth).providers.concedus!.settings as ConcedusSettings).confirmVerdicts).toBe(true);
    const off = loadConfig({ ...withAuth, CONCEDUS_CONFIRM_VERDICTS: 'false' }).providers.concedus!;
    expect((off.settings as ConcedusSettings).confirmVerdicts).toBe(false);
    const on = loadConfig({ ...DEV_DEFAULTS, ...base, CONCEDUS_CONFIRM_VERDICTS: 'true' }).providers.concedus!;
    const confirming = on.module.createCallbackParser(on.settings);
    const [event] = confirming.parse(seeds.legacyCustomer, '2025-09-03T07:00:00.000Z').events;
    expect(event!.meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
    expect(event!.providerStatus).toBe('complianceRecord:100');
    expect(() => loadConfig({ ...DEV_DEFAULTS, ...base, CONCEDUS_CONFIRM_VERDICTS: 'maybe' })).toThrow(
      /^CONCEDUS_CONFIRM_VERDICTS: /,
    );
  });

  it('has no production default for CONCEDUS_WEBHOOK_AUTH (Concedus documents no callback auth)', () => {
    const production = { ...base, NODE_ENV: 'production', CONCEDUS_USERNAME: 'u', CONCEDUS_PASSWORD: 'p' };
    expect(() => loadConfig(production)).toThrow(/^CONCEDUS_WEBHOOK_AUTH: must be set/);
    expect(() => loadConfig({ ...production, CONCEDUS_WEBHOOK_AUTH: 'basic:c:s' })).not.toThrow();
    expect(() => loadConfig({ ...production, CONCEDUS_WEBHOOK_AUTH: 'basic:c:s', CONCEDUS_PASSWORD: '' })).toThrow(
      /^CONCEDUS_PASSWORD: must be set/,
    );
  });
});

describe('concedus retrieval client (against the simulator)', () => {
  let sim: ConcedusSimulator;
  let clock: number;

  beforeAll(async () => {
    sim = await startConcedusSimulator();
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(() => {
    clock = Date.now();
  });

  const settings = (overrides: Partial<ConcedusSettings> = {}): ConcedusSettings => ({
    apiBaseUrl: sim.url,
    username: sim.username,
    password: sim.password,
    vocabulary: CONCEDUS_VOCABULARY,
    confirmVerdicts: false,
    ...overrides,
  });
  const client = (overrides: Partial<ConcedusSettings> = {}) =>
    createConcedusRetrievalClient(settings(overrides), { now: () => clock });
  const failureOf = async (promise: Promise<unknown>): Promise<ProviderCallError> => {
    try {
      await promise;
    } catch (err) {
      if (err instanceof ProviderCallError) return err;
      throw err;
    }
    throw new Error('expected a ProviderCallError');
  };
  let n = 0;
  const key = (prefix: string) => `${prefix}-${(n += 1)}-${Date.now()}`;

  it.each([
    [
      'customer',
      100,
      '/v2/compliance/status/customers/',
      'complianceRecord:100',
      { status: 'COMPLETED', decision: 'APPROVED' },
    ],
    [
      'contract',
      100,
      '/v2/compliance/status/contracts/',
      'complianceRecord:100',
      { status: 'COMPLETED', decision: 'APPROVED' },
    ],
    ['person', 101, '/v2/status/person/', 'ident:101', { status: 'SUBMITTED' }],
    ['ident', 0, '/v2/status/ident/', 'ident:0', { status: 'FAILED' }],
    ['person', 102, '/v2/status/person/', 'ident:102', { status: 'ABANDONED' }],
    ['person', 100, '/v2/status/person/', 'ident:100', { status: 'SUBMITTED' }],
  ] as const)('%s status %s', async (keyKind, status, path, providerStatus, meaning) => {
    const ref = key(keyKind);
    sim.script(keyKind, ref, { status, modified: '2025-09-03T06:38:08' });
    const event: VerificationEvent = await client().retrieve(ref, { keyKind });
    expect(event).toMatchObject({
      provider: 'concedus',
      reference: ref,
      source: 'poll',
      providerStatus,
      dedupKey: `poll:${providerStatus}`,
      meaning,
    });
    if (keyKind === 'customer' || keyKind === 'contract') expect(event.occurredAt).toBe('2025-09-03T06:38:08.000Z');
    expect(sim.requests).toContain(`GET ${path}${ref}`);
  });

  it('reads the key kind from the reference prefix, which wins over the context', async () => {
    const ref = key('co');
    sim.script('contract', ref, { status: 100 });
    await expect(client().retrieve(`contract:${ref}`, { keyKind: 'customer' })).resolves.toMatchObject({
      reference: `contract:${ref}`,
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    });
    expect(sim.requests).toContain(`GET /v2/compliance/status/contracts/${ref}`);
    const person = key('pe');
    sim.script('person', person, { status: 0 });
    await expect(client().retrieve(`person:${person}`, {})).resolves.toMatchObject({ meaning: { status: 'FAILED' } });
  });

  it('a plain reference the app started as a contract is still asked about as a contract', async () => {
    const ref = key('plain-co');
    sim.script('contract', ref, { status: 100 });
    await expect(client().retrieve(ref, { keyKind: 'contract' })).resolves.toMatchObject({
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    });
  });

  it('asks for the customer when no key kind is known', async () => {
    const ref = key('cust');
    sim.script('customer', ref, { status: 100 });
    await expect(client().retrieve(ref, {})).resolves.toMatchObject({ meaning: { status: 'COMPLETED' } });
  });

  it('raises attention on an unknown compliance code instead of waiting for a known one', async () => {
    const ref = key('cust');
    sim.script('customer', ref, { status: 200 });
    const event = await client().retrieve(ref, { keyKind: 'customer' });
    expect(event.providerStatus).toBe('complianceRecord:200');
    expect(event.meaning).toEqual({ status: 'ACTION_REQUIRED', attention: 'unknown_code', unknownWord: '200' });
  });

  it('logs in once and reuses the token until its four minutes are nearly up, then refreshes', async () => {
    const ref = key('person');
    sim.script('person', ref, { status: 101 });
    const concedus = client();
    const [logins, refreshes] = [sim.logins(), sim.refreshes()];
    await concedus.retrieve(ref, { keyKind: 'person' });
    await concedus.retrieve(ref, { keyKind: 'person' });
    clock += 200_000;
    await concedus.retrieve(ref, { keyKind: 'person' });
    expect([sim.logins() - logins, sim.refreshes() - refreshes]).toEqual([1, 0]);
    clock += 15_000;
    await concedus.retrieve(ref, { keyKind: 'person' });
    expect([sim.logins() - logins, sim.refreshes() - refreshes]).toEqual([1, 1]);
  });

  it('on a 401 renews the session once (refresh) and answers', async () => {
    const ref = key('person');
    sim.script('person', ref, { status: 101 });
    const concedus = client();
    await concedus.retrieve(ref, { keyKind: 'person' });
    const [logins, refreshes] = [sim.logins(), sim.refreshes()];
    sim.revokeTokens();
    await expect(concedus.retrieve(ref, { keyKind: 'person' })).resolves.toMatchObject({ providerStatus: 'ident:101' });
    expect([sim.logins() - logins, sim.refreshes() - refreshes]).toEqual([0, 1]);
  });

  it('logs in again when the refresh token is refused too', async () => {
    const ref = key('person');
    sim.script('person', ref, { status: 101 });
    const concedus = client();
    await concedus.retrieve(ref, { keyKind: 'person' });
    const [logins, refreshes] = [sim.logins(), sim.refreshes()];
    sim.revokeTokens();
    sim.revokeRefreshTokens();
    await expect(concedus.retrieve(ref, { keyKind: 'person' })).resolves.toMatchObject({ providerStatus: 'ident:101' });
    expect([sim.logins() - logins, sim.refreshes() - refreshes]).toEqual([1, 0]);
  });

  it.each([
    ['404 (record not created)', { notFound: 1 }, ProviderFailure.NotReady, 404, undefined],
    ['5xx', { serverError: 1 }, ProviderFailure.Unavailable, 503, undefined],
    ['429', { rateLimited: 1 }, ProviderFailure.RateLimited, 429, 1000],
  ] as const)('classifies %s', async (_what, faults, failureType, httpStatus, retryAfterMs) => {
    const ref = key('cust');
    sim.script('customer', ref, { status: 100, faults: { ...faults } });
    const concedus = client();
    const err = await failureOf(concedus.retrieve(ref, { keyKind: 'customer' }));
    expect(err).toMatchObject({ failureType, httpStatus, retryAfterMs });
    // The fault was one burst: the next call is answered.
    await expect(concedus.retrieve(ref, { keyKind: 'customer' })).resolves.toMatchObject({
      providerStatus: 'complianceRecord:100',
    });
  });

  it('an unscripted key is not ready (404)', async () => {
    expect(await failureOf(client().retrieve(key('none'), { keyKind: 'contract' }))).toMatchObject({
      failureType: ProviderFailure.NotReady,
    });
  });

  it('wrong credentials are a permanent AuthRejected', async () => {
    expect(await failureOf(client({ password: 'wrong' }).retrieve(key('c'), {}))).toMatchObject({
      failureType: ProviderFailure.AuthRejected,
      httpStatus: 401,
    });
  });

  it('missing credentials are NotConfigured, without a request', async () => {
    const before = sim.requests.length;
    const err = await failureOf(client({ username: '' }).retrieve(key('c'), {}));
    expect(err.failureType).toBe(ProviderFailure.NotConfigured);
    expect(err.message).toContain('CONCEDUS_USERNAME');
    expect(sim.requests.length).toBe(before);
  });

  it('an unknown key kind is a permanent RequestRejected', async () => {
    expect(await failureOf(client().retrieve(key('c'), { keyKind: 'investor' }))).toMatchObject({
      failureType: ProviderFailure.RequestRejected,
    });
  });

  it('an answer of another shape is a permanent BadResponse', async () => {
    const app = express();
    app.post('/v2/auth/token', (_req, res) => void res.json({ accessToken: 't', exp: 0, refreshToken: 'r' }));
    app.get('/v2/status/person/:key', (_req, res) => void res.json({ state: 'verified' }));
    const odd = await serveOnLoopback(app);
    try {
      expect(await failureOf(client({ apiBaseUrl: odd.url }).retrieve('P-1', { keyKind: 'person' }))).toMatchObject({
        failureType: ProviderFailure.BadResponse,
      });
    } finally {
      await odd.close();
    }
  });
});

describe('concedus nulls and unknown words', () => {
  it('reads a compliance record whose key and modified are null as absent: 100 is still APPROVED', () => {
    const { events, rejected } = parse([
      { status: 100, key: null, modified: null, customerKey: '885eb2cc-12d6-49dd-b52a-a6634f510e17' },
    ]);
    expect(rejected).toEqual([]);
    expect(events).toEqual([
      {
        provider: 'concedus',
        reference: '885eb2cc-12d6-49dd-b52a-a6634f510e17',
        source: 'callback',
        providerStatus: 'complianceRecord:100',
        dedupKey: 'complianceRecord:-:100:-',
        meaning: { status: 'COMPLETED', decision: 'APPROVED' },
        context: { keyKind: 'customer' },
      },
    ]);
  });

  it('the simulator sends such a record', async () => {
    const sim = await startConcedusSimulator();
    try {
      const record = sim.complianceRecord({ contractKey: 'CO-1' }, 100, new Date(), {
        nullKey: true,
        nullModified: true,
      });
      expect(record).toMatchObject({ key: null, modified: null });
      expect(parse([record]).events[0]!.meaning).toEqual({ status: 'COMPLETED', decision: 'APPROVED' });
    } finally {
      await sim.close();
    }
  });

  it('a status word with a control character is an unknown code, kept as sent, not a rejected record', () => {
    const { events, rejected } = parse([{ status: 'ok\n', key: 'k', customerKey: 'C-1' }]);
    expect(rejected).toEqual([]);
    expect(events[0]!).toMatchObject({
      providerStatus: 'complianceRecord:ok\n',
      meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_code', unknownWord: 'ok\n' },
    });
  });
});

describe("concedus references at the app's start", () => {
  const start = (reference: string, context?: Record<string, string>) =>
    canonicalReference({ provider: 'concedus', reference, ...(context ? { context } : {}) });

  it('carries the key kind the app names, so the callbacks for that key reach the same verification', () => {
    expect(start('885eb2cc-12d6-49dd-b52a-a6634f510e17', { keyKind: 'contract' })).toBe(
      'contract:885eb2cc-12d6-49dd-b52a-a6634f510e17',
    );
    expect(start('PERS_1', { keyKind: 'person' })).toBe('person:PERS_1');
    expect(start('315065706', { keyKind: 'ident' })).toBe('ident:315065706');
    // A customer's reference is its plain key, with or without the kind said.
    expect(start('CUST_1', { keyKind: 'customer' })).toBe('CUST_1');
    expect(start('CUST_1')).toBe('CUST_1');
    // Already canonical: unchanged, and the kind may be said again.
    expect(start('contract:C_1')).toBe('contract:C_1');
    expect(start('contract:C_1', { keyKind: 'contract' })).toBe('contract:C_1');
  });

  it('refuses a kind that disagrees with the prefix, or is not a kind', () => {
    expect(() => start('contract:C_1', { keyKind: 'customer' })).toThrow(InvalidRequestError);
    expect(() => start('person:P_1', { keyKind: 'contract' })).toThrow(
      /names a person key, but context.keyKind is contract/,
    );
    expect(() => start('C_1', { keyKind: 'company' })).toThrow(
      /keyKind must be one of customer, contract, person, ident/,
    );
    expect(() =>
      validateStartRequest({ provider: 'concedus', reference: 'C_1', context: { keyKind: 'company' } }),
    ).toThrow(InvalidRequestError);
  });

  it('leaves every other provider’s reference as given', () => {
    expect(canonicalReference({ provider: 'attestr', reference: 'contract:x', context: { keyKind: 'person' } })).toBe(
      'contract:x',
    );
  });
});
