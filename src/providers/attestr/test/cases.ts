/**
 * What the repository's own tools and tests play with this provider (never shipped): the story
 * `npm run record-histories` records down every path, in the provider's own words.
 */
import type { ProviderTestCases } from '../../../../tools/histories';

export const cases: ProviderTestCases = {
  provider: 'attestr',
  replay: {
    progress: { providerStatus: 'handshake:consumed', meaning: { status: 'IN_PROGRESS' } },
    final: { providerStatus: 'flowx.completed', meaning: { status: 'COMPLETED' } },
    api: { providerStatus: 'handshake:result', meaning: { status: 'COMPLETED' } },
  },
};
