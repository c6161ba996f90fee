import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { loadConfig } from '../../src/app-config';
import { cachedAnswer } from '../../src/http/cached-answer';
import { DurableInbox } from '../../src/inbox/durable-inbox';
import { kycWorkflowId } from '../../src/contracts';
import { INBOX_PROVIDER, inboxEvent } from '../support/inbox-entries';
import { InboxDrainer } from '../../src/inbox/drainer';
import { StartBudget } from '../../src/temporal/start-budget';
import { silentLogger } from '../../src/logger';
import { DEV_DEFAULTS } from '../support/dev-defaults';

describe('StartBudget', () => {
  it('grants the bound at once, then one start per 60/N seconds; a workflow known to exist costs nothing', () => {
    let now = 0;
    const budget = new StartBudget(6, () => now);
    const granted = Array.from({ length: 8 }, (_, i) => budget.mayStart('p', `w-${i}`));
    expect(granted).toEqual(['granted', 'granted', 'granted', 'granted', 'granted', 'granted', false, false]);
    expect(budget.retryAfterSeconds('p')).toBe(10);
    // Another provider has its own bound.
    expect(budget.mayStart('q', 's-1')).toBe('granted');

    budget.noteExists('w-0');
    expect(budget.mayStart('p', 'w-0')).toBe('known');
    expect(budget.hasToken('p')).toBe(false);

    now += 9_999;
    expect(budget.mayStart('p', 'w-new')).toBe(false);
    now += 1;
    expect(budget.hasToken('p')).toBe(true);
    expect(budget.mayStart('p', 'w-new')).toBe('granted');
    expect(budget.mayStart('p', 'w-newer')).toBe(false);
    // A start that did not happen is given back.
    budget.giveBack('p');
    expect(budget.mayStart('p', 'w-again')).toBe('granted');
    // Never more than the bound in store, however long it was idle.
    now += 3_600_000;
    expect(Array.from({ length: 7 }, (_, i) => budget.mayStart('p', `later-${i}`)).filter(Boolean)).toHaveLength(6);
  });
});

describe('cachedAnswer', () => {
  it('asks once for every caller within the time to live, and again after it', async () => {
    let now = 0;
    let calls = 0;
    const check = cachedAnswer(
      1500,
      async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return calls;
      },
      () => now,
    );
    expect(await Promise.all([check(), check(), check()])).toEqual([1, 1, 1]);
    now += 1499;
    expect(await check()).toBe(1);
    now += 1;
    expect(await check()).toBe(2);
    expect(calls).toBe(2);
  });
});

describe('the inbox drainer within the start bound', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kyc-start-budget-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const event = (reference: string) => inboxEvent(reference);

  it('starts no more than the bound allows, delivers to existing verifications meanwhile, and the rest later', async () => {
    const existing = new Set([kycWorkflowId(INBOX_PROVIDER, 'open')]);
    const started: string[] = [];
    const client = {
      connection: { withDeadline: (_d: number, fn: () => Promise<unknown>) => fn() },
      workflow: {
        signalWithStart: async (_type: string, options: { workflowId: string }) => {
          if (!existing.has(options.workflowId)) started.push(options.workflowId);
          existing.add(options.workflowId);
          return {};
        },
        getHandle: (workflowId: string) => ({
          signal: async () => {
            if (!existing.has(workflowId)) throw new WorkflowNotFoundError('not found', workflowId, undefined);
          },
        }),
      },
    } as unknown as Client;
    const config = loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: INBOX_PROVIDER });
    const inbox = await DurableInbox.open(dir, { maxBytes: 1 << 20 });
    for (const reference of ['new-1', 'new-2', 'new-3', 'open']) await inbox.append(event(reference));
    let now = 0;
    const startBudget = new StartBudget(2, () => now);
    const drainer = new InboxDrainer({ inbox, client, config, logger: silentLogger, startBudget });

    expect(await drainer.drainOnce()).toBe(false);
    expect(started).toEqual([kycWorkflowId(INBOX_PROVIDER, 'new-1'), kycWorkflowId(INBOX_PROVIDER, 'new-2')]);
    // The existing verification behind the waiting entry got its event.
    expect(drainer.delivered).toBe(3);
    expect(await inbox.pending()).toHaveLength(1);

    // No start free yet: the waiting entry is not even read again.
    expect(await drainer.drainOnce()).toBe(false);
    now += 30_000;
    expect(await drainer.drainOnce()).toBe(true);
    expect(started).toEqual([
      kycWorkflowId(INBOX_PROVIDER, 'new-1'),
      kycWorkflowId(INBOX_PROVIDER, 'new-2'),
      kycWorkflowId(INBOX_PROVIDER, 'new-3'),
    ]);
    await inbox.close();
  });
});
