import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Bearer token every /encode and /decode must carry; unset: no check (development only). */
  auth?: string;
  /** Origins of the Web UI allowed to call from the browser (CORS). */
  corsOrigins?: readonly string[];
}

/** Temporal's codec server protocol: payloads as proto JSON, bytes in base64. */
const payloadsBody = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), z.string()).nullish(),
      data: z.string().nullish(),
    }),
  ),
});
type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

function toJson({ metadata, data }: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
  };
}

/**
 * The codec endpoint the Temporal Web UI (and `temporal` CLI) call to show payloads in clear:
 * POST /decode and /encode, as in Temporal's encryption sample. The browser calls it directly,
 * so it answers CORS for the UI's origin only, and with KYC_CODEC_AUTH it refuses callers
 * without the bearer token: whoever reaches it can read every verification's data.
 */
export function createCodecServer(options: CodecServerOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(cors(options.corsOrigins ?? []));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(requireBearer(options.auth));
  app.use(express.json({ limit: '8mb' }));
  for (const [route, direction] of [
    ['/decode', 'decode'],
    ['/encode', 'encode'],
  ] as const) {
    app.post(route, async (req, res) => {
      const body = payloadsBody.safeParse(req.body);
      if (!body.success) {
        res.status(400).json({ error: 'invalid_payloads' });
        return;
      }
      try {
        const payloads = await options.codec[direction](body.data.payloads.map(fromJson));
        res.json({ payloads: payloads.map(toJson) });
      } catch {
        // No error text: it could name keys; the UI shows the payload as undecodable.
        res.status(422).json({ error: `cannot_${direction}` });
      }
    });
  }
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  return app;
}

function cors(origins: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin && origins.includes(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        Vary: 'Origin',
      });
    }
    // Preflights carry no credentials: answer them before authentication.
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}

function requireBearer(token: string | undefined) {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) return next();
    const given = Buffer.from(req.get('authorization') ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res.status(401).json({ error: 'unauthorized' });
  };
}
