/**
 * Loading an optional peer dependency when a function that needs it is called, never when its
 * entry loads.
 *
 * @internal
 */
import { createRequire } from 'node:module'
import { GraphError } from '../errors.js'

/** Set by the build (tsup `define`): true in the CJS build only, undefined in source. */
declare const __DAGFLOW_CJS__: boolean | undefined
declare const require: (id: string) => unknown

/**
 * The optional peer `name`, loaded with `require` (its module system is moot: these peers are
 * CommonJS, or keep their state global); when it is not installed, a GraphError with `message`
 * (what needs it, and how to install it) whose cause is the loader's error. Any other failure
 * of loading it, a missing dependency of its own included, is thrown as it is.
 */
export function requirePeer<T>(name: string, message: string): T {
  const cjs = typeof __DAGFLOW_CJS__ === 'boolean' && __DAGFLOW_CJS__
  const load = cjs ? require : createRequire(import.meta.url)
  try {
    return load(name) as T
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code
    if (code !== 'MODULE_NOT_FOUND' || !String((e as Error).message).includes(`'${name}'`)) throw e
    throw new GraphError(message, [], { cause: e })
  }
}
