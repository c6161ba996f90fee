import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Client, Connection, isGrpcServiceError, type TLSConfig } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { TemporalSettings } from '../app-config';
import { dataConverter } from './data-converter';

export { dataConverter } from './data-converter';

/** What every connection is built from: the Temporal part of the app's or the client's configuration. */
export interface TemporalConfig {
  temporal: TemporalSettings;
}

export function temporalAddress(config: TemporalConfig): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServer.port}`;
}

/**
 * The one place connection options are made, for the client (`Connection`) and the worker
 * (`NativeConnection`) alike: address, API key, TLS (server CA, client certificate, SNI) and
 * gRPC headers, as Temporal's client configuration resolved them.
 */
export function connectionOptions(config: TemporalConfig, address = temporalAddress(config)) {
  const { apiKey, tls, metadata } = config.temporal.connection;
  return {
    address,
    ...(apiKey ? { apiKey } : {}),
    ...(tls ? { tls } : {}),
    ...(metadata ? { metadata } : {}),
  };
}

/**
 * A client whose connection is made lazily, so the ingress starts (and answers 503) while
 * Temporal is down, and reconnects when it is back.
 */
export function createTemporalClient(config: TemporalConfig, address = temporalAddress(config)): Client {
  const connection = Connection.lazy(connectionOptions(config, address));
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverter(config) });
}

/** A connected client for commands: fails at once with one line saying why Temporal refused or was not there. */
export async function connectTemporalClient(
  config: TemporalConfig,
  options: { connectTimeoutMs?: number } = {},
): Promise<Client> {
  const address = temporalAddress(config);
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...connectionOptions(config, address),
      connectTimeout: options.connectTimeoutMs ?? 5000,
    });
  } catch (err) {
    throw new Error(describeConnectionError(await withTlsDiagnosis(err, config), config));
  }
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverter(config) });
}

/** The worker's connection (Rust core), from the same options. */
export async function connectWorker(
  config: TemporalConfig,
  address = temporalAddress(config),
): Promise<NativeConnection> {
  // Loaded here, not at the top: the client and CLI never need the worker's native module.
  const { NativeConnection } = await import('@temporalio/worker');
  try {
    return await NativeConnection.connect(connectionOptions(config, address));
  } catch (err) {
    throw new Error(describeConnectionError(await withTlsDiagnosis(err, config, address), config));
  }
}

/** gRPC status codes (numbers fixed by the gRPC spec). */
const PERMISSION_DENIED = 7;
const UNAUTHENTICATED = 16;

/**
 * One line for an operator: where we tried, what the server or TLS said, and which settings
 * to look at. Credentials themselves never appear.
 */
export function describeConnectionError(err: unknown, config: TemporalConfig): string {
  const address = temporalAddress(config);
  const { apiKey, tls } = config.temporal.connection;
  const detail = firstLine(err);
  const text = detail.toLowerCase();
  const code = isGrpcServiceError(err) ? Number(err.code) : undefined;
  let hint: string;
  if (
    code === UNAUTHENTICATED ||
    code === PERMISSION_DENIED ||
    /unauthenticated|permission denied|unauthorized|api key/.test(text)
  ) {
    hint = apiKey
      ? 'the server refused the API key (TEMPORAL_API_KEY)'
      : 'the server wants credentials: set TEMPORAL_API_KEY or a client certificate';
  } else if (
    /certificate|ssl|tls|handshake|alert|x509|unknownissuer|invalidcertificate/.test(text) ||
    (tls && /http status code 400|status 400/.test(text))
  ) {
    hint = tls
      ? 'TLS failed: check TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME and the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH/_KEY_PATH)'
      : 'TLS failed: the server speaks TLS, set TEMPORAL_TLS=true (and a CA or client certificate if it needs them)';
  } else {
    hint = config.temporal.address
      ? 'is TEMPORAL_ADDRESS right and the server up?'
      : 'is `npm start` running, or TEMPORAL_ADDRESS set?';
  }
  return `cannot connect to Temporal at ${address}: ${hint} (${detail})`;
}

/**
 * gRPC often reports a refused TLS handshake only as "failed to connect before the deadline".
 * When TLS is configured and the error says nothing about it, one TLS handshake of our own with
 * the same CA, client certificate and name tells the operator the real reason.
 */
async function withTlsDiagnosis(
  err: unknown,
  config: TemporalConfig,
  address = temporalAddress(config),
): Promise<unknown> {
  const { tls } = config.temporal.connection;
  if (!tls || isGrpcServiceError(err) || /certificate|tls|ssl|unauth/i.test(firstLine(err))) return err;
  const reason = await tlsHandshakeError(address, tls === true ? {} : tls);
  return reason ? new Error(`TLS handshake: ${reason}`, { cause: err }) : err;
}

function tlsHandshakeError(address: string, tls: TLSConfig): Promise<string | undefined> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(colon + 1));
  const servername = tls.serverNameOverride ?? (isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      ...(servername ? { servername } : {}),
      ...(tls.serverRootCACertificate ? { ca: Buffer.from(tls.serverRootCACertificate) } : {}),
      ...(tls.clientCertPair
        ? { cert: Buffer.from(tls.clientCertPair.crt), key: Buffer.from(tls.clientCertPair.key) }
        : {}),
      ALPNProtocols: ['h2'],
      timeout: 3000,
    });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once('secureConnect', () => done(undefined));
    socket.once('error', (e: Error) => done(e.message));
    socket.once('timeout', () => done(undefined));
  });
}

function firstLine(err: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error && messages.length < 3; e = e.cause) messages.push(e.message);
  const text = messages.length ? messages.join(': ') : String(err);
  return text.split('\n')[0]!.slice(0, 300);
}
