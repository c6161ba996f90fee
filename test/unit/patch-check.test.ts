/**
 * The patch markers read from a run's own history (src/temporal/patch-check.ts), on histories
 * recorded by the workflow before each patch and after both (test/replay/histories).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJson } from '../../tools/histories';
import { ATTENTION_PATCH, WAKE_TIMER_PATCH, WORKFLOW_PATCHES } from '../../src/contracts';
import { patchesRecorded } from '../../src/temporal/patch-check';

const histories = join(__dirname, '..', 'replay', 'histories');
const recorded = (file: string) => patchesRecorded(historyFromJson(readFileSync(join(histories, file), 'utf8')));

describe('patchesRecorded', () => {
  it.each(['socure-mid-flight', 'jumio-mid-flight', 'attestr-completed'])(
    '%s, recorded with both patches: both markers',
    async (name) => {
      expect([...(await recorded(`${name}.json`))].sort()).toEqual([...WORKFLOW_PATCHES].sort());
    },
  );

  it.each(['socure-mid-flight', 'jumio-mid-flight', 'attestr-completed'])(
    '%s, recorded before kyc-wake-timer: only kyc-attention',
    async (name) => {
      expect([...(await recorded(`${name}.before-kyc-wake-timer.json`))]).toEqual([ATTENTION_PATCH]);
    },
  );

  it.each(['socure-mid-flight', 'jumio-mid-flight', 'attestr-completed'])(
    '%s, recorded before kyc-attention: none',
    async (name) => {
      expect([...(await recorded(`${name}.before-kyc-attention.json`))]).toEqual([]);
    },
  );

  it('the workflow code calls patched() with exactly the listed patches', () => {
    const source = ['verification.ts', 'visibility.ts']
      .map((file) => readFileSync(join(__dirname, '..', '..', 'src', 'workflows', file), 'utf8'))
      .join('\n');
    expect(source).toContain('patched(WAKE_TIMER_PATCH)');
    expect(source).toContain('patched(ATTENTION_PATCH)');
    expect(WORKFLOW_PATCHES).toEqual([ATTENTION_PATCH, WAKE_TIMER_PATCH]);
  });
});
