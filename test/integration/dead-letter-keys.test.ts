/**
 * A dead letter sealed with a key the deployment no longer holds (rotated out of
 * KYC_PAYLOAD_KEYS_OLD too early) is listed as unreadable, with what Temporal's search attributes
 * say; it never hides the other letters or fails the listing. On a real Temporal dev server.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { DeadLetter } from '../../src/contracts';
import { listDeadLetters, storeDeadLetter } from '../../src/dead-letters/store';
import { dataConverter } from '../../src/temporal/data-converter';
import { eventually } from '../support/stack';
import { useTemporal } from '../support/provider-stack';

const temporal = useTemporal();
const TASK_QUEUE = 'dead-letter-keys';

function clientWith(payloadKey: Buffer): Client {
  return new Client({
    connection: temporal.env.connection,
    dataConverter: dataConverter({ temporal: { payloadKey, payloadOldKeys: [] } }),
  });
}

function letter(provider: string, reference: string): DeadLetter {
  return {
    provider,
    reason: 'late',
    issues: [{ path: 'status', message: 'late' }],
    receivedAt: '2026-01-01T00:00:00.000Z',
    verificationId: `kyc:${provider}:${reference}`,
    bodyBytes: 12,
  };
}

it('lists a letter sealed with a key no longer held as unreadable, and every other letter in full', async () => {
  const oldKey = randomBytes(32);
  const currentKey = randomBytes(32);
  const where = { taskQueue: TASK_QUEUE, retentionMs: 60_000 };
  // Provider IDs of the ID form only: the listing does not need them registered.
  const sealedWithOldKey = await storeDeadLetter(clientWith(oldKey), where, letter('p', 'old-1'), 'a'.repeat(32));
  const sealedWithCurrentKey = await storeDeadLetter(
    clientWith(currentKey),
    where,
    letter('p', 'new-1'),
    'b'.repeat(32),
  );

  const current = clientWith(currentKey);
  const rows = await eventually(async () => {
    const listed = await listDeadLetters(current, { taskQueue: TASK_QUEUE });
    return listed.length === 2 ? listed : undefined;
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  expect(byId.get(sealedWithCurrentKey)).toMatchObject({
    state: 'open',
    provider: 'p',
    reason: 'late',
    paths: ['status'],
    receivedAt: '2026-01-01T00:00:00.000Z',
    verificationId: 'kyc:p:new-1',
    bodyBytes: 12,
  });
  expect(byId.get(sealedWithCurrentKey)?.unreadable).toBeUndefined();
  // What visibility says is kept; the details it cannot decrypt are not guessed.
  expect(byId.get(sealedWithOldKey)).toMatchObject({
    state: 'open',
    provider: 'p',
    reason: 'late',
    verificationId: 'kyc:p:old-1',
    paths: [],
    unreadable: expect.stringContaining('KYC_PAYLOAD_KEYS_OLD'),
  });
  // With the old key back in the ring, it reads in full again.
  const rotated = new Client({
    connection: temporal.env.connection,
    dataConverter: dataConverter({ temporal: { payloadKey: currentKey, payloadOldKeys: [oldKey] } }),
  });
  const again = await listDeadLetters(rotated, { taskQueue: TASK_QUEUE });
  expect(again.find((row) => row.id === sealedWithOldKey)).toMatchObject({ paths: ['status'], bodyBytes: 12 });
  expect(again.every((row) => row.unreadable === undefined)).toBe(true);
});
