/**
 * The layers of the code, bottom to top (docs/architecture.md, "Layers"): a file imports only its
 * own layer and the layers below it, type-only imports included. `npm run lint` enforces them with
 * eslint-plugin-import's `no-restricted-paths`; test/unit/layers.test.ts proves an upward import fails.
 *
 * `dirs` are folders or files (everything below a folder belongs to the layer); `globs` are used
 * where a layer is a pattern (a provider's testing folder). `targets`, when given, are the files the
 * rule checks for the layer, when they are fewer than what it owns.
 */
const LAYERS = [
  { name: 'model', dirs: ['./src/verification'] },
  { name: 'contracts', dirs: ['./src/contracts'] },
  {
    name: 'workflow code',
    dirs: [
      './src/workflows',
      './src/dead-letters/workflow.ts',
      './src/late-verdicts/workflow.ts',
      './src/all-workflows.ts',
    ],
  },
  {
    name: 'foundation',
    dirs: ['./src/config', './src/logger.ts', './src/http', './src/observability/prometheus.ts'],
  },
  {
    name: 'providers',
    // Only a provider's runtime files; its testing/ and test/ folders sit in the layers above.
    targets: ['./src/providers/*.ts', './src/providers/*/*.ts'],
    dirs: ['./src/providers'],
  },
  { name: 'app configuration', dirs: ['./src/app-config.ts'] },
  {
    name: 'plumbing',
    dirs: ['./src/temporal', './src/observability', './src/codec-server.ts', './src/codec-auth.ts'],
  },
  { name: 'activities', dirs: ['./src/activities'] },
  { name: 'dead letters', dirs: ['./src/dead-letters'] },
  { name: 'late verdicts', dirs: ['./src/late-verdicts'] },
  { name: 'inbox', dirs: ['./src/inbox'] },
  { name: 'ingress and client', dirs: ['./src/ingress', './src/client'] },
  {
    name: 'composition',
    dirs: [
      './src/worker.ts',
      './src/start.ts',
      './src/worker-main.ts',
      './src/ingress-main.ts',
      './src/codec-server-main.ts',
      './src/main-support.ts',
    ],
  },
  {
    name: 'testing',
    targets: ['./src/testing/**', './src/providers/*/testing/**'],
    globs: ['./src/testing/**', './src/providers/*/testing/**'],
  },
  {
    name: 'repo-only',
    globs: ['./src/providers/*/test/**', './test/**', './tools/**', './bench/**', './chaos/**', './scripts/**'],
  },
];

const LAYER_MESSAGE = (name) =>
  `The ${name} layer imports only itself and the layers below it (docs/architecture.md, Layers)`;

const path = require('node:path');

/** Whether `inner` is `outer` or lies below it (both relative to the repository root). */
function within(inner, outer) {
  const relative = path.relative(outer, inner);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * The zones of one layer: for each folder or file of a layer above, a zone forbidding imports from
 * it (except what of it belongs to this layer or one below, e.g. a slice's bundled workflow.ts), and
 * one zone for the globs above (the rule takes either paths or globs in one zone, not both).
 */
function zonesOf(layers) {
  const zones = [];
  layers.forEach((layer, index) => {
    const own = layers.slice(0, index + 1).flatMap((each) => each.dirs ?? []);
    const above = layers.slice(index + 1);
    const target = layer.targets ?? [...(layer.dirs ?? []), ...(layer.globs ?? [])];
    const message = LAYER_MESSAGE(layer.name);
    for (const from of above.flatMap((each) => each.dirs ?? [])) {
      const except = own.filter((mine) => within(mine, from)).map((mine) => `./${path.relative(from, mine)}`);
      zones.push({ target, from, ...(except.length ? { except } : {}), message });
    }
    const globs = above.flatMap((each) => each.globs ?? []);
    if (globs.length) zones.push({ target, from: globs, message });
  });
  return zones;
}

const layerZones = [
  ...zonesOf(LAYERS),
  // Peers on one layer: each edge calls the slices below, never the other edge.
  { target: './src/ingress', from: './src/client', message: 'The ingress never imports the client.' },
  { target: './src/client', from: './src/ingress', message: 'The client never imports the ingress.' },
  // Node-side code reaches workflow code only through the worker's bundle (src/all-workflows.ts).
  {
    target: ['./src/!(all-workflows).ts', './src/!(workflows)/**/!(workflow).ts'],
    from: ['./src/workflows', './src/dead-letters/workflow.ts', './src/late-verdicts/workflow.ts'],
    message: "Workflow code runs in the worker's bundle: nothing else imports it (src/all-workflows.ts).",
  },
  // The model's vocabulary imports nothing at all.
  {
    target: './src/verification/model.ts',
    from: './src',
    except: ['./verification/model.ts'],
    message: 'The model imports nothing.',
  },
  {
    target: ['./src/*.ts', './src/!(testing|providers)/**', './src/providers/*.ts', './src/providers/*/*.ts'],
    from: ['./src/testing/**', './src/providers/*/testing/**', './src/providers/*/test/**'],
    message: 'Runtime code never imports testing code.',
  },
];

/** How the plugin resolves our relative imports (no path aliases: the node resolver with .ts). */
const layerSettings = {
  'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
  'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
};

module.exports = { LAYERS, layerZones, layerSettings };
