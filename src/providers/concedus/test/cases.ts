/**
 * What the repository's own tools and tests play with this provider (never shipped): the story
 * `npm run record-histories` records down every path, in the provider's own words.
 */
import type { ProviderTestCases } from '../../../../tools/histories';

export const cases: ProviderTestCases = {
  provider: 'concedus',
  replay: {
    progress: { providerStatus: 'ident:101', meaning: { status: 'SUBMITTED' } },
    final: { providerStatus: 'complianceRecord:100', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
    api: { providerStatus: 'complianceRecord:100', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
  },
};
