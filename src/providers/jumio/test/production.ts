/**
 * A production deployment of this provider alone, for the configuration tests: every variable
 * production requires of it, with a value production accepts (its callbacks' published addresses
 * stand as its webhook auth).
 */
export const production: Record<string, string> = {
  JUMIO_CLIENT_ID: 'i',
  JUMIO_CLIENT_SECRET: 's',
  JUMIO_ACCOUNT_IDS: 'acc-1',
};
