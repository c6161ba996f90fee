/**
 * Jumio's own configuration: its documented poll schedule, its published callback addresses as the
 * webhook auth, and the account IDs production requires (Jumio's addresses send every Jumio
 * customer's callbacks, so only the account tells ours from theirs).
 */
import { ConfigError, loadConfig } from '../../../app-config';
import { PROVIDERS } from '../../registry';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';
import { configError, productionEnv } from '../../../../test/support/production';
import { JUMIO_CALLBACK_IPS } from '..';

const devEnv = DEV_DEFAULTS;
const production = productionEnv('jumio');

it("has Jumio's documented defaults in development and says which of its settings it used", () => {
  const config = loadConfig(devEnv);
  expect(config.providers.jumio!.policy.pollScheduleMs).toEqual(
    [40, 60, 100, 160, 240, 340, 460, 600, 760, 940].map((s) => s * 1000),
  );
  expect(config.providers.jumio!.webhookAuth).toEqual([{ kind: 'ip', ranges: expect.any(Array) }]);
  const jumioAuth = config.providers.jumio!.webhookAuth[0];
  expect(jumioAuth?.kind === 'ip' && jumioAuth.ranges.map((r) => r.text)).toEqual(JUMIO_CALLBACK_IPS);
  expect(config.devDefaults).toEqual(
    expect.arrayContaining(['JUMIO_CLIENT_ID', 'JUMIO_CLIENT_SECRET', 'JUMIO_ACCOUNT_IDS']),
  );
});

it.each([
  [{ JUMIO_ACCOUNT_IDS: ' , ' }, 'JUMIO_ACCOUNT_IDS: lists no account ID'],
  [{ JUMIO_ACCOUNT_IDS: 'acc-1,a b' }, 'JUMIO_ACCOUNT_IDS: entry 2 is not an account ID (letters, digits and . _ : -)'],
])('stops on a bad account list with one line naming it: %j', (env, message) => {
  expect(() => loadConfig({ ...devEnv, ...env })).toThrow(ConfigError);
  expect(() => loadConfig({ ...devEnv, ...env })).toThrow(message);
});

it("requires JUMIO_ACCOUNT_IDS in production (Jumio's addresses send every Jumio customer's callbacks), and only for Jumio", () => {
  const { JUMIO_ACCOUNT_IDS: _ids, ...withoutAccounts } = production;
  expect(configError(() => loadConfig(withoutAccounts)).message).toBe(
    'JUMIO_ACCOUNT_IDS: must be set when NODE_ENV=production (its default is for development only)',
  );
  const settings = (env: Record<string, string>) =>
    loadConfig(env).providers.jumio!.settings as { accountIds?: string[] };
  expect(settings({ ...production, JUMIO_ACCOUNT_IDS: 'acc-1, acc-2' }).accountIds).toEqual(['acc-1', 'acc-2']);
  // Development: any account, and said so.
  expect(settings(devEnv).accountIds).toBeUndefined();
  // Another provider alone needs no Jumio setting.
  const other = PROVIDERS.find((id) => id !== 'jumio')!;
  expect(loadConfig(productionEnv(other)).enabledProviders).toEqual([other]);
});
