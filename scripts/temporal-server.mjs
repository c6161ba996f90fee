#!/usr/bin/env node
// The Temporal server itself (go.temporal.io/server) and its SQL tool, built from the Go module
// proxy at the version pinned in temporal-versions.json, for the cluster that scripts/cluster.sh
// runs on this machine. docker-compose.yml runs Temporal's images of the same version.
//
//   node scripts/temporal-server.mjs build   # builds into .tools/temporal-server-<version>/ unless it is there
//   node scripts/temporal-server.mjs dir     # prints that directory (exit 1 when it is not built)
//
// The directory holds `temporal-server`, `temporal-sql-tool` and `schema/postgresql/v12/` (the
// schema the server's module ships, which the SQL tool applies). TEMPORAL_SERVER_DIR points at
// such a directory built elsewhere instead. The build needs Go; releases from 1.32 on need a newer
// toolchain than the machine's, which the go command takes from the module proxy (GOTOOLCHAIN).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pins = JSON.parse(readFileSync(join(root, 'temporal-versions.json'), 'utf8'));
const version = pins['temporal-server'];
const toolchain = pins['go-toolchain'];
const target = process.env.TEMPORAL_SERVER_DIR || join(root, '.tools', `temporal-server-${version}`);
const MODULE = 'go.temporal.io/server';

function log(line) {
  process.stderr.write(`[temporal-server] ${line}\n`);
}

function complete(dir) {
  return ['temporal-server', 'temporal-sql-tool', 'schema/postgresql/v12/temporal/versioned'].every((part) =>
    existsSync(join(dir, part)),
  );
}

function go(args, env, capture = false) {
  const result = spawnSync('go', args, {
    env: { ...process.env, GOTOOLCHAIN: toolchain, ...env },
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (result.error?.code === 'ENOENT') {
    log('the `go` command is not on PATH: install Go (1.21 or later; it fetches ' + toolchain + ' itself)');
    process.exit(1);
  }
  if (result.status !== 0) {
    log(`go ${args.join(' ')} failed (exit ${result.status})`);
    process.exit(1);
  }
  return capture ? result.stdout.trim() : '';
}

/** Files in the module cache are read-only; the copies must be removable like the rest of .tools/. */
function makeWritable(path) {
  chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) makeWritable(join(path, name));
}

function build() {
  if (complete(target)) {
    log(`${MODULE} ${version} already built in ${target}`);
    return;
  }
  if (process.env.TEMPORAL_SERVER_DIR) {
    log(`TEMPORAL_SERVER_DIR=${target} lacks temporal-server, temporal-sql-tool or schema/postgresql/v12`);
    process.exit(1);
  }
  const started = Date.now();
  // Built beside the target and renamed into place, so an interrupted build never looks complete.
  const work = `${target}.build-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'bin'), { recursive: true });
  log(
    `building ${MODULE} ${version} with ${toolchain} (a first build takes many minutes; later ones reuse Go's cache)`,
  );
  go(['install', `${MODULE}/cmd/server@v${version}`, `${MODULE}/cmd/tools/sql@v${version}`], {
    GOBIN: join(work, 'bin'),
  });
  renameSync(join(work, 'bin', 'server'), join(work, 'temporal-server'));
  renameSync(join(work, 'bin', 'sql'), join(work, 'temporal-sql-tool'));
  rmSync(join(work, 'bin'), { recursive: true });
  const moduleDir = join(go(['env', 'GOMODCACHE'], {}, true), `${MODULE}@v${version}`);
  cpSync(join(moduleDir, 'schema', 'postgresql', 'v12'), join(work, 'schema', 'postgresql', 'v12'), {
    recursive: true,
  });
  makeWritable(join(work, 'schema'));
  rmSync(target, { recursive: true, force: true });
  renameSync(work, target);
  log(`built ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
}

const command = process.argv[2];
if (command === 'build') {
  build();
  process.stdout.write(`${target}\n`);
} else if (command === 'dir') {
  if (!complete(target)) {
    log(`${target} is not built: run node scripts/temporal-server.mjs build`);
    process.exit(1);
  }
  process.stdout.write(`${target}\n`);
} else {
  process.stderr.write('usage: node scripts/temporal-server.mjs build|dir\n');
  process.exit(2);
}
