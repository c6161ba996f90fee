/**
 * The durable local inbox: where a callback waits, on disk, while Temporal cannot take it, for
 * providers that never retry (Attestr sends each event once). An entry is written to a temporary
 * file, fsynced, renamed into place and the directory fsynced, all before the provider gets its
 * 2xx; so an acknowledged callback survives a crash of the ingress or of the machine. The
 * drainer ({@link InboxDrainer}) hands entries to Temporal when it is back and deletes them only
 * then; delivery is at least once, and each event's dedup key makes it count once.
 *
 * One ingress process per directory (a lock file enforces it). With KYC_PAYLOAD_KEY set, every
 * entry is encrypted at rest with the same AES-256-GCM key as Temporal payloads.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeadLetter } from '../dead-letters/contract';
import type { ProviderId, VerificationEvent } from '../verification/model';
import { parseUntrustedJson } from '../providers/untrusted-json';

export type InboxEntry =
  | {
      kind: 'event';
      provider: ProviderId;
      event: VerificationEvent;
      /** False for events that may only join an existing verification (Concedus secondary keys). */
      startIfMissing: boolean;
      receivedAt: string;
    }
  | { kind: 'dead-letter'; letter: DeadLetter; fingerprint: string };

const ENTRY_SUFFIX = '.entry';
const LOCK_FILE = 'inbox.lock';

/** The inbox is at its size bound: the callback is refused (503) rather than the disk filled. */
export class InboxFullError extends Error {
  override name = 'InboxFullError';
}

export class DurableInbox {
  private bytes = 0;

  private constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly key: Buffer | undefined,
  ) {}

  /** Opens (creating) the directory and takes its lock; a lock left by a dead process is taken over. */
  static async open(dir: string, options: { maxBytes: number; key?: Buffer }): Promise<DurableInbox> {
    await mkdir(dir, { recursive: true });
    await takeLock(join(dir, LOCK_FILE));
    const inbox = new DurableInbox(dir, options.maxBytes, options.key);
    for (const name of await inbox.pending()) inbox.bytes += (await stat(join(dir, name))).size;
    return inbox;
  }

  /** Durably appends one entry: returns only once it is on disk (file and directory fsynced). */
  async append(entry: InboxEntry): Promise<void> {
    const data = Buffer.from(this.seal(entry));
    if (this.bytes + data.length > this.maxBytes) throw new InboxFullError(`inbox over ${this.maxBytes} bytes`);
    // Names sort by arrival; the UUID keeps concurrent appends apart.
    const name = `${Date.now().toString().padStart(15, '0')}-${randomUUID()}${ENTRY_SUFFIX}`;
    const temporary = join(this.dir, `.${name}.tmp`);
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, join(this.dir, name));
    await syncDirectory(this.dir);
    this.bytes += data.length;
  }

  /** Entry names, oldest first. */
  async pending(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((name) => name.endsWith(ENTRY_SUFFIX)).sort();
  }

  async read(name: string): Promise<InboxEntry> {
    return this.open(await readFile(join(this.dir, name), 'utf8'));
  }

  /** Removes a handed-over entry (and makes the removal durable, so it is not handed over twice needlessly). */
  async remove(name: string): Promise<void> {
    const path = join(this.dir, name);
    const size = (await stat(path).catch(() => undefined))?.size ?? 0;
    await rm(path, { force: true });
    await syncDirectory(this.dir);
    this.bytes = Math.max(0, this.bytes - size);
  }

  /** Moves an entry that cannot be read (wrong key, foreign file) aside instead of retrying it forever. */
  async quarantine(name: string): Promise<void> {
    await mkdir(join(this.dir, 'unreadable'), { recursive: true });
    await rename(join(this.dir, name), join(this.dir, 'unreadable', name));
  }

  async close(): Promise<void> {
    await rm(join(this.dir, LOCK_FILE), { force: true });
  }

  private seal(entry: InboxEntry): string {
    const plain = Buffer.from(JSON.stringify(entry));
    if (!this.key) return JSON.stringify({ v: 1, entry });
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return JSON.stringify({ v: 1, sealed: sealed.toString('base64') });
  }

  private open(text: string): InboxEntry {
    const stored = parseUntrustedJson(text) as { v: number; entry?: InboxEntry; sealed?: string };
    if (stored.entry) return stored.entry;
    if (!stored.sealed || !this.key) throw new Error('encrypted inbox entry and no KYC_PAYLOAD_KEY');
    const data = Buffer.from(stored.sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    return parseUntrustedJson(plain.toString('utf8')) as InboxEntry;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function takeLock(path: string): Promise<void> {
  const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new Error(`the inbox ${path} is in use by process ${holder} (one ingress per KYC_INBOX_DIR)`);
  }
  await writeFile(path, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
