/**
 * The opt-in to development defaults (empty credentials, loopback-only callback auth, any provider
 * account), which `npm start` sets too. Without it a missing setting stops start-up, as in
 * production: tests set what they exercise and opt in for the rest.
 */
export const DEV_DEFAULTS = { KYC_DEV_DEFAULTS: '1' } as const;
