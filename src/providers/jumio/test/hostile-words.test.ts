/**
 * Hostile words in what Jumio's retrieval API says, end to end (the real ingress, worker and dev
 * server, the Jumio simulator, and `kyc` itself): an API status that names an Object.prototype
 * member is an unknown word like any other, and control and bidi characters in the API's status and
 * in a verdict's label are stored as sent and printed escaped. Callback words of every provider:
 * test/integration/hostile-input.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { postJson } from '../../../testing/callback-sender';
import type { VerificationState } from '../../../verification/model';
import { CONTROL_CHARACTERS } from '../../../../test/support/hostile-bodies';
import { ended, kycAt, sendWords, status, taskFailures } from '../../../../test/support/hostile-status';
import { useProviderStack } from '../../../../test/support/provider-stack';
import { eventually } from '../../../../test/support/stack';
import type { JumioKitSimulator } from '../testing/kit';
import type { JumioWorkflowStatus } from '../testing/simulator';

const setup = useProviderStack('jumio', {
  // Only callbacks (and what they announce) and `kyc refresh` move these verifications.
  variables: { JUMIO_CALLBACK_GRACE: '1h' },
});
const jumio = () => setup.of<JumioKitSimulator>('jumio').sim;
const kyc = kycAt(() => setup.env.address);
const webhook = () => `${setup.stack.ingressUrl}/webhooks/jumio`;

it('jumio: as callback statuses and as the API status, then the real verdict ends it', async () => {
  const id = randomUUID();
  const { accountId } = jumio();
  const post = async (word: string) => (await postJson(webhook(), jumio().callback(id, word))).status;
  jumio().script(id, { accountId, status: 'INITIATED' });
  expect(await post('INITIATED')).toBe(200);
  await sendWords(kyc, 'jumio', id, post);

  // The retrieval API answering such a word: asked now (kyc refresh), recorded, nothing else.
  jumio().script(id, { accountId, status: 'constructor' as JumioWorkflowStatus });
  expect((await kyc('refresh', 'jumio', id)).code).toBe(0);
  await eventually(async () =>
    (await status(kyc, 'jumio', id)).timeline.some(
      (entry) => entry.source === 'poll' && entry.providerStatus === 'constructor',
    )
      ? true
      : undefined,
  );

  jumio().script(id, { accountId, status: 'PROCESSED', decision: { type: 'REJECTED' } });
  expect(await post('PROCESSED')).toBe(200);
  expect(await ended(kyc, 'jumio', id)).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
  expect(await taskFailures(setup.stack.client, 'jumio', id)).toEqual([]);
});

describe('control and bidi characters from the Jumio API', () => {
  const every = Object.values(CONTROL_CHARACTERS).join('');
  // eslint-disable-next-line no-control-regex
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('are kept as the API sent them, and kyc status prints each escaped on its own line', async () => {
    const id = randomUUID();
    const { accountId } = jumio();
    const word = `ACQ${every}UIRED`;
    const label = `OK${every}fine`;
    jumio().script(id, { accountId, status: 'INITIATED' });
    expect((await postJson(webhook(), jumio().callback(id, 'INITIATED'))).status).toBe(200);
    await eventually(async () => ((await status(kyc, 'jumio', id)).context.accountId === accountId ? true : undefined));
    // Jumio's API status is any text: one with every kind of character, asked now.
    jumio().script(id, { accountId, status: word as JumioWorkflowStatus });
    expect((await kyc('refresh', 'jumio', id)).code).toBe(0);
    await eventually(async () =>
      (await status(kyc, 'jumio', id)).timeline.some((entry) => entry.providerStatus === word) ? true : undefined,
    );
    // And the verdict's label (a detail) with every kind too.
    jumio().script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED', label } });
    expect((await postJson(webhook(), jumio().callback(id, 'PROCESSED'))).status).toBe(200);
    const state = await ended(kyc, 'jumio', id);
    expect(state).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });

    // Stored as sent: --json carries the raw text, JSON-escaped.
    const json = await kyc('status', 'jumio', id, '--json');
    const stored = JSON.parse(json.stdout) as VerificationState;
    expect(stored.timeline.find((entry) => entry.source === 'poll' && entry.providerStatus === word)).toBeDefined();
    expect(stored.timeline.at(-1)).toMatchObject({ source: 'poll', detail: label });

    // Printed escaped: one line per timeline entry (plus the header, and the attention the unknown
    // API word raised), none holding a raw control character.
    const human = await kyc('status', 'jumio', id);
    expect(human.code).toBe(0);
    const lines = human.stdout.replace(/\n$/, '').split('\n');
    expect(state.attention).toEqual(['unknown_status']);
    expect(lines).toHaveLength(3 + state.timeline.length);
    for (const line of lines) expect(line).not.toMatch(RAW);
    const escaped = '\\u0000\\u001b\\u009b\\u0085\\r\\n\\u007f\\u202a\\u202e\\u2066\\u2069\\u2028';
    expect(lines.filter((line) => line.includes(`ACQ${escaped}UIRED`))).toHaveLength(1);
    expect(lines.at(-1)).toContain(`(OK${escaped}fine)`);
    expect(await taskFailures(setup.stack.client, 'jumio', id)).toEqual([]);
  });
});
