/**
 * What the repository's own tools and tests play with this provider (never shipped): the story
 * `npm run record-histories` records down every path, in the provider's own words.
 */
import type { ProviderTestCases } from '../../../../tools/histories';

export const cases: ProviderTestCases = {
  provider: 'jumio',
  replay: {
    context: { accountId: '11111111-aaaa-bbbb-cccc-000000000001' },
    progress: { providerStatus: 'ACQUIRED', meaning: { status: 'SUBMITTED' } },
    final: { providerStatus: 'PROCESSED', meaning: { status: 'SUBMITTED', retrieve: true } },
    api: { providerStatus: 'PROCESSED/PASSED', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
  },
};
