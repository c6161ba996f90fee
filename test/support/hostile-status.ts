/**
 * What the end-to-end hostile-word tests ask `kyc` of a verification: `kyc status` must answer
 * (for a human and as JSON) whatever words it holds; the verification's end; the workflow tasks
 * that failed; and words sent one by one until each is on the timeline.
 */
import type { Client } from '@temporalio/client';
import { kycWorkflowId } from '../../src/contracts';
import type { ProviderId } from '../../src/providers/registry';
import { isTerminal, type VerificationState } from '../../src/verification/model';
import { kycCli } from './durable-stack';
import { failedWorkflowTasks, PROTOTYPE_WORDS } from './hostile-bodies';
import { eventually } from './stack';

export type Kyc = (...argv: string[]) => ReturnType<typeof kycCli>;

/** `kyc` against the dev server at `address`. */
export const kycAt =
  (address: () => string): Kyc =>
  (...argv) =>
    kycCli({ TEMPORAL_ADDRESS: address() }, ...argv);

/** `kyc status` answers, as JSON and for a human, and says what the verification holds now. */
export async function status(kyc: Kyc, provider: ProviderId, reference: string): Promise<VerificationState> {
  const human = await kyc('status', provider, reference);
  expect(human).toMatchObject({ code: 0, stderr: '' });
  const json = await kyc('status', provider, reference, '--json');
  expect(json).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(json.stdout) as VerificationState;
}

export async function ended(kyc: Kyc, provider: ProviderId, reference: string): Promise<VerificationState> {
  return eventually(
    async () => {
      const state = await status(kyc, provider, reference);
      return isTerminal(state.status) ? state : undefined;
    },
    40_000,
    `${provider} ${reference} to end`,
  );
}

export async function taskFailures(client: Client, provider: ProviderId, reference: string): Promise<string[]> {
  return failedWorkflowTasks(await client.workflow.getHandle(kycWorkflowId(provider, reference)).fetchHistory());
}

/**
 * Sends each word of {@link PROTOTYPE_WORDS}, checking after each that `kyc status` answers, until
 * every one is on the timeline (under the providerStatus `recordedAs` gives it): an unknown word
 * like any other (ACTION_REQUIRED, or stale behind an equal one).
 */
export async function sendWords(
  kyc: Kyc,
  provider: ProviderId,
  reference: string,
  send: (word: string) => Promise<number>,
  recordedAs: (word: string) => string = (word) => word,
): Promise<void> {
  for (const word of PROTOTYPE_WORDS) {
    expect(await send(word)).toBe(200);
    await status(kyc, provider, reference);
  }
  const state = await eventually(async () => {
    const current = await status(kyc, provider, reference);
    const recorded = PROTOTYPE_WORDS.filter((word) =>
      current.timeline.some(
        (entry) => entry.providerStatus === recordedAs(word) && ['applied', 'stale'].includes(entry.outcome),
      ),
    );
    return recorded.length === PROTOTYPE_WORDS.length ? current : undefined;
  });
  expect(state.status).toBe('ACTION_REQUIRED');
  expect(state.attention.every((code) => code.startsWith('unknown_'))).toBe(true);
}
