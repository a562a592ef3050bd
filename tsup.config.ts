import { defineConfig } from 'tsup'

// Entries: the core `dagflow`, `dagflow/arrow` and `dagflow/testing`. Sub-entries import the
// core as 'dagflow' (kept external), so the CJS and ESM builds each have one copy of the error
// classes. ESM keeps p-limit external (an ESM-only dependency); CJS bundles it, since
// `require('p-limit')` fails.
const shared = {
  entry: {
    index: 'src/index.ts',
    arrow: 'src/executors/arrow/index.ts',
    testing: 'src/testing/index.ts',
  },
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  external: ['dagflow', 'fp-ts', 'io-ts', 'apache-arrow', 'fast-check'],
} as const

export default defineConfig([
  // the runner loads dagflow/arrow with require() in CJS and import() in ESM (src/runner.ts)
  { ...shared, format: ['esm'], define: { __DAGFLOW_CJS__: 'false' } },
  {
    ...shared,
    format: ['cjs'],
    noExternal: ['p-limit', 'yocto-queue'],
    define: { __DAGFLOW_CJS__: 'true' },
  },
])
