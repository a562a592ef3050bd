/**
 * Child processes for the packaging tests: run from a clean environment (without the npm-script
 * variables of an outer `npm test`, such as `npm_config_local_prefix`, which would point a
 * nested npm at this repo) and with their output kept for failure messages.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repo = fileURLToPath(new URL('../..', import.meta.url))

export interface Result {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment for child processes: this one without npm-script variables and NODE_OPTIONS. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    const lower = k.toLowerCase()
    if (lower === 'node_options') continue
    const kept = lower === 'npm_config_cache' || lower === 'npm_config_userconfig'
    if (lower.startsWith('npm_') && !kept) continue
    env[k] = v
  }
  return env
}

/** Runs `cmd` (`npm` or a path to an executable) in `cwd`. */
export function exec(cmd: string, args: ReadonlyArray<string>, cwd: string): Result {
  const npm = cmd === 'npm' && process.platform === 'win32'
  const r = spawnSync(npm ? 'npm.cmd' : cmd, args, {
    cwd,
    env: childEnv(),
    encoding: 'utf8',
    shell: npm,
    timeout: 90_000,
  })
  if (r.error !== undefined) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Runs a command that must succeed; returns its stdout, or throws with both streams. */
export function ok(cmd: string, args: ReadonlyArray<string>, cwd: string): string {
  const r = exec(cmd, args, cwd)
  if (r.status !== 0) {
    throw new Error(
      `\`${cmd} ${args.join(' ')}\` exited with ${String(r.status)}\n` +
        `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    )
  }
  return r.stdout
}

/** Throws, saying how to fix it, unless the build outputs exist. */
export function requireBuild(): void {
  const missing = ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts'].filter(
    (f) => !existsSync(join(repo, 'dist', f)),
  )
  if (missing.length > 0) {
    throw new Error(
      `dist/ is missing ${missing.join(', ')}: run \`npm run build\` before the packaging tests ` +
        '(`npm test` builds first).',
    )
  }
}
