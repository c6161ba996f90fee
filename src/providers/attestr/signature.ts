import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Attestr's `resultSignature`: "hmacHexDigest of result object and client secret"
 * (docs.attestr.com, Execution Result API). Inferred: HMAC-SHA256 over the `result` object as
 * Attestr serialised it, so it is checked over the raw bytes of `result` in the body received
 * ({@link rawJsonMember}), never over a re-serialisation of the parsed value, which can differ
 * (key order, number spelling, escapes, white space).
 */
export function signResultText(resultText: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(resultText, 'utf8').digest('hex');
}

/** Signs a result as a sender that serialises with JSON.stringify (our simulator) would. */
export function signResult(result: unknown, clientSecret: string): string {
  return signResultText(JSON.stringify(result), clientSecret);
}

/** Whether `signature` is the HMAC of `resultText`, the raw bytes of `result` as received. */
export function resultSignatureMatches(resultText: string, signature: string, clientSecret: string): boolean {
  // Only a well-formed digest is decoded: Buffer.from(…, 'hex') silently drops bad characters.
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(signResultText(resultText, clientSecret), 'hex');
  return timingSafeEqual(Buffer.from(signature, 'hex'), expected);
}
