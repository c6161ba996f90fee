/**
 * Step 2, what it says: the body must be JSON, read as untrusted (no prototype keys), then the
 * provider's own parser turns it into canonical events. A body that is not JSON or fails the
 * schema is kept as a dead letter; one whose own integrity proof fails is 401 (a forgery is not
 * kept); one for another customer of the provider is 403 and kept.
 */
import type { Request } from 'express';
import {
  CallbackAuthenticationError,
  CallbackNotOursError,
  CallbackValidationError,
  type CallbackParser,
  type ParsedCallback,
} from '../providers/types';
import { parseUntrustedJson } from '../providers/untrusted-json';
import { HttpError } from './http-error';
import { MAX_EVENTS_PER_CALLBACK, tooManyRecords, type Refusal } from './refuse';

export async function parseCallback(
  req: Request,
  parser: CallbackParser,
  receivedAt: string,
  refuse: (refusal: Refusal) => Promise<void>,
): Promise<ParsedCallback> {
  if (!req.is(['application/json', 'application/*+json', 'text/json'])) {
    throw new HttpError(415, 'unsupported_media_type', 'callbacks must be JSON (Content-Type: application/json)');
  }
  const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  let body;
  try {
    body = parseJson(text);
  } catch (err) {
    await refuse({ reason: 'invalid_json', issues: [{ path: '', message: 'not JSON' }] });
    throw err;
  }
  // Counted before any record is validated: validation costs per record, on the event loop every provider shares.
  const records = parser.countRecords?.(body, MAX_EVENTS_PER_CALLBACK) ?? 0;
  if (records > MAX_EVENTS_PER_CALLBACK) {
    await refuse({
      reason: 'oversize',
      issues: [
        {
          path: '',
          message: `more than ${MAX_EVENTS_PER_CALLBACK} records; at most ${MAX_EVENTS_PER_CALLBACK} per callback`,
        },
      ],
    });
    throw tooManyRecords();
  }
  try {
    // The raw text too: signatures are checked over the bytes the provider signed.
    return parser.parse(body, receivedAt, text);
  } catch (err) {
    if (err instanceof CallbackAuthenticationError) {
      throw new HttpError(401, 'unauthorized', 'callback signature does not verify');
    }
    if (err instanceof CallbackValidationError) {
      await refuse({ reason: 'schema', issues: err.issues });
      throw new HttpError(400, 'invalid_callback', 'callback does not match the provider schema', {
        issues: err.issues,
      });
    }
    if (err instanceof CallbackNotOursError) {
      // Authenticated as the provider, but for another of its customers: nothing is started.
      await refuse({ reason: err.reason, issues: err.issues, events: err.events });
      throw new HttpError(403, 'forbidden', 'the callback is for an account that is not configured');
    }
    throw err;
  }
}

function parseJson(text: string): unknown {
  if (!text.trim()) throw new HttpError(400, 'invalid_json', 'request body is empty');
  try {
    return parseUntrustedJson(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
}
