/**
 * The ingress in process, with a recording Temporal client: what every provider's callbacks share
 * (JSON errors, the body limit, routes, authentication before parsing, signed bodies, late
 * callbacks, Temporal away, health and metrics). The callbacks come from a registered provider's
 * testing kit; what one provider's callbacks become is in its folder
 * (src/providers/<id>/test/ingress.test.ts).
 */
import { createHmac } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import request from 'supertest';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { silentLogger } from '../../src/logger';
import { PROVIDERS } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { recordingClient } from '../support/fake-temporal';
import { useCallbackProvider } from '../support/kit-callbacks';

const callbacks = useCallbackProvider();
/** The provider alone, its webhook auth what its kit's callbacks carry (or `auth`). */
const configWith = (auth?: string) =>
  loadConfig({
    ...DEV_DEFAULTS,
    ...callbacks.environment,
    ...(auth === undefined ? {} : { [providerVariable(callbacks.provider, 'WEBHOOK_AUTH')]: auth }),
  });
const route = () => `/webhooks/${callbacks.provider}`;
/** A callback's body as the bytes a provider sends. */
const rawBody = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));

describe('ingress', () => {
  it('hands a valid callback to its workflow with the signal and ID', async () => {
    const { client, calls } = recordingClient();
    const app = createIngressApp({ client, config: configWith(), logger: silentLogger });
    const { delivery, workflowId } = callbacks.callback();
    const res = await callbacks.post(app, delivery);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.workflowType).toBe('verificationWorkflow');
    expect(calls[0]!.options).toMatchObject({
      workflowId,
      taskQueue: 'kyc-verifications',
      signal: expect.objectContaining({ name: 'providerEvent' }),
      signalArgs: [expect.objectContaining({ provider: callbacks.provider, source: 'callback' })],
    });
  });

  it.each([
    ['not JSON', 'application/json', () => '{"workflowExecution":', 400, 'invalid_json'],
    ['empty', 'application/json', () => '', 400, 'invalid_json'],
    [
      'not a JSON content type',
      'text/plain',
      () => rawBody(callbacks.callback().delivery.body),
      415,
      'unsupported_media_type',
    ],
  ])('answers %s with a JSON error', async (_name, type, body, status, code) => {
    const { client, calls } = recordingClient();
    const { headers } = callbacks.callback().delivery;
    const res = await request(createIngressApp({ client, config: configWith(), logger: silentLogger }))
      .post(route())
      .set(headers ?? {})
      .set('Content-Type', type)
      .send(body());
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(code);
    expect(res.type).toBe('application/json');
    expect(calls).toHaveLength(0);
  });

  it('refuses a body over the limit with 413', async () => {
    const { client } = recordingClient();
    const { headers } = callbacks.callback().delivery;
    const res = await request(createIngressApp({ client, config: configWith(), logger: silentLogger }))
      .post(route())
      .set(headers ?? {})
      .set('Content-Type', 'application/json')
      .send(`{"pad":"${'x'.repeat(1024 * 1024)}"}`);
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });

  it('answers unknown routes and disabled providers with a JSON 404', async () => {
    const { client } = recordingClient();
    const app = createIngressApp({ client, config: configWith(), logger: silentLogger });
    const disabled = PROVIDERS.find((id) => id !== callbacks.provider)!;
    for (const path of ['/webhooks/onfido', `/webhooks/${disabled}`, '/nope']) {
      const res = await request(app).post(path).send({});
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
  });

  it('authenticates before parsing: a wrong bearer token from a foreign address is 401', async () => {
    const { client, calls } = recordingClient();
    const app = createIngressApp({ client, config: configWith('bearer:s3cret'), logger: silentLogger });
    const bad = await request(app)
      .post(route())
      .set('Authorization', 'Bearer wrong')
      .set('Content-Type', 'application/json')
      .send('{not even json');
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('unauthorized');
    const good = await request(app)
      .post(route())
      .set('Authorization', 'Bearer s3cret')
      .set('Content-Type', 'application/json')
      .send(rawBody(callbacks.callback().delivery.body));
    expect(good.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it("takes a provider's signed body by an hmac rule: 200 with the signature, 401 without or on other bytes", async () => {
    const secret = 'signing-secret-0123456789';
    const signed = configWith(`hmac:header=X-Signature,encoding=hex,secret=${secret},prefix=sha256=`);
    const { client, calls } = recordingClient();
    const app = createIngressApp({ client, config: signed, logger: silentLogger });
    const body = callbacks.callback().delivery.body;
    const raw = rawBody(body);
    const signature = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    const post = (bytes: string, headers: Record<string, string>) =>
      request(app).post(route()).set('Content-Type', 'application/json').set(headers).send(bytes);
    expect((await post(raw, { 'X-Signature': signature })).status).toBe(200);
    expect(calls).toHaveLength(1);
    const refused = await post(raw, {});
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'unauthorized', message: 'missing or invalid callback credentials' });
    // The same JSON, serialised again: not the bytes that were signed.
    expect((await post(JSON.stringify(JSON.parse(raw), null, 1), { 'X-Signature': signature })).status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it('reports a callback for a closed verification as late, without error', async () => {
    const { delivery, workflowId } = callbacks.callback();
    const { client } = recordingClient(async () => {
      throw new WorkflowExecutionAlreadyStartedError('closed', workflowId, 'verificationWorkflow');
    });
    const res = await callbacks.post(
      createIngressApp({ client, config: configWith(), logger: silentLogger }),
      delivery,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 0, late: 1 });
  });

  it('answers 503 with Retry-After when Temporal cannot be reached, never internal text', async () => {
    // A real client against a port where nothing listens.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 }) });
    const app = createIngressApp({ client, config: configWith(), logger: silentLogger, handoverTimeoutMs: 1500 });
    const res = await callbacks.post(app, callbacks.callback().delivery);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual({
      error: 'temporal_unavailable',
      message: 'the callback could not be stored; retry later',
    });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    await client.connection.close().catch(() => undefined);
  });

  it('serves health, readiness and metrics', async () => {
    const { client } = recordingClient();
    const app = createIngressApp({ client, config: configWith(), logger: silentLogger });
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready' });
    await callbacks.post(app, callbacks.callback().delivery);
    const metrics = await request(app).get('/metrics');
    expect(metrics.type).toBe('text/plain');
    const { provider } = callbacks;
    expect(metrics.text).toContain(`kyc_callbacks_total{provider="${provider}",code="200"} 1`);
    expect(metrics.text).toContain(`kyc_callback_events_total{provider="${provider}",result="accepted"} 1`);
  });
});
