import type { EnvReader } from './env-reader';
import { ConfigError } from './env-reader';

/** Where and how the verdict of every verification that ends is pushed to the app. */
export type NotifyConfig =
  | { enabled: false }
  | {
      enabled: true;
      /** The app's endpoint; it receives a Standard Webhooks request per finished verification. */
      url: string;
      /** The signing secret, `whsec_` + base64, shared with the app that verifies it. */
      secret: string;
    };

/**
 * `KYC_NOTIFY_URL` and `KYC_NOTIFY_SECRET`: both or neither. An unsigned notification would be a
 * verdict anyone could forge, so a URL without a secret is refused rather than sent unsigned.
 */
export function readNotifyConfig(read: EnvReader): NotifyConfig {
  const hasUrl = read.has('KYC_NOTIFY_URL');
  const secret = read.string('KYC_NOTIFY_SECRET');
  if (!hasUrl) {
    if (secret) throw new ConfigError('KYC_NOTIFY_URL', 'must be set when KYC_NOTIFY_SECRET is set');
    return { enabled: false };
  }
  const url = read.url('KYC_NOTIFY_URL', '');
  if (!secret) {
    throw new ConfigError('KYC_NOTIFY_SECRET', 'must be set when KYC_NOTIFY_URL is set (whsec_ + base64 bytes)');
  }
  // Standard Webhooks secrets are 24 to 64 random bytes, base64-encoded after the whsec_ prefix.
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  const bytes = match ? Buffer.from(match[1]!, 'base64').length : 0;
  if (bytes < 24 || bytes > 64) {
    throw new ConfigError(
      'KYC_NOTIFY_SECRET',
      'must be whsec_ followed by 24 to 64 random bytes in base64 (e.g. whsec_$(openssl rand -base64 32))',
    );
  }
  return { enabled: true, url, secret };
}
