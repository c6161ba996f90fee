/**
 * Status, event and decision words that name Object.prototype members (`constructor`,
 * `toString`, `__proto__`, …). A plain-object lookup finds a function (or Object.prototype) for
 * them, which JSON drops on its way to the workflow: the signal then carries no meaning, or a
 * COMPLETED without its decision. Every vocabulary looks up own entries only, so such a word is
 * an unknown word like any other.
 */
import { runCli } from '../../src/client/cli';
import { silentLogger } from '../../src/logger';
import {
  asyncStatusMeaning,
  attestrEventMeaning,
  DEFAULT_ASYNC_STATUSES,
  parseAsyncStatuses,
} from '../../src/providers/attestr/vocabulary';
import { CONCEDUS_VOCABULARY, concedusMeaning } from '../../src/providers/concedus/vocabulary';
import { jumioDecisionMeaning, jumioStatusMeaning } from '../../src/providers/jumio/vocabulary';
import {
  isVerdictEvent,
  socureDecision,
  socureEventMeaning,
  socureResultMeaning,
  socureRiskosMeaning,
} from '../../src/providers/socure/vocabulary';
import { DEFAULT_UNICO_FLOWS, unicoFlowOf } from '../../src/providers/unico/flows';
import {
  DEFAULT_UNICO_EVENTS,
  unicoEventMeaning,
  unicoProcessMeaning,
  unicoWebhookStateMeaning,
} from '../../src/providers/unico/vocabulary';
import { type VerificationEvent } from '../../src/verification/model';
import {
  isContainer,
  PROTOTYPE_WORDS,
  SEEDS,
  startRecordingIngress,
  type InProcessIngress,
} from '../support/hostile-bodies';
import { PROVIDERS } from '../../src/providers/registry';

/** A plain value, or a plain object of plain values (a meaning's `provisional` and `claim` are such records). */
function isPlainRecord(value: unknown): boolean {
  if (typeof value !== 'object') return true;
  return (
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.values(value).every((inner) => typeof inner === 'string')
  );
}

/** A meaning as the model defines it: a plain object of plain values that JSON carries unchanged. */
function expectPlainMeaning(meaning: unknown, what: string): void {
  const problem =
    typeof meaning !== 'object' || meaning === null
      ? 'not an object'
      : Object.getPrototypeOf(meaning) !== Object.prototype
        ? 'not a plain object'
        : Object.values(meaning).some((value) => typeof value === 'function' || !isPlainRecord(value))
          ? 'holds a function or an object'
          : JSON.stringify(JSON.parse(JSON.stringify(meaning))) !== JSON.stringify(meaning)
            ? 'changes through JSON'
            : undefined;
  expect(`${what}: ${problem ?? 'plain'}`).toBe(`${what}: plain`);
}

describe('vocabulary lookups are own entries only', () => {
  const lookups: Record<string, (word: string) => unknown> = {
    'jumio status': jumioStatusMeaning,
    'jumio decision type': (word) => jumioDecisionMeaning(word, undefined),
    'socure event': (word) => socureEventMeaning(word),
    'socure verdict decision': (word) => socureEventMeaning('VERIFICATION_COMPLETED', word),
    'socure riskos event': (word) => socureRiskosMeaning({ eventType: word }, 'callback')!.meaning,
    'socure riskos decision': (word) =>
      socureRiskosMeaning({ eventType: 'evaluation_completed', decision: word }, 'callback')!.meaning,
    'socure riskos api decision': (word) =>
      socureRiskosMeaning({ evalStatus: 'evaluation_completed', decision: word }, 'poll')!.meaning,
    'socure riskos stage': (word) => socureRiskosMeaning({ evalStatus: word, decision: 'ACCEPT' }, 'poll')!.meaning,
    'socure result stage': (word) => socureResultMeaning(word, 'accept'),
    'socure result decision': (word) => socureResultMeaning(undefined, word),
    'attestr event': attestrEventMeaning,
    'attestr async status': (word) => asyncStatusMeaning(parseAsyncStatuses(DEFAULT_ASYNC_STATUSES), word),
    'unico webhook state': unicoWebhookStateMeaning,
    'unico lastEvent': (word) => unicoEventMeaning(DEFAULT_UNICO_EVENTS, word),
    'unico flow': (word) =>
      unicoProcessMeaning(
        'PROCESS_STATE_FINISHED',
        'PROCESS_RESULT_OK',
        { livenessResult: 'LIVENESS_RESULT_LIVE' },
        unicoFlowOf(DEFAULT_UNICO_FLOWS, { flow: word }),
      ),
    'concedus compliance code': (word) => concedusMeaning(CONCEDUS_VOCABULARY, 'complianceRecord', word),
    'concedus ident code': (word) => concedusMeaning(CONCEDUS_VOCABULARY, 'ident', word),
  };

  it.each(Object.keys(lookups))('%s: every Object.prototype name means a plain meaning', (name) => {
    for (const word of PROTOTYPE_WORDS) expectPlainMeaning(lookups[name]!(word), `${name} '${word}'`);
  });

  it('a Socure verdict whose decision is such a word is no verdict: it is confirmed through the API', () => {
    for (const word of PROTOTYPE_WORDS) {
      expect(socureDecision(word)).toBeUndefined();
      expect(socureEventMeaning('VERIFICATION_COMPLETED', word)).toEqual({ status: 'SUBMITTED', retrieve: true });
      expect(isVerdictEvent(word)).toBe(false);
    }
  });

  it('the CLI knows no command named after one', async () => {
    for (const word of PROTOTYPE_WORDS) {
      let stderr = '';
      const code = await runCli([word], { stdout: () => undefined, stderr: (t) => (stderr += t), env: {} });
      expect({ code, stderr }).toEqual({ code: 2, stderr: `kyc: unknown command '${word}' (try kyc --help)\n` });
    }
  });
});

/** The fields of the documented payloads that carry a provider's words (statuses, events, decisions, topics). */
const WORD_FIELDS = new Set([
  'status',
  'event',
  'eventType',
  'event_type',
  'decision',
  'value',
  'state',
  'result',
  'lastEvent',
  'topic',
  'type',
]);

/** Each documented payload with one word field set to `word`. */
function withWord(seed: unknown, word: string): string[] {
  const bodies: string[] = [];
  const count = fieldsOf(seed).length;
  for (let index = 0; index < count; index += 1) {
    const doc = structuredClone(seed);
    const { parent, key } = fieldsOf(doc)[index]!;
    parent[key] = word;
    bodies.push(JSON.stringify(doc));
  }
  return bodies;
}

function fieldsOf(root: unknown): { parent: Record<string, unknown>; key: string }[] {
  const found: { parent: Record<string, unknown>; key: string }[] = [];
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.shift();
    if (!isContainer(node)) continue;
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (WORD_FIELDS.has(key) && (typeof value === 'string' || typeof value === 'number'))
        found.push({ parent: node, key });
      pending.push(value);
    }
  }
  return found;
}

describe('such words in callbacks, through the ingress', () => {
  let ingress: InProcessIngress;
  beforeAll(async () => {
    ingress = await startRecordingIngress(silentLogger);
  });
  afterAll(async () => {
    await ingress.close();
  });

  it.each(PROVIDERS)('%s: every event handed over carries a plain meaning', async (provider) => {
    let handedOver = 0;
    for (const seed of SEEDS[provider]) {
      for (const word of PROTOTYPE_WORDS) {
        for (const body of withWord(seed, word)) {
          ingress.handOvers.length = 0;
          expect((await ingress.post(provider, body)).status).toBeLessThan(500);
          for (const { sent } of ingress.handOvers) {
            const { signalArgs } = sent as { signalArgs?: VerificationEvent[] };
            for (const event of signalArgs ?? (sent as VerificationEvent[])) {
              handedOver += 1;
              expectPlainMeaning(event.meaning, `${provider} '${word}' in ${body.slice(0, 120)}`);
            }
          }
        }
      }
    }
    expect(handedOver).toBeGreaterThan(0);
  });
});
