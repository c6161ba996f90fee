/**
 * `npm run demo`: the whole stack (embedded Temporal dev server unless TEMPORAL_ADDRESS is set,
 * worker, ingress) with every provider's simulator on loopback. It starts a handful of
 * verifications per provider whose callbacks misbehave, shows them progress, prints the verdicts
 * with their Web UI links, and stops everything. `--stay` keeps the stack (and the UI) running
 * afterwards until Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { KycClient } from './client';
import { loadConfig, type AppConfig } from './app-config';
import { asExpected, Progress, verdictTable, type Row } from './demo/progress';
import { startDemoSimulators } from './demo/scenarios';
import { listen } from './http/listen';
import { createIngressApp } from './ingress/app';
import { silentLogger } from './logger';
import { createTemporalClient } from './temporal/connection';
import { startDevServer } from './temporal/dev-server';
import { isTerminal } from './verification/model';
import { installRuntime } from './observability/runtime';
import { createWorkerSet } from './worker';

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
    const workers = await createWorkerSet(withAddress);
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
