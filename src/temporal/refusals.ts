import { isGrpcServiceError, ServiceError } from '@temporalio/client';

/**
 * gRPC codes with which Temporal refuses one request for what it is, whenever it is sent again:
 * INVALID_ARGUMENT (an ID past the server's length limit, say), NOT_FOUND, ALREADY_EXISTS,
 * FAILED_PRECONDITION, OUT_OF_RANGE. Every other code (UNAVAILABLE, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED, PERMISSION_DENIED…) says the server or our access to it is in trouble,
 * which no single request causes and a later attempt may not meet.
 */
const REFUSED_FOR_WHAT_IT_IS = new Set([3, 5, 6, 9, 11]);

/**
 * Whether a failed call to Temporal is this request's own fault (retrying it alone will not
 * help), as opposed to an outage that every request meets. Errors that are not gRPC at all (our
 * code failing on this request's data) count as the request's own.
 */
export function refusedForWhatItIs(err: unknown): boolean {
  for (let cause: unknown = err, depth = 0; cause && depth < 5; depth++) {
    if (isGrpcServiceError(cause)) return REFUSED_FOR_WHAT_IT_IS.has(Number(cause.code));
    cause = (cause as { cause?: unknown }).cause;
  }
  return !(err instanceof ServiceError);
}
