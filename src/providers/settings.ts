/**
 * The settings every provider has, each read as `<ID>_<SUFFIX>` (`JUMIO_POLL_SCHEDULE`): the one
 * place the prefix is spelled. A provider's own variables are in its module (`variables`).
 */
export const COMMON_PROVIDER_VARIABLES = [
  { suffix: 'API_BASE_URL', description: 'the retrieval API' },
  { suffix: 'WEBHOOK_AUTH', description: 'how its callbacks authenticate (docs/configuration.md)' },
  { suffix: 'CALLBACK_GRACE', description: 'silence after the last callback before fallback polling' },
  { suffix: 'POLL_SCHEDULE', description: 'delays between fallback polls (then daily)' },
  { suffix: 'EXPIRES_AFTER', description: "a verification's lifetime when the app gives no expiry" },
  { suffix: 'MAX_LIFETIME', description: 'the longest a verification the provider never settles stays open' },
  { suffix: 'MAX_POLLS_PER_SECOND', description: 'retrieval calls per second across all workers' },
  {
    suffix: 'REVIEW_WINDOW',
    description: "how long a provider's provisional decision waits for its final one before it closes, not final",
  },
] as const;

export type CommonProviderSuffix = (typeof COMMON_PROVIDER_VARIABLES)[number]['suffix'];

/** `<ID>_<SUFFIX>`: a provider's variable. */
export function providerVariable(id: string, suffix: CommonProviderSuffix | (string & {})): string {
  return `${id.toUpperCase()}_${suffix}`;
}
