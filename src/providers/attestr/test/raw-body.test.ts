/**
 * The ingress gives Attestr's parser the raw body: its resultSignature is an HMAC over the result's
 * bytes as Attestr sent them, which a re-serialised value would not match (in process, with a
 * recording Temporal client).
 */
import request from 'supertest';
import { loadConfig } from '../../../app-config';
import { createIngressApp } from '../../../ingress/app';
import { silentLogger } from '../../../logger';
import { signResult, signResultText } from '../signature';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';
import { recordingClient } from '../../../../test/support/fake-temporal';

it("gives the parser the raw body: Attestr's resultSignature verifies over the bytes Attestr sent", async () => {
  const secret = 'ingress-client-secret';
  const attestr = loadConfig({
    ...DEV_DEFAULTS,
    KYC_PROVIDERS: 'attestr',
    ATTESTR_WEBHOOK_AUTH: 'basic:tok',
    ATTESTR_CLIENT_SECRET: secret,
  });
  // Spacing, `1.0` and a \u escape: JSON.stringify of the parsed value would differ from these bytes.
  const result = '{ "stage-1": {"output": {"match": 1.0, "city": "S\\u00e3o Paulo"}} }';
  const body = (signature: string) =>
    `{"event":"flowx.completed","payload":{"_id":"HS-RAW","result":${result},"resultSignature":"${signature}"}}`;
  const send = async (signature: string) => {
    const { client, calls } = recordingClient();
    const res = await request(createIngressApp({ client, config: attestr, logger: silentLogger }))
      .post('/webhooks/attestr')
      .set('Authorization', 'Basic tok')
      .set('Content-Type', 'application/json')
      .send(body(signature));
    return { status: res.status, calls: calls.length };
  };
  expect(await send(signResultText(result, secret))).toEqual({ status: 200, calls: 1 });
  const reserialised = signResult((JSON.parse(body('x')) as { payload: { result: unknown } }).payload.result, secret);
  expect(await send(reserialised)).toEqual({ status: 401, calls: 0 });
});
