import { ipInRange, parseIpRange, parseWebhookAuth } from '../../src/config/webhook-auth';
import { safeEqual } from '../../src/ingress/authenticate';

describe('webhook auth specs', () => {
  it('parses every scheme, with alternatives for rotation', () => {
    expect(parseWebhookAuth('X', 'bearer:new;bearer:old;basic:user:pass;header:X-Api-Key=abc;none')).toEqual([
      { kind: 'bearer', token: 'new' },
      { kind: 'bearer', token: 'old' },
      { kind: 'basic', credential: 'user:pass' },
      { kind: 'header', name: 'x-api-key', value: 'abc' },
      { kind: 'none' },
    ]);
  });

  it.each(['', 'basic:', 'header:novalue', 'header:=x', 'ip:', 'ip:1.2.3.4/33'])('rejects %j', (spec) => {
    expect(() => parseWebhookAuth('X_WEBHOOK_AUTH', spec)).toThrow(/^X_WEBHOOK_AUTH: /);
  });

  // `Number('')` is 0: an empty prefix would have parsed as /0 and admitted every address.
  it.each(['ip:1.2.3.4/', 'ip:52.8.136.236,1.2.3.4/', 'ip:::1/', 'ip:1.2.3.4/1e1', 'ip:1.2.3.4/0x8', 'ip:1.2.3.4/+8'])(
    'refuses a prefix that is not decimal digits: %j',
    (spec) => {
      expect(() => parseWebhookAuth('X_WEBHOOK_AUTH', spec)).toThrow(/^X_WEBHOOK_AUTH: rule 1: ip: entry \d is not/);
    },
  );

  it('names the rule and the problem, never the rule text', () => {
    expect(() => parseWebhookAuth('X_WEBHOOK_AUTH', 'bearer:old;s3cret-token')).toThrow(
      new Error('X_WEBHOOK_AUTH: rule 2: unknown scheme (use ip:, basic:, bearer:, header: or none)'),
    );
    expect(() => parseWebhookAuth('X_WEBHOOK_AUTH', 'ip:1.2.3.4,s3cret-token')).toThrow(
      new Error('X_WEBHOOK_AUTH: rule 1: ip: entry 2 is not an IP address or CIDR range'),
    );
  });

  it('marks ranges that admit every address', () => {
    const ranges = (spec: string) => {
      const [rule] = parseWebhookAuth('X', spec);
      return rule?.kind === 'ip' ? rule.ranges.map((range) => range.allAddresses) : [];
    };
    expect(ranges('ip:0.0.0.0/0,::/0,10.0.0.0/8,1.2.3.4,::1')).toEqual([true, true, false, false, false]);
  });
});

describe('ip ranges', () => {
  const inRange = (address: string, range: string) => ipInRange(address, parseIpRange(range)!);

  it('matches IPv4 addresses and CIDR ranges, also as IPv4-mapped IPv6', () => {
    expect(inRange('52.8.136.236', '52.8.136.236')).toBe(true);
    expect(inRange('::ffff:52.8.136.236', '52.8.136.236')).toBe(true);
    expect(inRange('52.8.136.237', '52.8.136.236')).toBe(false);
    expect(inRange('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(inRange('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(inRange('192.168.1.130', '192.168.1.128/25')).toBe(true);
    expect(inRange('192.168.1.127', '192.168.1.128/25')).toBe(false);
    expect(inRange('8.8.8.8', '0.0.0.0/0')).toBe(true);
  });

  it('matches IPv6', () => {
    expect(inRange('::1', '::1')).toBe(true);
    expect(inRange('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(inRange('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(inRange('127.0.0.1', '::1')).toBe(false);
  });

  it('never matches garbage', () => {
    expect(inRange('not-an-ip', '0.0.0.0/0')).toBe(false);
    expect(parseIpRange('1.2.3')).toBeUndefined();
    expect(parseIpRange('1::2::3')).toBeUndefined();
  });
});

describe('safeEqual', () => {
  it('compares exactly', () => {
    expect(safeEqual('secret', 'secret')).toBe(true);
    expect(safeEqual('secret', 'secreT')).toBe(false);
    expect(safeEqual('secret', 'secret-longer')).toBe(false);
    expect(safeEqual('', 'secret')).toBe(false);
  });
});
