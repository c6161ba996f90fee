import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from './ports';

export interface TestCertificates {
  /** The CA that signed the server's and the good client's certificates. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA, unknown to the proxy, and a client certificate it signed. */
  otherCaCert: string;
  otherClientCert: string;
  otherClientKey: string;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A fresh P-256 key, unencrypted, written to `<name>.key`. */
function newKeyArgs(name: string): string[] {
  return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`];
}

function newCa(dir: string, name: string): void {
  openssl(
    dir,
    'req',
    '-x509',
    ...newKeyArgs(name),
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
}

function newLeaf(dir: string, name: string, ca: string, extensions: string[]): void {
  openssl(dir, 'req', ...newKeyArgs(name), '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  writeFileSync(join(dir, `${name}.ext`), ['basicConstraints=CA:FALSE', ...extensions].join('\n') + '\n');
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  );
}

/** Makes, with the openssl CLI, a CA, a server certificate for 127.0.0.1/localhost, a client certificate, and a stranger's. */
export function makeTestCertificates(dir: string): TestCertificates {
  newCa(dir, 'test-ca');
  newLeaf(dir, 'server', 'test-ca', [
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
  ]);
  newLeaf(dir, 'client', 'test-ca', ['keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth']);
  newCa(dir, 'other-ca');
  newLeaf(dir, 'other-client', 'other-ca', ['keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth']);
  const path = (file: string) => join(dir, file);
  return {
    caCert: path('test-ca.pem'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    clientCert: path('client.pem'),
    clientKey: path('client.key'),
    otherCaCert: path('other-ca.pem'),
    otherClientCert: path('other-client.pem'),
    otherClientKey: path('other-client.key'),
  };
}

export interface GrpcTlsProxy {
  /** `127.0.0.1:<port>`: TLS, client certificate required, API key required. */
  address: string;
  stop(): Promise<void>;
}

/** nginx from the system (Debian's nginx-light); `.ci/run` installs it. */
export function nginxBinary(): string {
  for (const candidate of [process.env.NGINX_PATH, '/usr/sbin/nginx', 'nginx']) {
    if (candidate && spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error('nginx is not installed: run .ci/run, or apt-get install nginx-light (or set NGINX_PATH)');
}

/**
 * nginx as a TLS-terminating gRPC proxy in front of a plaintext Temporal dev server, the shape
 * of a production front door: the server's certificate, a client certificate required
 * (`ssl_verify_client on`), and calls without `authorization: Bearer <apiKey>` refused with
 * gRPC status UNAUTHENTICATED. Runs in the foreground as a child of the test, as the current
 * user, with its configuration, pid file, logs and temp files in `dir`.
 */
export async function startGrpcTlsProxy(options: {
  dir: string;
  upstream: string;
  certs: TestCertificates;
  apiKey: string;
}): Promise<GrpcTlsProxy> {
  const { dir, upstream, certs, apiKey } = options;
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `# Written by test/support/tls-proxy.ts for one test run.
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    # nginx 1.22 (Debian 12) spells HTTP/2 on the listen line; 1.25+ also accepts \`http2 on;\`.
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${certs.serverCert};
    ssl_certificate_key ${certs.serverKey};
    ssl_client_certificate ${certs.caCert};
    ssl_verify_client on;
    client_max_body_size 16m;
    # Workers long-poll for tasks (up to ~70 s): longer than nginx's 60 s default.
    grpc_read_timeout 300s;
    grpc_send_timeout 300s;
    location / {
      # For the refusal below; proxied answers carry their own content type.
      default_type application/grpc;
      if ($http_authorization != "Bearer ${apiKey}") {
        # A gRPC "trailers-only" answer: HTTP 200 with the status in the headers.
        add_header grpc-status 16 always;
        add_header grpc-message "missing or wrong API key" always;
        return 200;
      }
      grpc_pass grpc://${upstream};
    }
  }
}
`,
  );
  const nginx = nginxBinary();
  const errorLog = join(dir, 'nginx-error.log');
  const check = spawnSync(nginx, ['-t', '-q', '-p', dir, '-c', conf, '-e', errorLog], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx configuration refused: ${check.stderr.trim()}`);
  const child = spawn(nginx, ['-p', dir, '-c', conf, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, child, () => `${stderr}${safeRead(errorLog)}`);
  return { address: `127.0.0.1:${port}`, stop: () => stopChild(child, exited) };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
