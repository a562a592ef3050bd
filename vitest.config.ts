import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['dagflow:source'] },
  ssr: { resolve: { conditions: ['dagflow:source'] } },
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    typecheck: { enabled: true, include: ['tests/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 30_000,
    benchmark: { include: ['tests/bench/**/*.bench.ts'] },
  },
})
