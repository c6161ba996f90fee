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
 * `condition`'s timer, as the recorded histories `*.before-kyc-wake-timer.json` (src/providers/<id>/test/histories/) prove.
 *
 * `lean` (patch `kyc-lean`): a wait with arrivals already waiting returns at once, without starting
 * a timer; a verification decided in its first task (the callback came with the start) bills no
 * timer it never sleeps on. Runs started before it start the timer first (`*.before-kyc-lean.json`).
 */
import { CancellationScope, condition, sleep } from '@temporalio/workflow';

interface RunningTimer {
  at: number;
  scope: CancellationScope;
  fired: boolean;
}

export class WakeTimer {
  private timer: RunningTimer | undefined;

  /**
   * `keeps` false: the branch of runs started before patch `kyc-wake-timer`, `condition`'s own timer.
   * `lean` false: the branch of runs started before patch `kyc-lean`, a timer even when nothing waits.
   */
  constructor(
    readonly keeps: boolean,
    readonly lean = false,
  ) {}

  /** Resolves once `arrived()` holds or `at` (epoch ms) has passed. */
  async until(at: number, arrived: () => boolean): Promise<void> {
    if (!this.keeps) {
      await condition(arrived, Math.max(1, at - Date.now()));
      return;
    }
    if (this.lean && arrived()) return;
    const timer = this.wakeBy(at);
    // A cancellation of the whole workflow (Temporal's "cancel", e.g. from the Web UI) rejects this
    // condition, as it did `condition`'s own timer: the workflow ends cancelled.
    await condition(() => arrived() || timer.fired);
  }

  /** Makes sure the workflow wakes by `at` (epoch ms): keeps a running timer due no later, else starts one. */
  private wakeBy(at: number): RunningTimer {
    if (this.timer && !this.timer.fired && this.timer.at <= at) return this.timer;
    this.cancel();
    const timer: RunningTimer = { at, scope: new CancellationScope(), fired: false };
    void timer.scope
      .run(() => sleep(Math.max(1, at - Date.now())))
      .then(
        () => void (timer.fired = true),
        // Cancelled: replaced by a later wait's timer, or the workflow itself was cancelled (see `until`).
        () => undefined,
      );
    this.timer = timer;
    return timer;
  }

  /** Cancels a timer that has not fired (one started and cancelled in the same task costs no event). */
  cancel(): void {
    if (this.timer && !this.timer.fired) this.timer.scope.cancel();
    this.timer = undefined;
  }
}
