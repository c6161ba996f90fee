/**
 * The one durable timer a verification sleeps on between arrivals, kept across wake-ups.
 *
 * `condition(fn, timeout)` starts a timer for every wait and cancels it whenever a signal wakes
 * the workflow first: two history events (TimerCanceled, TimerStarted) for every callback, most of
 * whose deadlines did not even move. This timer is kept while it is due no later than the next
 * deadline. When a callback pushes the deadline later (the grace restarts), the old timer fires
 * early, the loop finds nothing due, and the next wait starts one at the new deadline: one spare
 * wake-up per quiet spell instead of two events per callback.
 *
 * Behind patch `kyc-wake-timer` (src/workflows/verification.ts): runs started before it keep
 * `condition`'s timer, as the histories in test/replay/histories/`*.before-kyc-wake-timer.json` prove.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

interface RunningTimer {
  at: number;
  scope: CancellationScope;
  fired: boolean;
}

export class WakeTimer {
  private timer: RunningTimer | undefined;

  /** True once the timer set by `wakeBy` has fired; the next `wakeBy` starts a new one. */
  get rang(): boolean {
    return this.timer?.fired ?? false;
  }

  /** Makes sure the workflow wakes by `at` (epoch ms): keeps a running timer due no later, else starts one. */
  wakeBy(at: number): void {
    if (this.timer && !this.timer.fired && this.timer.at <= at) return;
    this.cancel();
    const timer: RunningTimer = { at, scope: new CancellationScope(), fired: false };
    void timer.scope
      .run(() => sleep(Math.max(1, at - Date.now())))
      .then(
        () => void (timer.fired = true),
        (err: unknown) => {
          // Cancelled is the expected end of a timer that was replaced; anything else fails the task.
          if (!isCancellation(err)) throw err;
        },
      );
    this.timer = timer;
  }

  /** Cancels a timer that has not fired (one started and cancelled in the same task costs no event). */
  cancel(): void {
    if (this.timer && !this.timer.fired) this.timer.scope.cancel();
    this.timer = undefined;
  }
}
