/**
 * `npm start` as a user runs it: the compiled entry point, an embedded dev server with SQLite,
 * the worker and the ingress; Ctrl-C (SIGINT) stops all three and leaves no process behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/app-config';
import { KycClient } from '../../src/client';
import { freePort } from '../support/ports';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { PROVIDERS, providerModule, type ProviderId } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';

/** `npm start` with the first registered provider: what it needs in production is development-defaulted. */
const [PROVIDER] = PROVIDERS as [ProviderId];
const devDefaulted = providerModule(PROVIDER)
  .variables.filter((variable) => variable.requiredInProduction)
  .map((variable) => variable.name)
  .join(', ');
const startContext = Object.fromEntries(
  (providerModule(PROVIDER).requiredContext ?? []).map(({ key, example }) => [key, example]),
);

const entry = join(__dirname, '../../dist/start.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `node dist/start.js` as `npm start` runs it (the script opts in to development defaults), unless `devDefaults` is false. */
function start(env: Record<string, string>, options: { devDefaults?: boolean } = {}): Started {
  let output = '';
  const optIn = options.devDefaults === false ? {} : DEV_DEFAULTS;
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...optIn, ...env },
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(started: Started, text: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!started.output().includes(text)) {
    if (Date.now() > deadline || started.child.exitCode !== null) {
      throw new Error(`did not see "${text}"; output:\n${started.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function processesMentioning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kyc-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('brings up Temporal with its UI, the worker and the ingress, keeps state across a restart, and stops cleanly', async () => {
    const [temporalPort, uiPort, port] = [await freePort(), await freePort(), await freePort()];
    const dbFile = join(dataDir, 'temporal.sqlite');
    const env = {
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_DEV_DB: dbFile,
      PORT: String(port),
      KYC_PROVIDERS: PROVIDER,
      // Kept across the restart like the database; not the repository's .data/inbox, which another test may hold.
      KYC_INBOX_DIR: join(dataDir, 'inbox'),
    };
    const reference = randomUUID();

    for (const round of [1, 2]) {
      const started = start(env);
      try {
        await waitForOutput(started, 'ingress: listening');
        const text = started.output();
        expect(text).toContain(
          `temporal: dev server on 127.0.0.1:${temporalPort}, Web UI on http://127.0.0.1:${uiPort}`,
        );
        expect(text).toContain('worker: polling task queue kyc-verifications');
        expect(text).toContain(
          `development defaults in use (KYC_DEV_DEFAULTS=1; refused with NODE_ENV=production): ${devDefaulted}`,
        );

        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);

        const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
        try {
          const kyc = new KycClient(
            new Client({ connection }),
            loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: PROVIDER }),
          );
          if (round === 1)
            await kyc.startVerification({
              provider: PROVIDER,
              reference,
              customerReference: 'persisted',
              context: startContext,
            });
          // Round 2 reads what round 1 wrote: the SQLite file kept it.
          expect(await kyc.getVerification(PROVIDER, reference)).toMatchObject({
            status: 'PENDING',
            customerReference: 'persisted',
          });
        } finally {
          await connection.close();
        }
      } finally {
        started.child.kill('SIGINT');
      }
      expect(await started.exited).toBe(0);
      expect(started.output()).toContain('stopped');
      expect(processesMentioning(dbFile)).toEqual([]);
    }
  });

  it('stops with one line naming a bad environment value', async () => {
    const schedule = providerVariable(PROVIDER, 'POLL_SCHEDULE');
    const started = start({ [schedule]: '40,soon' });
    expect(await started.exited).toBe(1);
    expect(started.output()).toBe(
      `kyc-orchestrator: configuration error: ${schedule}: '40,soon' is not a comma-separated list of durations (e.g. 40,60,100 or 30s,2m)\n`,
    );
  });

  it('uses development defaults only as `npm start` asks for them (KYC_DEV_DEFAULTS=1): without, a missing setting stops it', async () => {
    const scripts = (
      JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.start).toContain('KYC_DEV_DEFAULTS=1 node dist/start.js');
    // A deployment that runs the entry point and forgets NODE_ENV is refused, not open.
    const started = start({}, { devDefaults: false });
    expect(await started.exited).toBe(1);
    const [firstRequired] = devDefaulted.split(', ');
    expect(started.output()).toBe(
      `kyc-orchestrator: configuration error: ${firstRequired}: must be set: development defaults are off (KYC_DEV_DEFAULTS=1 turns them on outside production)\n`,
    );
  });

  it('refuses development defaults in production', async () => {
    const started = start({ NODE_ENV: 'production' });
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(
      /^kyc-orchestrator: configuration error: TEMPORAL_ADDRESS: must be set when NODE_ENV=production/,
    );
  });
});
