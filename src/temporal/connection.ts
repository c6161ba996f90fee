import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../config';
import { dataConverter } from './data-converter';

export { dataConverter } from './data-converter';

export function temporalAddress(config: AppConfig): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServer.port}`;
}

/**
 * A client whose connection is made lazily, so the ingress starts (and answers 503) while
 * Temporal is down, and reconnects when it is back.
 */
export function createTemporalClient(config: AppConfig, address = temporalAddress(config)): Client {
  const connection = Connection.lazy({ address });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverter(config) });
}
