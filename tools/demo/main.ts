/**
 * `npm run demo`: the whole stack (embedded Temporal dev server unless TEMPORAL_ADDRESS is set,
 * worker, ingress) with every provider's simulator on loopback. It starts a handful of
 * verifications per provider whose callbacks misbehave, shows them progress, prints the verdicts
 * with their Web UI links, and stops everything. `--stay` keeps the stack (and the UI) running
 * afterwards until Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KycClient } from '../../src/client';
import { loadConfig, type AppConfig } from '../../src/app-config';
import { asExpected, Progress, verdictTable, type Row } from './progress';
import { startDemoSimulators } from './scenarios';
import { listen } from '../../src/http/listen';
import { createIngressApp } from '../../src/ingress/app';
import { silentLogger } from '../../src/logger';
import { createTemporalClient } from '../../src/temporal/connection';
import { startDevServer } from '../../src/temporal/dev-server';
import { isTerminal } from '../../src/verification/model';
import { installRuntime } from '../../src/observability/runtime';
import { createWorkerSet, defaultWorkflowSource, WORKFLOW_BUNDLE_FILE, type WorkflowSource } from '../../src/worker';

/**
 * The workflow bundle `npm run build` made (dist/workflow-bundle.js), so the demo does not run
 * webpack at start; KYC_WORKFLOW_BUNDLE names another. Without either, bundled from source.
 */
function demoWorkflows(config: AppConfig): WorkflowSource {
  const built = join(__dirname, '..', '..', '..', 'dist', WORKFLOW_BUNDLE_FILE);
  const codePath = config.worker.workflowBundle ?? (existsSync(built) ? built : undefined);
  return codePath ? { workflowBundle: { codePath } } : defaultWorkflowSource();
}

/** Every demo verification ends well within this; past it the demo reports what is still open. */
const DEMO_TIMEOUT_MS = 100_000;

const out = (text: string) => void process.stdout.write(text);

async function main(): Promise<number> {
  const stay = process.argv.includes('--stay');
  const live = process.stdout.isTTY === true;
  // The demo's screen is its progress lines: only errors from the SDK.
  installRuntime({ level: 'error' });
  /** What to stop, in reverse order of starting. */
  const stack: { stop: (() => Promise<void>)[] } = { stop: [] };
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    for (const stop of stack.stop.reverse()) await stop().catch(() => undefined);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopAll().then(() => process.exit(130)));
  }

  try {
    const sims = await startDemoSimulators();
    stack.stop.push(() => sims.close());
    // The simulators' addresses and the demo's short timings win over the environment; Temporal's
    // settings (TEMPORAL_ADDRESS, TEMPORAL_DEV_PORT/UI_PORT/DB, KYC_PAYLOAD_KEY) come from it.
    // A task queue of its own: no other worker (pointed at real providers) may pick up a demo verification.
    const config: AppConfig = loadConfig({
      ...process.env,
      ...sims.env,
      NODE_ENV: 'development',
      // The demo is a laptop's by construction (simulators on loopback): development defaults are fine.
      KYC_DEV_DEFAULTS: '1',
      TEMPORAL_TASK_QUEUE: `kyc-demo-${randomBytes(4).toString('hex')}`,
    });

    let address = config.temporal.address;
    // The embedded server's Web UI; with your own server (TEMPORAL_ADDRESS) the table shows workflow IDs.
    let uiBase: string | undefined;
    if (!address) {
      const { port, uiPort, dbFile } = config.temporal.devServer;
      out(`temporal: starting the dev server on 127.0.0.1:${port} (data in ${dbFile})\n`);
      const devServer = await startDevServer({ port, uiPort, dbFile, namespace: config.temporal.namespace });
      stack.stop.push(() => devServer.stop());
      address = devServer.address;
      uiBase = `http://localhost:${uiPort}`;
    }
    const withAddress: AppConfig = { ...config, temporal: { ...config.temporal, address } };

    out('worker: starting (bundles the workflow code, a few seconds)\n');
    // The workers as `npm start` runs them: verifications, and the rate-limited provider-call queues.
    const workers = await createWorkerSet(withAddress, { workflows: demoWorkflows(config) });
    const workerRun = workers.run();
    stack.stop.push(async () => {
      workers.shutdown();
      await workerRun;
      await workers.connection.close();
    });
    const client = createTemporalClient(withAddress, address);
    stack.stop.push(() => client.connection.close());
    const ingress = await listen(
      createIngressApp({ client, config: withAddress, logger: silentLogger }),
      0,
      '127.0.0.1',
    );
    stack.stop.push(() => ingress.close());
    const ingressUrl = `http://127.0.0.1:${ingress.port}`;
    out(`ingress: ${ingressUrl}; ${sims.scenarios.length} verifications, 5 providers\n\n`);

    const kyc = new KycClient(client, withAddress);
    const rows: Row[] = sims.scenarios.map((scenario) => ({ scenario }));
    const progress = new Progress(rows, out, live);
    progress.update();
    await Promise.all(
      rows.map(async (row) => {
        try {
          await row.scenario.run(kyc, ingressUrl);
        } catch (err) {
          row.error = err instanceof Error ? err.message : String(err);
        }
      }),
    );

    const deadline = Date.now() + DEMO_TIMEOUT_MS;
    for (;;) {
      const open = rows.filter((row) => !row.error && !(row.state && isTerminal(row.state.status)));
      await Promise.all(
        open.map(async (row) => {
          try {
            row.state = await kyc.getVerification(row.scenario.provider, row.scenario.reference);
          } catch {
            // Not there yet (a callback first starts it) or a slow answer: the next round asks again.
          }
        }),
      );
      progress.update();
      if (open.length === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }

    const namespace = encodeURIComponent(config.temporal.namespace);
    const link = (workflowId: string) =>
      uiBase ? `${uiBase}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}` : workflowId;
    out(`\nverdicts:\n${verdictTable(rows, link)}\n\n`);
    const mismatches = rows.filter((row) => !asExpected(row)).length;
    out(
      mismatches
        ? `${mismatches} verification(s) did not end as expected\n`
        : `all ${rows.length} verifications ended as expected\n`,
    );
    if (stay) {
      out('the stack keeps running (Web UI links above work); Ctrl-C stops it\n');
      await new Promise(() => undefined);
    } else if (uiBase) {
      out('the Web UI links work while `npm start` (same data file) or `npm run demo -- --stay` runs\n');
    }
    return mismatches ? 1 : 0;
  } finally {
    if (!stay) await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
