import { spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableInbox, InboxFullError, UnreadableEntryError, type InboxEntry } from '../../src/inbox/durable-inbox';
import { inboxEvent } from '../support/inbox-entries';

const entry = (reference: string): InboxEntry => inboxEvent(reference, '2026-01-01T00:00:00.000Z', 'p');

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

  it('keeps arrival order within one millisecond and when the clock steps back', async () => {
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    const clock = jest.spyOn(Date, 'now');
    const references = Array.from({ length: 40 }, (_, n) => `r-${n}`);
    try {
      // Twenty callbacks in one millisecond, then the clock steps a second back for twenty more.
      clock.mockReturnValue(1_800_000_000_000);
      for (const reference of references.slice(0, 20)) await inbox.append(entry(reference));
      clock.mockReturnValue(1_799_999_999_000);
      for (const reference of references.slice(20)) await inbox.append(entry(reference));
    } finally {
      clock.mockRestore();
    }
    const read = await Promise.all(
      (await inbox.pending()).map(
        async (name) => ((await inbox.read(name)) as { event: { reference: string } }).event.reference,
      ),
    );
    expect(read).toEqual(references);
    await inbox.close();
  });

  it('encrypts entries at rest with the payload key', async () => {
    const key = randomBytes(32);
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20, key });
    await inbox.append(entry('secret-reference'));
    const [name] = await inbox.pending();
    expect(readFileSync(join(dir, name!), 'utf8')).not.toContain('secret-reference');
    expect(await inbox.read(name!)).toEqual(entry('secret-reference'));
    await inbox.close();
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
    await inbox.close();
  });

  it('reads entries sealed with an earlier key after a rotation (KYC_PAYLOAD_KEYS_OLD), never only with the new key', async () => {
    const [before, after] = [randomBytes(32), randomBytes(32)];
    const first = await DurableInbox.open(dir, { maxBytes: 1 << 20, key: before });
    await first.append(entry('acknowledged-before-the-rotation'));
    await first.close();
    // An entry as the inbox sealed them before entries named their key.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', before, iv);
    const plain = Buffer.from(JSON.stringify(entry('sealed-without-a-key-id')));
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    writeFileSync(
      join(dir, '000000000000001-legacy.entry'),
      JSON.stringify({ v: 1, sealed: sealed.toString('base64') }),
    );

    const rotated = await DurableInbox.open(dir, { maxBytes: 1 << 20, key: after, oldKeys: [before] });
    const references = [];
    for (const name of await rotated.pending()) {
      references.push(((await rotated.read(name)) as { event: { reference: string } }).event.reference);
    }
    expect(references.sort()).toEqual(['acknowledged-before-the-rotation', 'sealed-without-a-key-id']);
    await rotated.close();

    // Without the old key in the ring the entries cannot be read, and the error says which variable is missing.
    const newKeyOnly = await DurableInbox.open(dir, { maxBytes: 1 << 20, key: after });
    for (const name of await newKeyOnly.pending()) {
      const failure = newKeyOnly.read(name);
      await expect(failure).rejects.toBeInstanceOf(UnreadableEntryError);
      await expect(failure).rejects.toThrow('KYC_PAYLOAD_KEYS_OLD');
    }
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
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    // The lock names its holder by host and process, not by a PID alone.
    expect(JSON.parse(readFileSync(join(dir, 'inbox.lock'), 'utf8'))).toMatchObject({
      host: hostname(),
      pid: process.pid,
    });
    // A second open in the same process is refused too.
    await expect(DurableInbox.open(dir, { maxBytes: 1 << 20 })).rejects.toThrow(`in use by process ${process.pid}`);
    await inbox.close();
  });

  it('is not taken by a second container whose process has the same PID, while the holder refreshes its lock', async () => {
    // Another container on the same volume: a different host name, and (as in every container) the same PID.
    const twin = { host: 'ingress-2-container', pid: process.pid, token: 'twin', since: new Date().toISOString() };
    writeFileSync(join(dir, 'inbox.lock'), JSON.stringify(twin));
    const refreshing = setInterval(() => utimesSync(join(dir, 'inbox.lock'), new Date(), new Date()), 50);
    try {
      await expect(DurableInbox.open(dir, { maxBytes: 1 << 20, lockStaleMs: 600 })).rejects.toThrow(
        `in use by process ${process.pid} on ingress-2-container`,
      );
    } finally {
      clearInterval(refreshing);
    }
    // Once the twin is gone for good its lock goes stale and is taken over.
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20, lockStaleMs: 600 });
    expect(JSON.parse(readFileSync(join(dir, 'inbox.lock'), 'utf8'))).toMatchObject({ host: hostname() });
    await inbox.close();
  });

  it('is created atomically: of two processes opening the inbox at once, exactly one holds it', async () => {
    // Each child opens the inbox at the same agreed moment and answers once; a holder stays alive
    // until both have answered, so the other one meets a live holder however late it starts.
    const script = `
      const { DurableInbox } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'inbox', 'durable-inbox.js'))});
      setTimeout(() => DurableInbox.open(process.argv[1], { maxBytes: 1 << 20 }).then(
        () => { process.stdout.write('held\\n'); setInterval(() => undefined, 1000); },
        (err) => { process.stdout.write(err.message + '\\n'); },
      ), Math.max(0, Number(process.argv[2]) - Date.now()));`;
    for (let round = 0; round < 3; round++) {
      rmSync(join(dir, 'inbox.lock'), { force: true });
      const at = Date.now() + 2000;
      const children = [0, 1].map(() => spawn(process.execPath, ['-e', script, dir, String(at)]));
      try {
        const outputs = await Promise.all(
          children.map(
            (child) =>
              new Promise<string>((resolve) => {
                let out = '';
                child.stdout.on('data', (chunk: Buffer) => {
                  out += chunk.toString();
                  if (out.includes('\n')) resolve(out.trim());
                });
                child.on('exit', () => resolve(out.trim()));
              }),
          ),
        );
        expect(outputs.filter((out) => out === 'held')).toHaveLength(1);
        expect(outputs.find((out) => out !== 'held')).toMatch(/in use by process \d+ on /);
      } finally {
        for (const child of children) child.kill('SIGKILL');
      }
    }
  });

  it('sweeps the temporary files of appends a crash or a full disk interrupted, and counts them', async () => {
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    await inbox.append(entry('kept'));
    await inbox.close();
    // Never renamed into place, so never acknowledged: safe to delete.
    writeFileSync(join(dir, '.000000000000002-crashed.entry.tmp'), '{"v":1,"ent');
    writeFileSync(join(dir, '.000000000000003-disk-full.entry.tmp'), '');

    const reopened = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    expect(reopened.sweptAtOpen).toBe(2);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await reopened.pending()).toHaveLength(1);
    await reopened.close();
  });
});
