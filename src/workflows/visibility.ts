/**
 * What operators see of a verification without opening it: search attributes to filter on, and
 * the Web UI's "current details" (provider, status, decision, next deadline, last answer).
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { isTerminal, type VerificationState } from '../verification/model';
import { ATTENTION_PATCH, KycAttention, KycDecision, KycProvider, KycStatus } from '../contracts';

/**
 * Returns a function that mirrors the state; each upsert is a history event, so it writes only on
 * change.
 *
 * Patch `kyc-attention`: verifications that started before it mirror status and decision only
 * (their histories hold no upsert for an attention code, and replay must make the same commands);
 * those started after it also mirror their latest attention code. The histories recorded before
 * the patch stay in each provider's test/histories/ (`*.before-kyc-attention.json`) and prove the old branch.
 *
 * `lean` (patch `kyc-lean`, decided in src/workflows/verification.ts): the mirror compares with the
 * search attributes the run already has (those its start set: provider and `PENDING`, or those a
 * continued run inherited) and upserts only the ones that differ, so a first callback that leaves the
 * verification pending costs no upsert. Runs started before it remembered nothing at first and
 * rewrote all of them (`*.before-kyc-lean.json`).
 */
export function visibilityMirror(lean: boolean): (state: VerificationState) => void {
  const withAttention = patched(ATTENTION_PATCH);
  let mirrored: string | undefined;
  return (state) => {
    // The UI's "current details" cost nothing in history: keep them fresh.
    setCurrentDetails(details(state));
    const attention = withAttention ? state.attention.at(-1) : undefined;
    // While a provisional decision is held, KycDecision shows it (KycStatus says ACTION_REQUIRED),
    // so `KycStatus = 'ACTION_REQUIRED' AND KycDecision = 'REVIEW'` lists the reviews under way.
    const decision = state.decision ?? state.provisional?.decision;
    const wanted: SearchAttributeUpdatePair[] = [
      { key: KycProvider, value: state.provider },
      { key: KycStatus, value: state.status },
      { key: KycDecision, value: decision ?? null },
      ...(withAttention ? [{ key: KycAttention, value: attention ?? null }] : []),
    ];
    if (lean) {
      const changed = wanted.filter(differsFromTheRun);
      if (changed.length > 0) upsertSearchAttributes(changed);
      return;
    }
    const now = `${state.status}/${decision ?? ''}/${attention ?? ''}`;
    if (now === mirrored) return;
    mirrored = now;
    upsertSearchAttributes(wanted);
  };
}

/** Whether the run's search attributes (start and upserts so far, the same on replay) hold another value. */
function differsFromTheRun(pair: SearchAttributeUpdatePair): boolean {
  const current: unknown = workflowInfo().typedSearchAttributes.get(pair.key) ?? null;
  return current !== (pair.value ?? null);
}

function details(state: VerificationState): string {
  const last = [...state.timeline].reverse().find((entry) => entry.source === 'callback' || entry.source === 'poll');
  const lines = [
    `**${state.provider}** · **${state.status}**${state.decision ? ` / **${state.decision}**` : ''}`,
    state.providerStatus ? `provider status: ${state.providerStatus}` : 'provider status: none yet',
    state.provisional
      ? `provisional: ${state.provisional.decision ?? state.provisional.status} (awaiting ${state.provisional.awaiting} until ${state.provisional.reviewEndsAt})`
      : '',
    last ? `last provider answer: ${last.source} ${last.providerStatus} (${last.outcome}) at ${last.at}` : '',
    isTerminal(state.status)
      ? `finished at ${state.completedAt ?? state.updatedAt}`
      : `deadline ${state.expiresAt} · next poll ${state.wait.nextPollAt}`,
    state.attention.length ? `needs attention: ${state.attention.join(', ')}` : '',
    `${state.timeline.length + state.timelineDropped} events, ${state.polls} polls`,
  ];
  return lines.filter(Boolean).join('\n\n');
}
