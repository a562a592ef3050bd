import { defineConfig } from 'tsup'

// Entries: the core `dagflow`, `dagflow/arrow`, `dagflow/testing`, `dagflow/observe`, and the
// `dagflow` command. Sub-entries import the core as 'dagflow' (kept external), so the CJS and
// ESM builds each have one copy of the error classes. ESM keeps p-limit external (an ESM-only
// dependency); CJS bundles it, since `require('p-limit')` fails.
const shared = {
  entry: {
    index: 'src/index.ts',
    arrow: 'src/executors/arrow/index.ts',
    testing: 'src/testing/index.ts',
    observe: 'src/observe/index.ts',
    cache: 'src/cache-sqlite/index.ts',
  },
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  external: [
    'dagflow',
    'fp-ts',
    'io-ts',
    'apache-arrow',
    'fast-check',
    '@opentelemetry/api',
    '@hpcc-js/wasm-graphviz',
    'tsx',
    'cli-progress',
    'better-sqlite3',
  ],
} as const

export default defineConfig([
  // the runner loads dagflow/arrow with require() in CJS and import() in ESM (src/runner.ts)
  // no code splitting: one self-contained file per entry, as in the CJS build
  { ...shared, format: ['esm'], splitting: false, define: { __DAGFLOW_CJS__: 'false' } },
  {
    ...shared,
    format: ['cjs'],
    noExternal: ['p-limit', 'yocto-queue'],
    define: { __DAGFLOW_CJS__: 'true' },
  },
  // the command: ESM only, with a shebang
  {
    ...shared,
    entry: { cli: 'src/cli/index.ts' },
    format: ['esm'],
    dts: false,
    banner: { js: '#!/usr/bin/env node' },
    define: { __DAGFLOW_CJS__: 'false' },
  },
])
