/**
 * One rule for every word no vocabulary maps, in all five providers (README, "Unknown words"): it
 * is applied as ACTION_REQUIRED with an `unknown_<kind>` attention and the raw word kept; never a
 * terminal guess, never silence, never a 400. Where a provider documents that a kind of word grows
 * by configuration (Unico's lastEvent, Concedus's topics), its documented equivalent holds instead.
 */
import { silentLogger } from '../../src/logger';
import { createAttestrCallbackParser } from '../../src/providers/attestr/callback';
import { asyncStatusMeaning, DEFAULT_ASYNC_STATUSES, parseAsyncStatuses } from '../../src/providers/attestr/vocabulary';
import { createConcedusCallbackParser } from '../../src/providers/concedus/callback';
import { createJumioCallbackParser } from '../../src/providers/jumio/callback';
import { jumioDecisionMeaning } from '../../src/providers/jumio/vocabulary';
import { createSocureCallbackParser } from '../../src/providers/socure/callback';
import { socureRiskosMeaning } from '../../src/providers/socure/vocabulary';
import { DEFAULT_UNICO_FLOWS, unicoFlowOf } from '../../src/providers/unico/flows';
import { createUnicoCallbackParser } from '../../src/providers/unico/callback';
import { DEFAULT_UNICO_EVENTS, unicoProcessMeaning } from '../../src/providers/unico/vocabulary';
import { rawWord, unknownWord } from '../../src/providers/common';
import type { CanonicalMeaning } from '../../src/verification/model';
import { startRecordingIngress, type InProcessIngress } from '../support/hostile-bodies';

const first = (parsed: { events: { meaning: CanonicalMeaning }[] }) => parsed.events[0]!.meaning;

describe('an unmapped word is ACTION_REQUIRED with attention, the raw word kept', () => {
  it.each<[string, () => CanonicalMeaning | undefined, string, string]>([
    [
      'Jumio callback status',
      () =>
        first(
          createJumioCallbackParser().parse(
            { workflowExecution: { id: 'ex-1', status: 'ACQUISITION_COMPLETED' }, account: { id: 'acc-1' } },
            '',
          ),
        ),
      'unknown_status',
      'ACQUISITION_COMPLETED',
    ],
    ['Jumio decision.type', () => jumioDecisionMeaning('NEW_TYPE', undefined), 'unknown_decision', 'NEW_TYPE'],
    [
      'Socure RiskOS API decision',
      () =>
        socureRiskosMeaning({ evalStatus: 'evaluation_completed', status: 'CLOSED', decision: 'CANCEL' }, 'poll')
          ?.meaning,
      'unknown_decision',
      'CANCEL',
    ],
    [
      'Socure RiskOS eval_status',
      () => socureRiskosMeaning({ evalStatus: 'archived' }, 'poll')?.meaning,
      'unknown_status',
      'archived',
    ],
    [
      'Socure RiskOS event about an evaluation',
      () =>
        first(
          createSocureCallbackParser().parse(
            { event_id: 'e-1', event_type: 'evaluation_escalated', data: { eval_id: 'ev-1' } },
            '',
          ),
        ),
      'unknown_event',
      'evaluation_escalated',
    ],
    [
      'Attestr event',
      () => first(createAttestrCallbackParser().parse({ event: 'flowx.paused', payload: { _id: 'hs-1' } }, '')),
      'unknown_event',
      'flowx.paused',
    ],
    [
      'Attestr async status',
      () => asyncStatusMeaning(parseAsyncStatuses(DEFAULT_ASYNC_STATUSES), 'QUEUED'),
      'unknown_status',
      'QUEUED',
    ],
    [
      'Unico GetProcess result',
      () => unicoProcessMeaning('PROCESS_STATE_FINISHED', 'PROCESS_RESULT_NEW'),
      'unknown_result',
      'PROCESS_RESULT_NEW',
    ],
    [
      'Unico GetProcess state',
      () => unicoProcessMeaning('PROCESS_STATE_PAUSED', 'PROCESS_RESULT_OK'),
      'unknown_status',
      'PROCESS_STATE_PAUSED',
    ],
    [
      'Unico liveness sub-result',
      () =>
        unicoProcessMeaning(
          'PROCESS_STATE_FINISHED',
          'PROCESS_RESULT_OK',
          { livenessResult: 'LIVENESS_RESULT_NEW' },
          unicoFlowOf(DEFAULT_UNICO_FLOWS, { flow: 'idlive' }),
        ),
      'unknown_sub_result',
      'LIVENESS_RESULT_NEW',
    ],
    [
      'Unico flow (an UNSPECIFIED that may mean "not used")',
      () =>
        unicoProcessMeaning(
          'PROCESS_STATE_FINISHED',
          'PROCESS_RESULT_OK',
          { livenessResult: 'LIVENESS_RESULT_LIVE' },
          unicoFlowOf(DEFAULT_UNICO_FLOWS, { flow: 'creditoconsignado' }),
        ),
      'unknown_flow',
      'creditoconsignado',
    ],
    [
      'Unico webhook state',
      () => first(createUnicoCallbackParser(DEFAULT_UNICO_EVENTS).parse({ processId: 'p-1', state: 'PAUSED' }, '')),
      'unknown_status',
      'PAUSED',
    ],
    [
      'Concedus compliance code',
      () => first(createConcedusCallbackParser().parse([{ status: 200, key: 'k', customerKey: 'C-1' }], '')),
      'unknown_code',
      '200',
    ],
  ])('%s', (_where, meaningOf, attention, word) => {
    expect(meaningOf()).toEqual({ status: 'ACTION_REQUIRED', attention, unknownWord: word });
    expect(unknownWord(attention.slice('unknown_'.length) as never, word)).toEqual(meaningOf());
  });
});

describe("the providers' documented equivalents: recorded with attention, moving nothing", () => {
  it('Unico lastEvent (a set Unico calls configuration): attention unknown_event', () => {
    const parser = createUnicoCallbackParser(DEFAULT_UNICO_EVENTS);
    expect(first(parser.parse({ processId: 'p-1', lastEvent: 'EVENT_TYPE_NEW' }, ''))).toEqual({
      informational: true,
      attention: 'unknown_event',
      unknownWord: 'EVENT_TYPE_NEW',
    });
  });

  it('Concedus topic (a kind of message, not a status): attention unknown_topic', () => {
    expect(
      first(createConcedusCallbackParser().parse([{ topic: 'contractDeclined', contractKey: 'CO-1' }], '')),
    ).toEqual({ informational: true, attention: 'unknown_topic', unknownWord: 'contractDeclined' });
  });
});

describe('a word the timeline cannot keep whole', () => {
  it('is kept as sent (control characters too); an empty one is (empty); a longer one is cut, with a digest', () => {
    expect(rawWord('PROCESSED')).toBe('PROCESSED');
    expect(rawWord('')).toBe('(empty)');
    expect(rawWord('A\nB\u202e')).toBe('A\nB\u202e');
    // Cut at whole characters: no half of a surrogate pair is left behind.
    expect(rawWord('😀'.repeat(100))).toMatch(/^(😀){44}\.\.\.#[0-9a-f]{8}$/u);
    expect(rawWord(`x${'😀'.repeat(100)}`)).toMatch(/^x(😀){43}\.\.\.#[0-9a-f]{8}$/u);
    const long = rawWord('W'.repeat(101));
    expect(long).toHaveLength(100);
    expect(long).toMatch(/^W{88}\.\.\.#[0-9a-f]{8}$/);
    // Two long words that share their first 100 characters stay apart.
    expect(rawWord(`${'W'.repeat(101)}x`)).not.toBe(rawWord(`${'W'.repeat(101)}y`));
  });

  describe('through the ingress: answered 200, not a 400 the provider would retry forever', () => {
    let ingress: InProcessIngress;
    beforeAll(async () => {
      ingress = await startRecordingIngress(silentLogger);
    });
    afterAll(async () => {
      await ingress.close();
    });

    it.each<[string, 'unico' | 'jumio' | 'concedus' | 'attestr' | 'socure', unknown]>([
      ['a Unico state of 61 characters', 'unico', { processId: 'p-1', state: `PROCESS_STATE_${'X'.repeat(47)}` }],
      ['a Jumio status "ÄÖÜ"', 'jumio', { workflowExecution: { id: 'ex-1', status: 'ÄÖÜ' }, account: { id: 'acc-1' } }],
      ['a Concedus code with a line break', 'concedus', [{ status: 'ok\n', key: 'k', customerKey: 'C-1' }]],
      ['an Attestr event of 150 characters', 'attestr', { event: 'e'.repeat(150), payload: { _id: 'hs-1' } }],
      [
        'a Socure RiskOS decision of 300 characters',
        'socure',
        { event_id: 'e-2', event_type: 'evaluation_completed', data: { eval_id: 'ev-2', decision: 'D'.repeat(300) } },
      ],
    ])('%s', async (_case, provider, body) => {
      ingress.handOvers.length = 0;
      const answer = await ingress.post(provider, JSON.stringify(body));
      expect(answer.status).toBe(200);
      expect(ingress.handOvers.length).toBeGreaterThan(0);
    });
  });
});
