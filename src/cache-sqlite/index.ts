/**
 * `dagflow/cache`: a persistent cache store on SQLite (through better-sqlite3, an optional peer
 * loaded when `sqliteCache()` is called). Results are kept with structured serialization
 * (`node:v8`), written in transactions committed at least every 250 ms, so a killed process
 * loses at most the last quarter second of results and a rerun reuses everything committed.
 *
 * @since 0.4.0
 */
import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { deserialize, serialize } from 'node:v8'
import type Database from 'better-sqlite3'
import {
  CacheFileError,
  GraphError,
  unstable_checkOptions as checkOptions,
  unstable_describeValue as describeValue,
  unstable_requirePeer as requirePeer,
  type CacheStore,
} from 'dagflow'

/**
 * Options of {@link sqliteCache}.
 *
 * @category constructors
 * @since 0.4.0
 */
export interface SqliteCacheOptions {
  /** how often pending results are committed, in milliseconds (default 250, at most 250) */
  readonly commitMs?: number
}

/**
 * A cache store that survives the process.
 *
 * @category models
 * @since 0.4.0
 */
export interface SqliteCache extends CacheStore {
  /** the number of committed entries */
  readonly size: number
  /** commits what is pending now */
  commit(): void
  /** removes every entry */
  clear(): void
  /** commits and closes the file */
  close(): void
}

const FORMAT = 'dagflow-cache/1'

const keptProtos = new Set<unknown>([
  Object.prototype,
  null,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  ArrayBuffer.prototype,
])

/** Whether structured serialization gives this value back as it is (no class, no function). */
function keepable(u: unknown, seen: Set<object> = new Set()): boolean {
  if (typeof u === 'function' || typeof u === 'symbol') return false
  if (typeof u !== 'object' || u === null) return true
  if (seen.has(u)) return true
  seen.add(u)
  if (ArrayBuffer.isView(u)) return true
  if (!keptProtos.has(Object.getPrototypeOf(u))) return false
  if (u instanceof Map) return [...u].every(([k, v]) => keepable(k, seen) && keepable(v, seen))
  if (u instanceof Set) return [...u].every((v) => keepable(v, seen))
  return Object.values(u).every((v) => keepable(v, seen))
}

/**
 * A persistent {@link CacheStore} in the SQLite file at `path` (created with its folder if
 * missing). Two processes can share one file. Values that structured serialization cannot keep
 * as they are (functions, symbols, class instances) are not stored, with one warning. A file that
 * is not a DAGFlow cache, or is damaged, fails with a `CacheFileError` naming it and how to clear it.
 * Without the optional peer `better-sqlite3` it throws a `GraphError` saying how to install it.
 *
 * @example
 * import { rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { LocalExecutor, node, pipeline } from 'dagflow'
 * import { sqliteCache } from 'dagflow/cache'
 * const file = join(tmpdir(), `dagflow-doc-${process.pid}.db`)
 * let calls = 0
 * const sq = node({ output: 'sq', mapAxis: 'x' }, ({ x }: { x: number }) => (calls++, x * x))
 * const first = sqliteCache(file)
 * await new LocalExecutor().map(pipeline(sq), { x: [1, 2] }, { cache: first })
 * first.close()
 * const reopened = sqliteCache(file)
 * const r = await new LocalExecutor().map(pipeline(sq), { x: [1, 2] }, { cache: reopened })
 * r.outputs.sq // => [1, 4]
 * calls // => 2
 * reopened.close()
 * rmSync(file, { force: true })
 * @category constructors
 * @since 0.4.0
 */
export function sqliteCache(path: string, options: SqliteCacheOptions = {}): SqliteCache {
  if (typeof path !== 'string' || path === '') {
    throw new GraphError(`sqliteCache(path): path must be the path of a file, got ${describeValue(path)}.`)
  }
  checkOptions('sqliteCache', options, ['commitMs'])
  const given = options.commitMs
  if (given !== undefined && !(typeof given === 'number' && given > 0)) {
    throw new GraphError(`sqliteCache: \`commitMs\` must be a number of milliseconds > 0, got ${describeValue(given)}.`)
  }
  const commitMs = Math.min(250, Math.max(1, given ?? 250))
  const Sqlite = loadSqlite()
  // a path that cannot hold a file: deleting it (the usual fix) is not the fix
  const where = placeOf(path)
  if (where !== undefined) throw new CacheFileError(path, where.problem, undefined, where.fix)
  let db: Database.Database
  try {
    mkdirSync(dirname(path), { recursive: true })
    db = new Sqlite(path)
    db.pragma('busy_timeout = 10000')
    const tables = (db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map(
      (t) => t.name,
    )
    if (tables.length > 0 && !tables.includes('dagflow_meta')) {
      db.close()
      throw new CacheFileError(path, `it is a SQLite database of something else (tables: ${tables.join(', ')})`)
    }
    db.pragma('journal_mode = WAL')
    db.exec(
      'create table if not exists dagflow_meta (name text primary key, value text not null);' +
        'create table if not exists dagflow_cache (key text primary key, value blob not null) without rowid;',
    )
    db.prepare("insert or ignore into dagflow_meta (name, value) values ('format', ?)").run(FORMAT)
    const format = (db.prepare("select value from dagflow_meta where name = 'format'").get() as { value: string } | undefined)
      ?.value
    if (format !== FORMAT) {
      db.close()
      throw new CacheFileError(path, `it holds format ${JSON.stringify(format)}, not ${FORMAT}`)
    }
  } catch (e) {
    if (e instanceof CacheFileError) throw e
    throw new CacheFileError(path, `it could not be opened as a SQLite cache (${e instanceof Error ? e.message : String(e)})`, e)
  }
  const read = db.prepare('select value from dagflow_cache where key = ?').pluck()
  const write = db.prepare('insert or replace into dagflow_cache (key, value) values (?, ?)')
  const pending = new Map<string, Buffer>()
  const flush = db.transaction((entries: ReadonlyArray<[string, Buffer]>) => {
    for (const [k, v] of entries) write.run(k, v)
  })
  let timer: ReturnType<typeof setTimeout> | undefined
  let open = true
  let warned = false
  const commit = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (!open || pending.size === 0) return
    const entries = [...pending]
    pending.clear()
    flush(entries)
  }
  const onExit = (): void => commit()
  process.once('exit', onExit)
  return {
    get(key) {
      const buf = pending.get(key) ?? (read.get(key) as Buffer | undefined)
      if (buf === undefined) return undefined
      try {
        return { value: deserialize(buf) as unknown }
      } catch (e) {
        throw new CacheFileError(path, `the entry for key ${key} is damaged`, e)
      }
    },
    set(key, value) {
      let buf: Buffer
      try {
        if (!keepable(value)) throw new Error('not keepable')
        buf = serialize(value)
      } catch {
        if (!warned) {
          warned = true
          process.emitWarning(
            `dagflow: a result that structured serialization cannot keep (${kindOf(value)}) was not stored in ${path}; ` +
              'results like it are computed again on the next run. (Shown once per store.)',
            { code: 'DAGFLOW_NOT_STORED' },
          )
        }
        return
      }
      pending.set(key, buf)
      timer ??= setTimeout(commit, commitMs)
      timer.unref()
    },
    get size() {
      return (db.prepare('select count(*) from dagflow_cache').pluck().get() as number) + pending.size
    },
    commit,
    clear() {
      pending.clear()
      db.exec('delete from dagflow_cache')
    },
    close() {
      commit()
      open = false
      process.removeListener('exit', onExit)
      db.close()
    },
  }
}

/** What a value is, for the not-stored warning: `a function`, `an instance of Model`, … */
function kindOf(value: unknown): string {
  if (typeof value === 'function') return 'a function'
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `an instance of ${name}` : 'an object'
}

/** Why `path` cannot be a cache file without anything being deleted, and the fix, if so. */
function placeOf(path: string): { readonly problem: string; readonly fix: string } | undefined {
  try {
    if (statSync(path).isDirectory()) {
      return { problem: 'it is a directory', fix: 'Pass sqliteCache() the path of a file in it, e.g. join(dir, "cache.db").' }
    }
  } catch (e) {
    const code = (e as { code?: unknown }).code
    if (code === 'ENOTDIR') {
      return {
        problem: 'a part of its directory path is a file',
        fix: 'Pass sqliteCache() a path whose directories are directories (or do not exist yet).',
      }
    }
  }
  return undefined
}

/**
 * Loads `better-sqlite3` (a CommonJS package) when `sqliteCache()` is called, so that importing
 * `dagflow/cache` without it fails no import, and calling it says how to install it.
 */
const loadSqlite = (): typeof Database =>
  requirePeer<typeof Database>(
    'better-sqlite3',
    'sqliteCache(path) needs the optional peer dependency `better-sqlite3`, which is not ' +
      'installed. Install it with `npm install better-sqlite3@12` (version 13 needs Node 22).',
  )
