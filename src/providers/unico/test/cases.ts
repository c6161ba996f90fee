/**
 * What the repository's own tools and tests play with this provider (never shipped): the story
 * `npm run record-histories` records down every path, in the provider's own words.
 */
import type { ProviderTestCases } from '../../../../tools/histories';

export const cases: ProviderTestCases = {
  provider: 'unico',
  replay: {
    progress: { providerStatus: 'SESSION_ENDED', meaning: { status: 'IN_PROGRESS' } },
    final: { providerStatus: 'PROCESS_STATE_FINISHED', meaning: { status: 'SUBMITTED', retrieve: true } },
    api: {
      providerStatus: 'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK',
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    },
  },
};
