import { createHmac } from 'node:crypto';
import type { Request } from 'express';
import { ipInRange, parseIpRange, parseWebhookAuth } from '../../src/config/webhook-auth';
import { authenticate, safeEqual } from '../../src/ingress/authenticate';

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
      new Error('X_WEBHOOK_AUTH: rule 2: unknown scheme (use ip:, basic:, bearer:, header:, hmac: or none)'),
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

describe('hmac: a signature of the raw body', () => {
  const SECRET = 'whsec-0123456789abcdef';
  const OLD_SECRET = 'whsec-old-0123456789';
  const NOW = Date.parse('2026-01-01T12:00:00Z');
  const body = Buffer.from('{"id":"v-1","status":"approved"}');
  const sign = (payload: Buffer | string, secret = SECRET, encoding: 'hex' | 'base64' = 'hex', algorithm = 'sha256') =>
    createHmac(algorithm, secret).update(payload).digest(encoding);

  /** A request as express.raw leaves it: the received bytes, and its headers. */
  const request = (headers: Record<string, string>, raw: Buffer = body) =>
    ({ body: raw, ip: '203.0.113.9', get: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;
  const verdict = (spec: string, headers: Record<string, string>, raw?: Buffer): number => {
    try {
      authenticate(request(headers, raw), parseWebhookAuth('P_WEBHOOK_AUTH', spec), NOW);
      return 200;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };
  const hex = `hmac:header=X-Signature,encoding=hex,secret=${SECRET}`;

  describe('its settings', () => {
    it('parses every parameter, with the defaults', () => {
      expect(parseWebhookAuth('P', hex)).toEqual([
        {
          kind: 'hmac',
          header: 'x-signature',
          algorithm: 'sha256',
          encoding: 'hex',
          secret: Buffer.from(SECRET),
          payload: 'body',
          separator: '.',
        },
      ]);
      const [full] = parseWebhookAuth(
        'P',
        'hmac:header=Sig,encoding=base64,secret=base64:MDEyMzQ1Njc4OWFiY2RlZg==,algorithm=sha512,prefix=sha512=,' +
          'timestamp=X-Timestamp,tolerance=30s,payload=timestamp.body,separator=:',
      );
      expect(full).toEqual({
        kind: 'hmac',
        header: 'sig',
        algorithm: 'sha512',
        encoding: 'base64',
        prefix: 'sha512=',
        secret: Buffer.from('0123456789abcdef'),
        timestamp: { header: 'x-timestamp', toleranceMs: 30_000 },
        payload: 'timestamp.body',
        separator: ':',
      });
      expect(parseWebhookAuth('P', `${hex.replace(SECRET, 'hex:00112233445566778899aabbccddeeff')}`)[0]).toMatchObject({
        secret: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
      });
    });

    it.each([
      ['hmac:encoding=hex,secret=' + SECRET, 'header is required'],
      ['hmac:header=X-Sig,secret=' + SECRET, 'encoding is required'],
      ['hmac:header=X-Sig,encoding=hex', 'secret is required'],
      ['hmac:header=X-Sig,encoding=binary,secret=' + SECRET, 'encoding must be hex or base64'],
      ['hmac:header=X Sig,encoding=hex,secret=' + SECRET, 'header must be a header name'],
      [
        'hmac:header=X-Sig,encoding=hex,secret=' + SECRET + ',algorithm=md5',
        'algorithm must be sha256, sha1 or sha512',
      ],
      ['hmac:header=X-Sig,encoding=hex,secret=short', 'secret must be at least 16 bytes'],
      ['hmac:header=X-Sig,encoding=hex,secret=hex:abc', 'secret: hex: is not hex'],
      ['hmac:header=X-Sig,encoding=hex,secret=base64:not base64!', 'secret: base64: is not base64'],
      ['hmac:header=X-Sig,encoding=hex,secret=' + SECRET + ',colour=red', 'unknown parameter colour'],
      ['hmac:header=X-Sig,header=Y,encoding=hex,secret=' + SECRET, 'header is given twice'],
      ['hmac:header=X-Sig,encoding=hex,secret=' + SECRET + ',tolerance=5m', 'tolerance needs timestamp'],
      [
        'hmac:header=X-Sig,encoding=hex,secret=' + SECRET + ',timestamp=X-T,tolerance=soon',
        'tolerance must be a duration',
      ],
      [
        'hmac:header=X-Sig,encoding=hex,secret=' + SECRET + ',payload=timestamp.body',
        'payload=timestamp.body needs timestamp',
      ],
      [
        'hmac:header=X-Sig,encoding=hex,secret=' + SECRET + ',payload=headers',
        'payload must be body or timestamp.body',
      ],
      ['hmac:header=X-Sig,encoding=hex,secret=a,b-and-more-secret', 'parameter 4 is not name=value'],
    ])('refuses %j, naming the parameter and never the secret', (spec, problem) => {
      let message = '';
      try {
        parseWebhookAuth('P_WEBHOOK_AUTH', spec);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(`P_WEBHOOK_AUTH: rule 1: hmac: ${problem}`);
      expect(message).not.toContain(SECRET);
    });
  });

  it('passes a hex signature of the received bytes', () => {
    expect(verdict(hex, { 'x-signature': sign(body) })).toBe(200);
  });

  it('passes a base64 signature, and one after its prefix', () => {
    const base64 = `hmac:header=X-Signature,encoding=base64,secret=${SECRET}`;
    expect(verdict(base64, { 'x-signature': sign(body, SECRET, 'base64') })).toBe(200);
    expect(verdict(`${hex},prefix=sha256=`, { 'x-signature': `sha256=${sign(body)}` })).toBe(200);
    // The prefix is required when configured: a bare signature is not the format agreed.
    expect(verdict(`${hex},prefix=sha256=`, { 'x-signature': sign(body) })).toBe(401);
  });

  it('fails a body serialised again: the same JSON with other spacing or key order is not what was signed', () => {
    const signature = sign(body);
    expect(verdict(hex, { 'x-signature': signature }, Buffer.from('{"status":"approved","id":"v-1"}'))).toBe(401);
    expect(verdict(hex, { 'x-signature': signature }, Buffer.from('{"id": "v-1", "status": "approved"}'))).toBe(401);
  });

  it('fails a signature made with another secret', () => {
    expect(verdict(hex, { 'x-signature': sign(body, 'another-secret-0123456') })).toBe(401);
  });

  it('fails without the signature header, or with one that is not the encoding', () => {
    expect(verdict(hex, {})).toBe(401);
    expect(verdict(hex, { 'x-signature': 'not-hex' })).toBe(401);
    expect(verdict(hex, { 'x-signature': sign(body).slice(0, 20) })).toBe(401);
  });

  describe('with a timestamp', () => {
    const stamped = `${hex},timestamp=X-Timestamp,tolerance=5m,payload=timestamp.body`;
    const at = (ms: number) => String(Math.floor(ms / 1000));
    const signedAt = (ms: number) => ({ 'x-timestamp': at(ms), 'x-signature': sign(`${at(ms)}.${body.toString()}`) });

    it('passes within the tolerance of now, either side', () => {
      expect(verdict(stamped, signedAt(NOW))).toBe(200);
      expect(verdict(stamped, signedAt(NOW - 4 * 60_000))).toBe(200);
      expect(verdict(stamped, signedAt(NOW + 4 * 60_000))).toBe(200);
    });

    it('fails outside the tolerance (a replayed request)', () => {
      expect(verdict(stamped, signedAt(NOW - 6 * 60_000))).toBe(401);
      expect(verdict(stamped, signedAt(NOW + 6 * 60_000))).toBe(401);
    });

    it('fails without the timestamp header, or with one that is not seconds', () => {
      const { 'x-signature': signature } = signedAt(NOW);
      expect(verdict(stamped, { 'x-signature': signature })).toBe(401);
      expect(verdict(stamped, { 'x-signature': signature, 'x-timestamp': new Date(NOW).toISOString() })).toBe(401);
    });

    it('fails a timestamp changed after signing (it is part of what was signed)', () => {
      expect(verdict(stamped, { ...signedAt(NOW), 'x-timestamp': at(NOW - 1000) })).toBe(401);
    });
  });

  describe('rotation', () => {
    const both = `${hex};hmac:header=X-Signature,encoding=hex,secret=${OLD_SECRET}`;

    it('passes a signature with either configured secret while ours rotates', () => {
      expect(verdict(both, { 'x-signature': sign(body) })).toBe(200);
      expect(verdict(both, { 'x-signature': sign(body, OLD_SECRET) })).toBe(200);
      expect(verdict(hex, { 'x-signature': sign(body, OLD_SECRET) })).toBe(401);
    });

    it('passes a header carrying several signatures while the sender rotates, if one verifies', () => {
      expect(verdict(hex, { 'x-signature': `${sign(body, OLD_SECRET)} ${sign(body)}` })).toBe(200);
      expect(verdict(hex, { 'x-signature': `${sign(body, OLD_SECRET)} ${sign(body, 'a-third-secret-012345')}` })).toBe(
        401,
      );
    });
  });
});
