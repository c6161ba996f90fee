/**
 * `npx kyc …`: drive verifications from scripts and terminals with the same environment as the
 * worker. Every command takes --json; errors are one line on stderr and a non-zero exit.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, longestVerificationLifetimeMs } from '../app-config';
import { parseDuration } from '../config/env-reader';
import { checkPatches, type PatchCheckReport } from '../temporal/patch-check';
import { formatSeconds, setUpNamespace } from '../temporal/setup';
import {
  DECISIONS,
  isTerminal,
  STATUSES,
  type Decision,
  type Status,
  type VerificationState,
} from '../verification/model';
import { KycClient, WaitTimeoutError, type VerificationView } from './index';
import { DEAD_LETTER_REASONS, isDeadLetterReason, WORKFLOW_PATCHES } from '../contracts';
import type { DeadLetterSummary } from '../dead-letters/store';
import type { CallbackParser } from '../providers/types';
import { terminalLines, terminalSafe } from './terminal-text';
import { drainInbox } from '../inbox/drain';
import { createLogger } from '../logger';
import { loadClientConfig, type ClientConfig } from '../config/client';
import { isProviderId, providerModules, PROVIDERS, type ProviderId } from '../providers/registry';

export const EXIT = { ok: 0, error: 1, usage: 2, waitTimeout: 3 } as const;

/** The help's examples speak of the first registered provider, with its own kind of reference and context. */
const EXAMPLE = providerModules[0]!;
const EXAMPLE_REFERENCE = `${EXAMPLE.reference.example.slice(0, 9)}…`;
const EXAMPLE_CONTEXT = (EXAMPLE.requiredContext ?? [])
  .map(({ key, example }) => ` --context ${key}=${example}`)
  .join('');
/** Which providers need a context key from the start: "p requires accountId". */
const REQUIRED_CONTEXT = providerModules
  .filter((module) => module.requiredContext?.length)
  .map((module) => `; ${module.id} requires ${module.requiredContext!.map(({ key }) => key).join(', ')}`)
  .join('');

/** Each command's synopsis and help (`kyc <command> --help`); the overview lists the synopses. */
const HELP: Record<string, { synopsis: string; text: string }> = {
  start: {
    synopsis: 'start --provider P --reference R [--customer REF] [--expires-in 30m] [--context key=value ...]',
    text: `Starts (registers) a verification; idempotent, and fine after a callback already started it.
  --provider P        ${PROVIDERS.join(', ')}
  --reference R       the provider's own ID of the transaction (docs/providers.md, "References")
  --customer REF      your opaque customer reference (an ID, never personal data)
  --expires-in D      lifetime (30s, 15m, 2h, 7d); default the provider's P_EXPIRES_AFTER
  --context key=value IDs the provider's retrieval API needs${REQUIRED_CONTEXT}
Prints the workflow ID; --json: { workflowId, reference }, the reference it is registered under (a provider
whose keys come in kinds: --context keyKind=contract, person or ident registers <kind>:<key>; status, wait and the rest take that).
example: kyc start --provider ${EXAMPLE.id} --reference ${EXAMPLE_REFERENCE}${EXAMPLE_CONTEXT} --expires-in 2h`,
  },
  status: {
    synopsis: 'status P R',
    text: `Shows a verification's state and timeline (a closed one's from its workflow result).
example: kyc status ${EXAMPLE.id} ${EXAMPLE_REFERENCE}`,
  },
  wait: {
    synopsis: 'wait P R [--timeout 60s]',
    text: `Waits until the verification ends and shows its final state; exit 3 when --timeout passes first.
example: kyc wait ${EXAMPLE.id} ${EXAMPLE_REFERENCE} --timeout 10m`,
  },
  list: {
    synopsis: 'list [--provider P] [--status S] [--decision D] [--older-than 2h] [--newer-than 1d] [--limit N]',
    text: `Lists verifications: running ones first, then the most recently closed.
  --status S          ${STATUSES.join(', ')}
  --decision D        ${DECISIONS.join(', ')}
  --older-than D      started more than D ago (e.g. 2h: stuck candidates)
  --newer-than D      started less than D ago
  --limit N           at most N rows (default 100)
example: kyc list --provider ${EXAMPLE.id} --status SUBMITTED --older-than 2h`,
  },
  cancel: {
    synopsis: 'cancel P R [--reason CODE]',
    text: `Cancels a running verification (status CANCELLED); fails, showing the verdict, if it already ended.
  --reason CODE       a short code such as user_left (letters, digits, _ . -)
example: kyc cancel ${EXAMPLE.id} ${EXAMPLE_REFERENCE} --reason user_left`,
  },
  'dead-letters': {
    synopsis: 'dead-letters [--provider P] [--reason R] [--all] [--limit N]',
    text: `Lists callbacks refused after authentication, still held (docs/architecture.md, "Dead letters").
  --reason R          ${DEAD_LETTER_REASONS.join(', ')}
  --all               also letters already closed (e.g. replayed)
example: kyc dead-letters --provider ${EXAMPLE.id}`,
  },
  replay: {
    synopsis: 'replay ID',
    text: `Re-injects a dead letter into its verification; idempotent.
example: kyc replay <id from kyc dead-letters>`,
  },
  setup: {
    synopsis: 'setup [--check-patches]',
    text: `Registers our search attributes in the namespace and checks its retention against the longest
verification lifetime (KYC_PROVIDERS and their P_EXPIRES_AFTER / P_MAX_LIFETIME, when set here).
  --check-patches     changes nothing: reads every open verification's history and lists, per patch of the
                      workflow (${WORKFLOW_PATCHES.join(', ')}), the runs started before it; a patch none
                      started before can be deprecated (docs/deprecating-patches.md)
example: kyc setup
example: kyc setup --check-patches`,
  },
  inbox: {
    synopsis: 'inbox drain --dir PATH [--timeout 5m]',
    text: `Hands every entry of an ingress's local inbox (KYC_INBOX_DIR) to Temporal and empties it: for the
inbox of a replica that is gone for good, from any host that mounts its volume. Run it with the ingress's
environment (KYC_PAYLOAD_KEY and KYC_PAYLOAD_KEYS_OLD read the entries). It waits for a live holder's lock
to go stale, and exits 1 when entries are left after --timeout (Temporal away).
  --dir PATH          the inbox directory
  --timeout D         how long to keep trying (default 5m)
example: kyc inbox drain --dir /var/lib/kyc/inbox`,
  },
  reopen: {
    synopsis: 'reopen P R',
    text: `Reopens a verification our own timer closed (EXPIRED at its deadline or lifetime), typically after
a late verdict (kyc status shows them): the verification runs again from its start with every event it
had received, takes the late verdict's events, and asks the provider. Refused for an open verification
and for one the provider or the app ended.
example: kyc reopen ${EXAMPLE.id} ${EXAMPLE_REFERENCE}`,
  },
  refresh: {
    synopsis: 'refresh P R',
    text: `Asks the provider now: the verification polls its retrieval API outside the schedule.
example: kyc refresh ${EXAMPLE.id} ${EXAMPLE_REFERENCE}`,
  },
};

const FOOTER = `every command takes --json (machine output) and --help. Temporal is configured as for the worker
and the \`temporal\` CLI (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE,
TEMPORAL_CONFIG_FILE); no provider settings are needed. Exit codes: 0 ok, 1 error, 2 usage, 3 wait timed out.`;

const USAGE = `usage: kyc <command> [options]

commands:
${Object.values(HELP)
  .map((help) => `  ${help.synopsis}`)
  .join('\n')}

${FOOTER}`;

function commandHelp(command: string): string {
  const help = HELP[command]!;
  return `usage: kyc ${help.synopsis}\n\n${help.text}\n\n${FOOTER}\n`;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  // Help needs no configuration and no connection.
  if (Object.hasOwn(HELP, command) && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(commandHelp(command));
    return EXIT.ok;
  }
  let config: ClientConfig;
  try {
    config = loadClientConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`kyc: configuration error: ${err.message}\n`);
      return EXIT.error;
    }
    throw err;
  }

  let kyc: KycClient | undefined;
  try {
    // Own keys only: `kyc constructor` is an unknown command, not Object's constructor.
    const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!handler) throw new UsageError(`unknown command '${command}' (try kyc --help)`);
    const run = handler(rest, io);
    kyc = await KycClient.connect(config);
    return await run(kyc);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`kyc: ${terminalSafe(err.message)}\n`);
      return EXIT.usage;
    }
    if (err instanceof WaitTimeoutError) {
      io.stderr(`kyc: ${terminalSafe(err.message)}\n`);
      return EXIT.waitTimeout;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`kyc: ${terminalSafe(message.split('\n')[0]!)}\n`);
    return EXIT.error;
  } finally {
    await kyc?.close();
  }
}

/** Parses a command's arguments (usage errors come before any connection) and returns what runs it. */
type Command = (args: string[], io: CliIo) => (kyc: KycClient) => Promise<number>;

type ParseArgsOptionsConfig = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

function parse(args: string[], options: ParseArgsOptionsConfig, positionals: number): Parsed {
  let result: Parsed;
  try {
    const { values, positionals: rest } = parseArgs({
      args,
      options: { ...options, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    result = { values: values as Parsed['values'], positionals: rest };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (result.positionals.length !== positionals) {
    throw new UsageError(`expected ${positionals} argument(s), got ${result.positionals.length} (try kyc --help)`);
  }
  return result;
}

function provider(value: unknown, what = 'provider'): ProviderId {
  if (typeof value !== 'string' || !isProviderId(value))
    throw new UsageError(`${what} must be one of ${PROVIDERS.join(', ')}`);
  return value;
}

function duration(value: string, option: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${option} '${value}' is not a duration (e.g. 30s, 15m, 2h, 7d)`);
  return ms;
}

function oneOf(value: unknown, allowed: readonly string[], option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new UsageError(`${option} must be one of ${allowed.join(', ')}`);
  }
  return value;
}

/**
 * Machine output is JSON; human output is lines, each escaped for the terminal as a whole (a
 * string is one line), so whatever a provider sent cannot add a line or drive the terminal.
 */
function print(io: CliIo, json: boolean, value: unknown, human: string | string[]): number {
  io.stdout(
    json ? `${JSON.stringify(value, null, 2)}\n` : `${terminalLines(typeof human === 'string' ? [human] : human)}\n`,
  );
  return EXIT.ok;
}

function describePatchCheck(report: PatchCheckReport): string[] {
  const lines = [`namespace ${report.namespace}: ${report.openRuns} open verifications read`];
  for (const { patch, openRunsBefore, workflowIds } of report.patches) {
    if (openRunsBefore === 0) {
      lines.push(
        `  patch ${patch}: no open run started before it; its old branch can go (docs/deprecating-patches.md)`,
      );
      continue;
    }
    lines.push(`  patch ${patch}: ${openRunsBefore} open run(s) started before it; keep its old branch`);
    for (const id of workflowIds) lines.push(`    ${id}`);
    if (openRunsBefore > workflowIds.length) lines.push(`    … and ${openRunsBefore - workflowIds.length} more`);
  }
  return lines;
}

function describeState(state: VerificationState): string[] {
  const lines = [
    `${state.provider} ${state.reference}: ${state.status}${state.decision ? ` / ${state.decision}` : ''}` +
      (state.providerStatus ? ` (provider status ${state.providerStatus})` : ''),
    `  expires ${state.expiresAt ?? 'never'} · updated ${state.updatedAt} · ${state.polls} polls`,
  ];
  const { provisional } = state;
  if (provisional && !isTerminal(state.status)) {
    lines.push(
      `  PROVISIONAL ${provisional.decision ?? provisional.status} (awaiting ${provisional.awaiting} until ${provisional.reviewEndsAt})`,
    );
  }
  if (state.decisionFinal === false && isTerminal(state.status)) {
    lines.push(`  decision not final: closed by our timer (${state.providerStatus ?? 'timer'}), not by the provider`);
  }
  if (state.attention.length) lines.push(`  needs attention: ${state.attention.join(', ')}`);
  for (const entry of state.timeline) {
    lines.push(
      `  ${entry.at}  ${entry.source.padEnd(8)} ${entry.providerStatus.padEnd(24)} ${entry.outcome.padEnd(15)} → ${entry.status}` +
        (entry.decision ? `/${entry.decision}` : '') +
        (entry.detail ? `  (${entry.detail})` : ''),
    );
  }
  return lines;
}

/**
 * Replaying a kept body parses it again with the provider's own parser, which needs that
 * provider's settings (e.g. a signature secret): read from the environment when it has them.
 * Without them, replay hands over the letter's kept canonical events.
 */
function providerParsers(env: NodeJS.ProcessEnv): ((provider: string) => CallbackParser | undefined) | undefined {
  let config;
  try {
    config = loadConfig(env);
  } catch {
    return undefined;
  }
  return (provider) => {
    const settings = isProviderId(provider) ? config.providers[provider] : undefined;
    return settings?.module.createCallbackParser(settings.settings);
  };
}

function describeLetters(rows: DeadLetterSummary[]): string[] {
  return rows.map(
    (row) =>
      `  ${row.id}  ${row.reason.padEnd(12)} ${row.receivedAt}  ${row.state}` +
      (row.verificationId ? `  ${row.verificationId}` : '') +
      (row.paths.length ? `  paths: ${row.paths.map((path) => path || '(body)').join(', ')}` : '') +
      (row.unreadable ? `  unreadable: ${row.unreadable}` : ''),
  );
}

/**
 * A verification as `status` and `wait` print it: the state and timeline, then (once it has ended)
 * the callbacks that came after, and the late verdicts a reader must not miss.
 */
function describeView(view: VerificationView): string[] {
  const { provider: name, reference } = view;
  return [
    ...describeState(view),
    ...(view.lateCallbacks?.length ? ['  late callbacks:', ...describeLetters(view.lateCallbacks)] : []),
    ...(isProviderId(name) ? describeLateVerdicts(view.lateVerdicts ?? [], name, reference) : []),
  ];
}

/** The alert a reader must not miss: the provider decided after our timer had closed the verification. */
function describeLateVerdicts(rows: DeadLetterSummary[], provider: ProviderId, reference: string): string[] {
  const lines = rows.flatMap((row) =>
    (row.lateVerdict?.verdicts ?? []).map(
      (verdict) =>
        `  LATE VERDICT after ${row.lateVerdict!.inferredEnd}: ${verdict.providerStatus}` +
        (verdict.status ? ` (${verdict.status}${verdict.decision ? `/${verdict.decision}` : ''})` : '') +
        (verdict.retrieve ? ' (result announced)' : '') +
        `  received ${row.receivedAt}  ${row.id}`,
    ),
  );
  if (!lines.length) return [];
  return [...lines, `  kyc reopen ${provider} ${reference} asks the provider again`];
}

const COMMANDS: Record<string, Command> = {
  start(args, io) {
    const { values } = parse(
      args,
      {
        provider: { type: 'string' },
        reference: { type: 'string' },
        customer: { type: 'string' },
        'expires-in': { type: 'string' },
        context: { type: 'string', multiple: true },
      },
      0,
    );
    if (typeof values.reference !== 'string') throw new UsageError('--reference is required');
    const context: Record<string, string> = {};
    for (const pair of (values.context as string[] | undefined) ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--context '${pair}' must be key=value`);
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const expiresIn = values['expires-in'];
    const request = {
      provider: provider(values.provider, '--provider'),
      reference: values.reference,
      ...(typeof values.customer === 'string' ? { customerReference: values.customer } : {}),
      ...(typeof expiresIn === 'string'
        ? { expiresAt: new Date(Date.now() + duration(expiresIn, '--expires-in')) }
        : {}),
      ...(Object.keys(context).length ? { context } : {}),
    };
    return async (kyc) => {
      const started = await kyc.startVerification(request);
      return print(io, values.json === true, started, `started ${started.workflowId}`);
    };
  },

  status(args, io) {
    const { values, positionals } = parse(args, {}, 2);
    const [name, reference] = [provider(positionals[0]), positionals[1]!];
    return async (kyc) => {
      const view = await kyc.getVerification(name, reference);
      return print(io, values.json === true, view, describeView(view));
    };
  },

  'dead-letters'(args, io) {
    const { values } = parse(
      args,
      { provider: { type: 'string' }, reason: { type: 'string' }, all: { type: 'boolean' }, limit: { type: 'string' } },
      0,
    );
    const reason = values.reason;
    if (reason !== undefined && (typeof reason !== 'string' || !isDeadLetterReason(reason))) {
      throw new UsageError(`--reason must be one of ${DEAD_LETTER_REASONS.join(', ')}`);
    }
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit <= 0) throw new UsageError('--limit must be a positive whole number');
    const filter = {
      ...(values.provider !== undefined ? { provider: provider(values.provider, '--provider') } : {}),
      ...(reason !== undefined ? { reason } : {}),
      includeClosed: values.all === true,
      limit,
    };
    return async (kyc) => {
      const rows = await kyc.listDeadLetters(filter);
      return print(io, values.json === true, rows, rows.length ? describeLetters(rows) : 'no dead letters');
    };
  },

  inbox(args, io) {
    const { values, positionals } = parse(args, { dir: { type: 'string' }, timeout: { type: 'string' } }, 1);
    if (positionals[0] !== 'drain')
      throw new UsageError(`unknown inbox command '${positionals[0]}' (try kyc inbox --help)`);
    if (typeof values.dir !== 'string') throw new UsageError('--dir is required');
    const dir = values.dir;
    const timeoutMs = typeof values.timeout === 'string' ? duration(values.timeout, '--timeout') : 5 * 60_000;
    return async (kyc) => {
      // The drainer keeps late events and refused entries as dead letters: the ingress's own settings.
      const config = loadConfig(io.env);
      const logger = createLogger('kyc', 'warn', (line) => io.stderr(line));
      const report = await drainInbox({ client: kyc.client, config, logger, dir, timeoutMs });
      const human =
        `inbox ${dir}: ${report.delivered} handed over, ${report.setAside} set aside as dead letters, ` +
        `${report.left} left` +
        (report.temporaryFilesSwept ? `, ${report.temporaryFilesSwept} unfinished temporary files removed` : '');
      print(io, values.json === true, report, human);
      if (report.left > 0) {
        io.stderr(`kyc: ${report.left} entries are still in ${dir}: Temporal did not take them; run it again\n`);
        return EXIT.error;
      }
      return EXIT.ok;
    };
  },

  reopen(args, io) {
    const { values, positionals } = parse(args, {}, 2);
    const [name, reference] = [provider(positionals[0]), positionals[1]!];
    return async (kyc) => {
      const outcome = await kyc.reopenVerification(name, reference);
      const human = [
        `reopened ${outcome.workflowId} (ended by ${outcome.inferredEnd}; run ${outcome.runId}), ` +
          `${outcome.replayedLetters.length} late-verdict letter(s) handed over; kyc wait ${name} ${reference} follows it`,
        ...outcome.unreplayedLetters.map((letter) => `  not handed over: ${letter.id}: ${letter.error}`),
      ];
      return print(io, values.json === true, outcome, human);
    };
  },

  replay(args, io) {
    const { values, positionals } = parse(args, {}, 1);
    const id = positionals[0]!;
    return async (kyc) => {
      const outcome = await kyc.replayDeadLetter(id, providerParsers(io.env));
      const human = outcome.alreadyReplayed
        ? `${id} was already replayed at ${outcome.at} (${outcome.accepted} accepted); nothing sent again`
        : `replayed ${id}: ${outcome.accepted} accepted, ${outcome.late} late`;
      return print(io, values.json === true, outcome, human);
    };
  },

  wait(args, io) {
    const { values, positionals } = parse(args, { timeout: { type: 'string' } }, 2);
    const [name, reference] = [provider(positionals[0]), positionals[1]!];
    const timeoutMs = typeof values.timeout === 'string' ? duration(values.timeout, '--timeout') : undefined;
    return async (kyc) => {
      // Fail fast on an unknown verification instead of waiting for it to appear.
      await kyc.getVerification(name, reference);
      // The same document `kyc status` prints once it has ended.
      const view = await kyc.waitForVerification(name, reference, timeoutMs ? { timeoutMs } : {});
      return print(io, values.json === true, view, describeView(view));
    };
  },

  list(args, io) {
    const { values } = parse(
      args,
      {
        provider: { type: 'string' },
        status: { type: 'string' },
        decision: { type: 'string' },
        'older-than': { type: 'string' },
        'newer-than': { type: 'string' },
        limit: { type: 'string' },
      },
      0,
    );
    const status = oneOf(values.status, STATUSES, '--status');
    const decision = oneOf(values.decision, DECISIONS, '--decision');
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit <= 0) throw new UsageError('--limit must be a positive whole number');
    const olderThan = values['older-than'];
    const newerThan = values['newer-than'];
    const ago = (value: string, option: string) => new Date(Date.now() - duration(value, option));
    const filter = {
      ...(values.provider !== undefined ? { provider: provider(values.provider, '--provider') } : {}),
      ...(status ? { status: status as Status } : {}),
      ...(decision ? { decision: decision as Decision } : {}),
      ...(typeof olderThan === 'string' ? { startedBefore: ago(olderThan, '--older-than') } : {}),
      ...(typeof newerThan === 'string' ? { startedAfter: ago(newerThan, '--newer-than') } : {}),
      limit,
    };
    return async (kyc) => {
      const rows = await kyc.listVerifications(filter);
      const human = rows.length
        ? rows.map(
            (r) =>
              `${r.workflowId.padEnd(60)} ${(r.status ?? '?').padEnd(16)} ${(r.decision ?? '').padEnd(9)} ` +
              `started ${r.startTime.toISOString()}`,
          )
        : 'no verifications';
      return print(io, values.json === true, rows, human);
    };
  },

  setup(args, io) {
    const { values } = parse(args, { 'check-patches': { type: 'boolean' } }, 0);
    if (values['check-patches']) {
      return async (kyc) => {
        const report = await checkPatches(kyc.client);
        return print(io, values.json === true, report, describePatchCheck(report));
      };
    }
    // Which providers' lifetimes count: KYC_PROVIDERS and their P_EXPIRES_AFTER / P_MAX_LIFETIME, if set here.
    const longestLifetimeMs = longestVerificationLifetimeMs(io.env);
    return async (kyc) => {
      const report = await setUpNamespace(kyc.client, kyc.client.options.namespace, longestLifetimeMs);
      const retention = report.retentionSeconds === undefined ? 'not set' : formatSeconds(report.retentionSeconds);
      const human = [
        `namespace ${report.namespace}`,
        ...report.searchAttributes.map((a) => `  search attribute ${a.name} (${a.type}): ${a.result}`),
        `  retention ${retention} (longest verification lifetime ${formatSeconds(report.longestLifetimeSeconds)})`,
      ];
      if (!values.json) for (const warning of report.warnings) io.stderr(`kyc: warning: ${terminalSafe(warning)}\n`);
      return print(io, values.json === true, report, human);
    };
  },

  cancel(args, io) {
    const { values, positionals } = parse(args, { reason: { type: 'string' } }, 2);
    const [name, reference] = [provider(positionals[0]), positionals[1]!];
    const reason = typeof values.reason === 'string' ? values.reason : undefined;
    return async (kyc) => {
      await kyc.cancelVerification(name, reference, reason);
      return print(io, values.json === true, { cancelRequested: true }, `cancel requested for ${name} ${reference}`);
    };
  },

  refresh(args, io) {
    const { values, positionals } = parse(args, {}, 2);
    const [name, reference] = [provider(positionals[0]), positionals[1]!];
    return async (kyc) => {
      await kyc.refreshVerification(name, reference);
      return print(
        io,
        values.json === true,
        { refreshRequested: true },
        `refresh requested for ${name} ${reference}: the provider is asked now (see kyc status)`,
      );
    };
  },
};

/** Entry point for bin/kyc.js. */
export function main(): void {
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`kyc: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.error;
    },
  );
}
