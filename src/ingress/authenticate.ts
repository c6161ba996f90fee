import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ipInRange, ipToBytes, type HmacRule, type WebhookAuthRule } from '../config/webhook-auth';
import { HttpError } from './http-error';

/**
 * Step 1, who is calling: a callback is authenticated before its body is parsed. Any one of the
 * configured rules passing is enough (rotation). Secrets are compared in constant time. Failing an
 * IP rule is 403 (the caller cannot fix it with credentials); missing or wrong credentials, or a
 * signature that does not verify, are 401, never saying which part failed.
 */
export function authenticate(req: Request, rules: WebhookAuthRule[], now = Date.now()): void {
  let credentialRuleFailed = false;
  for (const rule of rules) {
    if (passes(req, rule, now)) return;
    if (rule.kind !== 'ip') credentialRuleFailed = true;
  }
  if (credentialRuleFailed) throw new HttpError(401, 'unauthorized', 'missing or invalid callback credentials');
  throw new HttpError(403, 'forbidden', 'callback source address is not allowed');
}

function passes(req: Request, rule: WebhookAuthRule, now: number): boolean {
  switch (rule.kind) {
    case 'none':
      return true;
    case 'ip': {
      // req.ip honours TRUST_PROXY: behind a proxy it is the forwarded client address.
      const address = ipToBytes(req.ip ?? '');
      return address !== undefined && rule.ranges.some((range) => ipInRange(address, range));
    }
    case 'basic':
      return basicMatches(req.get('authorization'), rule.credential);
    case 'bearer': {
      const header = req.get('authorization') ?? '';
      return /^bearer /i.test(header) && safeEqual(header.slice(7).trim(), rule.token);
    }
    case 'header':
      return safeEqual(req.get(rule.name) ?? '', rule.value);
    case 'hmac':
      return signatureVerifies(req, rule, now);
  }
}

/**
 * The signature over the bytes received (express.raw keeps them: a body parsed and serialised again
 * would not be the bytes the provider signed), within the timestamp's tolerance when the rule has one.
 */
function signatureVerifies(req: Request, rule: HmacRule, now: number): boolean {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  let payload = body;
  if (rule.timestamp) {
    const sent = req.get(rule.timestamp.header) ?? '';
    // Seconds since the epoch, as the signing providers send it.
    if (!/^\d{1,12}$/.test(sent) || Math.abs(now - Number(sent) * 1000) > rule.timestamp.toleranceMs) return false;
    if (rule.payload === 'timestamp.body') payload = Buffer.concat([Buffer.from(`${sent}${rule.separator}`), body]);
  }
  const expected = createHmac(rule.algorithm, rule.secret).update(payload).digest();
  return signaturesIn(req.get(rule.header) ?? '', rule).some(
    (signature) => signature.length === expected.length && timingSafeEqual(signature, expected),
  );
}

/** The signatures a header carries (several, space-separated, while the sender rotates), decoded. */
function signaturesIn(header: string, rule: HmacRule): Buffer[] {
  return header
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((token) => {
      if (rule.prefix && !token.startsWith(rule.prefix)) return [];
      const text = rule.prefix ? token.slice(rule.prefix.length) : token;
      if (rule.encoding === 'hex') return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? [Buffer.from(text, 'hex')] : [];
      return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? [Buffer.from(text, 'base64')] : [];
    });
}

/**
 * `Authorization: Basic <x>`: providers differ in what <x> is (Attestr sends its dashboard token
 * as-is, others base64 of user:pass), so the configured credential matches either form.
 */
function basicMatches(header: string | undefined, credential: string): boolean {
  if (!header || !/^basic /i.test(header)) return false;
  const sent = header.slice(6).trim();
  const encoded = Buffer.from(credential).toString('base64');
  return safeEqual(sent, credential) || safeEqual(sent, encoded);
}

/** Constant-time comparison that does not leak the secret's length through early exit. */
export function safeEqual(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  const same = a.length === b.length;
  // Compare equal-length buffers either way, so the time taken does not depend on where they differ.
  return timingSafeEqual(same ? a : b, b) && same;
}
