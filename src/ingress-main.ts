/** The ingress alone (containers, scaled-out deployments): needs TEMPORAL_ADDRESS. */
import { createDurableIngress } from './ingress/compose';
import { listen } from './http/listen';
import { IngressMetrics } from './ingress/metrics';
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { serveMetrics, temporalReadiness } from './observability';
import { createTemporalClient } from './temporal/connection';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  printDevDefaults(config);
  const logger = createLogger('ingress', config.observability.logLevel);
  const client = createTemporalClient(config);
  const metrics = new IngressMetrics();
  const durable = await createDurableIngress({ client, config, logger, metrics });
  const ingress = await listen(durable.app, config.ingress.port);
  const metricsServer = await serveMetrics(config, [() => metrics.render()], [temporalReadiness(client)]);
  logger.info('ingress listening', {
    port: ingress.port,
    metricsPort: metricsServer?.port,
    inbox: config.reliability.inboxDir,
  });
  // Started by a parent over IPC (the benchmarks) with PORT=0: the port the system chose.
  process.send?.({ listening: { port: ingress.port, metricsPort: metricsServer?.port } });
  onShutdownSignal(async () => {
    await ingress.close();
    await durable.close();
    await metricsServer?.close();
    await client.connection.close();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-ingress: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
