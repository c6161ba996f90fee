/**
 * Prototype keys in Attestr's callbacks, whatever else the body holds: refused with the missing field named, or taken without
 * the injected value (test/unit/prototype-keys.test.ts bends every provider's documented payloads).
 */
import { silentLogger } from '../../../logger';
import type { ProviderId } from '../../registry';
import { expectRefusedWithout, INJECTED, useRecordingIngress } from '../../../../test/support/hostile-bodies';

const ingress = useRecordingIngress(silentLogger);

const expectRefused = (provider: ProviderId, body: unknown, path: string) =>
  expectRefusedWithout(ingress(), provider, body, path);

it('a factx.query whose profile (the reference) only the prototype would supply is refused, and starts nothing', async () => {
  await expectRefused(
    'attestr',
    { event: 'factx.query', payload: { _id: 'query-1', ['__proto__']: { profile: INJECTED } } },
    'payload.profile',
  );
});
