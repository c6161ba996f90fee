import { ConfigError, loadConfig } from '../../../app-config';
import { silentLogger } from '../../../logger';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';
import { CallbackNotOursError, CallbackValidationError } from '../../../providers/types';
import { createJumioCallbackParser } from '../../../providers/jumio/callback';
import { checkExecutionHref, JUMIO_DOCUMENTED_REGIONS } from '../../../providers/jumio/href';
import { createJumioRetrievalClient, executionUrl, type JumioSettings } from '../../../providers/jumio/retrieval';
import { startJumioSimulator, type JumioSimulator } from '../../../providers/jumio/testing/simulator';
import { jumioDecisionMeaning, jumioStatusMeaning } from '../../../providers/jumio/vocabulary';
/** Jumio's documented callback (providers.md), as it stands. */
import documented from '../../../../test/fixtures/jumio/documented-callback.json';

const parser = createJumioCallbackParser();
const BASE = 'https://retrieval.amer-1.jumio.ai';

describe('jumio callbacks', () => {
  it("reads the documented shape into one canonical event, without the app's userReference", () => {
    const { events, rejected } = parser.parse(documented, '2026-01-01T00:00:00Z');
    expect(rejected).toEqual([]);
    expect(events).toEqual([
      {
        provider: 'jumio',
        reference: '22222222-aaaa-bbbb-cccc-000000000001',
        providerStatus: 'PROCESSED',
        occurredAt: '2025-01-21T14:55:01.917Z',
        source: 'callback',
        dedupKey: 'callback:PROCESSED',
        meaning: { status: 'SUBMITTED', retrieve: true },
        context: { accountId: '11111111-aaaa-bbbb-cccc-000000000001', href: documented.workflowExecution.href },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('user-123');
  });

  it("notes a callback whose href is on a host that is none of Jumio's regions (attention + a log line)", () => {
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger = {
      ...silentLogger,
      warn: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields }),
    };
    const emea = structuredClone(documented);
    emea.workflowExecution.href = documented.workflowExecution.href.replace('jumio.ai', 'jumio.ai.example.net');
    emea.account.href = documented.account.href.replace('jumio.ai', 'jumio.ai.example.net');
    const regional = createJumioCallbackParser({ apiBaseUrl: BASE, logger });
    const [event] = regional.parse(emea, '2026-01-01T00:00:00Z').events;
    expect(event!.meaning).toEqual({ status: 'SUBMITTED', retrieve: true, attention: 'foreign_region_href' });
    expect(lines).toEqual([
      {
        message: 'jumio callback href is on another region than JUMIO_API_BASE_URL',
        fields: {
          workflowId: 'kyc:jumio:22222222-aaaa-bbbb-cccc-000000000001',
          hrefHost: 'retrieval.amer-1.jumio.ai.example.net',
          configuredHost: 'retrieval.amer-1.jumio.ai',
        },
      },
    ]);
    // The configured region's own href is quiet.
    expect(regional.parse(documented, '2026-01-01T00:00:00Z').events[0]!.meaning).toEqual({
      status: 'SUBMITTED',
      retrieve: true,
    });
    expect(lines).toHaveLength(1);
  });

  it.each(['emea-1', 'apac-1'])(
    "keeps an href on Jumio's documented %s region (the transaction lives there), quietly",
    (region) => {
      const lines: string[] = [];
      const logger = { ...silentLogger, warn: (message: string) => void lines.push(message) };
      const body = structuredClone(documented);
      body.workflowExecution.href = documented.workflowExecution.href.replace('amer-1', region);
      const [event] = createJumioCallbackParser({ apiBaseUrl: BASE, logger }).parse(body, '').events;
      expect(event!.meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
      expect(event!.context).toEqual({ accountId: documented.account.id, href: body.workflowExecution.href });
      expect(lines).toEqual([]);
      // With JUMIO_REGIONS listing none but the configured one, it is another host again.
      const [alone] = createJumioCallbackParser({ apiBaseUrl: BASE, regionOrigins: [], logger }).parse(body, '').events;
      expect(alone!.meaning.attention).toBe('foreign_region_href');
    },
  );

  it.each(['ACQUISITION_STARTED', 'ACQUIRED', 'SESSION_EXPIRED', 'TOKEN_EXPIRED', 'INITIATED'])(
    "accepts the seed's %s message (numeric definitionKey, no account, extra fields)",
    (status) => {
      const { events } = parser.parse(
        {
          workflowExecution: { id: 'abc-123', status, definitionKey: 3 },
          callbackSentAt: '2025-01-21T14:55:01Z',
          extra: { any: 1 },
        },
        '',
      );
      expect(events[0]).toMatchObject({
        reference: 'abc-123',
        providerStatus: status,
        meaning: jumioStatusMeaning(status),
      });
    },
  );

  it('rejects a body without an execution ID or status, listing the paths', () => {
    let error: unknown;
    try {
      parser.parse({ workflowExecution: { status: 42 } }, '');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CallbackValidationError);
    expect((error as CallbackValidationError).issues.map((i) => i.path)).toEqual([
      'workflowExecution.id',
      'workflowExecution.status',
    ]);
  });

  it('maps decisions', () => {
    expect(jumioDecisionMeaning('PASSED', undefined)).toEqual({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(jumioDecisionMeaning('WARNING', undefined)).toEqual({ status: 'COMPLETED', decision: 'REVIEW' });
    expect(jumioDecisionMeaning('REJECTED', undefined)).toEqual({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(jumioDecisionMeaning('NOT_EXECUTED', 'TECHNICAL_ERROR')).toEqual({ status: 'FAILED' });
    expect(jumioDecisionMeaning('NOT_EXECUTED', 'SESSION_EXPIRED')).toEqual({ status: 'EXPIRED' });
    // A decision type Jumio adds later is no verdict we can guess, and must not postpone silently.
    expect(jumioDecisionMeaning('SOMETHING', undefined)).toEqual({
      status: 'ACTION_REQUIRED',
      attention: 'unknown_decision',
      unknownWord: 'SOMETHING',
    });
  });
});

describe("jumio callbacks from other accounts (Jumio's addresses serve every Jumio customer)", () => {
  const ours = '11111111-aaaa-bbbb-cccc-000000000001';
  const accounts = createJumioCallbackParser({ apiBaseUrl: BASE, accountIds: ['acc-other-of-ours', ours] });

  it('takes a callback of a configured account', () => {
    expect(accounts.parse(documented, '').events[0]!.context).toMatchObject({ accountId: ours });
  });

  it.each([
    ['another account', { ...documented, account: { id: 'someone-else' } }, 'not one of JUMIO_ACCOUNT_IDS'],
    ['no account', { ...documented, account: undefined }, 'missing (JUMIO_ACCOUNT_IDS is set)'],
  ])('refuses a callback of %s, keeping what it would have delivered for the letter', (_case, body, message) => {
    let error: unknown;
    try {
      accounts.parse(body, '');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CallbackNotOursError);
    const refused = error as CallbackNotOursError;
    expect(refused.reason).toBe('foreign_account');
    expect(refused.issues).toEqual([{ path: 'account.id', message }]);
    expect(refused.events.map((event) => event.reference)).toEqual([documented.workflowExecution.id]);
  });

  it('takes any account without JUMIO_ACCOUNT_IDS (development)', () => {
    expect(parser.parse({ ...documented, account: { id: 'someone-else' } }, '').events).toHaveLength(1);
  });
});

describe('jumio href', () => {
  const account = '11111111-aaaa-bbbb-cccc-000000000001';
  const reference = '22222222-aaaa-bbbb-cccc-000000000001';
  const exact = `${BASE}/api/v1/accounts/${account}/workflow-executions/${reference}`;
  const expected = { apiBaseUrl: BASE, accountId: account, reference };

  it.each([
    ['the documented href', exact, { url: exact, origin: BASE }],
    ['userinfo', exact.replace('https://', 'https://user:pw@'), { problem: 'userinfo' }],
    ['an empty userinfo', exact.replace('https://', 'https://@'), { problem: 'userinfo' }],
    ['a query', `${exact}?next=https://evil.example`, { problem: 'query' }],
    ['an empty query', `${exact}?`, { problem: 'query' }],
    ['a fragment', `${exact}#x`, { problem: 'fragment' }],
    ['another origin', exact.replace('amer-1', 'emea-1'), { problem: 'other_origin' }],
    ['another scheme', exact.replace('https://', 'http://'), { problem: 'other_origin' }],
    ['another port', exact.replace('.ai/', '.ai:8443/'), { problem: 'other_origin' }],
    ['another account', exact.replace(account, 'other-account'), { problem: 'other_path' }],
    ['another execution', exact.replace(`/${reference}`, '/other-id'), { problem: 'other_path' }],
    ['a longer path', `${exact}/status`, { problem: 'other_path' }],
    ['another API', exact.replace('/api/v1/', '/api/v2/'), { problem: 'other_path' }],
    [
      'an encoded segment',
      exact.replace(`accounts/${account}`, `accounts/%31${account.slice(1)}`),
      { problem: 'other_path' },
    ],
    ['a backslash', exact.replace('/api/', '\\api/'), { problem: 'not_a_url' }],
    ['whitespace', ` ${exact}`, { problem: 'not_a_url' }],
    ['a relative path', `/api/v1/accounts/${account}/workflow-executions/${reference}`, { problem: 'not_a_url' }],
  ])('%s', (_case, href, result) => {
    expect(checkExecutionHref(href, expected)).toEqual(result);
  });

  it('returns the URL rebuilt from the IDs, never the text sent', () => {
    const dotted = `${BASE}/api/v1/accounts/x/../${account}/workflow-executions/${reference}`;
    expect(checkExecutionHref(dotted, expected)).toEqual({ url: exact, origin: BASE });
  });

  it("takes an href on another listed region, rebuilt on that region's origin", () => {
    const emea = 'https://retrieval.emea-1.jumio.ai';
    const there = exact.replace(BASE, emea);
    const regions = { ...expected, regionOrigins: JUMIO_DOCUMENTED_REGIONS.map((region) => region.origin) };
    expect(checkExecutionHref(there, regions)).toEqual({ url: there, origin: emea });
    expect(checkExecutionHref(exact.replace('amer-1', 'emea-9'), regions)).toEqual({ problem: 'other_origin' });
    expect(checkExecutionHref(`${there}/status`, regions)).toEqual({ problem: 'other_path' });
    expect(checkExecutionHref(there.replace('https://', 'http://'), regions)).toEqual({ problem: 'other_origin' });
  });

  it.each([
    ['a query', `${exact}?x=1`],
    ['userinfo', exact.replace('https://', 'https://u@')],
    ['another account', exact.replace(account, 'other-account')],
  ])('a callback href with %s is not kept in the context', (_case, href) => {
    const body = { ...documented, workflowExecution: { ...documented.workflowExecution, href } };
    const [event] = createJumioCallbackParser({ apiBaseUrl: BASE, logger: silentLogger }).parse(body, '').events;
    expect(event!.context).toEqual({ accountId: account });
    expect(event!.meaning).toEqual({ status: 'SUBMITTED', retrieve: true });
  });
});

describe('jumio retrieval URL', () => {
  it('uses a callback href only when it is the execution URL for the verification account', () => {
    expect(
      executionUrl(BASE, documented.workflowExecution.id, {
        href: documented.workflowExecution.href,
        accountId: documented.account.id,
      }),
    ).toBe(documented.workflowExecution.href);
    // The app's account wins over an href naming another one.
    expect(
      executionUrl(BASE, documented.workflowExecution.id, { href: documented.workflowExecution.href, accountId: 'a' }),
    ).toBe(`${BASE}/api/v1/accounts/a/workflow-executions/22222222-aaaa-bbbb-cccc-000000000001`);
    // An href kept before it was checked at the door is checked again here.
    expect(
      executionUrl(BASE, documented.workflowExecution.id, {
        href: `${documented.workflowExecution.href}?redirect=https://attacker.example`,
        accountId: documented.account.id,
      }),
    ).toBe(documented.workflowExecution.href);
    const forged =
      'https://attacker.example/api/v1/accounts/x/workflow-executions/22222222-aaaa-bbbb-cccc-000000000001';
    expect(executionUrl(BASE, documented.workflowExecution.id, { href: forged, accountId: 'acc' })).toBe(
      `${BASE}/api/v1/accounts/acc/workflow-executions/22222222-aaaa-bbbb-cccc-000000000001`,
    );
    // An href for another execution is not used for this one either.
    expect(executionUrl(BASE, 'other-id', { href: documented.workflowExecution.href, accountId: 'acc' })).toBe(
      `${BASE}/api/v1/accounts/acc/workflow-executions/other-id`,
    );
    expect(() => executionUrl(BASE, 'x', {})).toThrow(/needs the account ID/);
  });

  it("follows an href to another of Jumio's regions (JUMIO_REGIONS, default the documented ones)", () => {
    const apac = documented.workflowExecution.href.replace('amer-1', 'apac-1');
    const context = { href: apac, accountId: documented.account.id };
    expect(executionUrl(BASE, documented.workflowExecution.id, context)).toBe(apac);
    // An operator who lists no other region keeps every retrieval on the configured one.
    expect(executionUrl(BASE, documented.workflowExecution.id, context, [])).toBe(documented.workflowExecution.href);
  });
});

describe('jumio retrieval client', () => {
  let sim: JumioSimulator;
  beforeAll(async () => {
    sim = await startJumioSimulator();
  });
  afterAll(async () => sim.close());

  const client = () =>
    createJumioRetrievalClient({
      apiBaseUrl: sim.url,
      authUrl: sim.authUrl,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      userAgent: 'kyc-orchestrator-test/1.0',
    });

  it('reads /status, then the details for the decision, with one cached token', async () => {
    sim.script('ex-1', { accountId: 'acc-1', status: 'PROCESSED', decision: { type: 'WARNING', label: 'WARNING' } });
    sim.script('ex-2', { accountId: 'acc-1', status: 'ACQUIRED' });
    const before = sim.tokensIssued();
    const jumio = client();
    await expect(jumio.retrieve('ex-1', { accountId: 'acc-1' })).resolves.toMatchObject({
      providerStatus: 'PROCESSED/WARNING',
      source: 'poll',
      meaning: { status: 'COMPLETED', decision: 'REVIEW' },
      detail: 'WARNING',
      occurredAt: '2025-01-21T14:55:00.000Z',
    });
    await expect(jumio.retrieve('ex-2', { accountId: 'acc-1' })).resolves.toMatchObject({
      providerStatus: 'ACQUIRED',
      meaning: { status: 'SUBMITTED' },
    });
    expect(sim.tokensIssued() - before).toBe(1);
  });

  it('an unknown decision.type asks for a human (ACTION_REQUIRED, attention) instead of waiting', async () => {
    sim.script('ex-new', {
      accountId: 'acc-1',
      status: 'PROCESSED',
      decision: { type: 'HOLD_FOR_REVIEW', label: 'HOLD' },
    });
    await expect(client().retrieve('ex-new', { accountId: 'acc-1' })).resolves.toMatchObject({
      providerStatus: 'PROCESSED/HOLD_FOR_REVIEW',
      meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_decision', unknownWord: 'HOLD_FOR_REVIEW' },
    });
  });

  it('fetches a new token after a 401 and classifies faults', async () => {
    sim.script('ex-3', { accountId: 'acc-1', status: 'ACQUIRED', faults: { serverError: 1 } });
    const jumio = client();
    await expect(jumio.retrieve('ex-3', { accountId: 'acc-1' })).rejects.toMatchObject({
      failureType: 'ProviderUnavailable',
    });
    sim.revokeTokens();
    await expect(jumio.retrieve('ex-3', { accountId: 'acc-1' })).resolves.toMatchObject({ providerStatus: 'ACQUIRED' });
    await expect(jumio.retrieve('unknown', { accountId: 'acc-1' })).rejects.toMatchObject({
      failureType: 'ProviderNotReady',
    });
  });

  it('says when credentials are missing', async () => {
    const jumio = createJumioRetrievalClient({
      apiBaseUrl: sim.url,
      authUrl: sim.authUrl,
      clientId: '',
      clientSecret: '',
      userAgent: 'x',
    });
    await expect(jumio.retrieve('ex-1', { accountId: 'acc-1' })).rejects.toMatchObject({
      failureType: 'ProviderNotConfigured',
      message: 'jumio token: JUMIO_CLIENT_ID is not set',
    });
  });
});

describe('jumio NOT_EXECUTED (Retrieval: "started but not completed … the end-user exits the process")', () => {
  it.each<[string, string | undefined, string]>([
    ['the top-level label NOT_EXECUTED', 'NOT_EXECUTED', 'ABANDONED'],
    ['no label', undefined, 'ABANDONED'],
    ['a capability label NOT_UPLOADED ("The image was not uploaded")', 'NOT_UPLOADED', 'ABANDONED'],
    ['a label Jumio adds later', 'USER_CANCELLED', 'ABANDONED'],
    ['TOKEN_EXPIRED (the documented example label)', 'TOKEN_EXPIRED', 'EXPIRED'],
    ['SESSION_EXPIRED', 'SESSION_EXPIRED', 'EXPIRED'],
    ['TECHNICAL_ERROR ("An error prevented execution")', 'TECHNICAL_ERROR', 'FAILED'],
  ])('%s → %s', (_case, label, status) => {
    expect(jumioDecisionMeaning('NOT_EXECUTED', label)).toEqual({ status });
  });
});

describe('jumio unknown words and nulls', () => {
  it('a workflow status Jumio adds later is an unknown word (ACTION_REQUIRED, raw word kept), not ignored', () => {
    expect(jumioStatusMeaning('ACQUISITION_COMPLETED')).toEqual({
      status: 'ACTION_REQUIRED',
      attention: 'unknown_status',
      unknownWord: 'ACQUISITION_COMPLETED',
    });
    const [event] = parser.parse(
      { ...documented, workflowExecution: { ...documented.workflowExecution, status: 'ACQUISITION_COMPLETED' } },
      '',
    ).events;
    expect(event).toMatchObject({
      providerStatus: 'ACQUISITION_COMPLETED',
      dedupKey: 'callback:ACQUISITION_COMPLETED',
    });
  });

  it('a status word that is not printable ASCII is kept as sent and read as an unknown word, never refused', () => {
    const [event] = parser.parse(
      { ...documented, workflowExecution: { ...documented.workflowExecution, status: 'ÄÖÜ' } },
      '',
    ).events;
    expect(event!.providerStatus).toBe('ÄÖÜ');
    expect(event!.meaning).toEqual({
      status: 'ACTION_REQUIRED',
      attention: 'unknown_status',
      unknownWord: 'ÄÖÜ',
    });
  });

  it('reads null callbackSentAt, href, definitionKey and account as absent', () => {
    const body = {
      callbackSentAt: null,
      workflowExecution: { id: documented.workflowExecution.id, status: 'PROCESSED', href: null, definitionKey: null },
      account: null,
    };
    const { events, rejected } = parser.parse(body, '');
    expect(rejected).toEqual([]);
    expect(events).toEqual([
      {
        provider: 'jumio',
        reference: documented.workflowExecution.id,
        providerStatus: 'PROCESSED',
        source: 'callback',
        dedupKey: 'callback:PROCESSED',
        meaning: { status: 'SUBMITTED', retrieve: true },
        context: {},
      },
    ]);
    const nullAccountHref = { ...documented, account: { id: documented.account.id, href: null } };
    expect(parser.parse(nullAccountHref, '').events[0]!.context).toMatchObject({ accountId: documented.account.id });
  });
});

describe('jumio retrieval: NOT_EXECUTED and unknown words through the simulator', () => {
  let sim: JumioSimulator;
  beforeAll(async () => {
    sim = await startJumioSimulator();
  });
  afterAll(async () => sim.close());
  const client = () =>
    createJumioRetrievalClient({
      apiBaseUrl: sim.url,
      authUrl: sim.authUrl,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      userAgent: 'kyc-orchestrator-test/1.0',
    });

  it('the documented NOT_EXECUTED decision (label NOT_EXECUTED, score -1) is the user leaving: ABANDONED', async () => {
    sim.script('ne-1', { accountId: 'acc-1', status: 'PROCESSED', decision: { type: 'NOT_EXECUTED' } });
    sim.script('ne-2', { accountId: 'acc-1', status: 'PROCESSED', decision: { type: 'NOT_EXECUTED', label: null } });
    sim.script('ne-3', {
      accountId: 'acc-1',
      status: 'PROCESSED',
      decision: { type: 'NOT_EXECUTED', label: 'TECHNICAL_ERROR' },
    });
    const jumio = client();
    await expect(jumio.retrieve('ne-1', { accountId: 'acc-1' })).resolves.toMatchObject({
      providerStatus: 'PROCESSED/NOT_EXECUTED',
      meaning: { status: 'ABANDONED' },
      detail: 'NOT_EXECUTED',
    });
    const unlabelled = await jumio.retrieve('ne-2', { accountId: 'acc-1' });
    expect(unlabelled.meaning).toEqual({ status: 'ABANDONED' });
    expect(unlabelled.detail).toBeUndefined();
    await expect(jumio.retrieve('ne-3', { accountId: 'acc-1' })).resolves.toMatchObject({
      meaning: { status: 'FAILED' },
      detail: 'TECHNICAL_ERROR',
    });
  });

  it('a /status word Jumio adds later is an unknown word, not "not ready"', async () => {
    sim.script('new-status', { accountId: 'acc-1', status: 'ACQUISITION_COMPLETED' });
    await expect(client().retrieve('new-status', { accountId: 'acc-1' })).resolves.toMatchObject({
      providerStatus: 'ACQUISITION_COMPLETED',
      meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'ACQUISITION_COMPLETED' },
    });
  });
});

describe('JUMIO_REGIONS', () => {
  const regionsOf = (value?: string) =>
    (
      loadConfig({
        ...DEV_DEFAULTS,
        KYC_PROVIDERS: 'jumio',
        ...(value === undefined ? {} : { JUMIO_REGIONS: value }),
      }).providers.jumio!.settings as JumioSettings
    ).regions;

  it("defaults to Jumio's documented regions, a token endpoint each", () => {
    expect(regionsOf()).toEqual([
      { origin: 'https://retrieval.amer-1.jumio.ai', authUrl: 'https://auth.amer-1.jumio.ai/oauth2/token' },
      { origin: 'https://retrieval.emea-1.jumio.ai', authUrl: 'https://auth.emea-1.jumio.ai/oauth2/token' },
      { origin: 'https://retrieval.apac-1.jumio.ai', authUrl: 'https://auth.apac-1.jumio.ai/oauth2/token' },
    ]);
  });

  it('reads origin=token URL pairs, and refuses anything else naming the variable', () => {
    expect(regionsOf('http://127.0.0.1:8080/=http://127.0.0.1:8080/oauth2/token')).toEqual([
      { origin: 'http://127.0.0.1:8080', authUrl: 'http://127.0.0.1:8080/oauth2/token' },
    ]);
    for (const bad of [
      'https://retrieval.emea-1.jumio.ai',
      'https://retrieval.emea-1.jumio.ai/api=https://auth.emea-1.jumio.ai/oauth2/token',
      'ftp://retrieval.emea-1.jumio.ai=https://auth.emea-1.jumio.ai/oauth2/token',
      'https://retrieval.emea-1.jumio.ai=not a url',
    ]) {
      expect(() => regionsOf(bad)).toThrow(ConfigError);
      expect(() => regionsOf(bad)).toThrow(/JUMIO_REGIONS/);
    }
  });
});
