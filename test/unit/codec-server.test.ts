/** The Web UI's codec endpoint: Temporal's /encode and /decode protocol, bearer auth, CORS for the UI only. */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import request from 'supertest';
import { createCodecServer } from '../../src/codec-server';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';

const UI = 'http://localhost:8233';
const codec = new EncryptionCodec(randomBytes(32));

function asJson(payload: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

describe('codec server', () => {
  it('decodes what the codec encrypted, and encodes back', async () => {
    const app = createCodecServer({ codec, corsOrigins: [UI] });
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ customerReference: 'cust-9' })]);
    const res = await request(app)
      .post('/decode')
      .set('X-Namespace', 'default')
      .send({ payloads: [asJson(encrypted!)] });
    expect(res.status).toBe(200);
    const [decoded] = res.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(Buffer.from(decoded!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(decoded!.data, 'base64').toString())).toEqual({ customerReference: 'cust-9' });

    const encoded = await request(app)
      .post('/encode')
      .send({ payloads: [decoded] });
    expect(encoded.status).toBe(200);
    const back = encoded.body.payloads[0] as { metadata: Record<string, string> };
    expect(Buffer.from(back.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
  });

  it('refuses callers without the bearer token when KYC_CODEC_AUTH is set', async () => {
    const app = createCodecServer({ codec, auth: 't0ken', corsOrigins: [UI] });
    const body = { payloads: [] };
    expect((await request(app).post('/decode').send(body)).status).toBe(401);
    expect((await request(app).post('/decode').set('Authorization', 'Bearer wrong').send(body)).status).toBe(401);
    expect((await request(app).post('/decode').set('Authorization', 'Bearer t0ken').send(body)).status).toBe(200);
  });

  it("answers CORS for the UI's origin only, preflight without credentials", async () => {
    const app = createCodecServer({ codec, auth: 't0ken', corsOrigins: [UI] });
    const preflight = await request(app)
      .options('/decode')
      .set('Origin', UI)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace,authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/X-Namespace/i);
    const other = await request(app).options('/decode').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers bad input and undecodable payloads with an error code, no internal text', async () => {
    const app = createCodecServer({ codec });
    expect((await request(app).post('/decode').send({ nope: 1 })).status).toBe(400);
    const [foreign] = await new EncryptionCodec(randomBytes(32)).encode([defaultPayloadConverter.toPayload(1)]);
    const res = await request(app)
      .post('/decode')
      .send({ payloads: [asJson(foreign!)] });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'cannot_decode' });
  });
});
