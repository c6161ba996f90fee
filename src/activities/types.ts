import type { ProviderId } from '../verification/model';

export interface PollRequest {
  provider: ProviderId;
  reference: string;
  context: Record<string, string>;
  /**
   * True when a callback announced that the result is ready: an answer without the result then
   * counts as "not ready yet" and is retried, instead of being returned.
   */
  expectResult: boolean;
}
