import { ConfigError, parseDuration } from './env-reader';

/**
 * How one provider's callbacks are authenticated, from `P_WEBHOOK_AUTH`:
 * `ip:<ip-or-cidr>,…`, `basic:<credential>`, `bearer:<token>`, `header:<Name>=<value>`,
 * `hmac:header=<Name>,encoding=hex|base64,secret=<secret>[,…]` (a signature of the raw body, see
 * {@link HmacRule}), or `none` (development only). Several rules separated by `;` are
 * alternatives, so a secret can be rotated without downtime: `bearer:new;bearer:old`.
 */
export type WebhookAuthRule =
  | { kind: 'ip'; ranges: IpRange[] }
  | { kind: 'basic'; credential: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'header'; name: string; value: string }
  | HmacRule
  | { kind: 'none' };

/**
 * A provider that signs its bodies: a header carries an HMAC of the raw body (or of
 * `<timestamp><separator><body>`, with the timestamp from another header within a tolerance of
 * now), hex or base64, maybe after a prefix (`sha256=`); several signatures in the header,
 * separated by spaces, are alternatives (the sender rotating its secret).
 */
export interface HmacRule {
  kind: 'hmac';
  /** Lower case. */
  header: string;
  algorithm: 'sha256' | 'sha1' | 'sha512';
  encoding: 'hex' | 'base64';
  prefix?: string;
  secret: Buffer;
  timestamp?: { header: string; toleranceMs: number };
  payload: 'body' | 'timestamp.body';
  separator: string;
}

export type WebhookAuthKind = WebhookAuthRule['kind'];

export interface IpRange {
  /** The address as 16 bytes (IPv4 mapped into IPv6), and how many leading bits must match. */
  bytes: Uint8Array;
  prefix: number;
  text: string;
  /** Written with prefix 0: every address of its family (refused in production). */
  allAddresses: boolean;
}

/**
 * Parses `P_WEBHOOK_AUTH`. An error names the variable, the rule's position and the kind of
 * problem, never the text: a rule holds a secret, and a mistyped one (`bearr:token`, a token
 * pasted without its scheme) would otherwise be printed at start-up.
 */
export function parseWebhookAuth(variable: string, spec: string): WebhookAuthRule[] {
  const rules = spec
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part, index) => parseRule(variable, part, index + 1));
  if (rules.length === 0) throw new ConfigError(variable, 'is empty');
  return rules;
}

function parseRule(variable: string, part: string, position: number): WebhookAuthRule {
  if (part === 'none') return { kind: 'none' };
  const colon = part.indexOf(':');
  const kind = colon < 0 ? part : part.slice(0, colon);
  const value = colon < 0 ? '' : part.slice(colon + 1).trim();
  const fail = (problem: string): never => {
    throw new ConfigError(variable, `rule ${position}: ${problem}`);
  };
  switch (kind) {
    case 'ip': {
      const ranges = value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      if (ranges.length === 0) fail('ip: needs at least one address or CIDR range');
      return {
        kind: 'ip',
        ranges: ranges.map(
          (text, index) => parseIpRange(text) ?? fail(`ip: entry ${index + 1} is not an IP address or CIDR range`),
        ),
      };
    }
    case 'basic':
      return value ? { kind: 'basic', credential: value } : fail('basic: needs a credential');
    case 'bearer':
      return value ? { kind: 'bearer', token: value } : fail('bearer: needs a token');
    case 'header': {
      const eq = value.indexOf('=');
      const name = value.slice(0, eq).trim();
      const headerValue = value.slice(eq + 1).trim();
      if (eq <= 0 || !headerValue || !/^[A-Za-z0-9-]+$/.test(name)) fail('header: must look like header:Name=value');
      return { kind: 'header', name: name.toLowerCase(), value: headerValue };
    }
    case 'hmac':
      return parseHmac(value, (problem) => fail(`hmac: ${problem}`));
    default:
      return fail('unknown scheme (use ip:, basic:, bearer:, header:, hmac: or none)');
  }
}

const HMAC_PARAMETERS = [
  'header',
  'encoding',
  'secret',
  'algorithm',
  'prefix',
  'timestamp',
  'tolerance',
  'payload',
  'separator',
];
/** Shorter keys are guessable; every provider's generated secret is longer. */
const HMAC_MIN_SECRET_BYTES = 16;

/**
 * `header=<Name>,encoding=hex|base64,secret=<secret>[,algorithm=sha256|sha1|sha512][,prefix=<text>]
 * [,timestamp=<Header>,tolerance=<duration>][,payload=body|timestamp.body][,separator=<text>]`.
 * Each parameter splits on its first `=`, so a prefix may hold one (`prefix=sha256=`). The secret is
 * text, or raw key bytes as `hex:<hex>` or `base64:<base64>` (also the way to give one holding `,` or `;`).
 * Problems name the parameter, never its value.
 */
function parseHmac(value: string, fail: (problem: string) => never): HmacRule {
  const parameters = new Map<string, string>();
  value.split(',').forEach((part, index) => {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq <= 0) fail(`parameter ${index + 1} is not name=value (a secret holding , or ; is given as hex: or base64:)`);
    if (!HMAC_PARAMETERS.includes(name)) fail(`unknown parameter ${name} (${HMAC_PARAMETERS.join(', ')})`);
    if (parameters.has(name)) fail(`${name} is given twice`);
    parameters.set(name, part.slice(eq + 1).trim());
  });
  const required = (name: string): string => parameters.get(name) || fail(`${name} is required`);
  const header = required('header');
  if (!/^[A-Za-z0-9-]+$/.test(header)) fail('header must be a header name');
  const encoding = required('encoding');
  if (encoding !== 'hex' && encoding !== 'base64') fail('encoding must be hex or base64');
  const algorithm = parameters.get('algorithm') ?? 'sha256';
  if (algorithm !== 'sha256' && algorithm !== 'sha1' && algorithm !== 'sha512') {
    fail('algorithm must be sha256, sha1 or sha512');
  }
  const secret = hmacSecret(required('secret'), fail);
  const timestampHeader = parameters.get('timestamp');
  if (timestampHeader !== undefined && !/^[A-Za-z0-9-]+$/.test(timestampHeader))
    fail('timestamp must be a header name');
  const toleranceText = parameters.get('tolerance');
  if (toleranceText !== undefined && timestampHeader === undefined) fail('tolerance needs timestamp');
  const toleranceMs = parseDuration(toleranceText ?? '5m');
  if (toleranceMs === undefined || toleranceMs <= 0) fail('tolerance must be a duration (e.g. 5m)');
  const payload = parameters.get('payload') ?? 'body';
  if (payload !== 'body' && payload !== 'timestamp.body') fail('payload must be body or timestamp.body');
  if (payload === 'timestamp.body' && timestampHeader === undefined) fail('payload=timestamp.body needs timestamp');
  const prefix = parameters.get('prefix');
  return {
    kind: 'hmac',
    header: header.toLowerCase(),
    algorithm,
    encoding,
    ...(prefix ? { prefix } : {}),
    secret,
    ...(timestampHeader ? { timestamp: { header: timestampHeader.toLowerCase(), toleranceMs } } : {}),
    payload,
    separator: parameters.get('separator') ?? '.',
  };
}

function hmacSecret(text: string, fail: (problem: string) => never): Buffer {
  let secret: Buffer;
  if (text.startsWith('hex:')) {
    const hex = text.slice(4);
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) fail('secret: hex: is not hex');
    secret = Buffer.from(hex, 'hex');
  } else if (text.startsWith('base64:')) {
    const base64 = text.slice(7);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) fail('secret: base64: is not base64');
    secret = Buffer.from(base64, 'base64');
  } else {
    secret = Buffer.from(text, 'utf8');
  }
  if (secret.length < HMAC_MIN_SECRET_BYTES) fail(`secret must be at least ${HMAC_MIN_SECRET_BYTES} bytes`);
  return secret;
}

/**
 * Parses `1.2.3.4`, `1.2.3.0/24`, `::1`, `2001:db8::/32` into a comparable range. The prefix is
 * decimal digits only: `1.2.3.4/` is refused (`Number('')` is 0, which would admit everyone), as
 * are `/1e1`, `/0x8` and `/+8`.
 */
export function parseIpRange(text: string): IpRange | undefined {
  const parts = text.split('/');
  if (parts.length > 2) return undefined;
  const [address = '', prefixText] = parts;
  const bytes = ipToBytes(address);
  if (!bytes) return undefined;
  const isV4 = address.includes('.') && !address.includes(':');
  const maxPrefix = isV4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (prefix > maxPrefix) return undefined;
  return { bytes, prefix: isV4 ? prefix + 96 : prefix, text, allAddresses: prefix === 0 };
}

/** An address as 16 bytes; IPv4 (and IPv4-mapped IPv6 such as ::ffff:1.2.3.4) map to ::ffff:a.b.c.d. */
export function ipToBytes(address: string): Uint8Array | undefined {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(address);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...octets]);
  }
  if (!/^[0-9a-f:]+$/i.test(address) || !address.includes(':')) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    bytes[i * 2] = n >> 8;
    bytes[i * 2 + 1] = n & 0xff;
  });
  return bytes;
}

/** Whether an address is in the range; pass it parsed (`ipToBytes`) to check one against many ranges. */
export function ipInRange(address: string | Uint8Array, range: IpRange): boolean {
  const bytes = typeof address === 'string' ? ipToBytes(address) : address;
  if (!bytes) return false;
  let bits = range.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}
