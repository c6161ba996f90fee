/**
 * Attestr's callbacks as dead letters (the real dev server, the ingress as the mains compose it, and
 * `kyc`): a schema-invalid flowx event kept with its paths and no personal data in the listing, and
 * a kept background-check event replayed as the ingress reads it. Every provider's late verdicts
 * and refused references: test/integration/dead-letters.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { deadLetterHome } from '../../../dead-letters/recorder';
import { storeDeadLetter } from '../../../dead-letters/store';
import { postJson } from '../../../testing/callback-sender';
import { useDurableStack } from '../../../../test/support/provider-stack';
import { eventually } from '../../../../test/support/stack';
import type { AttestrSimulator } from '../testing/simulator';
import { listLetters, expectSealedAndStillRefused } from '../../../../test/support/dead-letter-cli';

/** Personal data a provider might put in a body: it must never show in a listing or in clear on the server. */
const PII = 'jane.doe@example.com';

describe('attestr dead letters (real dev server, ingress, CLI)', () => {
  const setup = useDurableStack('attestr', {
    variables: {
      // Encrypted payloads: the only setting under which a letter keeps the raw body.
      KYC_PAYLOAD_KEY: randomBytes(32).toString('base64'),
      // Results unsigned, as these tests' bodies are.
      ATTESTR_CLIENT_SECRET: '',
      ATTESTR_CALLBACK_GRACE: '1h',
    },
  });
  const attestr = () => setup.of<AttestrSimulator>('attestr').sim;

  const listed = (...filters: string[]) => listLetters(setup.stack, ...filters);

  it('keeps a schema-invalid authenticated callback with its reason and paths, and no personal data in the listing', async () => {
    const handshake = `bad ${randomUUID()}`;
    const body = { event: 'flowx.completed', payload: { _id: handshake, email: PII, updated: Date.now() } };
    const response = await postJson(`${setup.stack.ingressUrl}/webhooks/attestr`, body, attestr().webhookHeaders());
    expect(response.status).toBe(400);

    const { rows, text } = await eventually(async () => {
      const found = await listed('--provider', 'attestr', '--reason', 'schema');
      return found.rows.some((row) => (row.paths as string[]).includes('payload._id')) ? found : undefined;
    });
    const letter = rows.find((row) => (row.paths as string[]).includes('payload._id'))!;
    expect(letter).toMatchObject({ provider: 'attestr', reason: 'schema', state: 'open', bodyKept: true });
    expect(String(letter.id)).toMatch(/^kyc-dead:attestr:[0-9a-f]{32}$/);
    expect(text).not.toContain(PII);
    expect(text).not.toContain(handshake);

    // The same refused body sent again is the same letter.
    await postJson(`${setup.stack.ingressUrl}/webhooks/attestr`, body, attestr().webhookHeaders());
    const again = await listed('--provider', 'attestr', '--reason', 'schema');
    expect(again.rows.filter((row) => row.id === letter.id)).toHaveLength(1);

    // On the server, the letter (with its raw body) is ciphertext only; today's parser still refuses it.
    await expectSealedAndStillRefused(setup, String(letter.id), PII);
  });

  it('a kept body is replayed as the ingress reads it: a __proto__ member names no verification', async () => {
    // A kept background-check event whose `profile` (the reference when present) sits only in an
    // own `__proto__` member: read as plain JSON and then validated, the prototype would supply it.
    const eventId = `e-${randomUUID()}`;
    const body = JSON.stringify({
      event: 'factx.updated',
      payload: { _id: eventId, ['__proto__']: { profile: `forged-${eventId}` } },
    });
    const letter = {
      provider: 'attestr' as const,
      reason: 'schema' as const,
      issues: [{ path: 'payload', message: 'Invalid input' }],
      receivedAt: new Date().toISOString(),
      body,
      bodyBytes: Buffer.byteLength(body),
    };
    const home = deadLetterHome(setup.stack.config, 'schema');
    const id = await storeDeadLetter(setup.stack.client, home, letter, randomBytes(16).toString('hex'));
    expect(await setup.stack.kyc('replay', id)).toMatchObject({ code: 0, stderr: '' });
    // The event is its own ID's, as the ingress would have read it; nothing is named by the injected text.
    const named = await setup.stack.client.workflow.getHandle(`kyc:attestr:${eventId}`).describe();
    expect(named.status.name).toBe('RUNNING');
    await expect(setup.stack.client.workflow.getHandle(`kyc:attestr:forged-${eventId}`).describe()).rejects.toThrow(
      /not found/i,
    );
  });
});
