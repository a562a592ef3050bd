/**
 * The command's own failures, each with the exit code it ends with: 2 when the command cannot
 * start (bad arguments, a module or export that is not there), 1 when the run or its input
 * file fails.
 *
 * @since 0.3.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How the command ends: `0` success, `1` the run or an input file failed, `2` bad usage (the
 * command could not start), `3` the run completed but some items failed (`--on-error collect`),
 * `130` interrupted (Ctrl-C).
 *
 * @category models
 * @since 0.3.0
 */
export type ExitCode = 0 | 1 | 2 | 3 | 130

/**
 * A failure of the command, with its exit code. `usage` asks for the usage text to be printed
 * after the message (set for bad arguments).
 *
 * @category errors
 * @since 0.3.0
 */
export class CliError extends Error {
  readonly exitCode: Exclude<ExitCode, 0 | 3>
  readonly usage: boolean
  constructor(
    message: string,
    exitCode: Exclude<ExitCode, 0 | 3>,
    options: { readonly usage?: boolean; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CliError'
    this.exitCode = exitCode
    this.usage = options.usage ?? false
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Bad usage: exit 2, with the command's usage text. */
export const usageError = (message: string): CliError => new CliError(message, 2, { usage: true })

/** The command cannot start for a reason other than its arguments: exit 2, no usage text. */
export const setupError = (message: string, cause?: unknown): CliError =>
  new CliError(message, 2, { cause })

/** The run or an input file failed: exit 1. */
export const runError = (message: string, cause?: unknown): CliError =>
  new CliError(message, 1, { cause })

// -------------------------------------------------------------------------------------
// guards
// -------------------------------------------------------------------------------------

/** @category guards */
export const isCliError = (u: unknown): u is CliError => u instanceof CliError
