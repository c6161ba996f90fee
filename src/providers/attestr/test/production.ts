/**
 * A production deployment of this provider alone, for the configuration tests: every variable
 * production requires of it, with a value production accepts (the client secret too: production
 * checks the results' signatures unless told otherwise).
 */
export const production: Record<string, string> = {
  ATTESTR_AUTH_TOKEN: 't',
  ATTESTR_CLIENT_SECRET: 's',
  ATTESTR_WEBHOOK_AUTH: 'basic:b',
};
