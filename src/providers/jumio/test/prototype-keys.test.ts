/**
 * Prototype keys in Jumio's callbacks, whatever else the body holds: its account is optional, so a
 * callback whose account only the prototype would supply is taken without the injected value
 * (test/unit/prototype-keys.test.ts bends every provider's documented payloads).
 */
import { silentLogger } from '../../../logger';
import { setOwn, INJECTED, useRecordingIngress } from '../../../../test/support/hostile-bodies';
import { seeds } from './seeds';

const ingress = useRecordingIngress(silentLogger);

it('an account only the prototype would supply: the callback is taken, its account ID is not the injected one', async () => {
  const jumio = structuredClone(seeds.bodies()[0]) as Record<string, unknown>;
  delete jumio.account;
  setOwn(jumio, '__proto__', { account: { id: INJECTED } });
  ingress().handOvers.length = 0;
  expect((await ingress().post('jumio', JSON.stringify(jumio))).status).toBe(200);
  expect(ingress().handOvers).toHaveLength(1);
  expect(JSON.stringify(ingress().handOvers)).not.toContain(INJECTED);
});
