/**
 * The compiled stack as it runs (`dist/start.js` against a real dev server) seen from outside:
 * METRICS_PORT serves the worker runtime's and the ingress's metrics and the worker's health, the
 * public port does not; every log line (ours, the SDK's, the workflow's) is JSON from one logger,
 * and none carries the personal data that callbacks bring in. Every registered provider whose
 * callbacks may start a verification plays its plainest story, its callbacks carrying personal data
 * in a member it does not document; where a provider documents personal data of its own, its folder
 * tests that (src/providers/<id>/test/personal-data-logs.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { kycWorkflowId } from '../../src/contracts';
import { PROVIDERS, providerModule } from '../../src/providers/registry';
import { postJson } from '../../src/testing/callback-sender';
import type { PlayedStory } from '../../src/testing/kit';
import { useRunningStart } from '../support/running-start';

const providers = PROVIDERS.filter((id) => !providerModule(id).appStartsOnly);

/** A callback body with `personal` added to each record, as a provider's undocumented member. */
function carrying(body: unknown, personal: Record<string, string>): unknown {
  if (Array.isArray(body)) return body.map((record) => carrying(record, personal));
  return { ...(body as object), customer: personal };
}

describe('metrics, health and logs of the running stack', () => {
  const running = useRunningStart(providers);

  it('runs verifications whose callbacks carry personal data, serves metrics and health, and logs none of that data', async () => {
    // Values unique to this run, so finding one anywhere in the output can only mean it leaked.
    const tag = randomUUID().slice(0, 8);
    const personal = {
      firstName: `Firstname${tag}`,
      surName: `Surname${tag}`,
      dob: '1971-02-13',
      documentNumber: `DOC${tag}`,
      customerUserId: `app-user-${tag}`,
      userReference: `user-ref-${tag}`,
    };

    const played = new Map<string, PlayedStory>();
    for (const { provider, kit, sim } of running.sims.providers) {
      const story = Object.values(kit.stories)[0]!.play(sim);
      played.set(provider, story);
      for (const { delivery } of story.callbacks) {
        expect(
          await postJson(
            `http://127.0.0.1:${running.port}/webhooks/${provider}`,
            carrying(delivery.body, personal),
            delivery.headers,
          ),
        ).toEqual({ status: 200, body: { accepted: 1 } });
      }
    }
    for (const { provider, kit } of running.sims.providers) {
      const { truth } = Object.values(kit.stories)[0]!;
      const state = await running.kyc.waitForVerification(provider, played.get(provider)!.start.reference, {
        timeoutMs: 60_000,
      });
      expect({ status: state.status, decision: state.decision }).toEqual({
        status: truth.status,
        decision: truth.decision,
      });
    }

    // Metrics: on METRICS_PORT, the ingress's and the worker runtime's; not on the public port.
    const metricsUrl = `http://127.0.0.1:${running.metricsPort}`;
    const scraped = await running.metricsOnceAWorkflowCompleted();
    for (const [provider, story] of played) {
      const sent = story.callbacks.length;
      expect(scraped).toMatch(new RegExp(`^kyc_callbacks_total\\{provider="${provider}",code="200"\\} ${sent}$`, 'm'));
      expect(scraped).toMatch(
        new RegExp(`^kyc_handover_seconds_count\\{provider="${provider}",result="accepted"\\} ${sent}$`, 'm'),
      );
    }
    expect(scraped).toContain('process_resident_memory_bytes');
    expect(scraped).toMatch(new RegExp(`^temporal_workflow_completed\\{.*task_queue="${running.taskQueue}"`, 'm'));
    expect(scraped).toMatch(/^temporal_activity_execution_latency/m);
    expect((await fetch(`http://127.0.0.1:${running.port}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${metricsUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${metricsUrl}/readyz`)).json()).toEqual({ status: 'ready' });

    expect(await running.stop()).toBe(0);

    // Logs: JSON lines on stderr from ingress, SDK and workflow alike (plus the few human lines on stdout).
    const output = running.output();
    const lines = output.split('\n').filter((line) => line.startsWith('{'));
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.some((r) => r.component === 'ingress' && r.message === 'callback handed over')).toBe(true);
    expect(records.some((r) => r.component === 'temporal' && r.sdkComponent === 'worker')).toBe(true);
    for (const [provider, story] of played) {
      const workflowId = kycWorkflowId(provider, story.start.reference);
      expect(records.some((r) => r.component === 'temporal' && r.workflowId === workflowId)).toBe(true);
    }
    // The workflow bundle was built at build time: the worker did not run webpack.
    expect(output).not.toContain('Workflow bundle created');
    for (const value of Object.values(personal)) expect(output).not.toContain(value);
  });
});
