import type { ErrorRequestHandler, RequestHandler } from 'express';
import { boundedIssues } from '../providers/common';
import { type FieldIssue } from '../contracts';

/** The one error type the ingress answers with: a status, a stable code, a message safe to show a caller. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { issues?: FieldIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`));
};

/**
 * Every error becomes JSON. Internal error text never reaches the caller: unknown errors are a
 * generic 500 and are logged by name only.
 */
export function errorHandler(onInternalError: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const httpError = toHttpError(err);
    if (httpError.status >= 500 && httpError.code === 'internal_error') onInternalError(err);
    if (httpError.extra.retryAfterSeconds !== undefined)
      res.set('Retry-After', String(httpError.extra.retryAfterSeconds));
    res.status(httpError.status).json({
      error: httpError.code,
      message: httpError.message,
      ...(httpError.extra.issues ? answeredIssues(httpError.extra.issues) : {}),
    });
  };
}

/** The failing paths, as many as stay small (a body of 300,000 bad records must not be answered with 300,000 issues). */
function answeredIssues(all: FieldIssue[]): { issues: FieldIssue[]; moreIssues?: number } {
  const { issues, moreIssues } = boundedIssues(all);
  return moreIssues ? { issues, moreIssues } : { issues };
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  // body-parser's errors carry a status and a type; map the ones a caller can cause.
  const type = (err as { type?: string } | undefined)?.type;
  if (type === 'entity.too.large') return new HttpError(413, 'payload_too_large', 'request body is too large');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new HttpError(415, 'unsupported_media_type', 'unsupported body encoding');
  }
  if (type === 'request.aborted' || type === 'request.size.invalid')
    return new HttpError(400, 'bad_request', 'request body was incomplete');
  return new HttpError(500, 'internal_error', 'internal error');
}
