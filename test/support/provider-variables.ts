/** The settings every provider has, as `<P>_<suffix>` (read with a prefix, so a source scan cannot see them). */
export const PROVIDER_VARIABLE_SUFFIXES = [
  'API_BASE_URL',
  'WEBHOOK_AUTH',
  'CALLBACK_GRACE',
  'POLL_SCHEDULE',
  'EXPIRES_AFTER',
  'MAX_LIFETIME',
  'REVIEW_WINDOW',
] as const;
