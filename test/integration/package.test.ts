/**
 * The package as an app installs it: `npm pack`, unpacked into a consumer project's
 * node_modules, type-checked by the consumer's own compiler settings and run. Proves the
 * exports, the declarations and the runtime entry all work from the package name.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PROVIDERS } from '../../src/providers/registry';

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
import { KycClient as FromSubpath } from 'kyc-orchestrator/dist/client';

const provider: ProviderId = 'jumio';
// @ts-expect-error not a provider: the union type is exported, not string
const notAProvider: ProviderId = 'onfido';
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
  await kyc.startVerification({ provider, reference: 'exec-1', context: { accountId: 'acc-1' } });
  return verdict(await kyc.waitForVerification(provider, 'exec-1', { timeoutMs: 60_000 }));
}

let refused = '';
try {
  validateStartRequest({ provider: 'jumio', reference: 'exec-1' });
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
    sameClass: FromSubpath === KycClient,
    errors: [VerificationNotFoundError, VerificationAlreadyFinishedError, WaitTimeoutError].map((e) => e.name),
    unused: [notAProvider, notAStatus].length,
  }),
);
`;

/** The README's "Use it from your app" snippets, as a newcomer copies them. */
function readmeSnippets(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use it from your app');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!.replace(/^ {2}/gm, ''));
}

function tsconfig(moduleResolution: 'node16' | 'node10', outDir?: string): string {
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
    files: ['consumer.ts', ...(outDir ? ['readme-client.ts', 'readme-receiver.ts'] : [])],
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
    expect.arrayContaining(['package.json', 'bin/kyc.js', 'dist/client/public.js', 'dist/client/public.d.ts']),
  );
  expect(shipped.filter((path) => /^(src|test)\/|\.env$|\.map$/.test(path))).toEqual([]);

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
    workflowId: 'kyc:jumio:exec-1',
    status: 'COMPLETED',
    refused: expect.stringMatching(/^jumio needs context\.accountId: /),
    connect: 'function',
    startAndWait: 'function',
    onWebhook: 'kyc.verification.finished:undefined',
    sameClass: true,
    errors: ['VerificationNotFoundError', 'VerificationAlreadyFinishedError', 'WaitTimeoutError'],
    unused: 2,
  });
}, 120_000);
