/**
 * `dagflow run`: maps a pipeline over the items of a file with `createRunner`, writes the
 * per-item outputs to `.jsonl` or `.arrow`, and prints the outputs computed once to stdout.
 * With `--on-error collect` it keeps going past failed items: they are left out of the output
 * file and listed in `--errors FILE` (or on stderr).
 *
 * @since 0.3.0
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  AbortError,
  createRunner,
  isDagflowError,
  type DagflowError,
  type DagflowEvent,
  type ItemFailure,
  type MapResult,
  type Runner,
} from 'dagflow'
import { CliError, runError, setupError, usageError } from './cli-error.js'
import { unknownValueMessage } from './did-you-mean.js'
import { JsonTextError, toJsonText } from './json-text.js'
import { errorText, importPeer, isModuleNotFound, type LoadedPipeline } from './load-pipeline.js'
import { dataExtension, importArrow, readItems, type DataExtension } from './read-items.js'
import {
  KEY_COLUMN,
  writeArrow,
  writeErrorLines,
  writeJsonLines,
  type ErrorRow,
} from './write-output.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The options of `dagflow run`, checked.
 *
 * @category models
 */
export interface RunSettings {
  readonly input: string
  readonly output: string
  readonly outputKind: DataExtension
  readonly mode: 'local' | 'arrow' | 'auto'
  readonly batchSize: number | undefined
  readonly concurrency: number | undefined
  readonly progress: boolean
  /** `--set` values, parsed, in the order given */
  readonly set: ReadonlyArray<readonly [string, unknown]>
  /** `--on-error`: `fail` (default) stops at the first failure; `collect` keeps going */
  readonly onError: 'fail' | 'collect'
  /** `--errors FILE`: where collect mode lists the failed items (`.jsonl`); else stderr */
  readonly errors: string | undefined
  /** `--cache PATH`: a SQLite cache file (dagflow/cache) reused across runs */
  readonly cache: string | undefined
}

/**
 * How a run that completed went: `failed` counts the items left out (collect mode).
 *
 * @category models
 */
export interface RunOutcome {
  readonly items: number
  readonly failed: number
}

/** The raw option values of `dagflow run`, as parseArgs gives them. */
export interface RunFlags {
  readonly input?: string | undefined
  readonly output?: string | undefined
  readonly mode?: string | undefined
  readonly 'batch-size'?: string | undefined
  readonly concurrency?: string | undefined
  readonly progress?: boolean | undefined
  readonly set?: ReadonlyArray<string> | undefined
  readonly 'on-error'?: string | undefined
  readonly errors?: string | undefined
  readonly cache?: string | undefined
}

/** Where the command writes: stdout for the once-outputs, stderr for messages. */
export interface RunIO {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WriteStream
  readonly signal: AbortSignal
}

const NO_SQLITE =
  '--cache needs the optional peer dependency better-sqlite3, which is not installed. ' +
  'Install it with `npm install better-sqlite3@12`, or run without --cache.'

/** The SQLite cache of `--cache PATH` (dagflow/cache, which needs better-sqlite3). */
async function openCache(path: string): Promise<{ close(): void } & import('dagflow').CacheStore> {
  const mod = await importPeer(() => import('dagflow/cache'), 'better-sqlite3', NO_SQLITE)
  try {
    return mod.sqliteCache(path)
  } catch (e) {
    // dagflow/cache loads better-sqlite3 when sqliteCache() is called
    if (e instanceof Error && isModuleNotFound(e.cause, 'better-sqlite3')) {
      throw setupError(NO_SQLITE, e)
    }
    throw setupError(cacheFileText(errorText(e), path), e)
  }
}

/**
 * A cache file's error with its fix in the command's terms: the library's message says what to
 * pass `sqliteCache()`; here that is the `--cache` flag.
 */
const cacheFileText = (message: string, file: string): string =>
  message
    .replace('join(dir, "cache.db")', `--cache ${join(file, 'cache.db')}`)
    .replace(/sqliteCache\(\)/g, '--cache')

const MODES = ['auto', 'local', 'arrow'] as const
const ON_ERROR = ['fail', 'collect'] as const

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Checks the flags of `dagflow run` before anything loads: every problem is a usage error.
 *
 * @category constructors
 */
export function runSettings(flags: RunFlags): RunSettings {
  if (flags.input === undefined) {
    throw usageError('Missing --input FILE: the map-axis items.')
  }
  if (flags.output === undefined) {
    throw usageError('Missing --output FILE: where the per-item outputs go.')
  }
  dataExtension(flags.input, '--input')
  const outputKind = dataExtension(flags.output, '--output')
  if (resolve(flags.input) === resolve(flags.output)) {
    throw usageError(`--input and --output are the same file (${flags.output}).`)
  }
  const outDir = dirname(resolve(flags.output))
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) {
    const missing = dirname(flags.output)
    throw usageError(`--output ${flags.output}: the directory ${missing} does not exist.`)
  }
  const mode = flags.mode ?? 'auto'
  const m = MODES.find((x) => x === mode)
  if (m === undefined) throw usageError(unknownValueMessage('--mode', mode, MODES))
  const onErrorFlag = flags['on-error'] ?? 'fail'
  const onError = ON_ERROR.find((x) => x === onErrorFlag)
  if (onError === undefined) {
    throw usageError(unknownValueMessage('--on-error', onErrorFlag, ON_ERROR))
  }
  const errors = flags.errors
  if (errors !== undefined) {
    if (onError !== 'collect') {
      throw usageError(
        '--errors FILE lists the items that failed, which only --on-error collect keeps going ' +
          'past: add --on-error collect.',
      )
    }
    dataExtension(errors, '--errors')
    for (const [flag, other] of [['--input', flags.input], ['--output', flags.output]] as const) {
      if (resolve(errors) === resolve(other)) {
        throw usageError(`--errors and ${flag} are the same file (${errors}).`)
      }
    }
    const errorsDir = dirname(resolve(errors))
    if (!existsSync(errorsDir) || !statSync(errorsDir).isDirectory()) {
      throw usageError(`--errors ${errors}: the directory ${dirname(errors)} does not exist.`)
    }
  }
  return {
    input: flags.input,
    output: flags.output,
    outputKind,
    mode: m,
    batchSize: count('--batch-size', flags['batch-size']),
    concurrency: count('--concurrency', flags.concurrency),
    progress: flags.progress ?? false,
    set: (flags.set ?? []).map(parseSet),
    onError,
    errors,
    cache: flags.cache,
  }
}

/**
 * Runs the loaded pipeline as `settings` say. Resolves when the output file (and the errors
 * file), and stdout are written, with how many items failed (collect mode); rejects with a
 * {@link CliError}.
 *
 * @category constructors
 */
export async function runCommand(
  loaded: LoadedPipeline,
  settings: RunSettings,
  io: RunIO,
): Promise<RunOutcome> {
  const p = loaded.pipeline
  const axis = p.mapAxis
  if (axis === undefined) {
    throw setupError(
      `The pipeline ${loaded.ref.path}#${loaded.exportName} has no map axis (no node declares mapAxis), ` +
        'so there are no items to read from --input. Give a node a mapAxis.',
    )
  }
  const constants = constantInputs(loaded, settings, axis)
  const perItem = p.nodes.filter((n) => n.mapAxis !== undefined).map((n) => n.output)
  if (perItem.includes(KEY_COLUMN)) {
    throw setupError(
      `The pipeline has an output named "${KEY_COLUMN}", which the output file uses for the items' keys. ` +
        'Rename that output.',
    )
  }
  // load what writing needs before the run, so a missing optional peer fails first
  const arrow = settings.outputKind === '.arrow' ? await arrowWriter(settings.output) : undefined
  const items = await readItems(settings.input)

  let runner: Runner
  try {
    runner = createRunner({
      mode: settings.mode,
      ...(settings.batchSize === undefined ? {} : { batchSize: settings.batchSize }),
      ...(settings.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
    })
  } catch (e) {
    throw usageError(errorText(e))
  }
  const onEvent = settings.progress ? await progressListener(io.stderr, loaded) : undefined
  const cache = settings.cache === undefined ? undefined : await openCache(settings.cache)
  let result: MapResult<Readonly<Record<string, unknown>>>
  try {
    result = (await runner.map(p as never, { ...constants, [axis]: items.values } as never, {
      signal: io.signal,
      onError: settings.onError,
      ...(onEvent === undefined ? {} : { onEvent }),
      ...(cache === undefined ? {} : { cache }),
    })) as MapResult<Readonly<Record<string, unknown>>>
  } catch (e) {
    throw fromRunFailure(e, items.locate)
  } finally {
    // commits what the run computed, also when it failed: a rerun reuses it
    cache?.close()
  }

  const once = p.outputs.filter((o) => !perItem.includes(o))
  let stdoutText: string
  try {
    stdoutText = `${toJsonText(Object.fromEntries(once.map((o) => [o, result.outputs[o]])), 2)}\n`
  } catch (e) {
    if (!(e instanceof JsonTextError)) throw e
    throw runError(
      `The once-computed outputs cannot be printed as JSON: ${e.path.replace(/^\./, '')} is ${e.problem}, which JSON cannot carry exactly.\n` +
        'Make the node return plain JSON data (null for a missing number).',
      e,
    )
  }
  if (io.signal.aborted) throw fromRunFailure(new AbortError(io.signal.reason), items.locate)
  const failures = result.errors ?? []
  // the rows' input indices: with failed items left out, row i is no longer item i
  const indices = failures.length === 0 ? undefined : survivors(items.values.length, failures)
  const rows = {
    result,
    outputs: perItem,
    locate: items.locate,
    ...(indices === undefined ? {} : { indices }),
  }
  if (arrow === undefined) await writeJsonLines(settings.output, rows)
  else await writeArrow(settings.output, rows, arrow)
  if (settings.errors !== undefined) await writeErrorLines(settings.errors, failures.map(errorRow))
  io.stdout.write(stdoutText)
  if (io.stderr.isTTY) {
    io.stderr.write(
      `dagflow: ${result.keys.length} items → ${settings.output} (${perItem.join(', ') || 'keys only'}), ` +
        `${result.executor} executor, ${Math.round(result.stats.ms)} ms\n`,
    )
  }
  if (failures.length > 0) {
    if (settings.errors === undefined) {
      for (const f of failures) io.stderr.write(`${failureLine(f, items.locate)}\n`)
    }
    const total = items.values.length
    const where = settings.errors === undefined ? '' : ` (listed in ${settings.errors})`
    io.stderr.write(
      `dagflow run: ${failures.length} of ${total} items failed${where}; ` +
        `${settings.output} holds the ${total - failures.length} that succeeded.\n`,
    )
  }
  return { items: items.values.length, failed: failures.length }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** The input indices of the items that did not fail, in order. */
function survivors(n: number, failures: ReadonlyArray<ItemFailure>): ReadonlyArray<number> {
  const failed = new Set(failures.map((f) => f.index))
  const kept: Array<number> = []
  for (let i = 0; i < n; i++) if (!failed.has(i)) kept.push(i)
  return kept
}

/** A failed item as a row of the errors file. */
function errorRow(f: ItemFailure): ErrorRow {
  return {
    key: f.key,
    index: f.index,
    node: f.node,
    code: failureCode(f.error),
    message: failureMessage(f.error),
  }
}

/** The error's code; for a node call that timed out, `TIMEOUT` rather than `NODE_FAILED`. */
function failureCode(e: DagflowError): string {
  const timedOut = isDagflowError(e.cause) && e.cause.code === 'TIMEOUT'
  return e.code === 'NODE_FAILED' && timedOut ? 'TIMEOUT' : e.code
}

/**
 * What went wrong with the item, on one line: for a node that threw, what it threw; for a value
 * that failed a codec, the parameter and the codec's complaints; else the error's message.
 */
function failureMessage(e: DagflowError): string {
  let text: string
  if (e.code === 'NODE_FAILED') {
    const cause = e.cause
    text = cause instanceof Error ? cause.message : errorText(cause)
  } else if (e.code === 'VALIDATION') {
    const v = e as DagflowError & {
      readonly param: string
      readonly details: ReadonlyArray<string>
    }
    const what = v.param === '(result)' ? 'result' : `parameter "${v.param}"`
    text = `${what}: ${v.details.join('; ')}`
  } else text = e.message
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

/** A failed item on stderr: index, key, where it came from, node, code and message. */
function failureLine(f: ItemFailure, locate: (index: number) => string): string {
  return (
    `dagflow run: item ${f.index} (key ${JSON.stringify(f.key)}, ${locate(f.index)}) ` +
    `failed in node "${f.node}": ${failureCode(f.error)}: ${failureMessage(f.error)}`
  )
}

function count(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw usageError(`${flag} must be a whole number ≥ 1, got "${value}".`)
  }
  return n
}

function parseSet(arg: string): readonly [string, unknown] {
  const eq = arg.indexOf('=')
  if (eq <= 0) throw usageError(`--set ${arg}: write --set name=json, for example --set top_k=5.`)
  const name = arg.slice(0, eq)
  const text = arg.slice(eq + 1)
  try {
    return [name, JSON.parse(text)]
  } catch {
    throw usageError(
      `--set ${name}: ${JSON.stringify(text)} is not JSON. A string needs JSON quotes: --set '${name}="${text}"'.`,
    )
  }
}

/** The module's exported `inputs` (the pipeline's inputs among them), then `--set` on top. */
function constantInputs(
  loaded: LoadedPipeline,
  settings: RunSettings,
  axis: string,
): Record<string, unknown> {
  const p = loaded.pipeline
  const exported = loaded.exports['inputs']
  const constants: Record<string, unknown> = {}
  if (exported !== undefined) {
    if (typeof exported !== 'object' || exported === null || Array.isArray(exported)) {
      throw setupError(
        `The export "inputs" of ${loaded.ref.path} must be an object of constant inputs, got ${Array.isArray(exported) ? 'an array' : typeof exported}.`,
      )
    }
    for (const [k, v] of Object.entries(exported)) {
      if (k !== axis && p.inputs.includes(k)) constants[k] = v
    }
  }
  for (const [name, value] of settings.set) {
    if (name === axis) {
      throw usageError(`--set ${name}: "${name}" is the map axis; its items come from --input.`)
    }
    if (!p.inputs.includes(name)) {
      const bound = Object.hasOwn(p.bound, name) ? ` ("${name}" is bound by the pipeline)` : ''
      const free = p.inputs.filter((i) => i !== axis)
      throw usageError(
        `--set ${name}: the pipeline has no input "${name}"${bound}. Its constant inputs: ${free.map((i) => `"${i}"`).join(', ') || 'none'}.`,
      )
    }
    constants[name] = value
  }
  return constants
}

async function arrowWriter(file: string) {
  const { tableToIPC } = await importArrow('--output', file)
  try {
    const { toArrow } = await import('dagflow/arrow')
    return { toArrow, tableToIPC }
  } catch (e) {
    throw setupError(`Cannot load dagflow/arrow to write ${file}: ${errorText(e)}`, e)
  }
}

async function progressListener(
  stream: NodeJS.WriteStream,
  loaded: LoadedPipeline,
): Promise<(event: DagflowEvent) => void> {
  const { progress } = await importPeer(
    () => import('dagflow/observe'),
    'cli-progress',
    (e) => `--progress needs cli-progress, which is not installed: ${errorText(e)}`,
  )
  const label = loaded.exportName === 'default' ? loaded.ref.path : loaded.exportName
  return progress({ stream, label })
}

/** A run failure as a CliError: exit 2 for what `--set` or setup fixes, else exit 1. */
function fromRunFailure(e: unknown, locate: (index: number) => string): CliError {
  if (!isDagflowError(e)) return runError(`The run failed: ${errorText(e)}`, e)
  const err = e as DagflowError & {
    readonly index?: unknown
    readonly indices?: unknown
    readonly inputs?: unknown
  }
  switch (err.code) {
    case 'ABORTED':
      return new CliError('Interrupted: the run was stopped; the output file was not written.', 130, {
        cause: e,
      })
    case 'MISSING_INPUT':
      return usageError(missingInputMessage(err))
    case 'CACHE_FILE': {
      const file = String((err as DagflowError & { readonly file?: unknown }).file)
      return runError(cacheFileText(err.message, file), e)
    }
    case 'ARROW_UNAVAILABLE':
      // the library's fix names `mode: "local"`; here it is a flag
      return setupError(
        '--mode arrow needs the optional peer dependency apache-arrow, which is not installed. ' +
          'Install it with `npm install apache-arrow`, or use --mode local ' +
          '(--mode auto, the default, runs locally without it).',
        e,
      )
    default: {
      const indices =
        typeof err.index === 'number'
          ? [err.index]
          : Array.isArray(err.indices)
            ? (err.indices as ReadonlyArray<number>)
            : []
      const where = indices.length === 0 ? '' : `\n  at ${indices.map(locate).join(' and ')}`
      // a call that timed out: the timeout's own message names the node, the item and the fix,
      // and its stack is dagflow's, not the node's
      if (failureCode(err) === 'TIMEOUT') return runError(`${errorText(err.cause)}${where}`, e)
      return runError(`${err.message}${where}${causeStack(err)}`, e)
    }
  }
}

/**
 * The inputs a run lacked, with the nodes that need them, and the command's fixes (the
 * library's message suggests run/map arguments and `pipeline.bind`, which a command line
 * cannot reach): `--set`, or the module's exported `inputs`.
 */
function missingInputMessage(e: DagflowError & { readonly inputs?: unknown }): string {
  const { consumers, suggestions } = e as {
    readonly consumers?: Readonly<Record<string, unknown>>
    readonly suggestions?: Readonly<Record<string, unknown>>
  }
  const names = Array.isArray(e.inputs) ? (e.inputs as ReadonlyArray<string>) : []
  const lines = names.map((name) => {
    const nodes = consumers?.[name]
    if (!Array.isArray(nodes) || nodes.length === 0) return `  "${name}"`
    const near = suggestions !== undefined && Object.hasOwn(suggestions, name) ? suggestions[name] : undefined
    return (
      `  "${name}" (needed by ${nodes.map((n) => `"${String(n)}"`).join(', ')})` +
      (typeof near === 'string' ? `: did you mean the output "${near}"? (a misspelled parameter)` : '')
    )
  })
  const one = names.length === 1
  const sets = names.map((n) => `--set ${n}=<json>`).join(' ') || '--set name=<json>'
  const entries = names.map((n) => `${n}: …`).join(', ') || 'name: …'
  return (
    `Missing input${one ? '' : 's'}:\n${lines.join('\n')}\n` +
    `Pass ${one ? 'it' : 'them'} with ${sets}, or export ${one ? 'it' : 'them'} from the module ` +
    `in its \`inputs\` object: export const inputs = { ${entries} }.`
  )
}

/** The stack of a node's own error, down to where dagflow called it: where to look for the bug. */
function causeStack(e: Error): string {
  const cause = e.cause
  if (!(cause instanceof Error) || cause.stack === undefined) return ''
  const ours = dirname(fileURLToPath(import.meta.url)) // dist/ holds the command and the core
  const frames = cause.stack.split('\n').filter((l) => /^\s+at /.test(l))
  const mine = frames.findIndex((l) => l.includes(ours) || l.includes('eval at generate'))
  const shown = (mine < 0 ? frames : frames.slice(0, mine)).slice(0, 10)
  const trace = shown.map((l) => `\n    ${l.trim()}`).join('')
  return `\n  cause: ${cause.name}: ${cause.message}${trace}`
}
