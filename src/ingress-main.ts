/** The ingress alone (containers, scaled-out deployments): needs TEMPORAL_ADDRESS. */
import { createIngressApp } from './ingress/app';
import { listen } from './http/listen';
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { createTemporalClient } from './temporal/connection';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  printDevDefaults(config);
  const logger = createLogger('ingress');
  const client = createTemporalClient(config);
  const ingress = await listen(createIngressApp({ client, config, logger }), config.ingress.port);
  logger.info('ingress listening', { port: ingress.port });
  onShutdownSignal(async () => {
    await ingress.close();
    await client.connection.close();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-ingress: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
