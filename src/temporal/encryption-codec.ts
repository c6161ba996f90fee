import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const ENCODING = 'binary/encrypted';
const KEY_ID_HEADER = 'encryption-key-id';

/**
 * AES-256-GCM payload codec: workflow inputs, signals, query results and activity payloads are
 * encrypted before they leave the process, so the Temporal server (and its database) never holds
 * verification data in clear. Payloads encrypted with another key are passed through untouched
 * for a codec that knows it.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the payload key must be 32 bytes');
    // A fingerprint, not the key: lets a reader tell which key a payload needs.
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
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
            [METADATA_ENCODING_KEY]: Buffer.from(ENCODING),
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
        if (!encoding || Buffer.from(encoding).toString() !== ENCODING) return payload;
        const keyId = payload.metadata?.[KEY_ID_HEADER];
        if (keyId && Buffer.from(keyId).toString() !== this.keyId) {
          throw new Error('payload was encrypted with a different key (check KYC_PAYLOAD_KEY)');
        }
        const data = Buffer.from(payload.data ?? new Uint8Array());
        const iv = data.subarray(0, 12);
        const tag = data.subarray(data.length - 16);
        const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain);
      }),
    );
  }
}
