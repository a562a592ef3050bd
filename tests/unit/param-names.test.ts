import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { readParamNames } from '../../src/param-names.js'
import type { ParamNames } from '../../src/param-names.js'

/**
 * Builds a function from exact source text. The test file itself is transformed before it runs,
 * so closures written inline may not keep their formatting; `new Function` keeps it verbatim.
 */
const fromSource = (src: string): Function => new Function(`return (${src}\n)`)() as Function

/** Builds an object (or class) from exact source text, to reach its methods. */
const methodsOf = (src: string): Record<string, Function> =>
  fromSource(src) as unknown as Record<string, Function>

/** Asserts a Right and returns its names. */
function right(fn: Function): ParamNames {
  const result = readParamNames(fn)
  expect(result._tag).toBe('Right')
  if (E.isLeft(result)) throw new Error(`expected Right, got Left: ${result.left}`)
  return result.right
}

/** Asserts a Left and returns its reason. */
function left(fn: Function): string {
  const result = readParamNames(fn)
  expect(result._tag).toBe('Left')
  if (E.isRight(result)) throw new Error(`expected Left, got ${JSON.stringify(result.right)}`)
  expect(result.left).not.toContain('\n')
  return result.left
}

function expectNames(
  fn: Function,
  names: ReadonlyArray<string>,
  optional: ReadonlyArray<string> = [],
  arity = 1,
): void {
  const r = right(fn)
  expect(r.names).toEqual(names)
  expect(r.optional).toEqual(optional)
  expect(r.arity).toBe(arity)
}

describe('readParamNames: function shapes', () => {
  it('reads a parenthesised arrow function', () => {
    expectNames(fromSource('({ x, y }) => x + y'), ['x', 'y'])
  })

  it('reads an async arrow function', () => {
    expectNames(fromSource('async ({ x, y }) => x + y'), ['x', 'y'])
  })

  it('reads an arrow function with a block body', () => {
    expectNames(fromSource('({ a, b }) => { return a + b }'), ['a', 'b'])
  })

  it('rejects an unparenthesised arrow (its parameter is an identifier)', () => {
    expect(left(fromSource('d => d.x'))).toBe('the first parameter is not destructured (`d`)')
    expect(left(fromSource('async d => d.x'))).toBe('the first parameter is not destructured (`d`)')
  })

  it('reads an anonymous function expression', () => {
    expectNames(fromSource('function ({ a, b }) { return a + b }'), ['a', 'b'])
  })

  it('reads a named function expression', () => {
    expectNames(fromSource('function add({ a, b }) { return a + b }'), ['a', 'b'])
  })

  it('reads a function declaration', () => {
    const fn = new Function('function add({ a, b }) { return a + b }\nreturn add')() as Function
    expectNames(fn, ['a', 'b'])
  })

  it('reads an async function', () => {
    const fn = fromSource('async function load({ url, retries = 3 }) { return url }')
    expectNames(fn, ['url', 'retries'], ['retries'])
  })

  it('reads a generator and an async generator', () => {
    expectNames(fromSource('function* gen({ a }) { yield a }'), ['a'])
    expectNames(fromSource('async function* ({ a, b }) { yield a }'), ['a', 'b'])
  })

  it('reads a function made by the Function constructor', () => {
    const fn = new Function('{ a, b = 1 }', 'ctx', 'return a + b') as Function
    expectNames(fn, ['a', 'b'], ['b'], 2)
  })

  it('reads an object method shorthand', () => {
    const obj = methodsOf('({ foo({ a, b = 2 }) { return a + b } })')
    expectNames(obj['foo']!, ['a', 'b'], ['b'])
  })

  it('reads async, generator and computed object methods', () => {
    const obj = methodsOf(
      "({ async foo({ a }) {}, *gen({ b }) {}, ['computed']({ c }) {}, 'quoted name'({ d }) {}, " +
        'async({ e }) {} })',
    )
    expectNames(obj['foo']!, ['a'])
    expectNames(obj['gen']!, ['b'])
    expectNames(obj['computed']!, ['c'])
    expectNames(obj['quoted name']!, ['d'])
    expectNames(obj['async']!, ['e'])
  })

  it('reads a method named `function`', () => {
    const obj = methodsOf('({ function({ a }) { return a } })')
    expectNames(obj['function']!, ['a'])
  })

  it('reads a setter', () => {
    const obj = fromSource('({ set value({ a, b }) {} })') as object
    const setter = Object.getOwnPropertyDescriptor(obj, 'value')?.set
    expectNames(setter!, ['a', 'b'])
  })

  it('reads class methods: instance, static, static async and private', () => {
    const C = fromSource(
      'class { m({ a }) {} static s({ b, c = 1 }) {} static async sa({ d }) {} #p({ e }) {} ' +
        'static getP(o) { return o.#p } }',
    ) as unknown as {
      new (): { m: Function }
      s: Function
      sa: Function
      getP: (o: unknown) => Function
    }
    expectNames(C.prototype.m, ['a'])
    expectNames(C.s, ['b', 'c'], ['c'])
    expectNames(C.sa, ['d'])
    expectNames(C.getP(new C()), ['e'])
  })

  it('reads closures written in this (transformed) test file', () => {
    class Calc {
      static add({ a, b = 2 }: { a: number; b?: number }): number {
        return a + b
      }
    }
    expectNames(({ x, y }: { x: number; y: number }) => x + y, ['x', 'y'])
    expectNames(async ({ x }: { x: number }, ctx: unknown) => [x, ctx], ['x'], [], 2)
    expectNames(Calc.add, ['a', 'b'], ['b'])
  })

  it('reads arrows whose body only parses in their original context', () => {
    class Base {
      get v(): number {
        return 1
      }
    }
    class Derived extends Base {
      #secret = 2
      viaSuper(): Function {
        return ({ a }: { a: number }) => a + super.v
      }
      viaPrivate(): Function {
        return ({ b }: { b: number }) => b + this.#secret
      }
    }
    const d = new Derived()
    expectNames(d.viaSuper(), ['a'])
    expectNames(d.viaPrivate(), ['b'])
    expectNames(({ c }: { c: string }) => c + import.meta.url, ['c'])
    expectNames(new Function('return ({ d }) => new.target')() as Function, ['d'])
  })
})

describe('readParamNames: pattern rules', () => {
  it('gives no names and arity 0 for a function without parameters', () => {
    expectNames(fromSource('() => 1'), [], [], 0)
    expectNames(fromSource('function () { return 1 }'), [], [], 0)
  })

  it('gives no names and arity 1 for an empty pattern', () => {
    expectNames(fromSource('({}) => 1'), [], [], 1)
  })

  it('counts a second (ctx) parameter in arity', () => {
    expectNames(fromSource('({ a }, ctx) => a + ctx'), ['a'], [], 2)
    expectNames(fromSource('({ a }, ctx = {}, ...more) => a'), ['a'], [], 3)
  })

  it('keeps source order', () => {
    expectNames(fromSource('({ zeta, alpha, mid }) => 0'), ['zeta', 'alpha', 'mid'])
  })

  it('reads the key of a renamed entry', () => {
    expectNames(fromSource('({ a: t, b: s }) => t + s'), ['a', 'b'])
  })

  it('reads string-literal keys', () => {
    expectNames(fromSource(`({ 'a-b': x, "c d": y, '': z }) => 0`), ['a-b', 'c d', ''])
  })

  it('reads number and bigint keys as their property keys', () => {
    const fn = fromSource('({ 0: y, 1.5: z, 0x10: h, 1e3: e, 7n: b }) => 0')
    expectNames(fn, ['0', '1.5', '16', '1000', '7'])
  })

  it('reads keyword keys', () => {
    const fn = fromSource('({ if: a, null: b, class: c, await: d }) => 0')
    expectNames(fn, ['if', 'null', 'class', 'await'])
  })

  it('reads unicode-escaped keys as their value', () => {
    expectNames(fromSource('({ \\u0061b, "\\u0063": c }) => 0'), ['ab', 'c'])
  })

  it('marks entries with defaults as optional', () => {
    expectNames(fromSource('({ a, b = 2, c }) => 0'), ['a', 'b', 'c'], ['b'])
  })

  it('marks renamed entries with defaults as optional', () => {
    expectNames(fromSource('({ a: t = 1, b: s }) => t + s'), ['a', 'b'], ['a'])
  })

  it('reads the outer key of nested patterns', () => {
    expectNames(fromSource('({ a: { b, c: { d } }, e: [f, g] }) => 0'), ['a', 'e'])
    expectNames(fromSource('({ a: { b } = {}, e: [f] = [] }) => 0'), ['a', 'e'], ['a', 'e'])
  })

  it('accepts rest elements and computed keys nested below a dependency', () => {
    expectNames(fromSource('({ a: { ...r }, b: { [k]: v } }) => 0'), ['a', 'b'])
  })

  it('accepts a default on the whole first parameter', () => {
    expectNames(fromSource('({ a, b = 1 } = {}) => a'), ['a', 'b'], ['b'])
    expectNames(fromSource('function ({ a } = { a: 1 }, ctx) { return a }'), ['a'], [], 2)
  })

  it('accepts a trailing comma and comments inside the pattern', () => {
    expectNames(fromSource('({ a, /* } */ b, // c }\n d, }) => 0'), ['a', 'b', 'd'])
  })

  it('lists a repeated key once; optional only when every occurrence has a default', () => {
    expectNames(fromSource('({ a, a: b = 1 }) => 0'), ['a'])
    expectNames(fromSource('({ a: x = 1, b, a: y = 2 }) => 0'), ['a', 'b'], ['a'])
  })
})

describe('readParamNames: minified code and tricky defaults', () => {
  it('reads minified code', () => {
    expectNames(fromSource('({a:t,b:s={x:"}"}})=>t+s'), ['a', 'b'], ['b'])
    expectNames(fromSource('async({a:t,b:s=1},c)=>t+s+c'), ['a', 'b'], ['b'], 2)
  })

  const tricky: ReadonlyArray<readonly [string, string]> = [
    ['a string holding a closing brace', '"}"'],
    ['a string holding an opening brace', "'{'"],
    ['an escaped quote', "'\\'}'"],
    ['a template literal with a substitution', '`${"}"}`'],
    ['a nested template literal', '`a${`}${"{"}`}b`'],
    ['an object literal holding a brace string', '{x:"}"}'],
    ['a regex literal', '/}/g'],
    ['a regex with a character class', '/[})]/'],
    ['an array literal', '[1,{a:2}]'],
    ['an IIFE', "(() => '}')()"],
    ['a function expression', "function () { return '}' }"],
    ['an arrow with an object body', "x => ({ y: '}' })"],
    ['a class expression', "class { x = '}'; m() { return '{' } }"],
    ['a block comment', '/* } */ 1'],
    ['a line comment and a line break', '// }\n 1'],
    ['line breaks', '\n{\n  x: 1\n}\n'],
    ['parentheses and an arrow token', "(1, ')') + '=>'"],
    ['a division', '10 / 2 / 5'],
    ['a conditional', "a ? '}' : '{'"],
  ]
  for (const [label, dflt] of tricky) {
    it(`reads a default holding ${label}`, () => {
      const spaced = fromSource(`({ a, b = ${dflt}, c: r = ${dflt} }) => 0`)
      expectNames(spaced, ['a', 'b', 'c'], ['b', 'c'])
      const compact = fromSource(`({a,b=${dflt},c:r=${dflt}})=>0`)
      expectNames(compact, ['a', 'b', 'c'], ['b', 'c'])
    })
  }
})

describe('readParamNames: rejections', () => {
  it('rejects a rest element in the pattern', () => {
    expect(left(fromSource('({ a, ...rest }) => a'))).toBe(
      'the first parameter has a rest element (`...rest`)',
    )
  })

  it('rejects a rest first parameter', () => {
    expect(left(fromSource('(...args) => args'))).toBe('the first parameter is a rest element')
  })

  it('rejects an identifier first parameter', () => {
    const reason = 'the first parameter is not destructured (`d`)'
    expect(left(fromSource('(d) => d.x'))).toBe(reason)
    expect(left(fromSource('(d = {}) => d.x'))).toBe(reason)
  })

  it('rejects minified code that was down-levelled past destructuring', () => {
    expect(left(fromSource('function(e){return e.a}'))).toBe(
      'the first parameter is not destructured (`e`)',
    )
  })

  it('rejects ES5 down-levelled destructuring', () => {
    const es5 =
      'function (_a) {\n  var a = _a.a, _b = _a.b, b = _b === void 0 ? 2 : _b;\n  return a + b;\n}'
    expect(left(fromSource(es5))).toBe('the first parameter is not destructured (`_a`)')
  })

  it('rejects an array pattern', () => {
    expect(left(fromSource('([a, b]) => a + b'))).toContain('array pattern')
    expect(left(fromSource('([a] = []) => a'))).toContain('array pattern')
  })

  it('rejects a computed key, on one line', () => {
    expect(left(fromSource('({ [k]: v }) => v'))).toBe(
      'the first parameter has a computed key (`[k]: v`)',
    )
    expect(left(fromSource('({ [\n  k\n]: v }) => v'))).toContain('computed key')
  })

  it('rejects native functions', () => {
    expect(left(Math.max)).toBe('native code has no readable source')
    expect(left(Array.prototype.map)).toBe('native code has no readable source')
  })

  it('rejects bound functions (their source is native code)', () => {
    expect(left(fromSource('({ a }) => a').bind(null))).toBe('native code has no readable source')
  })

  it('rejects callable proxies (their source is native code)', () => {
    expect(left(new Proxy(fromSource('({ a }) => a'), {}))).toBe(
      'native code has no readable source',
    )
  })

  it('rejects a class', () => {
    expect(left(fromSource('class { constructor({ a }) {} }'))).toContain('class')
  })

  it('rejects source text that fails every parse attempt', () => {
    const fn = Object.assign(() => 1, { toString: () => 'not { valid } javascript' })
    expect(left(fn)).toContain('could not be parsed')
  })

  it('rejects source text that is not a function', () => {
    const fn = Object.assign(() => 1, { toString: () => '42' })
    expect(left(fn)).toContain('not a function')
  })

  it('never throws, even for values that are not functions', () => {
    const throwing = Object.assign(() => 1, {
      toString: () => {
        throw new Error('boom')
      },
    })
    expect(left(throwing)).toContain('no readable source')
    for (const value of [null, undefined, 42, {}, 'x => x', Symbol('s')]) {
      expect(() => readParamNames(value as unknown as Function)).not.toThrow()
      expect(readParamNames(value as unknown as Function)._tag).toBe('Left')
    }
  })
})

describe('readParamNames: results', () => {
  it('returns the same frozen result for the same function', () => {
    const fn = fromSource('({ a, b = 1 }) => a')
    const first = readParamNames(fn)
    expect(readParamNames(fn)).toBe(first)
    const r = right(fn)
    expect(Object.isFrozen(r)).toBe(true)
    expect(Object.isFrozen(r.names)).toBe(true)
    expect(Object.isFrozen(r.optional)).toBe(true)
  })
})
