/**
 * Prototype keys in Socure's callbacks, whatever else the body holds: refused with the missing field named, or taken without
 * the injected value (test/unit/prototype-keys.test.ts bends every provider's documented payloads).
 */
import { silentLogger } from '../../../logger';
import type { ProviderId } from '../../registry';
import { expectRefusedWithout, INJECTED, useRecordingIngress } from '../../../../test/support/hostile-bodies';

const ingress = useRecordingIngress(silentLogger);

const expectRefused = (provider: ProviderId, body: unknown, path: string) =>
  expectRefusedWithout(ingress(), provider, body, path);

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
