/**
 * `MODULE[#export]` → a pipeline. TypeScript modules (`.ts`, `.mts`, `.cts`) load through the
 * optional peer `tsx` (its `tsImport` API, scoped to that one import); JavaScript modules
 * (`.js`, `.mjs`, `.cjs`) through plain `import()`. Paths are relative to the current directory.
 *
 * @since 0.3.0
 */
import { existsSync, statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isNode, isPipeline, type AnyNode, type Pipeline } from 'dagflow'
import { setupError, usageError } from './cli-error.js'
import { orList } from './or-list.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A pipeline as the command sees it: untyped. */
export type CliPipeline = Pipeline<AnyNode, string>

/**
 * A parsed `MODULE[#export]` argument.
 *
 * @category models
 */
export interface ModuleRef {
  /** the path as given */
  readonly path: string
  /** the absolute path */
  readonly file: string
  /** the export after `#`, if any */
  readonly exportName: string | undefined
}

/**
 * A loaded module and the pipeline picked from it.
 *
 * @category models
 */
export interface LoadedPipeline {
  readonly ref: ModuleRef
  readonly pipeline: CliPipeline
  /** the export the pipeline came from (`default` or a name) */
  readonly exportName: string
  /** every export of the module (for its `inputs`) */
  readonly exports: Readonly<Record<string, unknown>>
}

const TS_EXTENSIONS = ['.ts', '.mts', '.cts']
const JS_EXTENSIONS = ['.js', '.mjs', '.cjs']

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Splits `MODULE#export` at its last `#` (a path that exists as given, `#` and all, is taken
 * whole).
 *
 * @category constructors
 */
export function parseModuleRef(arg: string, cwd: string = process.cwd()): ModuleRef {
  const hash = arg.lastIndexOf('#')
  const whole = resolve(cwd, arg)
  if (hash < 0 || existsSync(whole)) return { path: arg, file: whole, exportName: undefined }
  const path = arg.slice(0, hash)
  const exportName = arg.slice(hash + 1)
  if (path === '') throw usageError(`"${arg}" names no module before "#".`)
  if (exportName === '') throw usageError(`"${arg}" names no export after "#".`)
  return { path, file: resolve(cwd, path), exportName }
}

/**
 * Loads the module and picks its pipeline: the named export, else the default export when it
 * is a pipeline, else the module's only exported pipeline. Every failure is a setup error
 * (exit 2) that says what to do.
 *
 * @category constructors
 */
export async function loadPipeline(ref: ModuleRef): Promise<LoadedPipeline> {
  const exports = await importModule(ref)
  const { name, value } = pickExport(ref, exports)
  if (!isPipeline(value)) {
    throw setupError(
      `Export "${name}" of ${ref.path} is ${describeValue(value)}, not a pipeline. ` +
        `Pipelines exported by it: ${listPipelines(exports)}.` +
        (isNode(value) ? ' Wrap a node in a pipeline: export const p = pipeline(myNode).' : ''),
    )
  }
  return { ref, pipeline: value as CliPipeline, exportName: name, exports }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

async function importModule(ref: ModuleRef): Promise<Readonly<Record<string, unknown>>> {
  if (!existsSync(ref.file)) {
    throw setupError(`Cannot find module ${ref.path} (looked for ${ref.file}).`)
  }
  if (!statSync(ref.file).isFile()) throw setupError(`${ref.path} is not a file.`)
  const ext = extname(ref.file)
  const url = pathToFileURL(ref.file).href
  const isTs = TS_EXTENSIONS.includes(ext)
  if (!isTs && !JS_EXTENSIONS.includes(ext)) {
    throw usageError(
      `Cannot load ${ref.path}: a module must end in ${orList([...TS_EXTENSIONS, ...JS_EXTENSIONS])}.`,
    )
  }
  let tsImport: ((specifier: string, parent: string) => Promise<unknown>) | undefined
  if (isTs) {
    const api = await importPeer(
      () => import('tsx/esm/api'),
      'tsx',
      `Loading the TypeScript module ${ref.path} needs the optional peer dependency tsx, which is not installed. ` +
        'Install it with `npm install -D tsx`, or point dagflow at compiled JavaScript.',
    )
    tsImport = api.tsImport as typeof tsImport
  }
  try {
    const m = tsImport === undefined ? await import(url) : await tsImport(url, import.meta.url)
    return m as Readonly<Record<string, unknown>>
  } catch (e) {
    throw setupError(`Loading ${ref.path} failed: ${errorText(e)}`, e)
  }
}

function pickExport(
  ref: ModuleRef,
  exports: Readonly<Record<string, unknown>>,
): { readonly name: string; readonly value: unknown } {
  if (ref.exportName !== undefined) {
    if (!(ref.exportName in exports)) {
      throw setupError(
        `${ref.path} has no export "${ref.exportName}". Its exports: ${listNames(Object.keys(exports))}; ` +
          `its pipelines: ${listPipelines(exports)}.`,
      )
    }
    return { name: ref.exportName, value: exports[ref.exportName] }
  }
  // a CommonJS module's namespace has its module.exports as default: look inside it too
  const scope = commonJsExports(ref, exports) ?? exports
  if (isPipeline(scope['default'])) return { name: 'default', value: scope['default'] }
  const found = pipelines(scope)
  const unique = [...new Set(found.map(([, v]) => v))]
  if (unique.length === 1) {
    const [name, value] = found[0] as [string, unknown]
    return { name, value }
  }
  if (unique.length === 0) {
    throw setupError(
      `${ref.path} exports no pipeline` +
        ('default' in scope ? ` (its default export is ${describeValue(scope['default'])})` : '') +
        `. Its exports: ${listNames(Object.keys(scope))}. Export one, or name one with ${ref.path}#name.`,
    )
  }
  throw setupError(
    `${ref.path} has no default export that is a pipeline, and exports ${unique.length} pipelines: ` +
      `${listPipelines(scope)}. Pick one with ${ref.path}#name.`,
  )
}

/** The `module.exports` object of a CommonJS module, when its default export is that object. */
function commonJsExports(
  ref: ModuleRef,
  exports: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> | undefined {
  const ext = extname(ref.file)
  const d = exports['default']
  if ((ext === '.cjs' || ext === '.cts') && typeof d === 'object' && d !== null && !isPipeline(d)) {
    return { ...(d as Record<string, unknown>) }
  }
  return undefined
}

const pipelines = (exports: Readonly<Record<string, unknown>>) =>
  Object.entries(exports).filter(([, v]) => isPipeline(v))

function listPipelines(exports: Readonly<Record<string, unknown>>): string {
  const names = pipelines(exports).map(([k]) => k)
  return names.length === 0 ? 'none' : listNames(names)
}

const listNames = (names: ReadonlyArray<string>) =>
  names.length === 0 ? 'none' : names.map((n) => `"${n}"`).join(', ')

function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'undefined'
  if (typeof v === 'function') return 'a function'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') {
    if (isNode(v)) return 'a node'
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null
    const ctor = proto?.constructor?.name
    return ctor === undefined || ctor === 'Object' ? 'an object' : `a ${ctor} instance`
  }
  return `a ${typeof v}`
}

/**
 * `load()` of a module that needs the optional peer `pkg`; when `pkg` is not installed, a setup
 * error (exit 2) with `message`, which says how to install it or do without.
 */
export async function importPeer<T>(
  load: () => Promise<T>,
  pkg: string,
  message: string | ((e: unknown) => string),
): Promise<T> {
  try {
    return await load()
  } catch (e) {
    if (!isModuleNotFound(e, pkg)) throw e
    throw setupError(typeof message === 'string' ? message : message(e), e)
  }
}

/** Whether `e` says that `pkg` itself (not something it imports) cannot be found. */
export const isModuleNotFound = (e: unknown, pkg: string): boolean =>
  typeof e === 'object' &&
  e !== null &&
  ((e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' ||
    (e as { code?: unknown }).code === 'MODULE_NOT_FOUND') &&
  new RegExp(`['"]${pkg.replace(/[/]/g, '\\/')}['"/]`).test(
    String((e as { message?: unknown }).message),
  )

/** The first line of an error, for messages that go on. */
export const errorText = (e: unknown): string =>
  e instanceof Error ? e.message : typeof e === 'string' ? e : String(e)
