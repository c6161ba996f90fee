/**
 * The package as an app installs it: `npm pack`, unpacked into a consumer project's
 * node_modules, type-checked by the consumer's own compiler settings and run. Proves the entry
 * points the README documents work from the package name with their declarations
 * (`kyc-orchestrator`; the workflow-safe `kyc-orchestrator/workflow`; the provider simulators,
 * `kyc-orchestrator/testing`), that nothing else of dist/ can be imported, and that the runtime
 * (the client, the worker) never loads the testing code.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PROVIDERS, providerModule, type ProviderId } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { loadKit } from '../../src/testing/kits';

const execFileAsync = promisify(execFile);

/** Runs a command; on failure the error says what it printed (tsc reports on stdout). */
async function run(file: string, args: string[], options: { cwd?: string } = {}): Promise<{ stdout: string }> {
  try {
    return await execFileAsync(file, args, options);
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
const root = join(__dirname, '../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

const [FIRST] = PROVIDERS as [ProviderId];
/** The first registered provider that needs context to start, and the first key it needs. */
const needsContext = PROVIDERS.map(providerModule).find((module) => (module.requiredContext ?? []).length > 0);
const startContext = Object.fromEntries(
  (providerModule(FIRST).requiredContext ?? []).map(({ key, example }) => [key, example]),
);

const CONSUMER = `
import {
  DECISIONS,
  InvalidRequestError,
  KycClient,
  NOTIFY_EVENT_TYPE,
  PROVIDERS,
  STATUSES,
  VerificationAlreadyFinishedError,
  VerificationNotFoundError,
  WaitTimeoutError,
  isTerminal,
  kycWorkflowId,
  validateStartRequest,
  type Decision,
  type NotifyPayload,
  type ProviderId,
  type Status,
  type VerificationState,
} from 'kyc-orchestrator';

const provider: ProviderId = '${FIRST}';
// @ts-expect-error not a provider: the union type is exported, not string
const notAProvider: ProviderId = 'nosuchprovider';
const status: Status = 'COMPLETED';
// @ts-expect-error not a status
const notAStatus: Status = 'DONE';

function verdict(state: VerificationState): Decision | undefined {
  return isTerminal(state.status) ? state.decision : undefined;
}
function onWebhook(payload: NotifyPayload): string {
  return payload.type + ':' + payload.data.status;
}
async function startAndWait(kyc: KycClient): Promise<Decision | undefined> {
  await kyc.startVerification({ provider, reference: 'exec-1', context: ${JSON.stringify(startContext)} });
  return verdict(await kyc.waitForVerification(provider, 'exec-1', { timeoutMs: 60_000 }));
}

let refused = '';
try {
  validateStartRequest({ provider: '${needsContext?.id ?? FIRST}', reference: 'exec-1' });
} catch (err) {
  if (err instanceof InvalidRequestError) refused = err.message;
}

console.log(
  JSON.stringify({
    providers: PROVIDERS,
    statuses: STATUSES.length,
    decisions: DECISIONS,
    workflowId: kycWorkflowId(provider, 'exec-1'),
    status,
    refused,
    connect: typeof KycClient.connect,
    startAndWait: typeof startAndWait,
    onWebhook: onWebhook({ type: NOTIFY_EVENT_TYPE, timestamp: '', data: {} as NotifyPayload['data'] }),
    errors: [VerificationNotFoundError, VerificationAlreadyFinishedError, WaitTimeoutError].map((e) => e.name),
    unused: [notAProvider, notAStatus].length,
    // What the runtime loads, the client above and the worker a deployment runs: never the testing code.
    testingLoaded: [require.resolve('kyc-orchestrator/package.json').replace(/package\\.json$/, 'dist/worker.js')]
      .map((worker) => require(worker))
      .flatMap(() => Object.keys(require.cache))
      .filter((file) => /[\\/]dist[\\/](testing|providers[\\/][^\\/]+[\\/]testing)[\\/]/.test(file)),
  }),
);
`;

/** dist/ beyond the documented entry points is not the package's: the compiler refuses an import of it. */
const INTERNALS = `
// @ts-expect-error only the documented entry points are exported
import type { KycClient } from 'kyc-orchestrator/dist/client';
export type Internal = KycClient;
`;

/** The other two entry points: the workflow-safe contracts, and a provider simulator started, played and closed. */
function subpaths(apiVariable: string): string {
  return `
import { verificationFinishedSignal } from 'kyc-orchestrator/workflow';
import { PROVIDERS, startSimulator, type ProviderSimulator } from 'kyc-orchestrator/testing';

async function main(): Promise<void> {
  let internals = 'resolved';
  try {
    require.resolve('kyc-orchestrator/dist/client');
  } catch (err) {
    internals = String((err as { code?: string }).code);
  }
  const simulator: ProviderSimulator = await startSimulator(PROVIDERS[0]!);
  try {
    const story = Object.keys(simulator.stories)[0]!;
    const played = simulator.play(story);
    console.log(
      JSON.stringify({
        signal: verificationFinishedSignal.name,
        internals,
        provider: simulator.provider,
        url: simulator.url,
        apiBaseUrl: simulator.environment['${apiVariable}'],
        story,
        truth: simulator.stories[story],
        started: played.start.provider,
        callbacks: played.callbacks.length,
      }),
    );
  } finally {
    await simulator.close();
  }
}
void main();
`;
}

/**
 * The app-facing snippets, as a newcomer copies them: the README's "Use it from your app" client,
 * then docs/app.md's webhook receiver.
 */
function readmeSnippets(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use it from your app');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const app = readFileSync(join(root, 'docs', 'app.md'), 'utf8');
  return [section, app].flatMap((text) =>
    [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!.replace(/^ {2}/gm, '')),
  );
}

function tsconfig(moduleResolution: 'node16' | 'node10', outDir?: string): string {
  // Only node16 resolution reads "exports": the subpaths, and the refusal of internals, are checked there.
  const node16Only = ['subpaths.ts', 'internals.ts'];
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: moduleResolution === 'node16' ? 'node16' : 'commonjs',
      moduleResolution,
      strict: true,
      types: ['node'],
      // As most apps compile: the consumer's code is checked against the package's declarations.
      skipLibCheck: true,
      ...(outDir ? { outDir, noEmitOnError: true } : { noEmit: true }),
    },
    files: ['consumer.ts', ...(outDir ? ['readme-client.ts', 'readme-receiver.ts', ...node16Only] : [])],
  });
}

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kyc-package-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

it('packs into a package an app imports with its types', async () => {
  // dist/ is built by `npm test` (pretest); packing must not rebuild it or install the Temporal CLI.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: root,
  });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  const shipped = packed!.files.map((file) => file.path);
  expect(shipped).toEqual(
    expect.arrayContaining([
      'package.json',
      'bin/kyc.js',
      'dist/client/public.js',
      'dist/client/public.d.ts',
      'dist/contracts/index.js',
      'dist/contracts/index.d.ts',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      'dist/workflow-bundle.js',
      ...PROVIDERS.map((provider) => `dist/providers/${provider}/testing/kit.js`),
    ]),
  );
  // Neither sources, tests, tools nor their outputs: only what runs, and the kits.
  const notShipped = /^(src|test|tools|bench|chaos|docs)\/|^dist-tools\/|\.env$|\.map$|\.test\.|\/test\//;
  expect(shipped.filter((path) => notShipped.test(path))).toEqual([]);

  const consumer = join(work, 'consumer');
  const installed = join(consumer, 'node_modules/kyc-orchestrator');
  mkdirSync(installed, { recursive: true });
  await run('tar', ['xzf', join(work, packed!.filename), '-C', installed, '--strip-components=1']);
  // What `npm install` would resolve: the package's dependencies (taken from ours) and @types/node.
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  // The README's receiver also uses express and standardwebhooks, as the app would install them.
  const extra = ['@types/node', '@types/express'];
  for (const dependency of [...Object.keys(manifest.dependencies), ...extra]) {
    const link = join(consumer, 'node_modules', dependency);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(root, 'node_modules', dependency), link, 'dir');
  }
  // Installed as a dependency, the package's postinstall does nothing (no sources to build, no CLI to fetch).
  await run('npm', ['run', 'postinstall', '--silent'], { cwd: installed });

  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  writeFileSync(join(consumer, 'consumer.ts'), CONSUMER);
  const snippets = readmeSnippets();
  expect(snippets).toHaveLength(2);
  writeFileSync(join(consumer, 'readme-client.ts'), snippets[0]!);
  writeFileSync(join(consumer, 'readme-receiver.ts'), snippets[1]!);
  writeFileSync(join(consumer, 'internals.ts'), INTERNALS);
  const apiVariable = providerVariable(PROVIDERS[0]!, 'API_BASE_URL');
  writeFileSync(join(consumer, 'subpaths.ts'), subpaths(apiVariable));
  // Resolution through package.json "exports" (node16), and through "main"/"types" (older node10 apps).
  writeFileSync(join(consumer, 'tsconfig.json'), tsconfig('node16', 'out'));
  writeFileSync(join(consumer, 'tsconfig.node10.json'), tsconfig('node10'));
  await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer });
  await run(process.execPath, [tsc, '-p', 'tsconfig.node10.json'], { cwd: consumer });

  const output = await run(process.execPath, [join(consumer, 'out/consumer.js')], { cwd: consumer });
  expect(JSON.parse(output.stdout)).toEqual({
    providers: PROVIDERS,
    statuses: 9,
    decisions: ['APPROVED', 'REJECTED', 'REVIEW', 'RESUBMIT'],
    workflowId: `kyc:${FIRST}:exec-1`,
    status: 'COMPLETED',
    // The first provider that needs context is refused without it, naming the key (none needs any: nothing refused).
    refused: needsContext
      ? expect.stringMatching(
          new RegExp(`^${needsContext.id} needs context\\.${needsContext.requiredContext![0]!.key}: `),
        )
      : '',
    connect: 'function',
    startAndWait: 'function',
    onWebhook: 'kyc.verification.finished:undefined',
    errors: ['VerificationNotFoundError', 'VerificationAlreadyFinishedError', 'WaitTimeoutError'],
    unused: 2,
    testingLoaded: [],
  });

  const kit = await loadKit(PROVIDERS[0]!);
  const [story, { truth }] = Object.entries(kit.stories)[0]!;
  const fromSubpaths = JSON.parse(
    (await run(process.execPath, [join(consumer, 'out/subpaths.js')], { cwd: consumer })).stdout,
  ) as Record<string, unknown>;
  expect(fromSubpaths).toEqual({
    signal: 'kycVerificationFinished',
    internals: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    provider: PROVIDERS[0],
    url: expect.stringMatching(/^http:\/\/(127\.0\.0\.1|localhost):\d+/),
    apiBaseUrl: expect.stringMatching(/^http:\/\/(127\.0\.0\.1|localhost):\d+/),
    story,
    truth,
    started: PROVIDERS[0],
    callbacks: expect.any(Number),
  });
  expect(String(fromSubpaths.apiBaseUrl).startsWith(String(fromSubpaths.url))).toBe(true);
  expect(fromSubpaths.callbacks).toBeGreaterThan(0);
}, 120_000);
