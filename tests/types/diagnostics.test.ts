import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'

// Compiles the fixtures with the project's compiler options, then checks that every compile-time
// rule reports an error whose text names the offending output or parameter.
const root = fileURLToPath(new URL('../..', import.meta.url))
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url))

const messages = new Map<string, string>()

beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    },
  })
  if (config === undefined) throw new Error('cannot read tsconfig.json')
  const files = readdirSync(fixtures)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(fixtures, f))
  const program = ts.createProgram(files, { ...config.options, noEmit: true })
  for (const f of files) {
    const text = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(f))
      .map((d) => {
        // the compiler points at the offending token: keep it beside the message
        const at = d.file?.text.slice(d.start ?? 0, (d.start ?? 0) + Math.min(d.length ?? 0, 40))
        return `at \`${at ?? ''}\`: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
      })
      .join('\n')
    messages.set(f.slice(fixtures.length + 1, -3), text)
  }
}, 60_000)

const errorOf = (fixture: string): string => {
  const m = messages.get(fixture)
  if (m === undefined) throw new Error(`no fixture ${fixture}`)
  return m
}

describe('compile-time diagnostics', () => {
  it('names a duplicated output', () => {
    expect(errorOf('duplicate-output')).toContain('output \\"answer\\" is produced by more than one node')
  })

  it('names the parameter whose type does not accept its producer', () => {
    expect(errorOf('param-mismatch')).toContain(
      'parameter \\"tokens\\" of the node producing \\"count\\" does not accept the type of output \\"tokens\\"',
    )
  })

  it('explains that a reduce receives a ReadonlyArray', () => {
    const m = errorOf('reduce-mismatch')
    expect(m).toContain('parameter \\"score\\" of the node producing \\"total\\"')
    expect(m).toContain('receives a per-item output as a ReadonlyArray')
  })

  it('names both map axes', () => {
    const m = errorOf('two-axes')
    expect(m).toContain('nodes declare different map axes')
    expect(m).toContain('left')
    expect(m).toContain('right')
  })

  it('lists the valid keys for a bad keyAttr', () => {
    expect(errorOf('bad-key-attr')).toContain(`Type '"uuid"' is not assignable to type '"query_uuid" | "text"'`)
  })

  it('says keyAttr needs object items', () => {
    expect(errorOf('key-attr-primitive')).toContain('keyAttr names a field of the map-axis item, and \\"doc\\" is not an object')
  })

  it('points at the field itself, with `inputs` too (one signature, so TypeScript 7 does as well)', () => {
    const typo = errorOf('misspelled-option')
    expect(typo).toContain("at `timeout`")
    expect(typo).toContain("Did you mean to write 'timeoutMs'?")
    const axis = errorOf('bad-map-axis-inputs')
    expect(axis).toContain('at `mapAxis`')
    expect(axis).toContain(`Type '"qry"' is not assignable to type '"query"'`)
    expect(Array.from(messages.values()).join('\n')).not.toContain('No overload matches this call')
  })

  it('names the output whose returns codec cannot accept its function’s result', () => {
    expect(errorOf('returns-mismatch')).toContain('the returns codec of \\"label\\" does not accept what its function returns')
    // and with `inputs` codecs typing the parameters
    expect(errorOf('returns-mismatch-inputs')).toContain(
      'the returns codec of \\"label\\" does not accept what its function returns',
    )
  })

  it('explains that a per-item node receives one item of the map-axis input, not an array', () => {
    expect(errorOf('per-item-axis-array')).toContain(
      'parameter \\"query\\" of the node producing \\"best\\" is an array, but the node runs per item',
    )
  })

  it('explains that a reduce receives the map-axis input as a ReadonlyArray', () => {
    expect(errorOf('axis-reduce-mismatch')).toContain(
      'parameter \\"doc\\" of the node producing \\"first\\" does not accept the map-axis input \\"doc\\"',
    )
  })

  it('names the node that maps over an output computed once', () => {
    expect(errorOf('map-axis-once')).toContain(
      'the node producing \\"share\\" maps over \\"total\\", which is computed once',
    )
  })

  it('names an input that two nodes take with types no value has, and both nodes', () => {
    const m = errorOf('input-conflict')
    expect(m).toContain('input \\"factor\\" has no value that fits every node taking it')
    expect(m).toContain('the node producing \\"scaled\\"')
    expect(m).toContain('the node producing \\"label\\"')
  })

  it('says keyAttr requires mapAxis', () => {
    expect(errorOf('key-attr-without-axis')).toContain('keyAttr requires mapAxis')
  })

  it('lists the parameters for a bad mapAxis', () => {
    expect(errorOf('bad-map-axis')).toContain(`Type '"querry"' is not assignable to type '"query"'`)
  })

  it('names a missing input', () => {
    expect(errorOf('missing-input')).toContain(`Property 'top_k' is missing`)
  })

  it('names a mistyped input', () => {
    const m = errorOf('mistyped-input')
    expect(m).toContain('at `top_k`')
    expect(m).toContain(`Type 'string' is not assignable to type 'number'`)
  })

  it('says map needs a map axis', () => {
    expect(errorOf('map-without-axis')).toContain('map() needs a node with mapAxis')
  })

  it('compiles every fixture to exactly the errors above (snapshot)', () => {
    expect(Object.fromEntries([...messages].sort())).toMatchSnapshot()
  })
})
