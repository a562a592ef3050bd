/**
 * Consumer projects of the packed tarball, for the packaging tests: pack the built repo exactly
 * as `npm publish` would, install the tarball into a fresh project with a chosen set of other
 * packages, run scripts there and type-check files there.
 *
 * Installs are offline and need no npm cache: besides the tarball, every package comes from a
 * local path in this repo's node_modules (npm links such paths). Nothing else is installed, so
 * an import of a package the consumer lacks fails, as it would for a user.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { exec, ok, repo, type Result } from './exec.js'

export const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>

/** `names` and, transitively, their dependencies, as found in this repo's node_modules. */
export function closure(names: ReadonlyArray<string>): ReadonlyArray<string> {
  const seen = new Set<string>()
  const visit = (name: string): void => {
    if (seen.has(name)) return
    seen.add(name)
    const pkg = readJson(join(repo, 'node_modules', name, 'package.json'))
    for (const d of Object.keys((pkg['dependencies'] ?? {}) as object)) visit(d)
  }
  names.forEach(visit)
  return [...seen]
}

export interface Packed {
  /** the tarball's path */
  readonly tarball: string
  /** the paths the tarball holds, relative to the package root */
  readonly files: ReadonlyArray<string>
}

/** Packs the repo into `dir` (which must exist). */
export function pack(dir: string): Packed {
  const packJson = JSON.parse(
    ok('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], repo),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>
  const info = packJson[0] as { filename: string; files: Array<{ path: string }> }
  return { tarball: join(dir, info.filename), files: info.files.map((f) => f.path) }
}

/**
 * A new ESM project at `dir` with the tarball, the package's runtime dependencies (with theirs),
 * the peers fp-ts and io-ts, @types/node (as a Node consumer has it; the declarations mention
 * AbortSignal), and `extra` packages with their dependencies.
 */
export function install(dir: string, tarball: string, extra: ReadonlyArray<string> = []): void {
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'dagflow-consumer', version: '0.0.0', private: true, type: 'module' }),
  )
  const own = readJson(join(repo, 'package.json'))
  const runtime = Object.keys((own['dependencies'] ?? {}) as object)
  const packages = closure([...runtime, 'fp-ts', 'io-ts', '@types/node', ...extra])
  ok(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--no-package-lock',
      '--loglevel=error',
      tarball,
      ...packages.map((d) => join(repo, 'node_modules', d)),
    ],
    dir,
  )
}

/** Runs a node script in `dir` and parses the JSON line it prints last. */
export function runJson(
  dir: string,
  file: string,
  flags: ReadonlyArray<string> = [],
): Record<string, unknown> {
  const out = ok(process.execPath, [...flags, file], dir)
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, unknown>
}

/**
 * Node flags that turn off require(esm) (Node ≥ 20.19 can require() ES modules), so only a
 * self-contained CJS build passes.
 */
export const noRequireEsm: ReadonlyArray<string> = process.allowedNodeEnvironmentFlags.has(
  '--no-experimental-require-module',
)
  ? ['--no-experimental-require-module']
  : []

/** The compiler options a strict NodeNext consumer type-checks with (library files included). */
export const consumerCompilerOptions = {
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  target: 'ES2022',
  lib: ['ES2022'],
  types: ['node'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: false,
} as const

const tscBin = join(repo, 'node_modules', 'typescript', 'bin', 'tsc')

/** Runs this repo's tsc in `dir`. */
export const tsc = (dir: string, args: ReadonlyArray<string>): Result =>
  exec(process.execPath, [tscBin, ...args], dir)

export interface TypeCheck {
  readonly status: number | null
  /** what tsc reported (empty when the project type-checks) */
  readonly diagnostics: string
  /** every file tsc read, with forward slashes */
  readonly files: ReadonlyArray<string>
  /** the files of the installed dagflow tsc read, relative to the package root, sorted */
  readonly dagflow: ReadonlyArray<string>
}

/** Type-checks a tsc project in `dir`, listing the files it reads. */
export function typecheck(dir: string, project: string): TypeCheck {
  const r = tsc(dir, ['-p', project, '--listFiles'])
  const lines = r.stdout.split('\n').map((l) => l.trimEnd())
  const isFile = (l: string): boolean => isAbsolute(l) && existsSync(l)
  const files = lines.filter(isFile).map((f) => f.replaceAll('\\', '/'))
  return {
    status: r.status,
    diagnostics: (lines.filter((l) => l !== '' && !isFile(l)).join('\n') + r.stderr).trim(),
    files,
    dagflow: files
      .filter((f) => f.includes('/node_modules/dagflow/'))
      .map((f) => f.split('/node_modules/dagflow/')[1] as string)
      .sort(),
  }
}
