import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ipInRange, ipToBytes, type WebhookAuthRule } from '../config/webhook-auth';
import { HttpError } from './http-error';

/**
 * Authenticates a callback before its body is parsed. Any one of the configured rules passing
 * is enough (rotation). Secrets are compared in constant time. Failing an IP rule is 403 (the
 * caller cannot fix it with credentials); missing or wrong credentials are 401.
 */
export function authenticate(req: Request, rules: WebhookAuthRule[]): void {
  let credentialRuleFailed = false;
  for (const rule of rules) {
    if (passes(req, rule)) return;
    if (rule.kind !== 'ip') credentialRuleFailed = true;
  }
  if (credentialRuleFailed) throw new HttpError(401, 'unauthorized', 'missing or invalid callback credentials');
  throw new HttpError(403, 'forbidden', 'callback source address is not allowed');
}

function passes(req: Request, rule: WebhookAuthRule): boolean {
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
  }
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
