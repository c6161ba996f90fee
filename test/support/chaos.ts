/**
 * Kill things, lose nothing: a steady load of provider callbacks (each resent until it gets a
 * 2xx, as providers do) against the real stack run as separate processes (dev server on a SQLite
 * file, dist/worker-main.js, dist/ingress-main.js), while the dev server, the worker and the
 * ingress are SIGKILLed and restarted. Shared by test/integration/kill.test.ts (bounded) and
 * `npm run chaos` (longer).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { KycClient } from '../../src/client';
import { loadConfig } from '../../src/config';
import { startAttestrSimulator } from '../../src/providers/attestr/simulator';
import { startJumioSimulator, type JumioDecisionType } from '../../src/providers/jumio/simulator';
import { sendUntilAcknowledged, type CallbackDelivery } from '../../src/simulators/callback-sender';
import { startDevServer, type RunningDevServer } from '../../src/temporal/dev-server';
import { isTerminal, type VerificationState } from '../../src/verification/model';
import { freePort } from './ports';
import { ATTESTR_TRUTH, JUMIO_TRUTH } from './provider-truths';
import { startIngressProcess, startWorkerProcess, type NodeProcess } from './processes';
import { eventually } from './stack';
import { DEV_DEFAULTS } from './dev-defaults';

export type Fault = 'temporal' | 'worker' | 'ingress';

export interface ChaosOptions {
  verifications: number;
  /** Faults injected one after the other, `gapMs` apart, while the load runs. */
  faults: Fault[];
  gapMs: number;
  /** Senders working at once. */
  concurrency: number;
  seed: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  verifications: number;
  faultsInjected: Fault[];
  /** HTTP attempts, resends included. */
  sent: number;
  /** Distinct callbacks that got a 2xx. */
  acknowledged: number;
  /** Acknowledged callbacks found in their verification's timeline exactly once (duplicates aside). */
  applied: number;
  lost: number;
  appliedTwice: number;
  wrongVerdicts: number;
  notAcknowledged: number;
  problems: string[];
}

interface Plan {
  provider: 'jumio' | 'attestr';
  reference: string;
  callbacks: { providerStatus: string; delivery: CallbackDelivery }[];
  truth: { status: string; decision?: string };
}

/** A small seeded generator (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const rand = random(options.seed);
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]!;
  const dirs = [mkdtempSync(join(tmpdir(), 'kyc-chaos-db-')), mkdtempSync(join(tmpdir(), 'kyc-chaos-inbox-'))];
  const [jumio, attestr] = await Promise.all([startJumioSimulator(), startAttestrSimulator()]);
  const [temporalPort, uiPort, ingressPort] = [await freePort(), await freePort(), await freePort()];
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: `chaos-${randomUUID()}`,
    ...DEV_DEFAULTS,
    KYC_PROVIDERS: 'jumio,attestr',
    KYC_INBOX_DIR: dirs[1]!,
    // Quick retries of an announced result once the worker or the server is back.
    KYC_PROVIDER_RETRY_INITIAL: '1s',
    KYC_PROVIDER_RETRY_MAX: '5s',
    JUMIO_API_BASE_URL: jumio.url,
    JUMIO_AUTH_URL: jumio.authUrl,
    JUMIO_CLIENT_ID: jumio.clientId,
    JUMIO_CLIENT_SECRET: jumio.clientSecret,
    JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
    ATTESTR_API_BASE_URL: attestr.apiBaseUrl,
    ATTESTR_AUTH_TOKEN: attestr.authToken,
    ATTESTR_CLIENT_SECRET: attestr.clientSecret,
    ATTESTR_WEBHOOK_AUTH: `basic:${attestr.webhookToken}`,
    // Fallback polling off: every verdict comes through a callback (and Jumio's announced retrieval).
    JUMIO_CALLBACK_GRACE: '1000d',
    ATTESTR_CALLBACK_GRACE: '1000d',
    JUMIO_EXPIRES_AFTER: '2000d',
    ATTESTR_EXPIRES_AFTER: '2000d',
    ...(process.env.KYC_TEST_WORKFLOW_BUNDLE ? { KYC_WORKFLOW_BUNDLE: process.env.KYC_TEST_WORKFLOW_BUNDLE } : {}),
  };
  const serverOptions = {
    port: temporalPort,
    uiPort,
    dbFile: join(dirs[0]!, 'temporal.sqlite'),
    namespace: 'default',
  };

  let devServer: RunningDevServer | undefined;
  let worker: NodeProcess | undefined;
  let ingress: NodeProcess | undefined;
  let connection: Connection | undefined;
  try {
    devServer = await startDevServer(serverOptions);
    [worker, ingress] = await Promise.all([startWorkerProcess(env), startIngressProcess(env, ingressPort)]);

    const newPlan = (i: number): Plan => {
      const reference = randomUUID();
      if (i % 2 === 0) {
        const event = pick(Object.keys(ATTESTR_TRUTH));
        return {
          provider: 'attestr',
          reference,
          callbacks: [
            {
              providerStatus: event,
              delivery: { body: attestr.flowxCallback(reference, event), headers: attestr.webhookHeaders() },
            },
          ],
          truth: ATTESTR_TRUTH[event]!,
        };
      }
      const decision = pick(Object.keys(JUMIO_TRUTH)) as JumioDecisionType;
      jumio.script(reference, { accountId: randomUUID(), status: 'PROCESSED', decision: { type: decision } });
      const acquiredAt = new Date(Date.now() - 60_000);
      return {
        provider: 'jumio',
        reference,
        callbacks: ['ACQUIRED', 'PROCESSED'].map((status, n) => ({
          providerStatus: status,
          delivery: { body: jumio.callback(reference, status, new Date(acquiredAt.getTime() + n * 1000)) },
        })),
        truth: JUMIO_TRUTH[decision]!,
      };
    };

    // The load: each verification's callbacks in order, each resent until acknowledged.
    let sent = 0;
    const acknowledged = new Set<string>();
    const unacknowledged: string[] = [];
    // Steady load: new verifications keep coming until every fault was injected (and at least the minimum).
    const plans: Plan[] = [];
    let faultsDone = false;
    const next = (): Plan | undefined => {
      if (faultsDone && plans.length >= options.verifications) return undefined;
      const plan = newPlan(plans.length);
      plans.push(plan);
      return plan;
    };
    const url = (provider: string) => `http://127.0.0.1:${ingressPort}/webhooks/${provider}`;
    const sender = async () => {
      for (let plan = next(); plan; plan = next()) {
        for (const callback of plan.callbacks) {
          const result = await sendUntilAcknowledged(url(plan.provider), callback.delivery, {
            retryDelayMs: 300,
            giveUpAfterMs: 180_000,
          });
          sent += result.statuses.length;
          const key = `${plan.reference}/${callback.providerStatus}`;
          if (result.acknowledged) acknowledged.add(key);
          else unacknowledged.push(key);
          await new Promise((r) => setTimeout(r, 50 + rand() * 150));
        }
      }
    };

    const injected: Fault[] = [];
    const inject = async () => {
      for (const fault of options.faults) {
        await new Promise((r) => setTimeout(r, options.gapMs));
        log(`fault: SIGKILL ${fault}`);
        if (fault === 'ingress') {
          await ingress!.kill('SIGKILL');
          ingress = await startIngressProcess(env, ingressPort);
        } else if (fault === 'worker') {
          await worker!.kill('SIGKILL');
          worker = await startWorkerProcess(env);
        } else {
          await devServer!.kill();
          devServer = await startDevServer(serverOptions);
        }
        injected.push(fault);
      }
      faultsDone = true;
    };
    await Promise.all([inject(), ...Array.from({ length: options.concurrency }, sender)]);
    log(`load done: ${sent} attempts, ${acknowledged.size} acknowledged; waiting for every verification to end`);

    connection = await Connection.connect({ address: devServer.address });
    const kyc = new KycClient(new Client({ connection }), loadConfig(env));
    const problems: string[] = [];
    let applied = 0;
    let lost = 0;
    let appliedTwice = 0;
    let wrongVerdicts = 0;
    for (const plan of plans) {
      let state: VerificationState;
      try {
        state = await eventually(
          async () => {
            const current = await kyc.getVerification(plan.provider, plan.reference);
            return isTerminal(current.status) ? current : undefined;
          },
          120_000,
          `${plan.provider} ${plan.reference} to end`,
        );
      } catch {
        wrongVerdicts += 1;
        problems.push(`${plan.provider} ${plan.reference}: never ended`);
        continue;
      }
      if (state.status !== plan.truth.status || state.decision !== plan.truth.decision) {
        wrongVerdicts += 1;
        problems.push(
          `${plan.provider} ${plan.reference}: ${state.status}/${state.decision ?? '-'} instead of ` +
            `${plan.truth.status}/${plan.truth.decision ?? '-'}`,
        );
      }
      for (const callback of plan.callbacks) {
        if (!acknowledged.has(`${plan.reference}/${callback.providerStatus}`)) continue;
        // Resends show up as `duplicate`; anything else is the one time the callback counted.
        const counted = state.timeline.filter(
          (entry) =>
            entry.source === 'callback' &&
            entry.providerStatus === callback.providerStatus &&
            entry.outcome !== 'duplicate',
        ).length;
        if (counted === 1) applied += 1;
        else if (counted === 0) {
          lost += 1;
          problems.push(`${plan.provider} ${plan.reference}: acknowledged ${callback.providerStatus} never applied`);
        } else {
          appliedTwice += 1;
          problems.push(`${plan.provider} ${plan.reference}: ${callback.providerStatus} counted ${counted} times`);
        }
      }
    }
    return {
      seed: options.seed,
      verifications: plans.length,
      faultsInjected: injected,
      sent,
      acknowledged: acknowledged.size,
      applied,
      lost,
      appliedTwice,
      wrongVerdicts,
      notAcknowledged: unacknowledged.length,
      problems,
    };
  } finally {
    await connection?.close();
    await Promise.all([ingress?.kill(), worker?.kill()]);
    await devServer?.stop();
    await Promise.all([jumio.close(), attestr.close()]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

export function describeReport(report: ChaosReport): string {
  return (
    `chaos (seed ${report.seed}): ${report.verifications} verifications, faults injected ` +
    `${report.faultsInjected.length} (${report.faultsInjected.join(', ')}); callbacks sent ${report.sent}, ` +
    `acknowledged ${report.acknowledged}, applied ${report.applied}, lost: ${report.lost}, ` +
    `applied twice: ${report.appliedTwice}, wrong verdicts: ${report.wrongVerdicts}, ` +
    `never acknowledged: ${report.notAcknowledged}`
  );
}
