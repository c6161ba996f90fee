/**
 * Concedus's bodies are arrays of records, up to the body limit, and share one event loop with every
 * provider's callbacks. Too many records are refused before any is validated, arrays inside a record
 * are bounded before their items are, and no answer lists more than a bounded number of issues. The
 * times are printed: the refusal of each huge body, and another provider's callback answered meanwhile.
 */
import { silentLogger } from '../../../logger';
import { MAX_ISSUES } from '../../common';
import { MAX_EVENTS_PER_CALLBACK } from '../../../ingress/refuse';
import { PROVIDERS } from '../../registry';
import { SEEDS, startRecordingIngress, type InProcessIngress } from '../../../../test/support/hostile-bodies';

/** A JSON array of `count` copies of `record`, written directly (no million-element array in memory twice). */
const arrayOf = (count: number, record: string) => `[${Array.from({ length: count }, () => record).join(',')}]`;
/** As many empty records as fit in a megabyte: the body limit's worth. */
const RECORDS_IN_1MB = Math.floor((1_000_000 - 2) / 3);

describe('huge Concedus bodies', () => {
  let ingress: InProcessIngress;
  const measured: string[] = [];
  beforeAll(async () => {
    ingress = await startRecordingIngress(silentLogger);
  });
  afterAll(async () => {
    await ingress.close();
    process.stdout.write(`huge Concedus bodies: ${measured.join('; ')}\n`);
  });

  /** Another provider's documented callback, sent while a huge body is on its way. */
  const another = PROVIDERS.find((id) => id !== 'concedus')!;
  const anotherBody = JSON.stringify(SEEDS[another][0]);

  it.each([
    ['20,000 empty records (60 KB)', 20_000],
    ['60,000 empty records (180 KB)', 60_000],
    ['a megabyte of empty records', RECORDS_IN_1MB],
  ])(
    '%s: refused before any is validated, while another provider and /healthz are answered at once',
    async (what, count) => {
      const body = arrayOf(count, '{}');
      const huge = ingress.post('concedus', body);
      // Sent while the huge one is on its way: each must be answered without waiting for it.
      const [other, health] = await Promise.all([ingress.post(another, anotherBody), ingress.post('healthz', '')]);
      const refused = await huge;
      expect(refused.status).toBe(413);
      expect(JSON.parse(refused.text)).toMatchObject({ error: 'too_many_records' });
      expect(refused.text.length).toBeLessThan(1000);
      expect(other.status).toBe(200);
      expect(health.status).toBe(200);
      // Not stalled: every answer well within a provider's timeout.
      expect(Math.max(refused.ms, other.ms, health.ms)).toBeLessThan(1000);
      measured.push(
        `${what}: ${body.length} bytes refused in ${refused.ms.toFixed(0)} ms ` +
          `(${another} meanwhile ${other.ms.toFixed(0)} ms, /healthz ${health.ms.toFixed(0)} ms)`,
      );
    },
  );

  it('a topic whose record array is huge is refused the same way', async () => {
    const records = arrayOf(RECORDS_IN_1MB / 2, '{}');
    const refused = await ingress.post('concedus', `[{"topic":"complianceRecord","complianceRecord":${records}}]`);
    expect(refused.status).toBe(413);
    expect(refused.ms).toBeLessThan(1000);
  });

  it('arrays inside one record are bounded before their items are validated (mismatches)', async () => {
    const mismatches = `[{"topic":"mismatches","mismatches":[{"PersonKey":"p-1","Mismatches":${arrayOf(300_000, '1')}}]}]`;
    const concedus = await ingress.post('concedus', mismatches);
    expect(concedus.status).toBe(400);
    expect(JSON.parse(concedus.text).issues).toEqual([
      { path: '[0].mismatches[0].Mismatches', message: 'must have at most 500 items' },
    ]);
    expect(concedus.ms).toBeLessThan(1000);
    measured.push(`300,000 mismatches inside a record refused in ${concedus.ms.toFixed(0)} ms`);
  });

  it('an answer lists at most the bounded number of issues, and counts the rest', async () => {
    // As many bad records as one callback may carry: each is refused, by path.
    const refused = await ingress.post('concedus', arrayOf(MAX_EVENTS_PER_CALLBACK, '{"status":"x y\\u0000"}'));
    expect(refused.status).toBe(400);
    const answer = JSON.parse(refused.text) as { issues: unknown[]; moreIssues: number };
    expect(answer.issues).toHaveLength(MAX_ISSUES);
    expect(answer.issues.length + answer.moreIssues).toBeGreaterThanOrEqual(MAX_EVENTS_PER_CALLBACK);
    // With one good record among them, the 200 answer's list of rejected records is bounded the same way.
    const good = JSON.stringify((SEEDS.concedus[0] as unknown[])[0]);
    const mixed = `[${good},${arrayOf(MAX_EVENTS_PER_CALLBACK - 1, '{}').slice(1)}`;
    const partly = await ingress.post('concedus', mixed);
    expect(partly.status).toBe(200);
    const taken = JSON.parse(partly.text) as { rejected: unknown[]; moreRejected: number };
    expect(taken.rejected).toHaveLength(MAX_ISSUES);
    expect(taken.rejected.length + taken.moreRejected).toBe(MAX_EVENTS_PER_CALLBACK - 1);
  });
});
