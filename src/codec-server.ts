import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { codecAuthenticator } from './codec-auth';
import type { CodecAuthSettings } from './config/codec';
import { ENCRYPTED_ENCODING, KEY_ID_HEADER } from './temporal/encryption-codec';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** IDs of the keys behind `codec` (`EncryptionCodec.keyIds`): only payloads naming one are decrypted. */
  keyIds: readonly string[];
  /** Who may call /decode and /encode; neither a token nor OIDC: anyone (development only). */
  auth: CodecAuthSettings;
  /** /encode answers only when true: it makes any payload look like one this key ring wrote. */
  allowEncode?: boolean;
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
 * POST /decode and /encode, as in Temporal's encryption sample. Whoever passes its check can read
 * every verification's data, so: the Web UI's OIDC access token or a static bearer token (see
 * `codec-auth.ts`); CORS for the UI's origin only; only payloads of this key ring are decrypted;
 * /encode off unless asked for.
 */
export function createCodecServer(options: CodecServerOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(cors(options.corsOrigins ?? []));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(authenticate(options.auth));
  app.use(express.json({ limit: '8mb' }));
  const ours = new Set(options.keyIds);
  app.post('/decode', async (req, res) => {
    const body = payloadsBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'invalid_payloads' });
      return;
    }
    const payloads = body.data.payloads.map(fromJson);
    // Plain payloads (search attributes, a verification started without a key) come back as
    // they are; an encrypted one must name a key of this ring, or nothing is decrypted.
    const encrypted = payloads.map(isEncrypted);
    if (payloads.some((payload, i) => encrypted[i] && !ours.has(keyIdOf(payload)))) {
      res.status(422).json({ error: 'cannot_decode' });
      return;
    }
    try {
      const decoded = await options.codec.decode(payloads.filter((_, i) => encrypted[i]));
      let next = 0;
      res.json({ payloads: payloads.map((payload, i) => toJson(encrypted[i] ? decoded[next++]! : payload)) });
    } catch {
      // No error text: it could name keys; the UI shows the payload as undecodable.
      res.status(422).json({ error: 'cannot_decode' });
    }
  });
  app.post('/encode', async (req, res) => {
    if (!options.allowEncode) {
      res.status(403).json({ error: 'encode_disabled' });
      return;
    }
    const body = payloadsBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'invalid_payloads' });
      return;
    }
    try {
      const payloads = await options.codec.encode(body.data.payloads.map(fromJson));
      res.json({ payloads: payloads.map(toJson) });
    } catch {
      res.status(422).json({ error: 'cannot_encode' });
    }
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  return app;
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && Buffer.from(encoding).toString() === ENCRYPTED_ENCODING;
}

function keyIdOf(payload: Payload): string {
  const keyId = payload.metadata?.[KEY_ID_HEADER];
  return keyId ? Buffer.from(keyId).toString() : '';
}

function cors(origins: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin && origins.includes(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        // With passAccessToken the UI also sends the user's ID token in Authorization-Extras.
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization, Authorization-Extras',
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

function authenticate(settings: CodecAuthSettings) {
  const check = codecAuthenticator(settings);
  return async (req: Request, res: Response, next: NextFunction) => {
    const outcome = await check(req.get('authorization'));
    if (outcome.ok) return next();
    if (outcome.status === 503) res.set('Retry-After', '5');
    res.status(outcome.status).json({ error: outcome.error });
  };
}
