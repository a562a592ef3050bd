import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { CacheFileError, LocalExecutor, node, pipeline } from 'dagflow'
import { sqliteCache } from 'dagflow/cache'
import { thrown } from '../helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'dagflow-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const root = fileURLToPath(new URL('../..', import.meta.url))
// node itself with tsx's loader (not the tsx command, whose own child would outlive a SIGKILL)
const node_ = (args: ReadonlyArray<string>) => ['--import', 'tsx', '--conditions=dagflow:source', ...args]
const child = join(root, 'tests/cache/kill-child.ts')

const counted = () => {
  let calls = 0
  const n = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => {
    calls++
    return { x, list: [x, -x], when: new Date(0) }
  })
  return { p: pipeline(n), calls: () => calls }
}

describe('sqliteCache', () => {
  it('persists results across stores (and processes), deserialized to equal values', async () => {
    const file = join(dir, 'a.db')
    const one = counted()
    const first = sqliteCache(file)
    const r1 = await new LocalExecutor().map(one.p, { x: [1, 2, 3] }, { cache: first })
    first.close()
    const two = counted()
    const again = sqliteCache(file)
    const r2 = await new LocalExecutor().map(two.p, { x: [1, 2, 3, 4] }, { cache: again })
    expect(two.calls()).toBe(1)
    expect(r2.outputs.y.slice(0, 3)).toStrictEqual(r1.outputs.y)
    expect(r2.stats.nodes['y']?.cached).toBe(3)
    expect(again.size).toBe(4)
    again.clear()
    expect(again.size).toBe(0)
    again.close()
  })

  it('does not store what structured serialization cannot keep, with one warning', async () => {
    class Box {
      readonly v: number
      constructor(v: number) {
        this.v = v
      }
    }
    const warnings: Array<{ code?: string; message: string }> = []
    const on = (w: Error) => warnings.push(w as { code?: string; message: string })
    process.on('warning', on)
    const cache = sqliteCache(join(dir, 'b.db'))
    let calls = 0
    const p = pipeline(node({ output: 'box', mapAxis: 'x' }, ({ x }: { x: number }) => (calls++, new Box(x))))
    await new LocalExecutor().map(p, { x: [1, 2] }, { cache })
    const r = await new LocalExecutor().map(p, { x: [1, 2] }, { cache })
    await new Promise((res) => setImmediate(res))
    process.off('warning', on)
    expect(calls).toBe(4)
    expect(r.outputs.box[0]).toBeInstanceOf(Box)
    const notStored = warnings.filter((w) => w.code === 'DAGFLOW_NOT_STORED')
    expect(notStored).toHaveLength(1)
    expect(notStored[0]?.message).toContain('(an instance of Box)')
    cache.close()
  })

  it('refuses a file that is not a DAGFlow cache, naming it and how to clear it', () => {
    const text = join(dir, 'text.db')
    writeFileSync(text, 'this is not a database, just text that is long enough to be read as a header.....')
    let e: unknown
    try {
      sqliteCache(text)
    } catch (err) {
      e = err
    }
    expect(e).toBeInstanceOf(CacheFileError)
    expect(e).toMatchObject({ code: 'CACHE_FILE', file: text })
    expect((e as Error).message).toContain('rm ')
    const foreign = join(dir, 'foreign.db')
    const other = new Database(foreign)
    other.exec('create table users (id integer primary key)')
    other.close()
    expect(() => sqliteCache(foreign)).toThrow(CacheFileError)
  })

  it('says what to do for a path that cannot hold a file, a non-path, and a misspelled option', () => {
    const message = (f: () => unknown): string => String(thrown(f))
    // a directory: deleting it is not the fix
    expect(message(() => sqliteCache(dir))).toContain('it is a directory. Pass sqliteCache() the path of a file in it')
    expect(message(() => sqliteCache(dir))).not.toContain('rm ')
    const file = join(dir, 'plain.txt')
    writeFileSync(file, 'x')
    expect(message(() => sqliteCache(join(file, 'c.db')))).toContain('a part of its directory path is a file')
    expect(message(() => sqliteCache(42 as never))).toContain('path must be the path of a file, got 42')
    expect(message(() => sqliteCache(join(dir, 'o.db'), { commitMS: 10 } as never))).toContain(
      '`commitMS` is not an option (known: commitMs)',
    )
    expect(message(() => sqliteCache(join(dir, 'o.db'), { commitMs: 'x' as never }))).toContain('`commitMs` must be')
  })

  it('survives a killed process: a rerun reuses every committed entry and recomputes the rest', async () => {
    const file = join(dir, 'kill.db')
    const count = 60
    const first = spawn(process.execPath, node_([child, file, String(count), '100']), {
      cwd: root,
    })
    let out = ''
    first.stdout.on('data', (d: Buffer) => (out += d.toString()))
    // kill it once about a third of the items are done
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if ((out.match(/call /g) ?? []).length >= count / 3) {
          clearInterval(check)
          first.kill('SIGKILL')
          resolve()
        }
      }, 10)
    })
    await new Promise((r) => first.on('close', r)) // 'close': after its stdout is read to the end
    expect(out).not.toContain('done')
    const computedBefore = (out.match(/call /g) ?? []).length
    const rerun = spawnSync(process.execPath, node_([child, file, String(count), '1']), {
      cwd: root,
      encoding: 'utf8',
    })
    expect(rerun.status, rerun.stderr).toBe(0)
    const recomputed = (rerun.stdout.match(/call /g) ?? []).length
    // everything committed before the kill is reused; at most the last ~250 ms is lost
    expect(recomputed).toBeLessThan(count)
    expect(recomputed).toBeGreaterThanOrEqual(count - computedBefore)
    // lost: what finished in the last commit interval (250 ms at 4 items per 100 ms) and what was in flight
    expect(recomputed).toBeLessThanOrEqual(count - computedBefore + 16)
    const done = /done (.*)/.exec(rerun.stdout)?.[1]
    expect(JSON.parse(done ?? 'null')).toStrictEqual(Array.from({ length: count }, (_, i) => i * i))
  }, 60_000)

  it('lets two processes write one file at once', async () => {
    const file = join(dir, 'shared.db')
    const run = (n: number) =>
      new Promise<number>((resolve) => {
        const c = spawn(process.execPath, node_([child, file, String(n), '2']), { cwd: root })
        c.on('exit', (code) => resolve(code ?? -1))
      })
    const codes = await Promise.all([run(40), run(40)])
    expect(codes).toStrictEqual([0, 0])
    const after = spawnSync(process.execPath, node_([child, file, '40', '1']), {
      cwd: root,
      encoding: 'utf8',
    })
    expect(after.status, after.stderr).toBe(0)
    expect((after.stdout.match(/call /g) ?? []).length).toBe(0)
  }, 60_000)

  it('without better-sqlite3: the entry loads; sqliteCache() throws a GraphError saying how to install it', () => {
    // a preloaded hook makes require() fail to find the package, as where it is not installed
    const never = join(dir, 'never.db')
    const script = [
      "import { DagflowError, GraphError } from 'dagflow'",
      "import { sqliteCache } from 'dagflow/cache'",
      'let error',
      `try { sqliteCache(${JSON.stringify(never)}) } catch (e) { error = e }`,
      'console.log(JSON.stringify({',
      '  graph: error instanceof GraphError,',
      '  base: error instanceof DagflowError,',
      "  hint: String(error?.message).includes('npm install better-sqlite3@12'),",
      "  cause: error?.cause?.code === 'MODULE_NOT_FOUND' &&",
      "    error.cause.message.includes(\"'better-sqlite3'\"),",
      '}))',
    ].join('\n')
    const hook = join(root, 'tests/cli/fixtures/hide-peers.cjs')
    const r = spawnSync(
      process.execPath,
      ['--require', hook, ...node_(['--input-type=module', '--eval', script])],
      { cwd: root, encoding: 'utf8', env: { ...process.env, DAGFLOW_HIDE_PEERS: 'better-sqlite3' } },
    )
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toStrictEqual({ graph: true, base: true, hint: true, cause: true })
    expect(existsSync(never)).toBe(false)
  })
})
