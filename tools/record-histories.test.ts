/**
 * `npm run record-histories -- --provider P` records what it is asked to and leaves every other
 * file alone: the command line, the files a selection writes, and the writing itself (in a
 * temporary folder holding other providers' histories and histories kept from before a change).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDERS } from '../src/providers/registry';
import { loadCases, REPLAY_PATHS } from './histories';
import {
  historyFile,
  keptHistoryFile,
  parseRecordArgs,
  plannedWrites,
  UsageError,
  writeRecordings,
  type Recording,
} from './record-histories';

const [first, second] = PROVIDERS;

describe('the command line', () => {
  it('records one provider down every path with --provider', () => {
    expect(parseRecordArgs(['--provider', first!])).toEqual({ providers: [first], paths: REPLAY_PATHS });
  });

  it('takes several providers and chosen paths, in the paths’ own order', () => {
    expect(
      parseRecordArgs(['--provider', first!, '--provider', second!, '--path', 'expired', '--path', 'completed']),
    ).toEqual({ providers: [first, second], paths: ['completed', 'expired'] });
  });

  it('records every provider only when told --all', () => {
    expect(parseRecordArgs(['--all']).providers).toEqual(PROVIDERS);
  });

  it('refuses to run without --provider or --all, listing the providers', () => {
    expect(() => parseRecordArgs([])).toThrow(UsageError);
    expect(() => parseRecordArgs([])).toThrow(PROVIDERS.join(', '));
  });

  it('refuses an unknown provider or path, naming it and the valid ones', () => {
    expect(() => parseRecordArgs(['--provider', 'nosuchprovider'])).toThrow(
      `unknown provider 'nosuchprovider': the providers are ${PROVIDERS.join(', ')}`,
    );
    expect(() => parseRecordArgs(['--provider', first!, '--path', 'sideways'])).toThrow(
      `unknown path 'sideways': the paths are ${REPLAY_PATHS.join(', ')}`,
    );
  });

  it('refuses --all with --provider, an unknown flag, and a change ID that is no file-name part', () => {
    expect(() => parseRecordArgs(['--all', '--provider', first!])).toThrow(UsageError);
    expect(() => parseRecordArgs(['--provider', first!, '--force'])).toThrow(UsageError);
    expect(() => parseRecordArgs(['--provider', first!, '--keep-as', '../x'])).toThrow(UsageError);
    expect(parseRecordArgs(['--provider', first!, '--keep-as', 'kyc-new-step']).keepAs).toBe('kyc-new-step');
  });
});

describe('the files a selection writes', () => {
  it('are the chosen providers’ chosen paths only', () => {
    const dir = '/histories';
    expect(plannedWrites({ providers: [first!], paths: ['completed', 'mid-flight'] }, dir)).toEqual([
      join(dir, `${first}-completed.json`),
      join(dir, `${first}-mid-flight.json`),
    ]);
    const all = plannedWrites({ providers: [first!], paths: REPLAY_PATHS }, dir);
    expect(all).toHaveLength(REPLAY_PATHS.length);
    expect(all.every((file) => file.startsWith(join(dir, `${first}-`)))).toBe(true);
  });
});

describe('writing recordings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kyc-histories-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const recording = (json: string): Recording => ({ provider: first!, path: 'completed', json });
  const contents = () =>
    Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));

  it('writes the recorded files and leaves other providers’ and kept histories alone', () => {
    const others = {
      [`${second}-completed.json`]: 'other provider\n',
      [`${first}-expired.json`]: 'another path\n',
      [`${first}-completed.before-kyc-attention.json`]: 'kept from before a change\n',
    };
    for (const [name, text] of Object.entries(others)) writeFileSync(join(dir, name), text);
    writeFileSync(historyFile(dir, first!, 'completed'), 'old\n');

    expect(writeRecordings([recording('{"new":1}')], dir)).toEqual([historyFile(dir, first!, 'completed')]);
    expect(contents()).toEqual({ ...others, [`${first}-completed.json`]: '{"new":1}\n' });
  });

  it('with --keep-as keeps the current file under its before- name, then writes the new one', () => {
    writeFileSync(historyFile(dir, first!, 'completed'), 'current\n');
    writeRecordings([recording('{"new":2}')], dir, 'kyc-new-step');
    expect(contents()).toEqual({
      [`${first}-completed.json`]: '{"new":2}\n',
      [`${first}-completed.before-kyc-new-step.json`]: 'current\n',
    });
  });

  it('with --keep-as refuses, writing nothing, when a history is already kept under that name', () => {
    writeFileSync(historyFile(dir, first!, 'completed'), 'current\n');
    writeFileSync(keptHistoryFile(dir, first!, 'completed', 'kyc-new-step'), 'kept earlier\n');
    const before = contents();
    expect(() => writeRecordings([recording('{"new":3}')], dir, 'kyc-new-step')).toThrow('nothing written');
    expect(contents()).toEqual(before);
  });
});

describe('each provider’s replay story', () => {
  it.each(PROVIDERS)('%s: its test cases give the words it is recorded with', async (provider) => {
    const { replay } = await loadCases(provider);
    for (const word of [replay.progress, replay.final, replay.api]) {
      expect(word.providerStatus).not.toBe('');
      expect(word.meaning.status).toBeDefined();
    }
  });

  it('refuses an ID that has no cases', async () => {
    await expect(loadCases('nosuchprovider')).rejects.toThrow('provider nosuchprovider has no test cases');
  });
});
