import { describe, it, expect } from 'vitest'
import { BatchCheckError, MissingArbitraryError } from 'dagflow/testing'
import {
  AbortError,
  ArrowUnavailableError,
  ListenerError,
  TimeoutError,
  CacheFileError,
  CycleError,
  DAGFLOW_ERROR_CODES,
  DagflowError,
  DuplicateKeyError,
  DuplicateOutputError,
  GraphError,
  isDagflowError,
  MissingInputError,
  MissingKeyError,
  NodeError,
  UnreadableParamsError,
  ValidationError,
} from '../../src/index.js'
import { toDagflowError } from '../../src/errors.js'

/** Every error class, built with typical fields, and what its message must tell the user. */
const cases: ReadonlyArray<{
  readonly error: DagflowError
  readonly code: string
  readonly name: string
  readonly fields: Record<string, unknown>
  /** names involved, and the fix */
  readonly mentions: ReadonlyArray<string>
}> = [
  {
    error: new CycleError(['a', 'b', 'c']),
    code: 'CYCLE',
    name: 'CycleError',
    fields: { path: ['a', 'b', 'c'] },
    mentions: ['a → b → c → a', 'remove one of these dependencies'],
  },
  {
    error: new DuplicateOutputError('y', ['first', 'second']),
    code: 'DUPLICATE_OUTPUT',
    name: 'DuplicateOutputError',
    fields: { output: 'y', nodes: ['first', 'second'] },
    mentions: ['"y"', '"first"', '"second"', 'its own `output` name'],
  },
  {
    error: new GraphError('Two nodes are named "n". Give one a different `name`.', ['n']),
    code: 'INVALID_GRAPH',
    name: 'GraphError',
    fields: { nodes: ['n'] },
    mentions: ['"n"'],
  },
  {
    error: new UnreadableParamsError(
      'step',
      'the first parameter is not destructured (`d`)',
      'd => d.x',
    ),
    code: 'UNREADABLE_PARAMS',
    name: 'UnreadableParamsError',
    fields: {
      node: 'step',
      reason: 'the first parameter is not destructured (`d`)',
      source: 'd => d.x',
    },
    mentions: ['"step"', 'd => d.x', 'pass `inputs`'],
  },
  {
    error: new MissingInputError(['k', 'z'], { k: ['a', 'b'], z: ['b'] }),
    code: 'MISSING_INPUT',
    name: 'MissingInputError',
    fields: { inputs: ['k', 'z'], consumers: { k: ['a', 'b'], z: ['b'] } },
    mentions: ['"k"', '"z"', '"a"', '"b"', 'bind'],
  },
  {
    error: new DuplicateKeyError('q1', [1, 4], 'id'),
    code: 'DUPLICATE_KEY',
    name: 'DuplicateKeyError',
    fields: { key: 'q1', indices: [1, 4], keyAttr: 'id' },
    mentions: ['"q1"', '1', '4', '"id"', 'deduplicate'],
  },
  {
    error: new MissingKeyError(3, 'id', null),
    code: 'MISSING_KEY',
    name: 'MissingKeyError',
    fields: { index: 3, keyAttr: 'id', value: null },
    mentions: ['3', '"id"', 'null', 'fill it in or choose another keyAttr'],
  },
  {
    error: new ValidationError({
      node: 'score',
      param: 'row',
      key: 'r1',
      index: 1,
      paths: ['meta.score'],
      details: ['meta.score: expected number, got "high"'],
    }),
    code: 'VALIDATION',
    name: 'ValidationError',
    fields: {
      node: 'score',
      param: 'row',
      key: 'r1',
      index: 1,
      paths: ['meta.score'],
      details: ['meta.score: expected number, got "high"'],
    },
    mentions: [
      'node "score" › parameter "row" › key "r1" › item 1',
      'meta.score',
      'widen the codec',
    ],
  },
  {
    error: new NodeError('fetch', 'q7', 7, new Error('socket hang up')),
    code: 'NODE_FAILED',
    name: 'NodeError',
    fields: { node: 'fetch', key: 'q7', index: 7 },
    mentions: ['"fetch"', 'item 7', '"q7"', 'socket hang up'],
  },
  {
    error: new AbortError('user cancelled'),
    code: 'ABORTED',
    name: 'AbortError',
    fields: { reason: 'user cancelled', cause: 'user cancelled' },
    mentions: ['aborted', 'user cancelled'],
  },
  {
    error: new CacheFileError('.dagflow/cache.db', 'it is a SQLite database of something else'),
    code: 'CACHE_FILE',
    name: 'CacheFileError',
    fields: { file: '.dagflow/cache.db' },
    mentions: ['.dagflow/cache.db', 'rm ', 'something else'],
  },
  {
    error: new TimeoutError('ask', 2000, 'q7', 6, 2),
    code: 'TIMEOUT',
    name: 'TimeoutError',
    fields: { node: 'ask', timeoutMs: 2000, key: 'q7', index: 6, attempt: 2 },
    mentions: ['ask', '2000', 'q7', 'timeoutMs'],
  },
  {
    error: new ListenerError('node:end', new Error('bar broke')),
    code: 'LISTENER_FAILED',
    name: 'ListenerError',
    fields: { event: 'node:end' },
    mentions: ['node:end', 'bar broke', 'listener'],
  },
  {
    error: new ArrowUnavailableError(new Error("Cannot find package 'apache-arrow'")),
    code: 'ARROW_UNAVAILABLE',
    name: 'ArrowUnavailableError',
    fields: {},
    mentions: ['npm install apache-arrow', 'mode: "local"'],
  },
  {
    error: new MissingArbitraryError({ reason: 'no-structure', codec: 'Even' }),
    code: 'MISSING_ARBITRARY',
    name: 'MissingArbitraryError',
    fields: { reason: 'no-structure', codec: 'Even' },
    mentions: ['Even', 'overrides'],
  },
  {
    error: new BatchCheckError({
      node: 'embed',
      reason: 'wrong-length',
      items: [],
      index: undefined,
      expected: undefined,
      actual: undefined,
      seed: 1,
      path: '0',
      detail: 'the batch form returned 1 result for 2 items',
      show: String,
    } as never),
    code: 'BATCH_CHECK_FAILED',
    name: 'BatchCheckError',
    fields: { node: 'embed', reason: 'wrong-length' },
    mentions: ['embed', 'seed'],
  },
]

describe('error classes', () => {
  it('covers every code once', () => {
    expect(cases.map((c) => c.code).sort()).toStrictEqual([...DAGFLOW_ERROR_CODES].sort())
    expect(new Set(DAGFLOW_ERROR_CODES).size).toBe(DAGFLOW_ERROR_CODES.length)
  })

  for (const c of cases) {
    describe(c.name, () => {
      it('has its stable code and class name', () => {
        expect(c.error.code).toBe(c.code)
        expect(c.error.name).toBe(c.name)
        expect(DAGFLOW_ERROR_CODES).toContain(c.error.code)
      })

      it('is a DagflowError and an Error, recognised by isDagflowError', () => {
        expect(c.error).toBeInstanceOf(DagflowError)
        expect(c.error).toBeInstanceOf(Error)
        expect(isDagflowError(c.error)).toBe(true)
        expect(typeof c.error.stack).toBe('string')
      })

      it('carries its structured fields', () => {
        expect(c.error).toMatchObject(c.fields)
      })

      it('says who is involved and how to fix it', () => {
        for (const m of c.mentions) expect(c.error.message).toContain(m)
      })
    })
  }
})

describe('error details', () => {
  it('NodeError keeps its cause, whatever was thrown', () => {
    const cause = new TypeError('bad')
    expect(new NodeError('n', undefined, undefined, cause).cause).toBe(cause)
    const plain = { any: 'thing' }
    const e = new NodeError('n', undefined, undefined, plain)
    expect(e.cause).toBe(plain)
    expect(e.message).toContain('"n"')
    expect(e.key).toBeUndefined()
    expect(e.index).toBeUndefined()
    expect(new NodeError('n', undefined, undefined, 'text').message).toContain('text')
  })

  it('AbortError keeps the signal reason as reason and cause', () => {
    const reason = new Error('timeout')
    const e = new AbortError(reason)
    expect(e.reason).toBe(reason)
    expect(e.cause).toBe(reason)
    expect(e.message).toContain('timeout')
    expect(new AbortError(undefined).message).toContain('aborted')
  })

  it('ValidationError for a result names "result" and uses the hint when given', () => {
    const e = new ValidationError({
      node: 'n',
      param: '(result)',
      key: undefined,
      index: undefined,
      paths: [''],
      details: ['(value): expected number, got "x"'],
      hint: 'Return a number.',
    })
    expect(e.message).toContain('result')
    expect(e.message).toContain('Return a number.')
    expect(e.message).not.toContain('parameter')
  })

  it('ValidationError names an output or an option as such (subject), a parameter by default', () => {
    const fields = { key: 1, index: 1, paths: ['a'], details: ['d'] }
    const output = new ValidationError({ ...fields, node: 'n', param: 'y', subject: 'output' })
    expect(output.subject).toBe('output')
    expect(output.message).toContain('Invalid value at output "y" (node "n") › key 1 › item 1:')
    expect(new ValidationError({ ...fields, node: 'y', param: 'y', subject: 'output' }).message).toContain(
      'at output "y" › key 1',
    )
    const option = new ValidationError({ ...fields, node: undefined, param: 'keyColumn', subject: 'option' })
    expect(option.message).toContain('at option "keyColumn" ›')
    const param = new ValidationError({ ...fields, node: undefined, param: 'x' })
    expect([param.subject, param.message]).toStrictEqual(['parameter', expect.stringContaining('at input › parameter "x"')])
  })

  it('MissingKeyError says run takes one item when the item is an array', () => {
    const e = new MissingKeyError(0, 'id', undefined, [{ id: 'a' }])
    expect(e.message).toContain('it is an array, not an object with a "id" field')
    expect(e.message).toContain('`run` takes one item and `map` takes an array of items')
    expect(new MissingKeyError(0, 'id', undefined, 5).message).not.toContain('`run`')
  })

  it('MissingInputError suggests the output a misspelled parameter is close to', () => {
    const e = new MissingInputError(['hitz', 'k'], { hitz: ['score'], k: ['score'] }, { hitz: 'hits' })
    expect(e.suggestions).toStrictEqual({ hitz: 'hits' })
    expect(e.message).toContain('"hitz" (needed by "score"): did you mean the output "hits"?')
    expect(e.message).toContain('"k" (needed by "score")\n')
    expect(new MissingInputError(['k'], { k: ['a'] }).suggestions).toStrictEqual({})
  })

  it('MissingKeyError describes the offending value without printing objects', () => {
    expect(new MissingKeyError(0, 'id', undefined).message).toContain('undefined')
    expect(new MissingKeyError(0, 'id', { big: 'object' }).message).toContain('an object')
    expect(new MissingKeyError(0, 'id', Number.NaN).message).toContain('NaN')
  })

  it('UnreadableParamsError shortens long sources to one line', () => {
    const source = `({ a }) => {\n${'  a = a + 1\n'.repeat(40)}}`
    const e = new UnreadableParamsError('n', 'reason', source)
    expect(e.source).toBe(source)
    const line = e.message.split('\n').find((l) => l.includes('source:')) ?? ''
    expect(line.length).toBeLessThan(140)
  })

  it('CycleError of a self-loop names the node twice', () => {
    expect(new CycleError(['a']).message).toContain('a → a')
  })

  it('GraphError defaults to no nodes', () => {
    expect(new GraphError('bad').nodes).toStrictEqual([])
  })
})

describe('isDagflowError', () => {
  it('rejects other values', () => {
    for (const u of [new Error('x'), null, undefined, 'CYCLE', { code: 'CYCLE' }, 42]) {
      expect(isDagflowError(u)).toBe(false)
    }
  })

  it('recognises errors from another copy of the package by the Symbol.for brand', () => {
    const foreign = Object.assign(new Error('from the CJS build'), {
      code: 'CYCLE',
      [Symbol.for('dagflow/DagflowError')]: true,
    })
    expect(isDagflowError(foreign)).toBe(true)
    expect(foreign instanceof DagflowError).toBe(false)
  })
})

describe('toDagflowError', () => {
  it('keeps DagflowErrors and wraps anything else in a NodeError with the cause', () => {
    const g = new GraphError('x')
    expect(toDagflowError(g)).toBe(g)
    const raw = new RangeError('oops')
    const wrapped = toDagflowError(raw)
    expect(wrapped).toBeInstanceOf(NodeError)
    expect(wrapped.code).toBe('NODE_FAILED')
    expect(wrapped.cause).toBe(raw)
  })
})
