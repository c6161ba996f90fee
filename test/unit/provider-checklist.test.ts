/**
 * "Add a provider" (docs/providers.md) as behaviour, for every registered provider: its documented
 * status mapping is what its vocabulary answers, its simulator's callbacks parse with its own
 * parser, .env.example holds exactly what its settings read, and its verdict rules are written
 * down. Every failure names the provider and the missing piece, and where to fix it.
 */
import { enabledProvider, loadConfig, providerVariables } from '../../src/app-config';
import { EnvReader } from '../../src/config/env-reader';
import { deadLetterWorkflowId, kycWorkflowId, lateVerdictWorkflowId } from '../../src/contracts';
import { referenceSchema } from '../../src/providers/common';
import type { MappingLine, ProviderModule } from '../../src/providers/module';
import { providerRegistry, PROVIDERS } from '../../src/providers/registry';
import type { CanonicalMeaning } from '../../src/verification/model';
import { describeMeaning, mappingLine, providerList, statusMappings } from '../../tools/docs-render';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { providerTestModule } from '../support/provider-test-module';
import { readDoc, section } from '../support/markdown';

/** The fields a documented meaning states (an unknown word's raw text is the word itself). */
function stated(meaning: CanonicalMeaning | undefined): string {
  if (!meaning) return 'nothing (not ready)';
  const { status, decision, retrieve, informational, attention } = meaning;
  return describeMeaning({
    ...(status ? { status } : {}),
    ...(decision ? { decision } : {}),
    ...(retrieve ? { retrieve } : {}),
    ...(informational ? { informational } : {}),
    ...(attention ? { attention } : {}),
  });
}

/** What each line of the mapping says against what the code answers for each of its words. */
function mappingDisagreements(id: string, lines: readonly MappingLine[]): string[] {
  return lines.flatMap((line) =>
    line.words.flatMap((word) => {
      if (!line.probe) return [];
      let answer: string;
      try {
        answer = stated(line.probe(word));
      } catch (err) {
        answer = `an error: ${err instanceof Error ? err.message : String(err)}`;
      }
      const documented = stated(line.meaning);
      return answer === documented
        ? []
        : [
            `provider ${id}: the mapping says ${mappingLine({ ...line, words: [word], note: undefined }).slice(2)}, ` +
              `the code says ${answer} (src/providers/${id}/mapping.ts or vocabulary.ts)`,
          ];
    }),
  );
}

/** The .env.example lines `NAME=`, by name. */
function envExampleNames(): Set<string> {
  return new Set(
    readDoc('.env.example')
      .split('\n')
      .flatMap((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1] ?? []),
  );
}

/**
 * The variables a module's settings read, over environments that change what they read: none set,
 * in development and in production, and its variables set to their examples. A read of an
 * undeclared name is a problem named after the provider (in production the scoped reader refuses it).
 */
function settingsReads(module: ProviderModule): { read: Set<string>; problems: string[] } {
  const read = new Set<string>();
  const problems: string[] = [];
  const examples = Object.fromEntries(module.variables.filter((v) => v.example).map((v) => [v.name, v.example]));
  const samples: { env: Record<string, string>; production: boolean }[] = [
    { env: {}, production: false },
    { env: {}, production: true },
    { env: examples, production: false },
    ...Object.entries(examples).map(([name, value]) => ({ env: { [name]: value }, production: true })),
  ];
  for (const { env, production } of samples) {
    const reader = new EnvReader(env).scoped(providerVariables(module), `provider ${module.id}`);
    try {
      module.readSettings(reader, { apiBaseUrl: module.defaults.apiBaseUrl, production });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const undeclared = /reads (\S+), which it does not declare/.exec(message);
      if (undeclared) {
        problems.push(
          `provider ${module.id}: its settings read ${undeclared[1]}, which its module does not declare ` +
            `(add it to \`variables\` in src/providers/${module.id}/index.ts)`,
        );
      }
      // Any other error (a required setting missing in production) still leaves what was read.
    }
    for (const name of reader.read) read.add(name);
  }
  return { read, problems: [...new Set(problems)] };
}

/** What a provider's testing kit offers this check (src/testing/kit.ts has the full contract). */
interface KitForChecklist {
  provider: string;
  start(): Promise<{ close(): Promise<void> }>;
  environment(sim: unknown): Record<string, string>;
  stories: Record<string, StoryForChecklist>;
  neverFinishes: StoryForChecklist;
  callbackWithWord(sim: unknown, key: string, word: string, at?: Date): { word: string; delivery: { body: unknown } };
}
interface StoryForChecklist {
  variants?: readonly string[];
  play(
    sim: unknown,
    options?: { variant?: string; key?: string },
  ): { start: { reference: string }; callbacks: { word: string; delivery: { body: unknown } }[] };
}

async function loadKitOf(id: string): Promise<KitForChecklist> {
  const path = `src/providers/${id}/testing/kit.ts`;
  let loaded: { kit?: KitForChecklist };
  try {
    loaded = (await import(`../../src/providers/${id}/testing/kit`)) as { kit?: KitForChecklist };
  } catch (err) {
    throw new Error(`provider ${id}: no testing kit (${path}, exporting \`kit\`)`, { cause: err });
  }
  if (loaded.kit?.provider !== id) throw new Error(`provider ${id}: ${path} must export \`kit\` for ${id}`);
  return loaded.kit;
}

/** What each provider's test folder (src/providers/<id>/test/) must export, and who loads it. */
const TEST_MODULES = [
  { file: 'cases', name: 'cases', usedBy: 'npm run record-histories and the replay stories' },
  { file: 'seeds', name: 'seeds', usedBy: 'the hostile-body and fuzz tests' },
  { file: 'sequences', name: 'sequences', usedBy: "the reducer's property test" },
  { file: 'production', name: 'production', usedBy: 'the configuration tests' },
  { file: 'word-lookups', name: 'lookups', usedBy: 'the prototype-word test' },
  { file: 'unknown-word-cases', name: 'cases', usedBy: 'the unknown-word test' },
] as const;

describe.each(PROVIDERS)('provider %s', (id) => {
  const module: ProviderModule = providerRegistry[id];

  it(`${id}: its registry entry, ID and variable names`, () => {
    const problems: string[] = [];
    if (module.id !== id)
      problems.push(`provider ${id}: its module says id '${module.id}' (src/providers/registry.ts)`);
    if (!/^[a-z][a-z0-9]*$/.test(id)) problems.push(`provider ${id}: an ID is [a-z][a-z0-9]* (route, variables)`);
    for (const variable of module.variables) {
      if (!variable.name.startsWith(`${id.toUpperCase()}_`)) {
        problems.push(`provider ${id}: its variable ${variable.name} does not start with ${id.toUpperCase()}_`);
      }
    }
    expect(problems).toEqual([]);
  });

  it(`${id}: every workflow ID it can name fits Temporal's SQL stores (255 characters)`, () => {
    // Temporal on PostgreSQL or MySQL keeps workflow IDs in VARCHAR(255) columns; a longer ID fails
    // its start. The longest a reference may be (src/providers/common.ts) with the longest ID form.
    const reference = `R${'r'.repeat(199)}`;
    expect(referenceSchema.safeParse(reference).success).toBe(true);
    expect(referenceSchema.safeParse(`${reference}r`).success).toBe(false);
    const letter = deadLetterWorkflowId(id, 'f'.repeat(32));
    const ids = [kycWorkflowId(id, reference), letter, lateVerdictWorkflowId(id, reference, letter)];
    const tooLong = ids.filter((workflowId) => workflowId.length > 255).map((workflowId) => workflowId.length);
    expect({ provider: id, tooLong, hint: 'a shorter provider ID (src/providers/registry.ts)' }).toEqual({
      provider: id,
      tooLong: [],
      hint: expect.any(String),
    });
  });

  it(`${id}: its status mapping in docs/providers.md is what its vocabulary answers`, () => {
    const problems: string[] = [];
    if (!readDoc('docs/providers.md').includes(statusMappings([module]))) {
      problems.push(`provider ${id}: docs/providers.md status mapping is missing or stale: run npm run docs`);
    }
    if (!module.vocabulary.some((line) => line.probe)) {
      problems.push(
        `provider ${id}: no line of its mapping is probed against its vocabulary (src/providers/${id}/mapping.ts)`,
      );
    }
    problems.push(...mappingDisagreements(id, module.vocabulary));
    expect(problems).toEqual([]);
  });

  it(`${id}: .env.example holds exactly what its settings read`, () => {
    const { read, problems } = settingsReads(module);
    const declared = new Set(providerVariables(module));
    const listed = envExampleNames();
    for (const name of declared) {
      if (!listed.has(name)) problems.push(`provider ${id}: .env.example has no ${name}= line: run npm run docs`);
    }
    for (const name of listed) {
      if (name.startsWith(`${id.toUpperCase()}_`) && !declared.has(name)) {
        problems.push(`provider ${id}: .env.example lists ${name}, which nothing declares: run npm run docs`);
      }
    }
    for (const name of read) {
      if (!listed.has(name)) problems.push(`provider ${id}: its settings read ${name}, which .env.example lacks`);
    }
    expect(problems).toEqual([]);
  });

  it(`${id}: docs/providers.md says how its verdicts are decided, and lists it`, () => {
    const problems: string[] = [];
    const verdicts = section('docs/providers.md', 'How verdicts are decided');
    if (!verdicts.includes(`\n### ${module.displayName}\n`)) {
      problems.push(
        `provider ${id}: docs/providers.md has no "### ${module.displayName}" under "How verdicts are decided": ` +
          'write what is trusted, what is confirmed and what ends a verification',
      );
    }
    if (!readDoc('docs/providers.md').includes(providerList([module]))) {
      problems.push(`provider ${id}: docs/providers.md's list of providers is missing or stale: run npm run docs`);
    }
    expect(problems).toEqual([]);
  });

  it(`${id}: every callback its simulator sends parses with its own parser`, async () => {
    const kit = await loadKitOf(id);
    const sim = await kit.start();
    const problems: string[] = [];
    try {
      const config = loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: id, ...kit.environment(sim) });
      const parser = module.createCallbackParser(enabledProvider(config, id).settings);
      const stories = { ...kit.stories, neverFinishes: kit.neverFinishes };
      for (const [name, story] of Object.entries(stories)) {
        for (const variant of story.variants ?? [undefined]) {
          const played = story.play(sim, variant ? { variant } : {});
          const label = `story ${name}${variant ? ` (${variant})` : ''}`;
          if (played.callbacks.length === 0 && name !== 'neverFinishes') {
            problems.push(`provider ${id}: ${label} sends no callback`);
          }
          for (const { word, delivery } of played.callbacks) {
            try {
              const parsed = parser.parse(delivery.body, new Date().toISOString(), JSON.stringify(delivery.body));
              if (parsed.rejected.length > 0) {
                problems.push(
                  `provider ${id}: ${label}, callback ${word}: rejected ${JSON.stringify(parsed.rejected)}`,
                );
              }
              if (parsed.events.length + (parsed.joinOnly?.length ?? 0) === 0)
                problems.push(`provider ${id}: ${label}, callback ${word}: no event`);
              const recorded = parsed.events.map((event) => event.providerStatus);
              if (parsed.events.length > 0 && !recorded.includes(word)) {
                problems.push(
                  `provider ${id}: ${label}, callback ${word} is recorded as ${recorded.join(', ')} ` +
                    '(its kit and its parser disagree)',
                );
              }
            } catch (err) {
              const message = err instanceof Error ? err.message : String(err);
              problems.push(`provider ${id}: ${label}, callback ${word} does not parse with its schema: ${message}`);
            }
          }
        }
      }
    } finally {
      await sim.close();
    }
    expect(problems).toEqual([]);
  });

  it(`${id}: its test folder holds what the shared tests load from it`, () => {
    const problems = TEST_MODULES.flatMap(({ file, name, usedBy }) => {
      try {
        providerTestModule(id, file, name);
        return [];
      } catch (err) {
        return [`${(err as Error).message.split('\n')[0]} (used by ${usedBy}; docs/providers.md, "Add a provider")`];
      }
    });
    expect(problems).toEqual([]);
  });

  it(`${id}: its kit's callback with any word carries that word, unknown, to the verification of its key`, async () => {
    const kit = await loadKitOf(id);
    if (typeof kit.callbackWithWord !== 'function') {
      throw new Error(
        `provider ${id}: src/providers/${id}/testing/kit.ts has no callbackWithWord (src/testing/kit.ts)`,
      );
    }
    const sim = await kit.start();
    try {
      const config = loadConfig({ ...DEV_DEFAULTS, KYC_PROVIDERS: id, ...kit.environment(sim) });
      const parser = module.createCallbackParser(enabledProvider(config, id).settings);
      const key = 'word-key-1';
      const reference = Object.values(kit.stories)[0]!.play(sim, { key }).start.reference;
      for (const sent of ['constructor', '__proto__', 'A\u0000\u202eB', 'a-word-of-its-own']) {
        const { word, delivery } = kit.callbackWithWord(sim, key, sent, new Date());
        const parsed = parser.parse(delivery.body, new Date().toISOString(), JSON.stringify(delivery.body));
        expect(parsed.rejected).toEqual([]);
        expect(parsed.events.map((event) => [event.reference, event.providerStatus, event.meaning])).toEqual([
          [reference, word, expect.objectContaining({ status: 'ACTION_REQUIRED', unknownWord: sent })],
        ]);
      }
    } finally {
      await sim.close();
    }
  });
});
