/**
 * Prototype keys in Socure's callbacks, whatever else the body holds: refused with the missing field named, or taken without
 * the injected value (test/unit/prototype-keys.test.ts bends every provider's documented payloads).
 */
import { silentLogger } from '../../../logger';
import type { ProviderId } from '../../registry';
import { startRecordingIngress, type InProcessIngress } from '../../../../test/support/hostile-bodies';

/** Fits every ID schema, so the only thing that can stop it is the parse. */
const INJECTED = 'INJECTED-9f3b2c';

let ingress: InProcessIngress;
beforeAll(async () => {
  ingress = await startRecordingIngress(silentLogger);
});
afterAll(async () => {
  await ingress.close();
});

/** A computed `['__proto__']` key is an own member, so JSON.stringify writes it as sent. */
async function expectRefused(provider: ProviderId, body: unknown, path: string): Promise<void> {
  ingress.handOvers.length = 0;
  const answer = await ingress.post(provider, JSON.stringify(body));
  expect(answer.status).toBe(400);
  expect((JSON.parse(answer.text) as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toContain(path);
  expect(ingress.handOvers).toEqual([]);
}

it('a legacy envelope whose token only the prototype would supply is refused, and starts nothing', async () => {
  await expectRefused(
    'socure',
    { id: 'evt-1', event: { eventType: 'VERIFICATION_COMPLETED', ['__proto__']: { docvTransactionToken: INJECTED } } },
    'event.docvTransactionToken',
  );
});

it('a RiskOS event whose eval_id only the prototype would supply is refused, and starts nothing', async () => {
  await expectRefused(
    'socure',
    {
      event_id: 'e-1',
      event_type: 'evaluation_completed',
      data: { decision: 'ACCEPT', ['__proto__']: { eval_id: INJECTED } },
    },
    'data.eval_id',
  );
});
