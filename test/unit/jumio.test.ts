import { silentLogger } from '../../src/logger';
import { CallbackNotOursError, CallbackValidationError } from '../../src/providers/types';
import { createJumioCallbackParser } from '../../src/providers/jumio/callback';
import { checkExecutionHref } from '../../src/providers/jumio/href';
import { createJumioRetrievalClient, executionUrl } from '../../src/providers/jumio/retrieval';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/testing/simulator';
import { jumioDecisionMeaning, jumioStatusMeaning } from '../../src/providers/jumio/vocabulary';
/** Jumio's documented callback (providers.md), as it stands. */
import documented from '../fixtures/jumio/documented-callback.json';

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

  it('notes a callback whose href is on another region than the configured API (attention + a log line)', () => {
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger = {
      ...silentLogger,
      warn: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields }),
    };
    const emea = structuredClone(documented);
    emea.workflowExecution.href = documented.workflowExecution.href.replace('amer-1', 'emea-1');
    emea.account.href = documented.account.href.replace('amer-1', 'emea-1');
    const regional = createJumioCallbackParser({ apiBaseUrl: BASE, logger });
    const [event] = regional.parse(emea, '2026-01-01T00:00:00Z').events;
    expect(event!.meaning).toEqual({ status: 'SUBMITTED', retrieve: true, attention: 'foreign_region_href' });
    expect(lines).toEqual([
      {
        message: 'jumio callback href is on another region than JUMIO_API_BASE_URL',
        fields: {
          workflowId: 'kyc:jumio:22222222-aaaa-bbbb-cccc-000000000001',
          hrefHost: 'retrieval.emea-1.jumio.ai',
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
      attention: 'unknown_decision_type',
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
    ['the documented href', exact, { url: exact }],
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
    expect(checkExecutionHref(dotted, expected)).toEqual({ url: exact });
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
      decision: { type: 'HOLD_FOR_REVIEW' as never, label: 'HOLD' },
    });
    await expect(client().retrieve('ex-new', { accountId: 'acc-1' })).resolves.toMatchObject({
      providerStatus: 'PROCESSED/HOLD_FOR_REVIEW',
      meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_decision_type' },
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
