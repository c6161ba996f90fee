/**
 * `npm start` with KYC_PAYLOAD_KEY: the codec endpoint is served, and the embedded dev server's
 * Web UI is told to use it (`--ui-codec-endpoint`), so operators read payloads in clear.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { freePort } from '../support/ports';
import { eventually } from '../support/stack';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { PROVIDERS } from '../../src/providers/registry';

const entry = join(__dirname, '../../dist/start.js');

it('serves the codec endpoint and points the Web UI at it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kyc-codec-'));
  const key = randomBytes(32);
  const [temporalPort, uiPort, port, codecPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  let output = '';
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_DEV_DB: join(dataDir, 'temporal.sqlite'),
      PORT: String(port),
      // Not the repository's .data/inbox, which another test's stack may hold.
      KYC_INBOX_DIR: join(dataDir, 'inbox'),
      KYC_PROVIDERS: PROVIDERS[0]!,
      // As `npm start` runs it.
      ...DEV_DEFAULTS,
      KYC_PAYLOAD_KEY: key.toString('base64'),
      KYC_CODEC_PORT: String(codecPort),
    },
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await eventually(async () => (output.includes('ingress: listening') ? true : undefined), 90_000, 'npm start');
    const codecUrl = `http://127.0.0.1:${codecPort}`;
    expect(output).toContain(`codec: endpoint for the Web UI on ${codecUrl}`);

    // The UI's own settings name the endpoint.
    const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
    };
    expect(settings.Codec?.Endpoint).toBe(codecUrl);

    // The endpoint decrypts with the configured key, and answers CORS for the UI's origin.
    const [encrypted] = await new EncryptionCodec(key).encode([defaultPayloadConverter.toPayload({ hello: 'ui' })]);
    const res = await fetch(`${codecUrl}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: `http://localhost:${uiPort}` },
      body: JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(encrypted!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
            ),
            data: Buffer.from(encrypted!.data!).toString('base64'),
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(`http://localhost:${uiPort}`);
    const { payloads } = (await res.json()) as { payloads: { data: string }[] };
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual({ hello: 'ui' });
  } finally {
    child.kill('SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('the codec endpoint alone (dist/codec-server-main.js)', () => {
  const main = join(__dirname, '../../dist/codec-server-main.js');
  const key = randomBytes(32).toString('base64');

  function run(env: NodeJS.ProcessEnv) {
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH, KYC_PAYLOAD_KEY: key, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, output: () => output };
  }

  it('refuses to start in production without auth, in one line naming the variable', async () => {
    const codec = run({ NODE_ENV: 'production', KYC_CODEC_PORT: String(await freePort()) });
    // Exits, or (as it did when it only warned) starts listening.
    const listening = new Promise<string>((resolve) => {
      const poll = setInterval(() => codec.output().includes('listening') && resolve('listening'), 100);
      void codec.exited.then(() => clearInterval(poll));
    });
    const outcome = await Promise.race([codec.exited, listening]);
    codec.child.kill('SIGTERM');
    await codec.exited;
    expect(outcome).toBe(1);
    expect(codec.output().trim().split('\n')).toEqual([
      expect.stringMatching(/^kyc-codec: configuration error: KYC_CODEC_AUTH: .*NODE_ENV=production/),
    ]);
  });

  it('listens on loopback only unless told, and asks for the token', async () => {
    const port = await freePort();
    const token = randomBytes(32).toString('base64');
    const codec = run({ NODE_ENV: 'production', KYC_CODEC_PORT: String(port), KYC_CODEC_AUTH: token });
    try {
      const line = await eventually(
        async () =>
          codec
            .output()
            .split('\n')
            .find((l) => l.includes('codec endpoint listening')),
        15_000,
        'codec endpoint',
      );
      expect(JSON.parse(line)).toMatchObject({ host: '127.0.0.1', port, staticToken: true, encode: false });
      const decode = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${port}/decode`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: JSON.stringify({ payloads: [] }),
        });
      expect((await decode({})).status).toBe(401);
      expect((await decode({ Authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      codec.child.kill('SIGTERM');
      await codec.exited;
    }
  });
});
