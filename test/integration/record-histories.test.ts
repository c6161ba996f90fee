/**
 * `npm run record-histories -- --provider P --path completed` as a maintainer runs it (the built
 * dist-tools/tools/record-histories.js, on a dev server of its own), into a folder holding other
 * providers' histories and one kept from before a change: it writes exactly P's file, which
 * replays against the current workflow, and leaves every other file as it was. Without
 * --provider it refuses and writes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROVIDERS } from '../../src/providers/registry';
import { replayFailures, replayHistories } from '../support/replay';

const run = promisify(execFile);
const tool = join(__dirname, '../../dist-tools/tools/record-histories.js');
const [first, second] = PROVIDERS;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kyc-record-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const contents = () =>
  Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));

it('records one provider down one path and leaves the other files alone', async () => {
  const others = {
    [`${second}-completed.json`]: '{"another":"provider"}\n',
    [`${first}-expired.json`]: '{"another":"path"}\n',
    [`${first}-completed.before-kyc-attention.json`]: '{"kept":"from before a change"}\n',
  };
  for (const [name, text] of Object.entries(others)) writeFileSync(join(dir, name), text);

  const { stdout } = await run(process.execPath, [tool, '--provider', first!, '--path', 'completed', '--out', dir], {
    env: { PATH: process.env.PATH },
  });
  expect(stdout).toContain(`recorded ${join(dir, `${first}-completed.json`)}`);

  const after = contents();
  expect(Object.keys(after).sort()).toEqual([...Object.keys(others), `${first}-completed.json`].sort());
  for (const [name, text] of Object.entries(others)) expect(after[name]).toBe(text);

  const recorded = after[`${first}-completed.json`]!;
  expect(recorded).toContain('verificationWorkflow');
  const results = await replayHistories([{ workflowId: `${first}-completed`, json: recorded }]);
  expect(replayFailures(results)).toEqual([]);
}, 180_000);

it('refuses to record without --provider or --all, writing nothing', async () => {
  writeFileSync(join(dir, `${first}-completed.json`), 'as it was\n');
  const failed = await run(process.execPath, [tool, '--out', dir], { env: { PATH: process.env.PATH } }).then(
    () => undefined,
    (err: { code: number; stderr: string }) => err,
  );
  expect(failed?.code).toBe(2);
  expect(failed?.stderr).toContain(`--provider <id> (${PROVIDERS.join(', ')}) or --all`);
  expect(contents()).toEqual({ [`${first}-completed.json`]: 'as it was\n' });
});
