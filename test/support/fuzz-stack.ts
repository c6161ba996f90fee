/**
 * The callback fuzzer against the real thing: the ingress, a worker and the dev server, with every
 * provider's simulator behind the retrieval APIs. Shared by test/integration/fuzz-callbacks.test.ts
 * (a modest count, part of `npm test`) and chaos/fuzz-callbacks.chaos.test.ts (`npm run chaos`).
 * Besides the answers, it reads what reached Temporal: no workflow task may have failed, and no
 * verification may be named by a value a prototype key carried.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PROVIDERS, type ProviderId } from '../../src/providers/registry';
import { parseKycWorkflowId } from '../../src/contracts';
import { describeFuzz, fuzzProvider, INJECTED, type FuzzReport } from './fuzz-bodies';
import { bearerJson, failedWorkflowTasks, send, WEBHOOK_SECRET } from './hostile-bodies';
import { seedVariables } from './seeds';
import { scheduleVariables, startSimulators, type Simulators } from './schedules';
import { eventually, startStack, startTemporal, type Stack } from './stack';

export interface FuzzOnStackOptions {
  runs: number;
  seed: number;
  /** The bound every answer must meet: the ingress must not be stalled by any body. */
  maxAnswerMs: number;
  timeoutMs: number;
}

export function describeFuzzOnStack(title: string, options: FuzzOnStackOptions): void {
  describe(title, () => {
    let env: TestWorkflowEnvironment;
    let sims: Simulators;
    let stack: Stack;
    const reports: Partial<Record<ProviderId, FuzzReport>> = {};
    const summary: string[] = [];

    beforeAll(async () => {
      env = await startTemporal();
      sims = await startSimulators();
      const variables: Record<string, string> = {
        ...scheduleVariables(sims),
        // What the ingress needs to take each provider's documented payloads as they are (their seeds say);
        // every provider is authenticated alike, below.
        ...seedVariables(),
        // Fetches that a fuzzed "result announced" starts are retried slowly: they find nothing.
        KYC_PROVIDER_RETRY_INITIAL: '5s',
        KYC_PROVIDER_RETRY_MAX: '60s',
      };
      for (const provider of PROVIDERS) {
        variables[`${provider.toUpperCase()}_WEBHOOK_AUTH`] = `bearer:${WEBHOOK_SECRET}`;
        variables[`${provider.toUpperCase()}_CALLBACK_GRACE`] = '1h';
      }
      stack = await startStack(env, variables);
    }, options.timeoutMs);

    afterAll(async () => {
      await stack?.stop();
      await sims?.close();
      await env?.teardown();
      process.stdout.write(
        `fuzz-callbacks on the stack (seed ${options.seed}): ${describeFuzz(reports)}; ${summary.join('; ')}\n`,
      );
    }, options.timeoutMs);

    it.each(PROVIDERS)(
      `%s: no fuzzed body gets a 5xx or an answer slower than ${options.maxAnswerMs} ms`,
      async (provider) => {
        const report = await fuzzProvider({
          provider,
          runs: options.runs,
          seed: options.seed + PROVIDERS.indexOf(provider),
          post: async (body) => {
            const started = performance.now();
            const answer = await send(`${stack.ingressUrl}/webhooks/${provider}`, 'POST', bearerJson(), body);
            return { status: answer.status, ms: performance.now() - started };
          },
          maxAnswerMs: options.maxAnswerMs,
          accept: (answer) => answer.status < 500 && answer.ms < options.maxAnswerMs,
        });
        reports[provider] = report;
        expect(report.failing).toBeUndefined();
      },
      options.timeoutMs,
    );

    it(
      'no workflow task failed, and no verification is named by an injected value',
      async () => {
        const ids: string[] = [];
        for await (const execution of stack.client.workflow.list()) ids.push(execution.workflowId);
        expect(ids.filter((id) => id.includes(INJECTED))).toEqual([]);
        const verifications = ids.filter((id) => parseKycWorkflowId(id) !== undefined);
        let failedTasks = 0;
        const causes: string[] = [];
        for (const id of verifications) {
          const handle = stack.client.workflow.getHandle(id);
          // Every signal taken: no workflow task waits (a failing one would wait here for ever).
          await eventually(
            async () => ((await handle.describe()).raw.pendingWorkflowTask ? undefined : true),
            30_000,
            `${id} to take its signals`,
          );
          const failed = failedWorkflowTasks(await handle.fetchHistory());
          failedTasks += failed.length;
          // The first failure's message, to reproduce it (a failure message holds no payload).
          if (failed.length > 0 && causes.length === 0) causes.push(`${id}: ${failed[0]!}`);
        }
        summary.push(`${verifications.length} verifications started, ${failedTasks} workflow tasks failed`);
        expect(verifications.length).toBeGreaterThan(0);
        expect({ failedTasks, causes }).toEqual({ failedTasks: 0, causes: [] });
      },
      options.timeoutMs,
    );
  });
}
