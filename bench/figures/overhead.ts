/**
 * Figure 2: the ingress's own cost. The full route (auth, raw body, validation, normalisation)
 * with the hand-over stubbed to resolve at once, against a bare Express JSON route and a bare
 * node:http server, in one forked process measured one after the other.
 */
import { join } from 'node:path';
import { loadCallback, loadHeaders, loadPath, type BenchContext } from '../lib/context';
import { httpLoad, type LoadResult } from '../lib/load';
import { row } from '../lib/report';
import { startBareServers } from '../lib/stack';
import { repeated } from '../lib/stats';

export async function overheadFigure(context: BenchContext): Promise<void> {
  const servers = await startBareServers(context.env, join(context.logDir, 'bare-servers.log'));
  try {
    const headers = loadHeaders(context);
    const body = () => loadCallback(context, 'verdict').body;
    const targets = {
      stubbed: servers.ports.stubbedIngress,
      express: servers.ports.bareExpress,
      http: servers.ports.nodeHttp,
    };
    const load = (port: number, durationS: number) =>
      httpLoad({ url: `http://127.0.0.1:${port}${loadPath(context)}`, connections: 50, durationS, headers, body });
    for (const port of Object.values(targets)) await load(port, context.settings.warmupS);
    const results: Record<keyof typeof targets, LoadResult[]> = { stubbed: [], express: [], http: [] };
    for (let rep = 0; rep < context.settings.repetitions; rep += 1) {
      for (const [name, port] of Object.entries(targets) as [keyof typeof targets, number][]) {
        results[name].push(await load(port, context.settings.durationS));
      }
      context.log(
        `  overhead rep ${rep + 1}: stubbed ${results.stubbed.at(-1)!.rate.toFixed(0)}/s, express ${results.express
          .at(-1)!
          .rate.toFixed(0)}/s, node:http ${results.http.at(-1)!.rate.toFixed(0)}/s`,
      );
    }
    const rate = (name: keyof typeof targets) => repeated(results[name].map((r) => r.rate));
    const p99 = (name: keyof typeof targets) => repeated(results[name].map((r) => r.p99));
    context.rows.push(
      row(
        '2',
        'ingress, hand-over stubbed: requests/s (c50)',
        '/s',
        rate('stubbed'),
        'bare Express JSON route',
        rate('express'),
        {
          on: 'ratio',
          atLeast: 0.85,
        },
      ),
      row('2', 'ingress, hand-over stubbed: requests/s (c50)', '/s', rate('stubbed'), 'bare node:http', rate('http')),
      row(
        '2',
        'ingress, hand-over stubbed: p99 (c50)',
        'ms',
        p99('stubbed'),
        'bare Express JSON route',
        p99('express'),
      ),
    );
  } finally {
    await servers.child.stop();
  }
}
