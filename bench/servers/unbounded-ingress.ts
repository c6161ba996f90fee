/**
 * The overload figure's baseline: our ingress exactly as ingress-main builds it, but with a limit
 * on hand-overs in flight that never engages, as the ingress was before it had one.
 */
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { HandoverLimit } from '../../src/ingress/handover-limit';
import { listen } from '../../src/http/listen';
import { silentLogger } from '../../src/logger';
import { createTemporalClient } from '../../src/temporal/connection';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const never = Number.MAX_SAFE_INTEGER;
  const app = createIngressApp({
    client: createTemporalClient(config),
    config,
    logger: silentLogger,
    handoverLimit: new HandoverLimit({ cap: never, floor: never }),
  });
  const ingress = await listen(app, 0, '127.0.0.1');
  process.send?.({ port: ingress.port });
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench unbounded ingress: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
