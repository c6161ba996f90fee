/** The ingress alone (containers, scaled-out deployments): needs TEMPORAL_ADDRESS. */
import { createDurableIngress } from './ingress/compose';
import { listen } from './http/listen';
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { createTemporalClient } from './temporal/connection';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  printDevDefaults(config);
  const logger = createLogger('ingress');
  const client = createTemporalClient(config);
  const durable = await createDurableIngress({ client, config, logger });
  const ingress = await listen(durable.app, config.ingress.port);
  logger.info('ingress listening', { port: ingress.port, inbox: config.reliability.inboxDir });
  onShutdownSignal(async () => {
    await ingress.close();
    await durable.close();
    await client.connection.close();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-ingress: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
