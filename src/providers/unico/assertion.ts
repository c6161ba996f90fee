import { sign, type KeyObject } from 'node:crypto';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The longest assertion Unico accepts (`exp` at most `iat` + 3600). */
export const MAX_ASSERTION_SECONDS = 3600;

/** Exactly the claims Unico documents: it refuses any other claim (error 1.2.22). */
export interface UnicoAssertionClaims {
  iss: string;
  aud: string;
  scope: '*';
  iat: number;
  exp: number;
}

export function assertionClaims(serviceAccount: string, audience: string, nowMs: number): UnicoAssertionClaims {
  const iat = Math.floor(nowMs / 1000);
  return { iss: serviceAccount, aud: audience, scope: '*', iat, exp: iat + MAX_ASSERTION_SECONDS };
}

/** An RS256 JWT (RFC 7515 compact form) for the JWT-bearer grant (RFC 7523). */
export function signAssertion(claims: UnicoAssertionClaims, key: KeyObject): string {
  const header = base64url({ alg: 'RS256', typ: 'JWT' });
  const payload = base64url(claims);
  // RSASSA-PKCS1-v1_5 with SHA-256 is what RS256 names; it is node's default padding for RSA keys.
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
