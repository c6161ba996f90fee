/** The Web UI's codec endpoint: Temporal's /encode and /decode protocol, bearer auth, CORS for the UI only. */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import request from 'supertest';
import { createCodecServer } from '../../src/codec-server';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';

const UI = 'http://localhost:8233';
const codec = new EncryptionCodec(randomBytes(32));
const ring = { codec, keyIds: codec.keyIds };

function asJson(payload: Payload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

const text = (base64: string) => Buffer.from(base64, 'base64').toString();

describe('codec server', () => {
  it('decodes what the codec encrypted, and returns plain payloads as they are', async () => {
    const app = createCodecServer({ ...ring, auth: {}, corsOrigins: [UI] });
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ customerReference: 'cust-9' })]);
    const plain = defaultPayloadConverter.toPayload('COMPLETED');
    const res = await request(app)
      .post('/decode?preserveStorageRefs=true')
      .set('X-Namespace', 'default')
      .send({ payloads: [asJson(encrypted!), asJson(plain)] });
    expect(res.status).toBe(200);
    const [decoded, untouched] = res.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(text(decoded!.metadata.encoding!)).toBe('json/plain');
    expect(JSON.parse(text(decoded!.data))).toEqual({ customerReference: 'cust-9' });
    expect(untouched).toEqual(asJson(plain));
  });

  it('encodes only when allowed: otherwise /encode would turn anything into a payload of this ring', async () => {
    const payload = asJson(defaultPayloadConverter.toPayload({ signal: 'input' }));
    const closed = createCodecServer({ ...ring, auth: {} });
    expect(
      (
        await request(closed)
          .post('/encode')
          .send({ payloads: [payload] })
      ).status,
    ).toBe(403);

    const open = createCodecServer({ ...ring, auth: { token: 't0ken' }, allowEncode: true });
    expect(
      (
        await request(open)
          .post('/encode')
          .send({ payloads: [payload] })
      ).status,
    ).toBe(401);
    const encoded = await request(open)
      .post('/encode')
      .set('Authorization', 'Bearer t0ken')
      .send({ payloads: [payload] });
    expect(encoded.status).toBe(200);
    const back = encoded.body.payloads[0] as { metadata: Record<string, string> };
    expect(text(back.metadata.encoding!)).toBe('binary/encrypted');
    expect(text(back.metadata['encryption-key-id']!)).toBe(codec.keyIds[0]);
  });

  it('refuses callers without the bearer token when KYC_CODEC_AUTH is set', async () => {
    const app = createCodecServer({ ...ring, auth: { token: 't0ken' }, corsOrigins: [UI] });
    const body = { payloads: [] };
    expect((await request(app).post('/decode').send(body)).status).toBe(401);
    expect((await request(app).post('/decode').set('Authorization', 'Bearer wrong').send(body)).status).toBe(401);
    expect((await request(app).post('/decode').set('Authorization', 't0ken').send(body)).status).toBe(401);
    expect((await request(app).post('/decode').set('Authorization', 'Bearer t0ken').send(body)).status).toBe(200);
    expect((await request(app).post('/encode').send(body)).status).toBe(401);
  });

  it("answers CORS for the UI's origin only, preflight without credentials", async () => {
    const app = createCodecServer({ ...ring, auth: { token: 't0ken' }, corsOrigins: [UI] });
    const preflight = await request(app)
      .options('/decode')
      .set('Origin', UI)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace,authorization,authorization-extras');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/X-Namespace/i);
    // With passAccessToken the UI sends the ID token in this header too.
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization-Extras/i);
    const other = await request(app).options('/decode').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers bad input and undecodable payloads with an error code, no internal text', async () => {
    const app = createCodecServer({ ...ring, auth: {} });
    expect((await request(app).post('/decode').send({ nope: 1 })).status).toBe(400);
    const [foreign] = await new EncryptionCodec(randomBytes(32)).encode([defaultPayloadConverter.toPayload(1)]);
    const res = await request(app)
      .post('/decode')
      .send({ payloads: [asJson(foreign!)] });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'cannot_decode' });
  });

  it('decrypts only payloads that name a key of this ring', async () => {
    const app = createCodecServer({ ...ring, auth: {} });
    const [ours] = await codec.encode([defaultPayloadConverter.toPayload({ name: 'Jane' })]);
    const { 'encryption-key-id': _keyId, ...withoutKeyId } = ours!.metadata!;
    const unnamed = { metadata: withoutKeyId, data: ours!.data };
    // Another key's payload relabelled with our key ID: refused by the cipher's authentication.
    const [other] = await new EncryptionCodec(randomBytes(32)).encode([defaultPayloadConverter.toPayload(1)]);
    const relabelled = {
      metadata: { ...other!.metadata, 'encryption-key-id': ours!.metadata!['encryption-key-id']! },
      data: other!.data,
    };
    for (const payload of [unnamed, relabelled]) {
      const res = await request(app)
        .post('/decode')
        .send({ payloads: [asJson(payload)] });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ error: 'cannot_decode' });
    }
  });
});
