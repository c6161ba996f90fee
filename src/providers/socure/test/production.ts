/**
 * A production deployment of this provider alone, for the configuration tests: every variable
 * production requires of it, with a value production accepts.
 */
export const production: Record<string, string> = {
  SOCURE_API_KEY: 'k',
  SOCURE_WEBHOOK_AUTH: 'bearer:b',
};
