/**
 * Jumio's documented callback through the ingress (in process, with a recording Temporal client):
 * the exact signal it becomes, the paths of a schema violation, and an unknown status as an
 * unknown word. What every provider's callbacks share is test/unit/ingress.test.ts.
 */
import request from 'supertest';
import { loadConfig } from '../../../app-config';
import { createIngressApp } from '../../../ingress/app';
import { silentLogger } from '../../../logger';
import documented from '../../../../test/fixtures/jumio/documented-callback.json';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';
import { recordingClient } from '../../../../test/support/fake-temporal';

const config = loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: 'jumio', JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1' });

/** Jumio's documented callback (docs/providers.md), as it stands. */
const callback = documented;

describe('ingress, Jumio callbacks', () => {
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
});
