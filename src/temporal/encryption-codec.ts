import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** The `encoding` of a payload this codec encrypted. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key (its {@link payloadKeyId}) a payload was encrypted with. */
export const KEY_ID_HEADER = 'encryption-key-id';

/** A fingerprint of a key, not the key: stored beside each payload so a reader picks the right key. */
export function payloadKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * AES-256-GCM payload codec with a key ring: workflow inputs, signals, query results and activity
 * payloads are encrypted before they leave the process, so the Temporal server (and its database)
 * never holds verification data in clear.
 *
 * One key encrypts (`KYC_PAYLOAD_KEY`); every key of the ring decrypts (`KYC_PAYLOAD_KEYS_OLD`
 * too), chosen by the key ID each payload carries. Rotation is therefore: make the new key current
 * and keep the old one in the ring for as long as any open or retained verification may hold a
 * payload written with it. Payloads that are not encrypted pass through, so turning encryption on
 * never strands a verification either.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keyId: string;
  private readonly ring = new Map<string, Buffer>();

  constructor(
    private readonly key: Buffer,
    oldKeys: readonly Buffer[] = [],
  ) {
    for (const each of [key, ...oldKeys]) {
      if (each.length !== 32) throw new Error('payload keys must be 32 bytes');
      this.ring.set(payloadKeyId(each), each);
    }
    this.keyId = payloadKeyId(key);
  }

  /** The IDs of every key of the ring (the current one first): payloads naming one of them are ours. */
  get keyIds(): string[] {
    return [...this.ring.keys()];
  }

  // Deferred with .then, so a failure is a rejected promise rather than a synchronous throw.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() =>
      payloads.map((payload) => {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', this.key, iv);
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const encrypted = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: {
            [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
            [KEY_ID_HEADER]: Buffer.from(this.keyId),
          },
          data: encrypted,
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() =>
      payloads.map((payload) => {
        const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
        if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
        const header = payload.metadata?.[KEY_ID_HEADER];
        // Payloads from before key IDs were written can only be from the current key.
        const keyId = header ? Buffer.from(header).toString() : this.keyId;
        const key = this.ring.get(keyId);
        if (!key) {
          throw new Error(
            `payload was encrypted with a different key (id ${keyId}): add it to KYC_PAYLOAD_KEYS_OLD to read it`,
          );
        }
        const data = Buffer.from(payload.data ?? new Uint8Array());
        const iv = data.subarray(0, 12);
        const tag = data.subarray(data.length - 16);
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain);
      }),
    );
  }
}
