import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/client/cli';
import { listDeadLetters } from '../../src/dead-letters/store';
import { DurableInbox } from '../../src/inbox/durable-inbox';
import { InboxDrainer } from '../../src/inbox/drainer';
import { silentLogger } from '../../src/logger';
import { kycWorkflowId } from '../../src/contracts';
import { DEV_DEFAULTS, eventually, startTemporal, testClient, testConfig } from '../support/stack';
import { INBOX_PROVIDER, inboxEvent } from '../support/inbox-entries';

const PROVIDER = INBOX_PROVIDER;
const event = (reference: string) => inboxEvent(reference, new Date().toISOString());

describe('the local inbox drained (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;

  beforeAll(async () => {
    env = await startTemporal();
    dir = mkdtempSync(join(tmpdir(), 'kyc-inbox-poison-'));
  });

  afterAll(async () => {
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * An entry Temporal refuses for what it is, every time (here a workflow ID past the server's
   * length limit: INVALID_ARGUMENT), must not hold back the entries behind it until the inbox fills
   * and the provider gets 503s: it is retried with its own backoff, then set aside as a dead letter.
   */
  it('a poison entry is retried with backoff, set aside as an undeliverable dead letter, and never blocks the entries after it', async () => {
    const config = testConfig({ KYC_INBOX_DIR: dir }, env.address);
    const client = testClient(env, config);
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    const poison = `p${'x'.repeat(1200)}`;
    const good = randomUUID();
    await inbox.append(event(poison));
    await inbox.append(event(good));
    const drainer = new InboxDrainer({
      inbox,
      client,
      config,
      logger: silentLogger,
      poison: { attempts: 3, firstBackoffMs: 200, maxBackoffMs: 1000 },
    });

    // The first pass hands over the entry behind the poison one.
    expect(await drainer.drainOnce()).toBe(false);
    expect(drainer.delivered).toBe(1);
    const handle = client.workflow.getHandle(kycWorkflowId(PROVIDER, good));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await inbox.pending()).toHaveLength(1);

    // Backoff: a pass right away does not try the poison entry again.
    expect(await drainer.drainOnce()).toBe(false);
    expect(drainer.setAside).toBe(0);

    await eventually(
      async () => ((await drainer.drainOnce()) ? true : undefined),
      30_000,
      'the poison entry set aside',
    );
    expect(drainer.setAside).toBe(1);
    expect(await inbox.pending()).toEqual([]);
    const letters = await eventually(async () => {
      const rows = await listDeadLetters(client, { reason: 'undeliverable', taskQueue: config.temporal.taskQueue });
      return rows.length ? rows : undefined;
    });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ provider: PROVIDER, reason: 'undeliverable', events: 1, state: 'open' });
    await inbox.close();
  });

  it('kyc inbox drain --dir empties the inbox of a replica gone for good, from another host', async () => {
    const left = mkdtempSync(join(tmpdir(), 'kyc-inbox-left-'));
    try {
      // The ingress's own environment, as an operator runs it (here: development defaults).
      const variables = {
        ...DEV_DEFAULTS,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
        KYC_PROVIDERS: PROVIDER,
      };
      const references = [randomUUID(), randomUUID()];
      const replica = await DurableInbox.open(left, { maxBytes: 1 << 20 });
      for (const reference of references) await replica.append(event(reference));
      await replica.close();
      // What the replica's container left: its lock (another host, as every container is), last refreshed a minute ago.
      writeFileSync(join(left, 'inbox.lock'), JSON.stringify({ host: 'ingress-2', pid: 7, token: 'gone', since: '' }));
      const aMinuteAgo = new Date(Date.now() - 60_000);
      utimesSync(join(left, 'inbox.lock'), aMinuteAgo, aMinuteAgo);

      let stdout = '';
      let stderr = '';
      const code = await runCli(['inbox', 'drain', '--dir', left, '--json'], {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        env: variables,
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(stdout)).toMatchObject({ delivered: 2, setAside: 0, left: 0 });
      const client = testClient(env, testConfig(variables, env.address));
      for (const reference of references) {
        const description = await client.workflow.getHandle(kycWorkflowId(PROVIDER, reference)).describe();
        expect(description.taskQueue).toBe(variables.TEMPORAL_TASK_QUEUE);
      }
      // Empty, and released: no entry and no lock left.
      expect(readdirSync(left)).toEqual([]);
    } finally {
      rmSync(left, { recursive: true, force: true });
    }
  });
});
