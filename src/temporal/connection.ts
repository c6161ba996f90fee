import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../config';
import { EncryptionCodec } from './encryption-codec';

/** The data converter client and worker share: payloads are encrypted when KYC_PAYLOAD_KEY is set. */
export function dataConverter(config: AppConfig): DataConverter | undefined {
  return config.temporal.payloadKey ? { payloadCodecs: [new EncryptionCodec(config.temporal.payloadKey)] } : undefined;
}

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
