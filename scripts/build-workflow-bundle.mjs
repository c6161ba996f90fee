// `npm run build`, after tsc: bundles the compiled workflow code once, so workers load
// dist/workflow-bundle.js instead of running webpack at every start.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { bundleWorkflowCode } = require('@temporalio/worker');
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const quiet = () => undefined;

const { code } = await bundleWorkflowCode({
  workflowsPath: require.resolve(join(dist, 'all-workflows')),
  // The failure converter runs inside the workflow sandbox too (see src/temporal/failure-converter.ts).
  failureConverterPath: require.resolve(join(dist, 'temporal', 'failure-converter')),
  logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error },
});
writeFileSync(join(dist, 'workflow-bundle.js'), code);
