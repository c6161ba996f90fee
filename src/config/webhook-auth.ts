import { ConfigError } from './env-reader';

/**
 * How one provider's callbacks are authenticated, from `P_WEBHOOK_AUTH`:
 * `ip:<ip-or-cidr>,…`, `basic:<credential>`, `bearer:<token>`, `header:<Name>=<value>`, or
 * `none` (development only). Several rules separated by `;` are alternatives, so a secret can
 * be rotated without downtime: `bearer:new;bearer:old`.
 */
export type WebhookAuthRule =
  | { kind: 'ip'; ranges: IpRange[] }
  | { kind: 'basic'; credential: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'header'; name: string; value: string }
  | { kind: 'none' };

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
    default:
      return fail('unknown scheme (use ip:, basic:, bearer:, header: or none)');
  }
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
