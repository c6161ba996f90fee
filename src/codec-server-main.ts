/**
 * The codec endpoint alone (production, docker-compose): the Web UI's `codec endpoint` setting
 * points here. Needs KYC_PAYLOAD_KEY (and KYC_PAYLOAD_KEYS_OLD for older payloads), and in
 * production KYC_CODEC_AUTH or KYC_CODEC_OIDC_ISSUER: it never starts open there.
 */
import { createCodecServer } from './codec-server';
import { ConfigError } from './app-config';
import { codecAuthConfigured, loadCodecServerConfig } from './config/codec';
import { listen } from './http/listen';
import { createLogger } from './logger';
import { onShutdownSignal } from './main-support';
import { EncryptionCodec } from './temporal/encryption-codec';

async function main(): Promise<void> {
  const { temporal, codec: settings, logLevel } = loadCodecServerConfig();
  const logger = createLogger('codec', logLevel);
  const codec = new EncryptionCodec(temporal.payloadKey!, temporal.payloadOldKeys);
  const server = await listen(
    createCodecServer({
      codec,
      keyIds: codec.keyIds,
      auth: settings.auth,
      allowEncode: settings.allowEncode,
      corsOrigins: settings.corsOrigins,
    }),
    settings.port,
    settings.host,
  );
  const address = server.server.address();
  logger.info('codec endpoint listening', {
    host: typeof address === 'object' && address ? address.address : settings.host,
    port: server.port,
    staticToken: settings.auth.token !== undefined,
    oidcIssuer: settings.auth.oidc?.issuer,
    encode: settings.allowEncode,
  });
  if (!codecAuthConfigured(settings.auth)) {
    // Development only (production refuses this at start-up): keep this port private.
    logger.warn('no KYC_CODEC_AUTH or KYC_CODEC_OIDC_ISSUER: anyone who reaches this port can decrypt payloads');
  }
  onShutdownSignal(() => server.close());
}

main().catch((err: unknown) => {
  const message =
    err instanceof ConfigError
      ? `configuration error: ${err.message}`
      : err instanceof Error
        ? err.message
        : String(err);
  process.stderr.write(`kyc-codec: ${message}\n`);
  process.exit(1);
});
