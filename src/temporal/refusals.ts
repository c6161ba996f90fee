import { isGrpcServiceError } from '@temporalio/client';

/** gRPC INVALID_ARGUMENT: the server refuses the request's content (an ID past its length limit, say). */
const INVALID_ARGUMENT = 3;

/**
 * Whether a failed call to Temporal is this request's own fault, so that retrying it alone will
 * not help, as opposed to an outage that every request meets. Deliberately narrow: the server's
 * INVALID_ARGUMENT, and our own code failing on this request's data (TypeError, RangeError,
 * SyntaxError). Every other failure counts as an outage, because Temporal words outages in many
 * ways: with its database down, a 1.32 server answers a start with NOT_FOUND "Namespace not found"
 * (the SDK's NamespaceNotFoundError).
 */
export function refusedForWhatItIs(err: unknown): boolean {
  const code = grpcCode(err);
  if (code !== undefined) return code === INVALID_ARGUMENT;
  return err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError;
}

/** The gRPC status code of a failed call, found through the SDK's wrapping errors (for logs: a number says enough). */
export function grpcCode(err: unknown): number | undefined {
  for (let cause: unknown = err, depth = 0; cause && depth < 5; depth++) {
    if (isGrpcServiceError(cause)) return Number(cause.code);
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
