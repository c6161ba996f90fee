import { generateKeyPairSync } from 'node:crypto';

/**
 * A production deployment of this provider alone, for the configuration tests: every variable
 * production requires of it, with a value production accepts (the service account's key is an RSA
 * key made for the test run, as a PEM).
 */
export const production: Record<string, string> = {
  UNICO_SERVICE_ACCOUNT: 'svc@tenant.iam.acesso.io',
  UNICO_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
  UNICO_WEBHOOK_AUTH: 'bearer:b',
};
