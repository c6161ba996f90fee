/**
 * The compiled stack as it runs (`dist/start.js`) logs none of the personal data a Socure legacy
 * DocV verdict carries (the app's customerUserId, the document's data), counts the callback and its
 * hand-over on METRICS_PORT, and logs the workflow's lines under its ID. Every provider's metrics,
 * health and logs: test/integration/observability.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { postJson } from '../../../testing/callback-sender';
import { useRunningStart } from '../../../../test/support/running-start';
import { socureCallbackHeaders, socureCallbacks, type SocureSimulator } from '../testing/simulator';

const running = useRunningStart(['socure']);

it('a Socure verdict carrying the document data: verdict reached, counted, logged by ID, data not logged', async () => {
  const socure = running.sims.of('socure').sim as SocureSimulator;
  // Values unique to this run, so finding one anywhere in the output can only mean it leaked.
  const tag = randomUUID().slice(0, 8);
  const personal = {
    firstName: `Firstname${tag}`,
    surName: `Surname${tag}`,
    dob: '1971-02-13',
    documentNumber: `DOC${tag}`,
    customerUserId: `app-user-${tag}`,
  };
  const socureToken = randomUUID();
  const legacy = socureCallbacks.legacy(socureToken, 'VERIFICATION_COMPLETED', { decision: 'accept' }) as {
    event: { customerUserId: string; data: { documentVerification: { documentData: Record<string, string> } } };
  };
  legacy.event.customerUserId = personal.customerUserId;
  legacy.event.data.documentVerification.documentData = {
    firstName: personal.firstName,
    surName: personal.surName,
    dob: personal.dob,
    documentNumber: personal.documentNumber,
  };
  expect(
    await postJson(
      `http://127.0.0.1:${running.port}/webhooks/socure`,
      legacy,
      socureCallbackHeaders(socure.webhookSecret, 'bearer'),
    ),
  ).toEqual({ status: 200, body: { accepted: 1 } });
  expect(await running.kyc.waitForVerification('socure', socureToken, { timeoutMs: 60_000 })).toMatchObject({
    status: 'COMPLETED',
    decision: 'APPROVED',
  });

  const scraped = await running.metricsOnceAWorkflowCompleted();
  expect(scraped).toMatch(/^kyc_callbacks_total\{provider="socure",code="200"\} 1$/m);
  expect(scraped).toMatch(/^kyc_handover_seconds_count\{provider="socure",result="accepted"\} 1$/m);

  expect(await running.stop()).toBe(0);
  const output = running.output();
  const records = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(records.some((r) => r.component === 'temporal' && r.workflowId === `kyc:socure:${socureToken}`)).toBe(true);
  for (const value of Object.values(personal)) expect(output).not.toContain(value);
});
