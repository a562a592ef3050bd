import { defineConfig } from 'tsup'

// ESM keeps p-limit external (it is ESM-only and a dependency); CJS bundles it, since
// `require('p-limit')` fails. `dagflow` itself stays external so sub-entries share one copy.
const shared = {
  entry: { index: 'src/index.ts' },
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  external: ['dagflow', 'fp-ts', 'io-ts', 'apache-arrow', 'fast-check'],
} as const

export default defineConfig([
  { ...shared, format: ['esm'] },
  { ...shared, format: ['cjs'], noExternal: ['p-limit', 'yocto-queue'] },
])
