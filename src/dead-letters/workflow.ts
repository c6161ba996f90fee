/**
 * One refused callback, kept until it is replayed or its retention runs out. The workflow only
 * holds the letter (its input, encrypted by the payload codec) and answers the `deadLetter`
 * query; listing goes through visibility (search attributes and memo), replay through the CLI.
 */
import { condition, setHandler } from '@temporalio/workflow';
import {
  deadLetterQuery,
  replayedUpdate,
  type DeadLetterEnd,
  type DeadLetterInput,
  type ReplayResult,
} from '../contracts';

export async function deadLetterWorkflow({ letter, retentionMs }: DeadLetterInput): Promise<DeadLetterEnd> {
  const replays: ReplayResult[] = [];
  let resolved = false;
  setHandler(deadLetterQuery, () => ({ letter, replays, resolved }));
  setHandler(replayedUpdate, (result) => {
    replays.push(result);
    // Everything was handed over: the letter has done its job. A replay that met late events keeps it.
    if (result.late === 0) resolved = true;
  });
  const replayed = await condition(() => resolved, retentionMs);
  return { resolution: replayed ? 'replayed' : 'expired', replays };
}
