/**
 * What reaches a verification from outside, as changes for the reducer: the signals (each argument
 * checked here, since a signal is untyped on the wire: a malformed one is recorded, never a failed
 * workflow task) and the answers of provider calls.
 */
import { setHandler } from '@temporalio/workflow';
import { cancelSignal, providerEventSignal, refreshSignal, registerSignal, stateQuery } from '../contracts';
import { readCancellation, readProviderEvent, readRegistration, type SignalName } from '../verification/incoming';
import type { PollResult, VerificationState } from '../verification/model';
import type { VerificationChange } from '../verification/reducer';
import type { CallPurpose } from './provider-calls';

/**
 * Registers the query and the signals; every signal becomes a change pushed in arrival order (a
 * cancellation too, so it takes its place among the others).
 */
export function listenForArrivals(
  verification: { provider: string; reference: string },
  arrivals: VerificationChange[],
  currentState: () => VerificationState,
): void {
  setHandler(stateQuery, currentState);
  setHandler(providerEventSignal, (value: unknown) => {
    const read = readProviderEvent(value, verification);
    arrivals.push(read.ok ? { kind: 'callback', event: read.value } : malformed('providerEvent', read.problem));
  });
  setHandler(registerSignal, (value: unknown) => {
    const read = readRegistration(value);
    arrivals.push(read.ok ? { kind: 'registered', registration: read.value } : malformed('register', read.problem));
  });
  setHandler(cancelSignal, (value: unknown) => {
    const read = readCancellation(value);
    arrivals.push(read.ok ? { kind: 'cancel-requested', ...read.value } : malformed('cancel', read.problem));
  });
  // Whatever comes with a refresh is ignored: it has no argument.
  setHandler(refreshSignal, () => void arrivals.push({ kind: 'refresh-requested' }));
}

/** A provider call's answer, as the change its purpose makes of it. */
export function answered(purpose: CallPurpose, result: PollResult): VerificationChange {
  if (purpose === 'deadline') return { kind: 'deadline-reached', check: result };
  if (purpose === 'review-end') return { kind: 'review-window-ended', check: result };
  return { kind: 'polled', purpose, result };
}

function malformed(signal: SignalName, problem: string): VerificationChange {
  return { kind: 'malformed', signal, problem };
}
