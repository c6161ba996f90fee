import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { JumioKitSimulator } from '../testing/kit';
import type { JumioSimulator } from '../testing/simulator';
import { useProviderStack } from '../../../../test/support/provider-stack';
import type { Stack } from '../../../../test/support/stack';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';

/** Variables that point Jumio at the simulator and accept callbacks from loopback. */
export function jumioTestEnv(sim: JumioSimulator, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...DEV_DEFAULTS,
    KYC_PROVIDERS: 'jumio',
    JUMIO_API_BASE_URL: sim.url,
    JUMIO_AUTH_URL: sim.authUrl,
    JUMIO_CLIENT_ID: sim.clientId,
    JUMIO_CLIENT_SECRET: sim.clientSecret,
    JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
    ...overrides,
  };
}

export interface JumioStackFixture {
  readonly env: TestWorkflowEnvironment;
  readonly sim: JumioSimulator;
  readonly stack: Stack;
}

/**
 * Registers, for the calling test file, a real dev server, the Jumio simulator and our worker
 * and ingress pointed at it (useProviderStack); everything is stopped after the file's tests.
 * Any Jumio account is accepted, as these tests make one up per verification.
 */
export function useJumioStack(overrides: Record<string, string> = {}): JumioStackFixture {
  const setup = useProviderStack('jumio', { variables: { JUMIO_ACCOUNT_IDS: '', ...overrides } });
  return {
    get env() {
      return setup.env;
    },
    get sim() {
      return setup.of<JumioKitSimulator>('jumio').sim;
    },
    get stack() {
      return setup.stack;
    },
  };
}
