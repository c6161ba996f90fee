/**
 * The durable local inbox: where a callback waits, on disk, while Temporal cannot take it, for
 * providers that never retry (they send each event once). An entry is written to a temporary
 * file, fsynced, renamed into place and the directory fsynced, all before the provider gets its
 * 2xx; so an acknowledged callback survives a crash of the ingress or of the machine. The
 * drainer ({@link InboxDrainer}) hands entries to Temporal when it is back and deletes them only
 * then; delivery is at least once, and each event's dedup key makes it count once.
 *
 * One ingress process per directory (src/inbox/lock.ts). With KYC_PAYLOAD_KEY set, every
 * entry is encrypted at rest with the same AES-256-GCM key as Temporal payloads, and read with any
 * key of the ring (KYC_PAYLOAD_KEYS_OLD too), so a key rotation strands no acknowledged callback.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeadLetter } from '../contracts';
import { payloadKeyId } from '../temporal/encryption-codec';
import type { VerificationEvent } from '../verification/model';
import { parseUntrustedJson } from '../providers/untrusted-json';
import { InboxLock } from './lock';

export type InboxEntry =
  | {
      kind: 'event';
      provider: string;
      event: VerificationEvent;
      /** False for events that may only join an existing verification (keys a provider uses only after the first event). */
      startIfMissing: boolean;
      /**
       * Its verification only the app starts (a provider's persons and idents): not there, it becomes an
       * `unroutable` letter, as at the door; closed, a late one.
       */
      joinOnly?: boolean;
      receivedAt: string;
    }
  | { kind: 'dead-letter'; letter: DeadLetter; fingerprint: string };

const ENTRY_SUFFIX = '.entry';
const TEMPORARY_SUFFIX = '.tmp';
const LOCK_FILE = 'inbox.lock';
/** A lock its holder stopped refreshing this long ago is taken over (see InboxLock). */
const LOCK_STALE_MS = 30_000;

export interface InboxOptions {
  /** Past this, appends are refused (InboxFullError). */
  maxBytes: number;
  /** KYC_PAYLOAD_KEY: encrypts new entries. */
  key?: Buffer;
  /** KYC_PAYLOAD_KEYS_OLD: entries written with them before a rotation are still read. */
  oldKeys?: readonly Buffer[];
  lockStaleMs?: number;
}

/** An entry none of the ring's keys opens, or not an entry at all: set aside, never retried. */
export class UnreadableEntryError extends Error {
  override name = 'UnreadableEntryError';
}

/** The inbox is at its size bound: the callback is refused (503) rather than the disk filled. */
export class InboxFullError extends Error {
  override name = 'InboxFullError';
}

export class DurableInbox {
  private bytes = 0;
  /** The last name's time and its place within that millisecond: names sort by arrival, however fast. */
  private lastStamp = 0;
  private sameStamp = 0;
  /** Temporary files a crash or a full disk left behind, removed when the inbox was opened. */
  sweptAtOpen = 0;
  private readonly ring = new Map<string, Buffer>();

  private constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly key: Buffer | undefined,
    oldKeys: readonly Buffer[],
    private readonly lock: InboxLock,
  ) {
    for (const each of [...(key ? [key] : []), ...oldKeys]) this.ring.set(payloadKeyId(each), each);
  }

  /**
   * Opens (creating) the directory and takes its lock (a lock left by a process that is gone is
   * taken over), then sweeps the temporary files of appends that never finished: none of them
   * was acknowledged, since the 2xx comes only after the rename.
   */
  static async open(dir: string, options: InboxOptions): Promise<DurableInbox> {
    await mkdir(dir, { recursive: true });
    const lock = await InboxLock.acquire(join(dir, LOCK_FILE), { staleMs: options.lockStaleMs ?? LOCK_STALE_MS });
    const inbox = new DurableInbox(dir, options.maxBytes, options.key, options.oldKeys ?? [], lock);
    for (const name of await readdir(dir)) {
      if (!name.endsWith(TEMPORARY_SUFFIX)) continue;
      await rm(join(dir, name), { force: true });
      inbox.sweptAtOpen += 1;
    }
    for (const name of await inbox.pending()) inbox.bytes += (await stat(join(dir, name))).size;
    return inbox;
  }

  /** Durably appends one entry: returns only once it is on disk (file and directory fsynced). */
  async append(entry: InboxEntry): Promise<void> {
    const data = Buffer.from(this.seal(entry));
    if (this.bytes + data.length > this.maxBytes) throw new InboxFullError(`inbox over ${this.maxBytes} bytes`);
    const name = `${this.arrivalStamp()}-${randomUUID()}${ENTRY_SUFFIX}`;
    const temporary = join(this.dir, `.${name}${TEMPORARY_SUFFIX}`);
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

  /**
   * What makes names sort by arrival: the time (never before the last name's, should the clock step
   * back) and a sequence number within its millisecond, since several callbacks arrive in one. The
   * UUID after it only keeps names apart across processes.
   */
  private arrivalStamp(): string {
    const now = Math.max(Date.now(), this.lastStamp);
    this.sameStamp = now === this.lastStamp ? this.sameStamp + 1 : 0;
    this.lastStamp = now;
    return `${now.toString().padStart(15, '0')}-${this.sameStamp.toString().padStart(6, '0')}`;
  }

  /** Entry names, oldest first. */
  async pending(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((name) => name.endsWith(ENTRY_SUFFIX)).sort();
  }

  /** Throws UnreadableEntryError for an entry that can never be read (set it aside with `quarantine`). */
  async read(name: string): Promise<InboxEntry> {
    return this.unseal(await readFile(join(this.dir, name), 'utf8'));
  }

  /** Removes a handed-over entry (and makes the removal durable, so it is not handed over twice needlessly). */
  async remove(name: string): Promise<void> {
    const path = join(this.dir, name);
    const size = (await stat(path).catch(() => undefined))?.size ?? 0;
    await rm(path, { force: true });
    await syncDirectory(this.dir);
    this.bytes = Math.max(0, this.bytes - size);
  }

  /**
   * Moves an entry out of the way instead of retrying it forever: `unreadable` (no key of the
   * ring opens it, a foreign file) or `undeliverable` (Temporal kept refusing it and it could
   * not even be kept as a dead letter). The file stays for an operator.
   */
  async quarantine(name: string, folder: 'unreadable' | 'undeliverable' = 'unreadable'): Promise<void> {
    const path = join(this.dir, name);
    const size = (await stat(path).catch(() => undefined))?.size ?? 0;
    await mkdir(join(this.dir, folder), { recursive: true });
    await rename(path, join(this.dir, folder, name));
    await syncDirectory(this.dir);
    this.bytes = Math.max(0, this.bytes - size);
  }

  async close(): Promise<void> {
    await this.lock.release();
  }

  private seal(entry: InboxEntry): string {
    const plain = Buffer.from(JSON.stringify(entry));
    if (!this.key) return JSON.stringify({ v: 1, entry });
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return JSON.stringify({ v: 1, keyId: payloadKeyId(this.key), sealed: sealed.toString('base64') });
  }

  private unseal(text: string): InboxEntry {
    let stored: { v?: number; entry?: InboxEntry; keyId?: string; sealed?: string };
    try {
      stored = parseUntrustedJson(text) as typeof stored;
    } catch {
      throw new UnreadableEntryError('not an inbox entry (not JSON)');
    }
    if (stored.entry) return stored.entry;
    if (typeof stored.sealed !== 'string') throw new UnreadableEntryError('not an inbox entry');
    if (this.ring.size === 0) throw new UnreadableEntryError('encrypted inbox entry and no KYC_PAYLOAD_KEY');
    const data = Buffer.from(stored.sealed, 'base64');
    // Entries name their key; older ones do not, and any key of the ring may have sealed them.
    const candidates = stored.keyId ? [this.ring.get(stored.keyId)].filter(Boolean) : [...this.ring.values()];
    for (const key of candidates as Buffer[]) {
      const plain = openSealed(data, key);
      if (plain) return parseUntrustedJson(plain) as InboxEntry;
    }
    throw new UnreadableEntryError(
      stored.keyId
        ? `inbox entry sealed with key id ${stored.keyId}, in neither KYC_PAYLOAD_KEY nor KYC_PAYLOAD_KEYS_OLD`
        : 'no key of KYC_PAYLOAD_KEY and KYC_PAYLOAD_KEYS_OLD opens this inbox entry',
    );
  }
}

/** AES-256-GCM: the text, or undefined when this key did not seal it (the tag does not verify). */
function openSealed(data: Buffer, key: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
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
