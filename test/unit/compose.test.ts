/**
 * docker-compose.yml, checked without a container runtime: against the Compose Specification's
 * JSON schema (vendored, test/fixtures/compose-spec/), after interpolation with an empty
 * environment as `docker compose config` would do it, and against the deployment's own rules:
 * one Temporal version (temporal-versions.json), one set-up code path with scripts/cluster.sh,
 * and a volume of its own for every ingress replica's inbox.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { load } from 'js-yaml';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Service {
  image?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string | number>;
  env_file?: (string | { path: string })[];
  volumes?: string[];
  depends_on?: Record<string, unknown> | string[];
  hostname?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

/** Compose's interpolation with no variables set: `${X:-default}` and `${X-default}` take the default, `${X}` is empty, `$$` is `$`. */
function interpolate(value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g, (_, fallback?: string) => fallback ?? '')
      .replace(/\$\$/g, '$');
  }
  if (Array.isArray(value)) return value.map(interpolate);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, interpolate(inner)]));
  }
  return value;
}

function validator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // Compose's own format: a Go duration (10s, 1m30s, 500ms).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  return ajv.compile(JSON.parse(read('test/fixtures/compose-spec/compose-spec.json')) as object);
}

function composeFile(text = read('docker-compose.yml')): ComposeFile {
  return interpolate(load(text)) as ComposeFile;
}

describe('docker-compose.yml', () => {
  const validate = validator();
  const compose = composeFile();

  it('is valid against the Compose Specification', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is refused by the same check when it breaks the specification (the check can fail)', () => {
    const broken = structuredClone(compose);
    (broken.services.temporal as Record<string, unknown>).restart = { policy: 'always' };
    // A misspelt key: compose would refuse it, not ignore it.
    (broken.services.postgresql as Record<string, unknown>).healthchek = { interval: '5s' };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((error) => `${error.instancePath} ${error.message}`)).toEqual(
      expect.arrayContaining([
        '/services/temporal/restart must be string',
        '/services/postgresql must NOT have unevaluated properties',
      ]),
    );
  });

  it("runs Temporal's images of the one server version that temporal-versions.json pins", () => {
    const version = (JSON.parse(read('temporal-versions.json')) as Record<string, string>)['temporal-server'];
    const temporalImages = Object.values(compose.services)
      .map((service) => service.image ?? '')
      .filter((image) => image.startsWith('temporalio/server') || image.startsWith('temporalio/admin-tools'));
    expect(temporalImages.length).toBe(3);
    expect(new Set(temporalImages.map((image) => image.split(':')[1]))).toEqual(new Set([version]));
  });

  it('runs its set-up jobs from the step files scripts/cluster.sh runs (one code path, two callers)', () => {
    for (const job of ['temporal-schema', 'temporal-namespace', 'kyc-setup']) {
      const service = compose.services[job]!;
      expect(service.volumes).toContain('./scripts/cluster/steps:/steps:ro');
      const [shell, step] = service.entrypoint ?? [];
      expect(shell).toBe('/bin/sh');
      expect(existsSync(join(root, 'scripts/cluster/steps', step!.replace('/steps/', '')))).toBe(true);
      expect(read('scripts/cluster.sh')).toContain(`$STEPS/${step!.replace('/steps/', '')}`);
    }
    // The server's settings come from the file scripts/cluster.sh reads too.
    for (const name of ['temporal', 'temporal-schema']) {
      expect(compose.services[name]!.env_file).toEqual(['deploy/temporal-server.env']);
    }
    expect(read('scripts/cluster.sh')).toContain('deploy/temporal-server.env');
  });

  it('gives every ingress replica its own volume for its inbox, where KYC_INBOX_DIR points', () => {
    const ingresses = Object.entries(compose.services).filter(([, service]) =>
      service.command?.includes('dist/ingress-main.js'),
    );
    expect(ingresses.length).toBeGreaterThanOrEqual(2);
    const volumes = ingresses.map(([name, service]) => {
      const dir = String(service.environment?.KYC_INBOX_DIR);
      const mount = (service.volumes ?? []).find((volume) => volume.endsWith(`:${dir}`));
      expect({ name, mount }).toEqual({ name, mount: expect.stringMatching(/^[a-z0-9-]+:/) });
      const volume = mount!.split(':')[0]!;
      expect(compose.volumes).toHaveProperty(volume);
      return volume;
    });
    expect(new Set(volumes).size).toBe(ingresses.length);
    // A stable host name each, so a recreated container recognises its own lock.
    expect(new Set(ingresses.map(([, service]) => service.hostname)).size).toBe(ingresses.length);
  });

  it('depends only on services it defines', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const needs = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const need of needs)
        expect({ name, need, defined: need in compose.services }).toEqual({ name, need, defined: true });
    }
  });
});

describe('the image', () => {
  const dockerfile = read('Dockerfile');

  it("runs the Node.js release the test suites run on (.node-version), the major package.json's engines names", () => {
    const version = read('.node-version').trim();
    const bases = [...dockerfile.matchAll(/^FROM node:([^\s-]+)/gm)].map((match) => match[1]);
    expect(bases).toEqual([version, version]);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${version.split('.')[0]}`);
  });

  it('creates the inbox folder outside /app, owned by the runtime user, and points KYC_INBOX_DIR at it', () => {
    expect(dockerfile).toMatch(/mkdir -p \/var\/lib\/kyc\/inbox && chown node:node \/var\/lib\/kyc\/inbox/);
    expect(dockerfile).toMatch(/^ENV KYC_INBOX_DIR=\/var\/lib\/kyc\/inbox$/m);
    expect(dockerfile.indexOf('chown node:node /var/lib/kyc/inbox')).toBeLessThan(dockerfile.indexOf('USER node'));
  });
});
