/**
 * A module a provider keeps in its own test folder for a shared test (its word lookups, say):
 * src/providers/<id>/test/<file>.ts, found by the provider's registry ID. A provider without it fails
 * the test that asks, naming the file and the export it needs.
 */
export function providerTestModule<T>(provider: string, file: string, name: string): T {
  const path = `src/providers/${provider}/test/${file}.ts`;
  let loaded: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(`../../src/providers/${provider}/test/${file}`) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`provider ${provider}: ${path} could not be loaded: ${(err as Error).message}`);
  }
  if (loaded[name] === undefined) throw new Error(`provider ${provider}: ${path} must export \`${name}\``);
  return loaded[name] as T;
}
