/**
 * The package metadata, checked by publint (exports, files, fields) and Are the Types Wrong
 * (what each module resolution sees). Both pack the repo themselves; both run offline.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { exec, repo, requireBuild } from './exec.js'

const bin = (pkg: string, file: string): string => join(repo, 'node_modules', pkg, file)

beforeAll(requireBuild)

describe('package metadata', () => {
  it('passes publint, warnings included', () => {
    const cli = bin('publint', 'src/cli.js')
    const r = exec(process.execPath, [cli, '--strict', '--pack', 'npm'], repo)
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0)
  }, 60_000)

  it('passes attw for node16 (ESM and CJS consumers) and bundlers', () => {
    const cli = bin('@arethetypeswrong/cli', 'dist/index.js')
    const r = exec(
      process.execPath,
      [cli, '--pack', '.', '--profile', 'node16', '--format', 'json'],
      repo,
    )
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0)
    // node10 (pre-exports resolvers) cannot see subpath entries such as dagflow/arrow; the
    // node16 profile ignores it, and every other resolution must be clean
    const problems = (JSON.parse(r.stdout) as { analysis: { problems: Array<{ resolutionKind?: string }> } })
      .analysis.problems
    expect(problems.filter((p) => p.resolutionKind !== 'node10')).toStrictEqual([])
  }, 60_000)
})
