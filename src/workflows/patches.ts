/**
 * The verification workflow's patches, decided in its first task before anything is awaited, in
 * this order (replay must make the same marker commands): what each one changes is in the module
 * it hands it to.
 */
import { patched } from '@temporalio/workflow';
import { LEAN_PATCH, PROVISIONAL_PATCH, WAKE_TIMER_PATCH } from '../contracts';
import type { VerificationState } from '../verification/model';
import type { ReduceRules } from '../verification/reducer';
import { visibilityMirror } from './visibility';
import { WakeTimer } from './wake-timer';

export function decidePatches(): {
  mirror: (state: VerificationState) => void;
  wake: WakeTimer;
  rules: ReduceRules;
} {
  // Patch `kyc-lean`: runs started before it rewrite the search attributes their start set, and start
  // a timer even when arrivals already wait (see visibility.ts and wake-timer.ts).
  const lean = patched(LEAN_PATCH);
  // Patch `kyc-attention` is decided inside (see visibility.ts).
  const mirror = visibilityMirror(lean);
  // Patch `kyc-wake-timer`: runs started before it wait with `condition`'s own timer (see wake-timer.ts).
  const wake = new WakeTimer(patched(WAKE_TIMER_PATCH), lean);
  // Patch `kyc-provisional`: runs started before it end at a provider's first decision, as they did.
  return { mirror, wake, rules: { provisional: patched(PROVISIONAL_PATCH) } };
}
