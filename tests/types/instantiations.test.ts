import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

// The whole-graph type checks must stay cheap: a generated 100-node pipeline (a chain on one
// map axis, five shared constants, then map with typed inputs and outputs) is compiled with
// --extendedDiagnostics and its instantiation count bounded. Counts are deterministic for a
// given TypeScript version (pinned in package.json), unlike times.
const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = join(root, 'tests/types/.generated')

function chain(n: number): string {
  const lines = ["import { LocalExecutor, node, pipeline } from 'dagflow'"]
  lines.push("const n0 = node({ output: 'o0', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1)")
  for (let i = 1; i < n; i++) {
    const k = `k${i % 5}`
    lines.push(
      `const n${i} = node({ output: 'o${i}', mapAxis: 'o${i - 1}' }, ({ o${i - 1}, ${k} }: { o${i - 1}: number; ${k}: number }) => o${i - 1} + ${k})`,
    )
  }
  lines.push(`export const p = pipeline(${Array.from({ length: n }, (_, i) => `n${i}`).join(', ')})`)
  lines.push('export const r = new LocalExecutor().map(p, { x: [1], k0: 1, k1: 1, k2: 1, k3: 1, k4: 1 })')
  lines.push(`export const last: Promise<ReadonlyArray<number>> = r.then((v) => v.outputs.o${n - 1})`)
  return `${lines.join('\n')}\n`
}

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('type-level cost', () => {
  it('checks a 100-node pipeline in under 1,000,000 instantiations', () => {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'chain100.ts'), chain(100))
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../../../tsconfig.json', include: ['chain100.ts'], exclude: [] }),
    )
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    const report = execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--extendedDiagnostics'], {
      encoding: 'utf8',
    })
    const count = Number(/Instantiations:\s+(\d+)/.exec(report)?.[1])
    expect(count).toBeGreaterThan(0)
    expect(count).toBeLessThan(1_000_000)
  }, 60_000)
})
