/**
 * The `dagflow` command (package `bin`, built to dist/cli.js): `dagflow graph` and
 * `dagflow run`. See docs/cli.md. Ctrl-C aborts a run (exit 130) and leaves the output file as
 * it was; a second Ctrl-C ends the process at once.
 *
 * @since 0.3.0
 */
import { main } from './main.js'
import { printNotices } from './notices.js'

printNotices(process.stderr)

const controller = new AbortController()
process.once('SIGINT', () => controller.abort(new Error('interrupted (SIGINT)')))
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
})
