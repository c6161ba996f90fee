import { ConfigError } from './env-reader';
import { ipToBytes, parseIpRange } from './webhook-auth';

/** The names Express (proxy-addr) accepts for well-known ranges. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * `TRUST_PROXY` as Express takes it: unset/`false`/`0`, `true`, a hop count, or a comma-separated
 * list of the proxies' addresses, subnets (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`) and range names.
 * Each entry is checked here so a mistake stops start-up with one line instead of a stack trace
 * from Express; `1.2.3.4/` and `/0` (every address a proxy, so every caller's `X-Forwarded-For`
 * would be believed) are refused. `true` is refused in production by the caller.
 */
export function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const problem = entryProblem(entry);
    // The entry itself is not printed: only its position and what is wrong with it.
    if (problem) throw new ConfigError('TRUST_PROXY', `entry ${index + 1} ${problem}`);
  });
  return value;
}

function entryProblem(entry: string): string | undefined {
  if (NAMED_RANGES.includes(entry)) return undefined;
  const [address = '', mask] = entry.split('/');
  const netmaskBits = mask !== undefined && mask.includes('.') ? ipv4NetmaskBits(mask) : undefined;
  const range = mask !== undefined && mask.includes('.') ? parseIpRange(address) : parseIpRange(entry);
  if (!range || netmaskBits === null) {
    return `is not an address, a subnet (CIDR or netmask) or one of ${NAMED_RANGES.join(', ')}`;
  }
  if (netmaskBits === 0 || (netmaskBits === undefined && range.allAddresses)) {
    return 'trusts every address as a proxy (prefix 0): anyone could claim any address';
  }
  return undefined;
}

/** `255.255.0.0` → 16; null for anything that is not a contiguous IPv4 netmask. */
function ipv4NetmaskBits(mask: string): number | null {
  const bytes = /^\d{1,3}(\.\d{1,3}){3}$/.test(mask) ? ipToBytes(mask) : undefined;
  if (!bytes) return null;
  const bits = [...bytes.slice(12)].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits)) return null;
  return bits.replace(/0+$/, '').length;
}
