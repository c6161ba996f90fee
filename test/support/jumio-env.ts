import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/testing/simulator';
import { startStack, startTemporal, type Stack } from './stack';
import { DEV_DEFAULTS } from './dev-defaults';

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
 * and ingress pointed at it; everything is stopped after the file's tests.
 */
export function useJumioStack(overrides: Record<string, string> = {}): JumioStackFixture {
  const fixture = {} as { env: TestWorkflowEnvironment; sim: JumioSimulator; stack: Stack };
  beforeAll(async () => {
    fixture.env = await startTemporal();
    fixture.sim = await startJumioSimulator();
    fixture.stack = await startStack(fixture.env, jumioTestEnv(fixture.sim, overrides));
  });
  afterAll(async () => {
    await fixture.stack?.stop();
    await fixture.sim?.close();
    await fixture.env?.teardown();
  });
  return fixture;
}
