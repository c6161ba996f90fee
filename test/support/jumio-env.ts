import type { JumioSimulator } from '../../src/providers/jumio/simulator';

/** Variables that point Jumio at the simulator and accept callbacks from loopback. */
export function jumioTestEnv(sim: JumioSimulator, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    KYC_PROVIDERS: 'jumio',
    JUMIO_API_BASE_URL: sim.url,
    JUMIO_AUTH_URL: sim.authUrl,
    JUMIO_CLIENT_ID: sim.clientId,
    JUMIO_CLIENT_SECRET: sim.clientSecret,
    JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
    ...overrides,
  };
}
