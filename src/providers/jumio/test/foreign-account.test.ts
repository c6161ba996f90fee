/**
 * Jumio's callback addresses send every Jumio customer's callbacks: the account decides. A callback
 * of an account not in JUMIO_ACCOUNT_IDS is refused and kept as a dead letter (in process, with a
 * fake Temporal; test/unit/ingress-credential-holder.test.ts holds what every provider shares).
 */
import request from 'supertest';
import { loadConfig } from '../../../app-config';
import { createIngressApp } from '../../../ingress/app';
import { DeadLetterRecorder } from '../../../dead-letters/recorder';
import { silentLogger } from '../../../logger';
import documented from '../../../../test/fixtures/jumio/documented-callback.json';
import { DEV_DEFAULTS } from '../../../../test/support/dev-defaults';
import { fakeTemporal } from '../../../../test/support/fake-temporal';

const OURS = documented.account.id;

/** Jumio's documented callback for one execution, sent now. */
function callbackFor(reference: string, options: { account?: string } = {}) {
  return {
    ...documented,
    callbackSentAt: new Date().toISOString(),
    workflowExecution: {
      ...documented.workflowExecution,
      id: reference,
      href: `https://retrieval.amer-1.jumio.ai/api/v1/accounts/${options.account ?? OURS}/workflow-executions/${reference}`,
    },
    account: { id: options.account ?? OURS },
  };
}

function ingress(temporal: ReturnType<typeof fakeTemporal>) {
  const config = loadConfig({
    ...DEV_DEFAULTS,
    KYC_PROVIDERS: 'jumio',
    JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
    JUMIO_ACCOUNT_IDS: OURS,
  });
  const deadLetters = new DeadLetterRecorder({ client: temporal.client, config, logger: silentLogger });
  return createIngressApp({ client: temporal.client, config, logger: silentLogger, deadLetters });
}

describe("Jumio's allowlist admits every Jumio customer: the account decides", () => {
  it('refuses a callback of another Jumio account (403), keeps it as a dead letter, starts nothing', async () => {
    const temporal = fakeTemporal();
    const app = ingress(temporal);
    const foreign = await request(app)
      .post('/webhooks/jumio')
      .send(callbackFor('ref-foreign', { account: 'acc-x' }));
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({
      error: 'forbidden',
      message: 'the callback is for an account that is not configured',
    });
    expect(temporal.started).toEqual([]);
    expect(temporal.signalled).toEqual([]);
    expect(temporal.letters).toEqual(['foreign_account']);

    const ours = await request(app).post('/webhooks/jumio').send(callbackFor('ref-ours'));
    expect(ours.status).toBe(200);
    expect(temporal.started).toEqual(['kyc:jumio:ref-ours']);
  });
});
