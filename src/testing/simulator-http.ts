import type { Express } from 'express';
import { listen } from '../http/listen';

export interface RunningSimulator {
  /** Base URL on loopback, e.g. http://127.0.0.1:40123 */
  url: string;
  close(): Promise<void>;
}

/** Serves a simulator app on a free loopback port. */
export async function serveOnLoopback(app: Express): Promise<RunningSimulator> {
  const running = await listen(app, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${running.port}`, close: () => running.close() };
}

/** A scripted fault: answer the next `times` requests with `status` before the real answer. */
export interface Faults {
  notFound?: number;
  serverError?: number;
  rateLimited?: number;
}

/** Consumes one scripted fault, if any is left: returns the HTTP status to answer with. */
export function takeFault(faults: Faults): number | undefined {
  if (faults.serverError) {
    faults.serverError -= 1;
    return 503;
  }
  if (faults.rateLimited) {
    faults.rateLimited -= 1;
    return 429;
  }
  if (faults.notFound) {
    faults.notFound -= 1;
    return 404;
  }
  return undefined;
}

/** Records every request an app serves as "METHOD path", for assertions. */
export function logRequests(app: Express): string[] {
  const requests: string[] = [];
  app.use((req, _res, next) => {
    requests.push(`${req.method} ${req.path}`);
    next();
  });
  return requests;
}

/** The bearer tokens a simulated token endpoint has issued, and which of them are still valid. */
export class IssuedTokens {
  private readonly valid = new Set<string>();
  private count = 0;

  constructor(private readonly prefix: string) {}

  issue(): string {
    this.count += 1;
    const token = `${this.prefix}-${this.count}`;
    this.valid.add(token);
    return token;
  }

  /** Whether an `Authorization: Bearer …` header carries a valid token. */
  accepts(authorization: string | undefined): boolean {
    return this.valid.has((authorization ?? '').replace(/^Bearer /, ''));
  }

  /** Invalidates every token, as a rotation on the provider's side would. */
  revokeAll(): void {
    this.valid.clear();
  }

  issuedCount(): number {
    return this.count;
  }
}
