/**
 * The patch markers read from a run's own history (src/temporal/patch-check.ts), on histories
 * recorded by the workflow before each patch and after both (each provider's test/histories/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJson, recordedHistories, recordedHistoryPath } from '../../tools/histories';
import {
  ATTENTION_PATCH,
  LEAN_PATCH,
  PROVISIONAL_PATCH,
  WAKE_TIMER_PATCH,
  WORKFLOW_PATCHES,
} from '../../src/contracts';
import { patchesRecorded } from '../../src/temporal/patch-check';
import { PROVIDERS } from '../../src/providers/registry';

const histories = recordedHistories().map(({ name }) => name);
const recorded = (file: string) => patchesRecorded(historyFromJson(readFileSync(recordedHistoryPath(file), 'utf8')));
/** Every recorded story that was recorded again at each patch (each has its `.before-<patch>` files). */
const STORIES = histories
  .filter((file) => file.endsWith('.before-kyc-attention.json'))
  .map((file) => file.replace('.before-kyc-attention.json', ''));
/** Every story recorded again at kyc-lean, the provisional ones (first recorded with kyc-provisional) too. */
const LEAN_STORIES = histories
  .filter((file) => file.endsWith(`.before-${LEAN_PATCH}.json`))
  .map((file) => file.replace(`.before-${LEAN_PATCH}.json`, ''));

describe('patchesRecorded', () => {
  it('reads the recorded stories', () => {
    expect(STORIES.length).toBeGreaterThan(10);
  });

  it.each(STORIES)('%s, recorded with every patch: every marker', async (name) => {
    expect([...(await recorded(`${name}.json`))].sort()).toEqual([...WORKFLOW_PATCHES].sort());
  });

  it('reads the stories recorded again at kyc-lean, provisional ones included', () => {
    expect(LEAN_STORIES).toEqual(expect.arrayContaining([...STORIES, `${PROVIDERS[0]}-provisional`]));
  });

  it.each(LEAN_STORIES)('%s, recorded before kyc-lean: every earlier marker', async (name) => {
    expect([...(await recorded(`${name}.before-${LEAN_PATCH}.json`))].sort()).toEqual(
      [ATTENTION_PATCH, WAKE_TIMER_PATCH, PROVISIONAL_PATCH].sort(),
    );
  });

  it.each(STORIES)('%s, recorded before kyc-provisional: kyc-attention and kyc-wake-timer', async (name) => {
    expect([...(await recorded(`${name}.before-${PROVISIONAL_PATCH}.json`))].sort()).toEqual(
      [ATTENTION_PATCH, WAKE_TIMER_PATCH].sort(),
    );
  });

  it.each(STORIES)('%s, recorded before kyc-wake-timer: only kyc-attention', async (name) => {
    expect([...(await recorded(`${name}.before-${WAKE_TIMER_PATCH}.json`))]).toEqual([ATTENTION_PATCH]);
  });

  it.each(STORIES)('%s, recorded before kyc-attention: none', async (name) => {
    expect([...(await recorded(`${name}.before-${ATTENTION_PATCH}.json`))]).toEqual([]);
  });

  it('the workflow code calls patched() with exactly the listed patches', () => {
    const source = ['verification.ts', 'patches.ts', 'visibility.ts']
      .map((file) => readFileSync(join(__dirname, '..', '..', 'src', 'workflows', file), 'utf8'))
      .join('\n');
    expect(source).toContain('patched(WAKE_TIMER_PATCH)');
    expect(source).toContain('patched(ATTENTION_PATCH)');
    expect(source).toContain('patched(PROVISIONAL_PATCH)');
    expect(source).toContain('patched(LEAN_PATCH)');
    expect(WORKFLOW_PATCHES).toEqual([ATTENTION_PATCH, WAKE_TIMER_PATCH, PROVISIONAL_PATCH, LEAN_PATCH]);
  });
});
