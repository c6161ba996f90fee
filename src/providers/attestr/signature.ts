import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Attestr's `resultSignature`: "hmacHexDigest of result object and client secret"
 * (docs.attestr.com, Execution Result API). Inferred: HMAC-SHA256 over the JSON serialisation
 * of `result` as received. Keys keep the order they arrived in, except integer-like keys,
 * which JSON.parse moves to the front; stage IDs are not integers.
 */
export function signResult(result: unknown, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(JSON.stringify(result)).digest('hex');
}

export function resultSignatureMatches(result: unknown, signature: string, clientSecret: string): boolean {
  // Only a well-formed digest is decoded: Buffer.from(…, 'hex') silently drops bad characters.
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(signResult(result, clientSecret), 'hex');
  return timingSafeEqual(Buffer.from(signature, 'hex'), expected);
}
