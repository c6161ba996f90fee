import { createHmac } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import request from 'supertest';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { silentLogger } from '../../src/logger';
import { signResult, signResultText } from '../../src/providers/attestr/signature';
import { KYC_SEARCH_ATTRIBUTES } from '../../src/contracts';
import documented from '../fixtures/jumio/documented-callback.json';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { describeNamespaceKeepingYears } from '../support/fake-temporal';

const config = loadConfig({
  ...DEV_DEFAULTS,
  KYC_PROVIDERS: 'jumio',
  JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1;bearer:s3cret',
});

/** Jumio's documented callback (providers.md), as it stands. */
const callback = documented;

/** Records what the ingress asks of Temporal; the real server is exercised by the integration tests. */
function recordingClient(behaviour: () => Promise<unknown> = async () => ({})) {
  const calls: { workflowType: string; options: Record<string, unknown> }[] = [];
  const client = {
    connection: {
      withDeadline: (_d: number, fn: () => Promise<unknown>) => fn(),
      // Our search attributes are registered (as `kyc setup` leaves them); 2 = KEYWORD.
      operatorService: {
        listSearchAttributes: async () => ({
          customAttributes: Object.fromEntries(KYC_SEARCH_ATTRIBUTES.map((key) => [key.name, 2])),
        }),
      },
    },
    workflowService: { getSystemInfo: async () => ({}), describeNamespace: describeNamespaceKeepingYears },
    workflow: {
      signalWithStart: async (workflowType: string, options: Record<string, unknown>) => {
        calls.push({ workflowType, options });
        return behaviour();
      },
      // A closed verification's final state, read for the late-verdict rule: one the provider ended.
      getHandle: () => ({ result: async () => ({ status: 'COMPLETED', decision: 'APPROVED', timeline: [] }) }),
    },
  } as unknown as Client;
  return { client, calls };
}

describe('ingress', () => {
  it('hands a valid callback to its workflow with the exact signal, ID and payload', async () => {
    const { client, calls } = recordingClient();
    const app = createIngressApp({ client, config, logger: silentLogger });
    const res = await request(app).post('/webhooks/jumio').send(callback);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 1 });
    expect(calls).toHaveLength(1);
    const { workflowType, options } = calls[0]!;
    expect(workflowType).toBe('verificationWorkflow');
    expect(options).toMatchObject({
      workflowId: 'kyc:jumio:22222222-aaaa-bbbb-cccc-000000000001',
      taskQueue: 'kyc-verifications',
      signal: expect.objectContaining({ name: 'providerEvent' }),
      signalArgs: [
        {
          provider: 'jumio',
          reference: '22222222-aaaa-bbbb-cccc-000000000001',
          providerStatus: 'PROCESSED',
          occurredAt: '2025-01-21T14:55:01.917Z',
          source: 'callback',
          dedupKey: 'callback:PROCESSED',
          meaning: { status: 'SUBMITTED', retrieve: true },
          context: { accountId: '11111111-aaaa-bbbb-cccc-000000000001', href: callback.workflowExecution.href },
        },
      ],
    });
    // The app's userReference never travels into Temporal.
    expect(JSON.stringify(options)).not.toContain('user-123');
  });

  it.each([
    ['not JSON', 'application/json', '{"workflowExecution":', 400, 'invalid_json'],
    ['empty', 'application/json', '', 400, 'invalid_json'],
    ['not a JSON content type', 'text/plain', JSON.stringify(callback), 415, 'unsupported_media_type'],
  ])('answers %s with a JSON error', async (_name, type, body, status, code) => {
    const { client, calls } = recordingClient();
    const res = await request(createIngressApp({ client, config, logger: silentLogger }))
      .post('/webhooks/jumio')
      .set('Content-Type', type)
      .send(body);
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(code);
    expect(res.type).toBe('application/json');
    expect(calls).toHaveLength(0);
  });

  it('answers a schema violation with 400 and the failing paths', async () => {
    const { client, calls } = recordingClient();
    const res = await request(createIngressApp({ client, config, logger: silentLogger }))
      .post('/webhooks/jumio')
      .send({ workflowExecution: { id: 'has spaces in it', status: 42 } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_callback');
    expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual([
      'workflowExecution.id',
      'workflowExecution.status',
    ]);
    expect(calls).toHaveLength(0);
  });

  it('accepts an unknown status as an unknown word (ACTION_REQUIRED with attention, never a 400)', async () => {
    const { client, calls } = recordingClient();
    const body = { ...callback, workflowExecution: { ...callback.workflowExecution, status: 'SOMETHING_NEW' } };
    const res = await request(createIngressApp({ client, config, logger: silentLogger }))
      .post('/webhooks/jumio')
      .send(body);
    expect(res.status).toBe(200);
    expect((calls[0]!.options.signalArgs as { meaning: unknown }[])[0]!.meaning).toEqual({
      status: 'ACTION_REQUIRED',
      attention: 'unknown_status',
      unknownWord: 'SOMETHING_NEW',
    });
  });

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

  it('refuses a body over the limit with 413', async () => {
    const { client } = recordingClient();
    const res = await request(createIngressApp({ client, config, logger: silentLogger }))
      .post('/webhooks/jumio')
      .set('Content-Type', 'application/json')
      .send(`{"pad":"${'x'.repeat(1024 * 1024)}"}`);
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });

  it('answers unknown routes and disabled providers with a JSON 404', async () => {
    const { client } = recordingClient();
    const app = createIngressApp({ client, config, logger: silentLogger });
    for (const path of ['/webhooks/onfido', '/webhooks/socure', '/nope']) {
      const res = await request(app).post(path).send({});
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
  });

  it('authenticates before parsing: a wrong bearer token from a foreign address is 401', async () => {
    const remote = loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: 'jumio', JUMIO_WEBHOOK_AUTH: 'bearer:s3cret' });
    const { client, calls } = recordingClient();
    const app = createIngressApp({ client, config: remote, logger: silentLogger });
    const bad = await request(app).post('/webhooks/jumio').set('Authorization', 'Bearer wrong').send('{not even json');
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('unauthorized');
    const good = await request(app).post('/webhooks/jumio').set('Authorization', 'Bearer s3cret').send(callback);
    expect(good.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it("takes a provider's signed body by an hmac rule: 200 with the signature, 401 without or on other bytes", async () => {
    const secret = 'signing-secret-0123456789';
    const signed = loadConfig({
      ...DEV_DEFAULTS,
      KYC_PROVIDERS: 'jumio',
      JUMIO_WEBHOOK_AUTH: `hmac:header=X-Signature,encoding=hex,secret=${secret},prefix=sha256=`,
    });
    const { client, calls } = recordingClient();
    const app = createIngressApp({ client, config: signed, logger: silentLogger });
    const raw = JSON.stringify(callback);
    const signature = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    const post = (body: string, headers: Record<string, string>) =>
      request(app).post('/webhooks/jumio').set('Content-Type', 'application/json').set(headers).send(body);
    expect((await post(raw, { 'X-Signature': signature })).status).toBe(200);
    expect(calls).toHaveLength(1);
    const refused = await post(raw, {});
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'unauthorized', message: 'missing or invalid callback credentials' });
    // The same JSON, serialised again: not the bytes that were signed.
    expect((await post(JSON.stringify(callback, null, 1), { 'X-Signature': signature })).status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it('reports a callback for a closed verification as late, without error', async () => {
    const { client } = recordingClient(async () => {
      throw new WorkflowExecutionAlreadyStartedError('closed', 'kyc:jumio:x', 'verificationWorkflow');
    });
    const res = await request(createIngressApp({ client, config, logger: silentLogger }))
      .post('/webhooks/jumio')
      .send(callback);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 0, late: 1 });
  });

  it('answers 503 with Retry-After when Temporal cannot be reached, never internal text', async () => {
    // A real client against a port where nothing listens.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 }) });
    const app = createIngressApp({ client, config, logger: silentLogger, handoverTimeoutMs: 1500 });
    const res = await request(app).post('/webhooks/jumio').send(callback);
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
    const app = createIngressApp({ client, config, logger: silentLogger });
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready' });
    await request(app).post('/webhooks/jumio').send(callback);
    const metrics = await request(app).get('/metrics');
    expect(metrics.type).toBe('text/plain');
    expect(metrics.text).toContain('kyc_callbacks_total{provider="jumio",code="200"} 1');
    expect(metrics.text).toContain('kyc_callback_events_total{provider="jumio",result="accepted"} 1');
  });
});
