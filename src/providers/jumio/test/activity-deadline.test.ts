/**
 * A provider call ends with its activity: at the attempt's startToClose or at its cancellation,
 * every request it has open (the token request included) is aborted, so an abandoned attempt
 * never keeps calling the provider next to its retry. The provider is a real HTTP server on
 * loopback that never answers; the activity runs in `MockActivityEnvironment`. Shown with Jumio's
 * retrieval client, whose calls make a token request and then a status request.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, CancelledFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../../activities';
import { createJumioRetrievalClient } from '../retrieval';
import { startHangingProvider, type HangingProvider } from '../../../../test/support/hanging-provider';
import { answerJumioToken } from './token-answer';
import { type PollRequest } from '../../../contracts';

const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** After the call ended, the provider must see every connection closed within this. */
const GRACE_MS = 500;

function jumioAgainst(provider: HangingProvider) {
  const client = createJumioRetrievalClient({
    apiBaseUrl: provider.url,
    authUrl: `${provider.url}/oauth2/token`,
    clientId: 'client',
    clientSecret: 'secret',
    userAgent: 'kyc-orchestrator-test',
  });
  return createActivities({ retrieval: { jumio: client } });
}

const poll = (): PollRequest => ({
  provider: 'jumio',
  reference: randomUUID(),
  context: { accountId: randomUUID() },
  expectResult: false,
});

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a provider call ends with its activity', () => {
  let provider: HangingProvider;
  afterEach(() => provider?.close());

  it.each([
    ['the status request', answerJumioToken, '/status'],
    ['the token request', undefined, '/oauth2/token'],
  ])('a cancelled activity aborts %s at once, and reports itself cancelled', async (_what, answer, hanging) => {
    provider = await startHangingProvider(answer);
    const env = new MockActivityEnvironment(
      { startToCloseTimeoutMs: 60_000, heartbeatTimeoutMs: 10_000 },
      { logger: quiet },
    );
    let heartbeats = 0;
    env.on('heartbeat', () => (heartbeats += 1));
    const { pollProvider } = jumioAgainst(provider);
    const outcome = env.run(pollProvider, poll()).then(
      () => 'answered',
      (err: unknown) => err,
    );
    await until(() => provider.received.some((r) => r.includes(hanging)) && provider.open() === 1, 'the request');
    // Heartbeats are what bring a cancellation from the server to a worker.
    await until(() => heartbeats > 0, 'a heartbeat');
    env.cancel();
    expect(await outcome).toBeInstanceOf(CancelledFailure);
    await sleep(GRACE_MS);
    expect(provider.open()).toBe(0);
  });

  it('an attempt whose startToClose ran out aborts its request and fails as retryable', async () => {
    provider = await startHangingProvider(answerJumioToken);
    const startToCloseTimeoutMs = 1500;
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs }, { logger: quiet });
    const { pollProvider } = jumioAgainst(provider);
    const started = Date.now();
    const err = await env.run(pollProvider, poll()).catch((e: unknown) => e);
    const took = Date.now() - started;
    // Not the request's own 15 s cap: the attempt's remaining time.
    expect(took).toBeLessThan(startToCloseTimeoutMs + 1000);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false, message: 'jumio status: timed out' });
    await sleep(GRACE_MS);
    expect(provider.open()).toBe(0);
  });
});
