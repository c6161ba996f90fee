/**
 * The signal that ends the provider call in progress: an activity runs its call under one
 * (its deadline joined with its cancellation, `src/activities/call-deadline.ts`), and every
 * request the call makes (`requestJson`, the token request included) is aborted with it, however
 * deep in a provider's client it is made.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<AbortSignal>();

/** Runs `call` so that every provider request made within it is aborted when `signal` aborts. */
export function withCallSignal<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  return current.run(signal, call);
}

/** The signal of the provider call in progress, if any. */
export function callSignal(): AbortSignal | undefined {
  return current.getStore();
}
