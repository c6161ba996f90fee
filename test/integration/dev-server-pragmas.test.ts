/**
 * TEMPORAL_DEV_SQLITE_PRAGMAS reaches the embedded dev server: with `journal_mode=wal` its SQLite
 * file gets a write-ahead log beside it; without it, SQLite's own rollback journal is kept.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/app-config';
import { startDevServer, type RunningDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../support/ports';
import { DEV_DEFAULTS } from '../support/dev-defaults';

describe('embedded dev server SQLite pragmas', () => {
  let dir: string;
  const servers: RunningDevServer[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kyc-pragmas-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (name: string, env: Record<string, string>) => {
    const { sqlitePragmas } = loadConfig({ ...DEV_DEFAULTS, ...env }).temporal.devServer;
    const dbFile = join(dir, `${name}.sqlite`);
    const server = await startDevServer({
      port: await freePort(),
      uiPort: await freePort(),
      dbFile,
      namespace: 'default',
      sqlitePragmas,
    });
    servers.push(server);
    return dbFile;
  };

  it('runs SQLite in WAL mode when asked, and with its defaults otherwise', async () => {
    const [wal, plain] = await Promise.all([
      start('wal', { TEMPORAL_DEV_SQLITE_PRAGMAS: 'journal_mode=wal,synchronous=normal' }),
      start('plain', {}),
    ]);
    expect(existsSync(`${wal}-wal`)).toBe(true);
    expect(existsSync(plain)).toBe(true);
    expect(existsSync(`${plain}-wal`)).toBe(false);
  });

  it('refuses a pragma that is not name=value, naming the variable', () => {
    expect(() => loadConfig({ ...DEV_DEFAULTS, TEMPORAL_DEV_SQLITE_PRAGMAS: 'journal_mode' })).toThrow(
      'TEMPORAL_DEV_SQLITE_PRAGMAS',
    );
    expect(() =>
      loadConfig({ ...DEV_DEFAULTS, TEMPORAL_DEV_SQLITE_PRAGMAS: 'journal_mode=wal; drop table x' }),
    ).toThrow('TEMPORAL_DEV_SQLITE_PRAGMAS');
  });
});
