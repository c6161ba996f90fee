/**
 * A Concedus callback (an array of records) with more records than one may carry, end to end (the
 * real dev server, the ingress as the mains compose it, and `kyc`): kept as an oversize dead letter
 * and replayed idempotently. Every provider's late verdicts and refused references:
 * test/integration/dead-letters.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { postJson } from '../../../testing/callback-sender';
import type { VerificationState } from '../../../verification/model';
import { useDurableStack } from '../../../../test/support/provider-stack';
import { eventually } from '../../../../test/support/stack';
import type { ConcedusSimulator } from '../testing/simulator';
import { listLetters } from '../../../../test/support/dead-letter-cli';

describe('concedus dead letters (real dev server, ingress, CLI)', () => {
  const setup = useDurableStack('concedus', {
    variables: {
      // Encrypted payloads: the only setting under which a letter keeps the raw body.
      KYC_PAYLOAD_KEY: randomBytes(32).toString('base64'),
      CONCEDUS_CALLBACK_GRACE: '1h',
    },
  });
  const concedus = () => setup.of<ConcedusSimulator>('concedus').sim;

  const listed = (...filters: string[]) => listLetters(setup.stack, ...filters);

  it('an oversize callback is kept and replayed idempotently: replayed twice = once', async () => {
    const customerKey = randomUUID();
    const start = Date.parse('2026-01-01T00:00:00Z');
    // 501 records for one customer (status 110: ident pending), one more than a callback may carry.
    const records = Array.from({ length: 501 }, (_, i) =>
      concedus().complianceRecord({ customerKey }, 110, new Date(start + i * 1000)),
    );
    const response = await postJson(`${setup.stack.ingressUrl}/webhooks/concedus`, records, concedus().callbackHeaders);
    expect(response.status).toBe(413);

    const { rows } = await eventually(async () => {
      const found = await listed('--provider', 'concedus', '--reason', 'oversize');
      return found.rows.length ? found : undefined;
    });
    const id = String(rows[0]!.id);
    // Counted, not read: no record of a body with too many is validated, so the letter holds the
    // body (kept encrypted) and no events; a replay reads the body with today's parser.
    expect(rows[0]).toMatchObject({ reason: 'oversize', bodyKept: true, events: 0 });

    const first = await setup.stack.kyc('replay', id, '--json');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(first.stdout)).toMatchObject({ accepted: 501, late: 0, alreadyReplayed: false });
    const second = await setup.stack.kyc('replay', id, '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ accepted: 501, alreadyReplayed: true });

    const state = await eventually(async () => {
      const out = await setup.stack.kyc('status', 'concedus', customerKey, '--json');
      const current = JSON.parse(out.stdout) as VerificationState;
      return current.timeline.length + current.timelineDropped >= 501 ? current : undefined;
    }, 60_000);
    const applied = state.timeline.filter((entry) => entry.source === 'callback');
    // Every record once: no entry is a second copy of one already seen.
    expect(applied.length + state.timelineDropped).toBe(501);
    // Closed by the replay: gone from the listing of open letters once visibility has indexed its close.
    await eventually(async () =>
      (await listed('--provider', 'concedus', '--reason', 'oversize')).rows.length === 0 ? true : undefined,
    );
  });
});
