/**
 * Dead letters end to end (the real dev server, the ingress as the mains compose it, and `kyc`),
 * on the first registered provider whose callbacks carry a verdict: an authenticated callback naming
 * no ID is kept as a schema letter with no personal data in the listing or in clear on the server,
 * and a verdict after our timer closed the verification is kept as a late verdict. What only one
 * provider's bodies can say: src/providers/<id>/test/dead-letters.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { providerVariable } from '../../src/providers/settings';
import { postJson } from '../../src/testing/callback-sender';
import type { VerificationState } from '../../src/verification/model';
import { providerWith } from '../support/providers';
import { startViaCli, useDurableStack } from '../support/provider-stack';
import { eventually } from '../support/stack';
import { listLetters, expectSealedAndStillRefused } from '../support/dead-letter-cli';

/** Personal data a provider might put in a body: it must never show in a listing or in clear on the server. */
const PII = 'jane.doe@example.com';

describe('dead letters (real dev server, ingress, CLI)', () => {
  const chosen = providerWith(
    (story) => story.callbacksDecide && story.truth.status === 'COMPLETED',
    'a story whose callbacks decide a verdict',
  );
  const setup = useDurableStack(chosen.choose, {
    variables: ([provider]) => ({
      // Encrypted payloads: the only setting under which a letter keeps the raw body.
      KYC_PAYLOAD_KEY: randomBytes(32).toString('base64'),
      [providerVariable(provider!, 'CALLBACK_GRACE')]: '1h',
    }),
  });

  const listed = (...filters: string[]) => listLetters(setup.stack, ...filters);

  it('keeps an authenticated callback naming no ID as a schema letter, with no personal data in the listing', async () => {
    const { provider } = chosen.picked;
    const { kit, sim } = setup.of(provider);
    // A reference that is no ID (spaces, an email address): refused before any workflow sees it.
    const key = `bad ${PII} ${randomUUID()}`;
    const { delivery } = kit.callbackWithWord(sim, key, 'word');
    const webhook = `${setup.stack.ingressUrl}/webhooks/${provider}`;
    const before = new Set((await listed('--provider', provider, '--reason', 'schema')).rows.map((row) => row.id));
    expect((await postJson(webhook, delivery.body, delivery.headers)).status).toBe(400);

    const { rows, text } = await eventually(async () => {
      const found = await listed('--provider', provider, '--reason', 'schema');
      return found.rows.some((row) => !before.has(row.id)) ? found : undefined;
    });
    const letter = rows.find((row) => !before.has(row.id))!;
    expect(letter).toMatchObject({ provider, reason: 'schema', state: 'open', bodyKept: true });
    expect((letter.paths as string[]).length).toBeGreaterThan(0);
    expect(String(letter.id)).toMatch(new RegExp(`^kyc-dead:${provider}:[0-9a-f]{32}$`));
    expect(text).not.toContain(PII);
    expect(text).not.toContain(key);

    // The same refused body sent again is the same letter.
    await postJson(webhook, delivery.body, delivery.headers);
    const again = await listed('--provider', provider, '--reason', 'schema');
    expect(again.rows.filter((row) => !before.has(row.id)).map((row) => row.id)).toEqual([letter.id]);

    // On the server, the letter (with its raw body) is ciphertext only; today's parser still refuses it.
    await expectSealedAndStillRefused(setup, String(letter.id), PII);
  });

  it('a verdict after our timer closed it: 200 {late:1}, kept as a late_verdict letter, shown by kyc status', async () => {
    const { provider, story } = chosen.picked;
    const { kit, sim } = setup.of(provider);
    // Started by an operator, for a user who never finishes: our timer closes it.
    const key = randomUUID();
    const played = kit.neverFinishes.play(sim, { key });
    const reference = played.start.reference;
    expect((await startViaCli(setup.stack, played, '--expires-in', '3s')).code).toBe(0);
    await eventually(async () => {
      const out = await setup.stack.kyc('status', provider, reference, '--json');
      return (JSON.parse(out.stdout) as VerificationState).status === 'EXPIRED' ? true : undefined;
    }, 60_000);

    // Then the provider decides after all: its verdict, the story's last callback.
    const decided = kit.stories[story]!.play(sim, { key });
    expect(decided.start.reference).toBe(reference);
    const verdict = decided.callbacks.at(-1)!.delivery;
    const response = await postJson(`${setup.stack.ingressUrl}/webhooks/${provider}`, verdict.body, verdict.headers);
    expect(response).toEqual({ status: 200, body: { accepted: 0, late: 1 } });

    const verificationId = `kyc:${provider}:${reference}`;
    // Our timer inferred EXPIRED; the provider's verdict is a late verdict (docs/providers.md, "Late verdicts").
    // Visibility is eventually consistent (on PostgreSQL, by its own task queue): listed once indexed.
    const { rows } = await eventually(async () => {
      const found = await listed('--reason', 'late_verdict');
      return found.rows.some((row) => row.verificationId === verificationId) ? found : undefined;
    });
    const letter = rows.find((row) => row.verificationId === verificationId);
    expect(letter).toMatchObject({ provider, reason: 'late_verdict', events: 1, state: 'open' });

    const status = await setup.stack.kyc('status', provider, reference, '--json');
    const state = JSON.parse(status.stdout) as VerificationState & { lateCallbacks: { id: string }[] };
    expect(state.status).toBe('EXPIRED');
    expect(state.lateCallbacks.map((late) => late.id)).toEqual([letter!.id]);
    const human = await setup.stack.kyc('status', provider, reference);
    expect(human.stdout).toContain('late callbacks:');
    expect(human.stdout).toContain(String(letter!.id));

    // Replaying it finds the verification still closed: nothing applied, the letter stays.
    const replay = await setup.stack.kyc('replay', String(letter!.id), '--json');
    expect(JSON.parse(replay.stdout)).toMatchObject({ accepted: 0, late: 1, alreadyReplayed: false });
    expect((await listed('--reason', 'late_verdict')).rows.some((row) => row.id === letter!.id)).toBe(true);
  });
});
