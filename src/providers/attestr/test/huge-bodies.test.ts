/**
 * An array inside one Attestr record (a factx.query's queries), at 300,000 items, is bounded before
 * its items are validated; the time is printed. Concedus's huge bodies are in its folder.
 */
import { silentLogger } from '../../../logger';
import { useRecordingIngress } from '../../../../test/support/hostile-bodies';

/** A JSON array of `count` copies of `record`, written directly. */
const arrayOf = (count: number, record: string) => `[${Array.from({ length: count }, () => record).join(',')}]`;

const ingress = useRecordingIngress(silentLogger);

it('arrays inside one record are bounded before their items are validated (queries)', async () => {
  const queries = `{"event":"factx.query","payload":{"_id":"q-1","profile":"p-1","queries":${arrayOf(300_000, '1')}}}`;
  const attestr = await ingress().post('attestr', queries);
  expect(attestr.status).toBe(400);
  expect(JSON.parse(attestr.text).issues).toEqual([
    { path: 'payload.queries', message: 'must have at most 1000 items' },
  ]);
  expect(attestr.ms).toBeLessThan(1000);
  process.stdout.write(`huge Attestr bodies: 300,000 queries inside a record refused in ${attestr.ms.toFixed(0)} ms\n`);
});
