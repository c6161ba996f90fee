import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';

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
