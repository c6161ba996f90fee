import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import { parseCallbackBody, rawWord, referenceSchema } from '../common';
import type { CallbackParser, ParsedCallback } from '../types';
import { unicoEventMeaning, unicoWebhookStateMeaning, type UnicoEventTable } from './vocabulary';

/**
 * A word of the webhook: absent, null and "" all mean "not sent"; any other text is kept as an
 * unknown word if no table maps it (cut when long), never refused.
 */
const word = z
  .string()
  .nullish()
  .transform((value) => (value ? rawWord(value) : undefined));

/**
 * Unico IDCloud's process webhook: the documented payload (processId, state, result, flow,
 * lastEvent, lastEventDescription) and the shorter shapes Unico's own pages show (no `result`,
 * no `flow`; nulls for absent fields). Unknown fields are tolerated. `lastEventDescription` is
 * free text and is never kept.
 */
export const unicoCallbackSchema = z
  .looseObject({
    processId: referenceSchema,
    state: word,
    result: word,
    flow: word,
    lastEvent: word,
    lastEventDescription: z.string().nullish(),
  })
  .refine((body) => Boolean(body.state || body.lastEvent), {
    message: 'state is required (or at least lastEvent)',
    path: ['state'],
  });

/**
 * Turns one webhook into up to two events: the `lastEvent` (what the user last did, meaning from
 * the configured table) and then the process `state` (a finished process announces a result to
 * fetch). Unico sends no timestamp and no delivery ID, so an event's dedup key is its content:
 * Unico's at-least-once redelivery of the same notification carries the same keys.
 */
export function createUnicoCallbackParser(events: UnicoEventTable): CallbackParser {
  return {
    parse(body: unknown): ParsedCallback {
      const callback = parseCallbackBody(unicoCallbackSchema, body);
      const reference = callback.processId;
      const detail = callback.flow ? `flow:${callback.flow}` : undefined;
      // The flow decides which of GetProcess's sub-results count; kept for a GetProcess answer that names none.
      const context = callback.flow ? { context: { flow: callback.flow } } : {};
      const parsed: VerificationEvent[] = [];
      if (callback.lastEvent) {
        parsed.push({
          provider: 'unico',
          reference,
          providerStatus: callback.lastEvent,
          source: 'callback',
          dedupKey: `callback:lastEvent:${callback.lastEvent}`,
          meaning: unicoEventMeaning(events, callback.lastEvent),
          ...(detail ? { detail } : {}),
          ...context,
        });
      }
      if (callback.state) {
        const providerStatus = callback.result ? `${callback.state}/${callback.result}` : callback.state;
        parsed.push({
          provider: 'unico',
          reference,
          providerStatus,
          source: 'callback',
          dedupKey: `callback:${providerStatus}`,
          meaning: unicoWebhookStateMeaning(callback.state),
          ...(detail ? { detail } : {}),
          ...context,
        });
      }
      return { events: parsed, rejected: [] };
    },
  };
}
