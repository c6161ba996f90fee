/**
 * The codec endpoint alone (production, docker-compose): the Web UI's `codec endpoint` setting
 * points here. Needs KYC_PAYLOAD_KEY (and KYC_PAYLOAD_KEYS_OLD for older payloads).
 */
import { createCodecServer } from './codec-server';
import { listen } from './http/listen';
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal } from './main-support';
import { EncryptionCodec } from './temporal/encryption-codec';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger('codec', config.observability.logLevel);
  const { payloadKey, payloadOldKeys } = config.temporal;
  if (!payloadKey) throw new Error('KYC_PAYLOAD_KEY is not set: there is nothing to decode');
  const server = await listen(
    createCodecServer({
      codec: new EncryptionCodec(payloadKey, payloadOldKeys),
      auth: config.codec.auth,
      corsOrigins: config.codec.corsOrigins,
    }),
    config.codec.port,
  );
  logger.info('codec endpoint listening', { port: server.port, authenticated: Boolean(config.codec.auth) });
  if (!config.codec.auth) {
    // The Web UI sends a bearer token only behind its own SSO; without one, keep this port private.
    logger.warn('KYC_CODEC_AUTH is not set: anyone who reaches this port can decrypt payloads');
  }
  onShutdownSignal(() => server.close());
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-codec: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
