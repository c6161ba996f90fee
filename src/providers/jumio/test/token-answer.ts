/**
 * For a provider that never answers (test/support/hanging-provider.ts): Jumio's token endpoint
 * answered, so a retrieval gets as far as its status request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function answerJumioToken(req: IncomingMessage, res: ServerResponse): boolean {
  if (!req.url?.startsWith('/oauth2/token')) return false;
  req.resume();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ access_token: 'token', expires_in: 3600 }));
  return true;
}
