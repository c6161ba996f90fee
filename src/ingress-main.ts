/** The ingress alone (containers, scaled-out deployments): needs TEMPORAL_ADDRESS. */
import { createIngressApp } from './ingress/app';
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
  const ingress = await listen(createIngressApp({ client, config, logger, metrics }), config.ingress.port);
  const metricsServer = await serveMetrics(config, [() => metrics.render()], [temporalReadiness(client)]);
  logger.info('ingress listening', { port: ingress.port, metricsPort: metricsServer?.port });
  onShutdownSignal(async () => {
    await ingress.close();
    await metricsServer?.close();
    await client.connection.close();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-ingress: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
