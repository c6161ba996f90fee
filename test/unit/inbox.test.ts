import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableInbox, InboxFullError, type InboxEntry } from '../../src/ingress/inbox';

const entry = (reference: string): InboxEntry => ({
  kind: 'event',
  provider: 'attestr',
  event: {
    provider: 'attestr',
    reference,
    providerStatus: 'flowx.completed',
    source: 'callback',
    dedupKey: `callback:flowx.completed:${reference}`,
    meaning: { status: 'COMPLETED' },
  },
  startIfMissing: true,
  receivedAt: '2026-01-01T00:00:00.000Z',
});

describe('DurableInbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kyc-inbox-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps entries in arrival order across a reopen, and removes them one by one', async () => {
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    await inbox.append(entry('a'));
    await inbox.append(entry('b'));
    await inbox.close();

    const reopened = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    const names = await reopened.pending();
    expect(
      await Promise.all(
        names.map(async (name) => ((await reopened.read(name)) as { event: { reference: string } }).event.reference),
      ),
    ).toEqual(['a', 'b']);
    await reopened.remove(names[0]!);
    expect(await reopened.pending()).toEqual([names[1]]);
    // No temporary file is left behind by an append.
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('encrypts entries at rest with the payload key', async () => {
    const key = randomBytes(32);
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20, key });
    await inbox.append(entry('secret-reference'));
    const [name] = await inbox.pending();
    expect(readFileSync(join(dir, name!), 'utf8')).not.toContain('secret-reference');
    expect(await inbox.read(name!)).toEqual(entry('secret-reference'));
    const withoutKey = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    await expect(withoutKey.read(name!)).rejects.toThrow('KYC_PAYLOAD_KEY');
  });

  it('reads an entry as the ingress reads a body: a __proto__ member is dropped, at any depth', async () => {
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    await inbox.append(entry('a'));
    const [name] = await inbox.pending();
    // An entry file edited (or written by a bug) to carry prototype keys, e.g. in the event's context.
    const text = readFileSync(join(dir, name!), 'utf8').replace(
      '"meaning":',
      '"context":{"__proto__":{"accountId":"injected"},"kind":"flowx"},"constructor":{"prototype":{"x":1}},"meaning":',
    );
    writeFileSync(join(dir, name!), text);
    const read = (await inbox.read(name!)) as InboxEntry & { kind: 'event' };
    expect(read.event.context).toEqual({ kind: 'flowx' });
    expect(Object.hasOwn(read.event.context!, '__proto__')).toBe(false);
    expect(Object.hasOwn(read.event, 'constructor')).toBe(false);
  });

  it('refuses an append past its size bound instead of filling the disk', async () => {
    const inbox = await DurableInbox.open(dir, { maxBytes: 400 });
    await inbox.append(entry('a'));
    await expect(inbox.append(entry('b'))).rejects.toBeInstanceOf(InboxFullError);
    expect(await inbox.pending()).toHaveLength(1);
  });

  it('is taken by one live process at a time; a dead holder’s lock is taken over', async () => {
    // PID 1 is always alive and never us.
    writeFileSync(join(dir, 'inbox.lock'), '1');
    await expect(DurableInbox.open(dir, { maxBytes: 1 << 20 })).rejects.toThrow('in use by process 1');
    writeFileSync(join(dir, 'inbox.lock'), '999999999');
    await expect(DurableInbox.open(dir, { maxBytes: 1 << 20 })).resolves.toBeInstanceOf(DurableInbox);
  });
});
