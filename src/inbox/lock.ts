/**
 * The lock that keeps one ingress process per inbox directory. Created atomically (`open` with
 * `wx`: of two processes starting at once, one gets it), it names its holder by host, process ID
 * and a random token, because a process ID alone means nothing across containers: two ingress
 * containers sharing a volume both run as, say, PID 7. The holder refreshes the file's time while
 * it runs, so a lock whose holder cannot be asked (another host, or a PID that is ours in another
 * container) is stale once it has not been refreshed for `staleMs`.
 */
import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LockHolder {
  host: string;
  pid: number;
  token: string;
  since: string;
}

/** The directory is held by a live process (or one that refreshed its lock recently). */
export class InboxLockedError extends Error {
  override name = 'InboxLockedError';
}

/** Tokens of the locks this process holds: a second open of the same inbox in one process is refused too. */
const heldHere = new Set<string>();

export class InboxLock {
  private timer?: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
    refreshMs: number,
  ) {
    heldHere.add(holder.token);
    this.timer = setInterval(() => void this.refresh(), refreshMs);
    this.timer.unref();
  }

  /**
   * Takes the lock at `path`. A lock left by a dead process on this host is taken over at once;
   * one that cannot be checked is waited for until it has gone `staleMs` without a refresh.
   */
  static async acquire(path: string, options: { staleMs: number }): Promise<InboxLock> {
    const me: LockHolder = { host: hostname(), pid: process.pid, token: randomUUID(), since: new Date().toISOString() };
    const refreshMs = Math.max(50, Math.floor(options.staleMs / 6));
    // A holder that keeps refreshing is alive: waiting longer than a stale period cannot help.
    const giveUpAt = Date.now() + options.staleMs + 2 * refreshMs;
    for (;;) {
      if (await createExclusively(path, me)) return new InboxLock(path, me, refreshMs);
      const held = await readHolder(path);
      if (!held) continue; // released a moment ago: try again
      const verdict = judge(held.holder, held.ageMs, options.staleMs);
      if (verdict === 'live') throw lockedError(path, held.holder);
      if (verdict === 'wait') {
        if (Date.now() > giveUpAt) throw lockedError(path, held.holder);
        await new Promise((resolve) => setTimeout(resolve, refreshMs));
        continue;
      }
      await takeOver(path, held.holder);
    }
  }

  /** Keeps the lock fresh; stops when another process has taken it (its holder no longer ours). */
  private async refresh(): Promise<void> {
    const held = await readHolder(this.path);
    if (held?.holder.token !== this.holder.token) return this.stopRefreshing();
    const now = new Date();
    await utimes(this.path, now, now).catch(() => undefined);
  }

  private stopRefreshing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async release(): Promise<void> {
    this.stopRefreshing();
    heldHere.delete(this.holder.token);
    const held = await readHolder(this.path);
    if (held?.holder.token === this.holder.token) await rm(this.path, { force: true });
  }
}

async function createExclusively(path: string, me: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(me));
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function readHolder(path: string): Promise<{ holder: LockHolder; ageMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { holder: parseHolder(text), ageMs: Date.now() - info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Locks written before holders were named held a bare PID, always of a process on this host. */
function parseHolder(text: string): LockHolder {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { host: hostname(), pid: Number(trimmed), token: `pid:${trimmed}`, since: '' };
  try {
    const parsed = JSON.parse(trimmed) as Partial<LockHolder>;
    if (typeof parsed.host === 'string' && typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
      return { host: parsed.host, pid: parsed.pid, token: parsed.token, since: parsed.since ?? '' };
    }
  } catch {
    // unreadable: judged by its age alone, below
  }
  return { host: '', pid: 0, token: `unreadable:${trimmed.slice(0, 64)}`, since: '' };
}

/**
 * `live`: a running process on this host holds it, or this process does. `stale`: its holder is
 * gone. `wait`: its holder cannot be asked (another host, or a PID that is ours and so was
 * another container's or an earlier run's), so only a refresh older than `staleMs` tells.
 */
function judge(holder: LockHolder, ageMs: number, staleMs: number): 'live' | 'stale' | 'wait' {
  if (heldHere.has(holder.token)) return 'live';
  if (holder.host === hostname() && holder.pid > 0 && holder.pid !== process.pid) {
    return isAlive(holder.pid) ? 'live' : 'stale';
  }
  return ageMs > staleMs ? 'stale' : 'wait';
}

/**
 * Moves the stale lock aside (rename is atomic) and checks it was the one judged: if another
 * process took the lock over in between, its fresh lock is put back (`link` never overwrites).
 */
async function takeOver(path: string, stale: LockHolder): Promise<void> {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = parseHolder(await readFile(aside, 'utf8'));
  if (moved.token !== stale.token) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

function lockedError(path: string, holder: LockHolder): InboxLockedError {
  const where = holder.host ? ` on ${holder.host}` : '';
  return new InboxLockedError(
    `the inbox ${path} is in use by process ${holder.pid}${where} (one ingress per KYC_INBOX_DIR)`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
