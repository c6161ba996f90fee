/** Reads the worker's Prometheus metrics (Temporal SDK): counters and histogram means between two scrapes. */
export type Scrape = Map<string, number>;

export async function scrape(url: string): Promise<Scrape> {
  const text = await (await fetch(url)).text();
  const totals: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+([-+\d.eE]+|NaN)$/.exec(line.trim());
    if (!match || match[1]!.endsWith('_bucket')) continue;
    // Summed over label sets: the bench has one namespace and one task queue per worker.
    totals.set(match[1]!, (totals.get(match[1]!) ?? 0) + Number(match[3]));
  }
  return totals;
}

export function delta(before: Scrape, after: Scrape, name: string): number {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

/** Mean of a histogram between two scrapes (in the histogram's unit), or undefined without samples. */
export function meanBetween(before: Scrape, after: Scrape, name: string): number | undefined {
  const count = delta(before, after, `${name}_count`);
  return count > 0 ? delta(before, after, `${name}_sum`) / count : undefined;
}
