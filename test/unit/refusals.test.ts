import { ServiceError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { refusedForWhatItIs } from '../../src/temporal/refusals';

/** A gRPC failure as @grpc/grpc-js reports it, wrapped by the SDK as its calls do. */
function grpcFailure(code: number, details: string): ServiceError {
  const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to signalWithStart Workflow', { cause });
}

/**
 * What the inbox drainer may set aside (a poison entry) and what it must wait out (an outage).
 * Setting aside on an outage would keep an acknowledged callback from its verification.
 */
describe('refusedForWhatItIs', () => {
  it('is true for the server refusing the request itself, and for our own code failing on its data', () => {
    expect(refusedForWhatItIs(grpcFailure(3, 'WorkflowId length exceeds limit.'))).toBe(true);
    expect(refusedForWhatItIs(new TypeError("Cannot read properties of undefined (reading 'reference')"))).toBe(true);
  });

  it('is false for every way an outage shows, including what a 1.32 server says while its database is down', () => {
    // Temporal with PostgreSQL stopped answers a start with NOT_FOUND "Namespace not found".
    expect(refusedForWhatItIs(new NamespaceNotFoundError('default'))).toBe(false);
    expect(refusedForWhatItIs(grpcFailure(5, "Namespace not found: 'default'"))).toBe(false);
    for (const code of [1, 2, 4, 8, 9, 10, 13, 14, 7, 16]) {
      expect({ code, refused: refusedForWhatItIs(grpcFailure(code, 'down')) }).toEqual({ code, refused: false });
    }
    expect(refusedForWhatItIs(new ServiceError('Failed to connect before the deadline'))).toBe(false);
  });
});
