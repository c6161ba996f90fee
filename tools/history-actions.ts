/**
 * `node dist-tools/tools/history-actions.js [--story completed] [--before <change>] [--dir <dir>]`
 * (after `npm run build:tools`): the billable Temporal Cloud actions (bench/cost/actions.ts) and the
 * events of each provider's recorded history in its folder's test/histories/ (or in a folder that
 * `npm run record-histories -- --out <dir>` wrote), and with `--before <change>` those of the history
 * kept from before that change beside them. A quick look at what a workflow change did to the cost of
 * a verification, without running the bench. One recording is one sample: how callbacks were batched
 * into workflow tasks varies from one recording to the next.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { actionsOf } from '../bench/cost/actions';
import { PROVIDERS } from '../src/providers/registry';
import { historiesDir, historyFromJson } from './histories';

function costOf(
  dir: string,
  file: string,
): { actions: number; events: number; timers: number; upserts: number } | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  const history = historyFromJson(readFileSync(path, 'utf8'));
  const { total, billed } = actionsOf(history);
  return {
    actions: total,
    events: history.events?.length ?? 0,
    timers: billed.timer,
    upserts: billed.searchAttributeUpsert,
  };
}

function main(): void {
  const { values } = parseArgs({
    options: { story: { type: 'string' }, before: { type: 'string' }, dir: { type: 'string' } },
  });
  const story = values.story ?? 'completed';
  const rows = PROVIDERS.map((provider) => {
    const dir = values.dir ?? historiesDir(provider);
    const now = costOf(dir, `${provider}-${story}.json`);
    const before = values.before ? costOf(dir, `${provider}-${story}.before-${values.before}.json`) : undefined;
    const show = (cost: ReturnType<typeof costOf>) =>
      cost ? `${cost.actions} actions, ${cost.events} events (${cost.timers} timers, ${cost.upserts} upserts)` : '-';
    return values.before ? `${provider}\t${show(before)}\t→ ${show(now)}` : `${provider}\t${show(now)}`;
  });
  console.log(`${story}${values.before ? ` (before ${values.before} → now)` : ''}\n${rows.join('\n')}`);
}

main();
