import type { Express } from 'express';
import { listen } from '../ingress/server';

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
