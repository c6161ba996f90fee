/**
 * Dead letters as an operator meets them, for the tests that keep one: `kyc dead-letters --json`
 * read back, and the checks every kept body must pass (ciphertext only on the server; a replay that
 * today's parser still refuses says so and leaks nothing).
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DurableStack } from './durable-stack';

export type ListedLetter = Record<string, unknown>;

/** `kyc dead-letters --json <filters>`: its rows, and its text to search for what must not show. */
export async function listLetters(
  stack: Pick<DurableStack, 'kyc'>,
  ...filters: string[]
): Promise<{ rows: ListedLetter[]; text: string }> {
  const out = await stack.kyc('dead-letters', '--json', ...filters);
  expect(out).toMatchObject({ code: 0, stderr: '' });
  return { rows: JSON.parse(out.stdout) as ListedLetter[], text: out.stdout };
}

/** The letter's input on the server is ciphertext only, and replaying it is refused without `secret`. */
export async function expectSealedAndStillRefused(
  setup: { env: TestWorkflowEnvironment; stack: Pick<DurableStack, 'kyc'> },
  letterId: string,
  secret: string,
): Promise<void> {
  const raw = new Client({ connection: setup.env.connection });
  const history = await raw.workflow.getHandle(letterId).fetchHistory();
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  expect(input.length).toBe(1);
  expect(Buffer.from(input[0]!.data!).toString('latin1')).not.toContain(secret);

  // Still refused by today's parser: replay says so and keeps the letter.
  const replay = await setup.stack.kyc('replay', letterId);
  expect(replay.code).toBe(1);
  expect(replay.stderr).toContain('still refused');
  expect(replay.stderr).not.toContain(secret);
}
