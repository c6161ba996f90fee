import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { runCli } from '../../src/client/cli';
import { KycClient, type VerificationSummary } from '../../src/client';
import { KYC_SEARCH_ATTRIBUTES } from '../../src/contracts';
import { PROVIDERS } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { startSimulators, type RunningSimulators } from '../../src/testing/simulators';
import { eventually, startStack, startTemporal, type Stack } from '../support/stack';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

const { IndexedValueType } = temporal.api.enums.v1;

/**
 * What SQL visibility (PostgreSQL) does differently from the dev server's: custom search
 * attributes take one of a fixed number of slots per type in each namespace (ten Keyword), and
 * listings come in the store's own order (no ORDER BY).
 */
describe('SQL visibility on the cluster', () => {
  let env: TestWorkflowEnvironment;
  let connection: Connection;

  beforeAll(async () => {
    env = await startTemporal();
    connection = await Connection.connect({ address: env.address });
  });

  afterAll(async () => {
    await connection?.close();
    await env?.teardown();
  });

  async function kyc(variables: Record<string, string>, ...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: variables });
    return { code, stdout, stderr };
  }

  it('kyc setup in a namespace without room for our Keyword attributes: one clear line, and nothing half registered', async () => {
    const namespace = `kyc-slots-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('30d'),
    });
    // Another application's Keyword attributes already take seven of the ten slots.
    await eventually(
      async () => {
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(
            Array.from({ length: 7 }, (_, i) => [`TheirKeyword${i}`, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
          ),
        });
        return true;
      },
      60_000,
      'the new namespace to take search attributes',
    );

    const variables = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: namespace };
    const setup = await kyc(variables, 'setup');
    expect(setup.code).toBe(1);
    expect(setup.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(setup.stderr).toMatch(
      new RegExp(
        `^kyc: namespace ${namespace} has no room for ${KYC_SEARCH_ATTRIBUTES.length} more Keyword search attributes`,
      ),
    );
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.keys(customAttributes ?? {}).filter((name) => name.startsWith('Kyc'))).toEqual([]);

    // Room made (the other application's attributes removed): the same command registers all of ours.
    await connection.operatorService.removeSearchAttributes({
      namespace,
      searchAttributes: ['TheirKeyword0', 'TheirKeyword1', 'TheirKeyword2', 'TheirKeyword3'],
    });
    const again = await kyc(variables, 'setup', '--json');
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(again.stdout) as { searchAttributes: { result: string }[] }).searchAttributes).toHaveLength(
      KYC_SEARCH_ATTRIBUTES.length,
    );
  });

  describe('kyc list', () => {
    // Any provider will do: its users never finish, the app cancels two of them.
    const provider = PROVIDERS[0]!;
    let sims: RunningSimulators;
    let stack: Stack;

    beforeAll(async () => {
      sims = await startSimulators([provider]);
      stack = await startStack(env, { ...sims.environment, [providerVariable(provider, 'CALLBACK_GRACE')]: '1h' });
    });

    afterAll(async () => {
      await stack?.stop();
      await sims?.close();
    });

    it('lists running verifications first, then closed ones, most recently closed first', async () => {
      const kycClient = new KycClient(stack.client, stack.config);
      const { kit, sim } = sims.of(provider);
      // Three users who never finish: the app cancels the first and the last.
      const starts = [1, 2, 3].map(() => kit.neverFinishes.play(sim).start);
      const [closedFirst, running, closedLast] = starts.map(({ reference }) => reference) as [string, string, string];
      for (const start of starts) {
        await kycClient.startVerification(start);
        if (start.reference !== running) {
          await kycClient.cancelVerification(provider, start.reference, 'user_left');
          await kycClient.waitForVerification(provider, start.reference, { timeoutMs: 30_000 });
        }
      }
      const ours = (rows: VerificationSummary[]) =>
        rows.filter((row) => [closedFirst, running, closedLast].includes(row.reference));
      const mine = (rows: VerificationSummary[]) => ours(rows).map((row) => row.reference);
      // Visibility is written after the workflow, and its close record apart from its start record:
      // until both cancellations show as closed, a closed one still sorts among the running ones.
      const listed = await eventually(async () => {
        const rows = ours(
          await kycClient.listVerifications({ provider, startedAfter: new Date(Date.now() - 600_000) }),
        );
        const closedShown = rows.filter((row) => row.closeTime !== undefined).length;
        return rows.length === 3 && closedShown === 2 ? rows.map((row) => row.reference) : undefined;
      });
      expect(listed).toEqual([running, closedLast, closedFirst]);
      const statuses = await kycClient.listVerifications({ provider, status: 'CANCELLED' });
      expect(mine(statuses)).toEqual([closedLast, closedFirst]);
    });
  });
});
