import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, payloadKeyId } from '../../src/temporal/encryption-codec';

describe('EncryptionCodec', () => {
  const payload = defaultPayloadConverter.toPayload({ reference: 'ref-1', customerReference: 'cust-42' });

  it('round-trips and leaves no clear text', async () => {
    const codec = new EncryptionCodec(randomBytes(32));
    const [encoded] = await codec.encode([payload]);
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain('cust-42');
    expect(Buffer.from(encoded!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ reference: 'ref-1', customerReference: 'cust-42' });
  });

  it('refuses a tampered payload and names a wrong key', async () => {
    const codec = new EncryptionCodec(randomBytes(32));
    const [encoded] = await codec.encode([payload]);
    const tampered = { ...encoded!, data: Buffer.from(encoded!.data!).fill(1, 20, 21) };
    await expect(codec.decode([tampered])).rejects.toThrow();
    await expect(new EncryptionCodec(randomBytes(32)).decode([encoded!])).rejects.toThrow(/different key/);
  });

  it('passes through payloads it did not encrypt', async () => {
    const codec = new EncryptionCodec(randomBytes(32));
    expect(await codec.decode([payload])).toEqual([payload]);
  });
});

describe('EncryptionCodec key ring', () => {
  const value = { reference: 'ref-2', customerReference: 'cust-43' };
  const payload = defaultPayloadConverter.toPayload(value);

  it('encrypts with the current key, decrypts with any key of the ring by the payload key ID', async () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    const [underA] = await new EncryptionCodec(a).encode([payload]);
    expect(Buffer.from(underA!.metadata!['encryption-key-id']!).toString()).toBe(payloadKeyId(a));

    const rotated = new EncryptionCodec(b, [a]);
    const [underB] = await rotated.encode([payload]);
    expect(Buffer.from(underB!.metadata!['encryption-key-id']!).toString()).toBe(payloadKeyId(b));
    const decoded = await rotated.decode([underA!, underB!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([value, value]);

    // Without A in the ring, its payloads are refused with the key ID to add, never misread.
    await expect(new EncryptionCodec(b).decode([underA!])).rejects.toThrow(
      new RegExp(`id ${payloadKeyId(a)}.*KYC_PAYLOAD_KEYS_OLD`),
    );
  });
});
