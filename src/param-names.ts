/**
 * Reads a node function's dependency names from its source text.
 *
 * A DAGFlow node function receives its dependencies as the FIRST parameter, which must be an
 * object destructuring pattern: `({ x, y }) => x + y` depends on `x` and `y`. The names are read
 * at run time from `fn.toString()` with the acorn parser (never with regular expressions), so
 * minified code, defaults holding braces/strings/templates/regexes/comments and line breaks are all
 * handled by a real JavaScript grammar.
 *
 * @module
 */
import { parse } from 'acorn'
import type {
  ArrowFunctionExpression,
  AssignmentProperty,
  Expression,
  FunctionExpression,
  Node,
  ObjectPattern,
  Options,
  Program,
  RestElement,
} from 'acorn'
import type { Either } from 'fp-ts/lib/Either.js'
import * as E from 'fp-ts/lib/Either.js'

/** The dependency names a node function declares in its first parameter. */
export interface ParamNames {
  /** dependency names, in source order */
  readonly names: ReadonlyArray<string>
  /** the subset of names whose pattern entry has a default value (`{ b = 2 }`) */
  readonly optional: ReadonlyArray<string>
  /** number of declared parameters of fn (1 = deps only, 2 = deps and ctx); 0 when fn takes no parameter */
  readonly arity: number
}

type FunctionNode = ArrowFunctionExpression | FunctionExpression

/**
 * Function sources are not always expressions: `foo({ a }) {}` (a method) only parses inside an
 * object literal or a class body. Each attempt wraps the source and picks the node that should
 * span exactly the source text.
 */
interface Attempt {
  readonly prefix: string
  readonly suffix: string
  /** the node standing for the whole source, and the function node to read parameters from */
  readonly pick: (program: Program) => { readonly whole: Node; readonly fn: Expression } | undefined
}

const ATTEMPTS: ReadonlyArray<Attempt> = [
  // Arrow functions, function expressions and declarations. The enclosing function keeps
  // `new.target` legal inside arrows; the `\n` ends a trailing line comment, if any.
  {
    prefix: '(function () { return (',
    suffix: '\n) })',
    pick: (program) => {
      const stmt = program.body[0]
      if (stmt?.type !== 'ExpressionStatement' || stmt.expression.type !== 'FunctionExpression') {
        return undefined
      }
      const ret = stmt.expression.body.body[0]
      if (ret?.type !== 'ReturnStatement' || !ret.argument) return undefined
      return { whole: ret.argument, fn: ret.argument }
    },
  },
  // Object methods: `foo({ a }) {}`, `async foo({ a }) {}`, `*gen({ a }) {}`, `['k']({ a }) {}`.
  {
    prefix: '({',
    suffix: '\n})',
    pick: (program) => {
      const stmt = program.body[0]
      if (stmt?.type !== 'ExpressionStatement' || stmt.expression.type !== 'ObjectExpression') {
        return undefined
      }
      const [prop, ...more] = stmt.expression.properties
      if (prop?.type !== 'Property' || more.length > 0) return undefined
      return { whole: prop, fn: prop.value }
    },
  },
  // Class methods, including private ones (`#foo({ a }) {}`) and a leading `static`.
  {
    prefix: '(class {',
    suffix: '\n})',
    pick: (program) => {
      const stmt = program.body[0]
      if (stmt?.type !== 'ExpressionStatement' || stmt.expression.type !== 'ClassExpression') {
        return undefined
      }
      const [member, ...more] = stmt.expression.body.body
      if (member?.type !== 'MethodDefinition' || more.length > 0) return undefined
      return { whole: member, fn: member.value }
    },
  },
]

const PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  // A function's source is cut out of its context: an arrow may use `super`, `import.meta` or a
  // private name `#x` that its enclosing method, module or class made legal.
  allowSuperOutsideMethod: true,
  allowImportExportEverywhere: true,
  checkPrivateFields: false,
}

const cache = new WeakMap<Function, Either<string, ParamNames>>()

/**
 * Reads the dependency names of a DAG node function: the property names of its first parameter,
 * which must be an object destructuring pattern.
 *
 * - `({ x, y }) => …` gives names `['x', 'y']`, arity 1; `({ a }, ctx) => …` gives arity 2.
 * - Renamed keys give the key (`{ a: t }` → `'a'`); string and number keys give their property
 *   key (`{ 'a-b': x }` → `'a-b'`, `{ 0: y }` → `'0'`); nested patterns give the outer key.
 * - An entry with a default (`{ b = 2 }`) is also listed in `optional`.
 * - A default on the whole parameter (`({ a } = {}) => …`) is accepted.
 * - `() => …` gives no names and arity 0.
 * - A repeated key is listed once, at its first position; it is optional only if every
 *   occurrence has a default.
 *
 * Arrow functions (sync or async, with or without parentheses), function expressions and
 * declarations (named, anonymous, async, generators) and object or class methods (static,
 * computed, private, async, generator, setters) are supported.
 *
 * @param fn - the node function; its source is read with `fn.toString()`.
 * @returns `Right` with the names, or `Left` with a one-line human reason when the first
 *   parameter is not an object pattern (an identifier, such as ES5 down-levelled `_a`, an array
 *   pattern or a rest element), when the pattern has a computed key or a rest element, for native
 *   and bound functions, and when the source cannot be parsed. Never throws.
 */
export function readParamNames(fn: Function): Either<string, ParamNames> {
  const cacheable = typeof fn === 'function'
  if (cacheable) {
    const hit = cache.get(fn)
    if (hit) return hit
  }
  const result = readUncached(fn)
  if (cacheable) cache.set(fn, result)
  return result
}

function readUncached(fn: Function): Either<string, ParamNames> {
  let src: unknown
  try {
    src = fn.toString()
  } catch {
    return E.left('the function has no readable source (toString() threw)')
  }
  if (typeof src !== 'string') return E.left('the function has no readable source')
  const text = src.trim()

  let firstError: string | undefined
  for (const { prefix, suffix, pick } of ATTEMPTS) {
    const wrapped = prefix + text + suffix
    let program: Program
    try {
      program = parse(wrapped, PARSE_OPTIONS)
    } catch (error) {
      firstError ??= parseError(error, prefix.length)
      continue
    }
    const picked = pick(program)
    if (!picked) continue
    const { whole, fn: node } = picked
    if (whole.start !== prefix.length || whole.end !== prefix.length + text.length) continue
    if (node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression') {
      return readParams(node, wrapped)
    }
    if (node.type === 'ClassExpression') return E.left('a class is not a plain function')
    return E.left(`the source is not a function (${node.type})`)
  }
  if (text.includes('[native code]')) return E.left('native code has no readable source')
  return E.left(`the source could not be parsed (${firstError ?? 'unknown error'})`)
}

/** acorn's message with an offset into the source instead of its `(line:column)` in the wrapper. */
function parseError(error: unknown, shift: number): string {
  if (!(error instanceof Error)) return String(error)
  const pos: unknown = (error as Error & { pos?: unknown }).pos
  const cut = error.message.lastIndexOf(' (')
  const message = cut > 0 ? error.message.slice(0, cut) : error.message
  return typeof pos === 'number' ? `${message} at offset ${Math.max(0, pos - shift)}` : message
}

function readParams(fn: FunctionNode, src: string): Either<string, ParamNames> {
  const arity = fn.params.length
  const first = fn.params[0]
  if (!first) return E.right(freeze([], [], 0))
  const pattern = first.type === 'AssignmentPattern' ? first.left : first
  switch (pattern.type) {
    case 'ObjectPattern':
      return readObjectPattern(pattern, arity, src)
    case 'Identifier':
      return E.left(`the first parameter is not destructured (\`${pattern.name}\`)`)
    case 'ArrayPattern':
      return E.left(`the first parameter is an array pattern (\`${snippet(src, pattern)}\`)`)
    case 'RestElement':
      return E.left('the first parameter is a rest element')
    default:
      return E.left(`the first parameter is not an object pattern (${pattern.type})`)
  }
}

function readObjectPattern(
  pattern: ObjectPattern,
  arity: number,
  src: string,
): Either<string, ParamNames> {
  // name → optional (true while every occurrence has a default); insertion order = source order
  const seen = new Map<string, boolean>()
  for (const prop of pattern.properties) {
    const key = propertyKey(prop, src)
    if (E.isLeft(key)) return key
    const hasDefault = prop.type === 'Property' && prop.value.type === 'AssignmentPattern'
    const previous = seen.get(key.right)
    seen.set(key.right, previous === undefined ? hasDefault : previous && hasDefault)
  }
  const names = [...seen.keys()]
  const optional = names.filter((name) => seen.get(name) === true)
  return E.right(freeze(names, optional, arity))
}

function propertyKey(prop: AssignmentProperty | RestElement, src: string): Either<string, string> {
  if (prop.type === 'RestElement') {
    return E.left(`the first parameter has a rest element (\`${snippet(src, prop)}\`)`)
  }
  if (prop.computed) {
    return E.left(`the first parameter has a computed key (\`${snippet(src, prop)}\`)`)
  }
  const key = prop.key
  if (key.type === 'Identifier') return E.right(key.name)
  if (key.type === 'Literal') {
    const value = key.value
    // String(1.5) / String(0x10) / String(1n) give the property key JavaScript itself would use.
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
      return E.right(String(value))
    }
  }
  return E.left(`the first parameter has an unsupported key (\`${snippet(src, key)}\`)`)
}

function freeze(names: string[], optional: string[], arity: number): ParamNames {
  return Object.freeze({ names: Object.freeze(names), optional: Object.freeze(optional), arity })
}

/** The source of `node` on one line, whitespace runs collapsed, cut at 40 characters. */
function snippet(src: string, node: Node): string {
  const max = 40
  let out = ''
  let space = false
  for (const ch of src.slice(node.start, node.end)) {
    if (ch.trim() === '') {
      space = true
      continue
    }
    if (space && out !== '') out += ' '
    space = false
    out += ch
    if (out.length > max) return `${out.slice(0, max)}…`
  }
  return out
}
