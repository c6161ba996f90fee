/**
 * What the repository's own tools and tests play with this provider (never shipped): the story
 * `npm run record-histories` records down every path, in the provider's own words.
 */
import type { ProviderTestCases } from '../../../../tools/histories';

export const cases: ProviderTestCases = {
  provider: 'socure',
  replay: {
    progress: { providerStatus: 'DOCUMENTS_UPLOADED', meaning: { status: 'SUBMITTED' } },
    final: { providerStatus: 'VERIFICATION_COMPLETED/accept', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
    api: { providerStatus: 'accept', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
  },
};
