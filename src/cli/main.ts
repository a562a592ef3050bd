/**
 * The command line: `main(argv)` parses arguments with `node:util` parseArgs, dispatches to
 * `graph` or `run`, and turns every failure into a message on stderr and an exit code.
 *
 * @since 0.3.0
 */
import { readFileSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { CliError, isCliError, usageError, type ExitCode } from './cli-error.js'
import { unknownOptionMessage } from './did-you-mean.js'
import { graphFormat, graphText } from './graph.js'
import { GRAPH_HELP, MAIN_HELP, RUN_HELP } from './help.js'
import { errorText, loadPipeline, parseModuleRef } from './load-pipeline.js'
import { runCommand, runSettings, type RunFlags } from './run.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where the command reads and writes. */
export interface CliIO {
  readonly stdout: NodeJS.WriteStream
  readonly stderr: NodeJS.WriteStream
  readonly signal: AbortSignal
}

export const GRAPH_OPTIONS = {
  format: { type: 'string', short: 'f' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

export const RUN_OPTIONS = {
  input: { type: 'string', short: 'i' },
  output: { type: 'string', short: 'o' },
  mode: { type: 'string', short: 'm' },
  'batch-size': { type: 'string', short: 'b' },
  concurrency: { type: 'string', short: 'c' },
  progress: { type: 'boolean', short: 'p' },
  set: { type: 'string', short: 's', multiple: true },
  'on-error': { type: 'string' },
  errors: { type: 'string' },
  cache: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

const MAIN_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options']

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Runs the command on `argv` (without `node` and the script) and resolves to its exit code.
 * Errors are written to `io.stderr`; nothing throws.
 *
 * @category constructors
 */
export async function main(argv: ReadonlyArray<string>, io: CliIO): Promise<ExitCode> {
  const command = argv[0]
  const help = command === 'graph' ? GRAPH_HELP : command === 'run' ? RUN_HELP : MAIN_HELP
  try {
    switch (command) {
      case 'graph':
        return await graph(argv.slice(1), io)
      case 'run':
        return await run(argv.slice(1), io)
      default:
        return top(argv, io)
    }
  } catch (e) {
    const err = isCliError(e)
      ? e
      : new CliError(`Unexpected failure: ${errorText(e)}`, 1, { cause: e })
    if (!isCliError(e) && e instanceof Error && e.stack !== undefined) {
      io.stderr.write(`${e.stack}\n`)
    }
    const who = command === 'graph' || command === 'run' ? `dagflow ${command}` : 'dagflow'
    io.stderr.write(`${who}: ${err.message}\n`)
    if (err.usage) io.stderr.write(`${usageLine(help)}\n${helpHint(command)}\n`)
    return err.exitCode
  }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** The `Usage:` line of a help text. */
const usageLine = (help: string) => help.split('\n')[0] ?? ''

const helpHint = (command: string | undefined) =>
  command === 'graph' || command === 'run'
    ? `Run \`dagflow ${command} --help\` for its options.`
    : 'Run `dagflow --help` for help.'

function top(argv: ReadonlyArray<string>, io: CliIO): ExitCode {
  const { values, positionals } = parse(argv, MAIN_OPTIONS)
  if (values.version === true) {
    io.stdout.write(`${version()}\n`)
    return 0
  }
  if (values.help === true) {
    io.stdout.write(MAIN_HELP)
    return 0
  }
  if (positionals.length === 0) throw usageError('Missing command: graph or run.')
  throw usageError(`Unknown command "${positionals[0] ?? ''}": use graph or run.`)
}

async function graph(argv: ReadonlyArray<string>, io: CliIO): Promise<ExitCode> {
  const { values, positionals } = parse(argv, GRAPH_OPTIONS)
  if (values.help === true) {
    io.stdout.write(GRAPH_HELP)
    return 0
  }
  const format = graphFormat(values.format)
  const ref = parseModuleRef(onlyModule(positionals))
  const loaded = await loadPipeline(ref)
  io.stdout.write(await graphText(loaded.pipeline, format))
  return 0
}

async function run(argv: ReadonlyArray<string>, io: CliIO): Promise<ExitCode> {
  const { values, positionals } = parse(argv, RUN_OPTIONS)
  if (values.help === true) {
    io.stdout.write(RUN_HELP)
    return 0
  }
  const ref = parseModuleRef(onlyModule(positionals))
  const settings = runSettings(values as RunFlags)
  const loaded = await loadPipeline(ref)
  const outcome = await runCommand(loaded, settings, io)
  // collect mode: the run completed, but some items are missing from the output
  return outcome.failed > 0 ? 3 : 0
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: ReadonlyArray<string>,
  options: O,
) {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    })
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code
    const unknown =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? unknownOption(argv, options) : undefined
    throw usageError(unknown ?? errorText(e))
  }
  // a value given twice is a mistake (which one was meant?), not an override
  const given = new Map<string, Array<string>>()
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue
    const option = options[token.name]
    if (option === undefined || option.multiple === true) continue
    const values = given.get(token.name) ?? []
    values.push(token.value)
    given.set(token.name, values)
    if (values.length === 2) {
      const both = values.map((v) => JSON.stringify(v)).join(' and ')
      throw usageError(`--${token.name} is given twice (${both}): it takes one value.`)
    }
  }
  return parsed
}

/** The message for the first option of `argv` that is not one of `options`, if any. */
function unknownOption(
  argv: ReadonlyArray<string>,
  options: NonNullable<ParseArgsConfig['options']>,
): string | undefined {
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  })
  const token = tokens.find((t) => t.kind === 'option' && !Object.hasOwn(options, t.name))
  if (token?.kind !== 'option') return undefined
  return unknownOptionMessage(token.rawName, Object.keys(options))
}

function onlyModule(positionals: ReadonlyArray<string>): string {
  if (positionals.length === 0) {
    throw usageError('Missing MODULE: the path of the module that exports the pipeline.')
  }
  if (positionals.length > 1) {
    const given = positionals.map((p) => JSON.stringify(p)).join(' ')
    throw usageError(`Expected one MODULE, got ${positionals.length}: ${given}.`)
  }
  return positionals[0] as string
}

/** dagflow's version, from its package.json (one level up from dist/cli.js, two from src/cli/). */
function version(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        readonly name?: unknown
        readonly version?: unknown
      }
      if (pkg.name === 'dagflow') return String(pkg.version)
    } catch {
      // not there: try the next one
    }
  }
  return 'unknown'
}
