/**
 * `npm run demo` as a newcomer runs it (the built dist-tools/tools/demo/main.js, which `npm test` builds first),
 * on a fresh data directory and free ports: it must finish on its own, with every provider's
 * verifications ending as expected, and stop everything it started.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDERS } from '../../src/providers/registry';
import { freePort } from '../support/ports';

it('runs every provider through the misbehaving callbacks and ends with a table of verdicts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kyc-demo-'));
  const [port, uiPort] = [await freePort(), await freePort()];
  try {
    const child = spawn(process.execPath, [join(__dirname, '../../dist-tools/tools/demo/main.js')], {
      env: {
        PATH: process.env.PATH,
        TEMPORAL_DEV_PORT: String(port),
        TEMPORAL_UI_PORT: String(uiPort),
        TEMPORAL_DEV_DB: join(dataDir, 'temporal.sqlite'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    // On failure, what the demo printed says which story did not end as expected, or what stopped it.
    if (code !== 0 || !output.includes('all 25 verifications ended as expected')) {
      throw new Error(`the demo exited with ${code}; its output:\n${output.slice(-6000)}`);
    }
    const table = output.slice(output.indexOf('verdicts:'));
    for (const provider of PROVIDERS) {
      for (const story of ['final-dropped', 'expires']) {
        expect(table).toMatch(
          new RegExp(
            `^${provider} +${story} +(\\S+) +\\1 +ok +http://localhost:${uiPort}/namespaces/default/workflows/kyc%3A${provider}%3A`,
            'm',
          ),
        );
      }
    }
    // Every story the issue names appears: a duplicate, a reordered pair, a rescued final callback, an expiry.
    expect(table).toMatch(/^jumio +duplicate +COMPLETED\/REVIEW /m);
    expect(table).toMatch(/^socure +reordered +COMPLETED\/REVIEW /m);
    expect(table).toMatch(/^unico +final-dropped +COMPLETED\/APPROVED /m);
    expect(table).toMatch(/^concedus +expires +EXPIRED /m);
    // Plain text when stdout is not a terminal: no cursor movement.
    expect(output).not.toContain('\x1b[');
    // It stopped the dev server it started: the port is free again.
    await expect(freePortIs(port)).resolves.toBe(true);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 150_000);

async function freePortIs(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
