import { readFileSync } from 'node:fs'
import { tableFromIPC, Vector } from 'apache-arrow'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRunner, LocalExecutor, pipeline } from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'
import { checkBatch } from 'dagflow/testing'
import * as demo from '../../examples/04-documents.js'

const collect = () => {
  const lines: Array<string> = []
  return { lines, log: (line: string) => void lines.push(line) }
}

/** An Arrow value as plain JS: vectors become arrays, struct rows objects. */
const plain = (u: unknown): unknown => {
  if (u instanceof Vector) return Array.from(u as Vector, plain)
  const row = u as { toJSON?: () => Record<string, unknown> } | null
  if (typeof row === 'object' && row !== null && typeof row.toJSON === 'function') {
    const o = row.toJSON()
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, plain(v)]))
  }
  return u
}

/** main() runs once (about a quarter of a second); the tests below read its result. */
const { lines, log } = collect()
let ran: ReturnType<typeof demo.main> | undefined
const result = () => (ran ??= demo.main(log))

const norm = (v: ReadonlyArray<number>) => Math.sqrt(v.reduce((s, x) => s + x * x, 0))
const section = (id: string) => id.split('-')[0]

describe('examples/04-documents', () => {
  it('gives deep-equal outputs on both executors, one embed call per batch on Arrow', async () => {
    const r = await result()
    const ids = demo.pages.map((p) => p.id)
    expect(ids).toHaveLength(40)
    expect(r.equal).toBe(true)
    expect(r.arrow.outputs).toStrictEqual(r.local.outputs)
    expect(r.local.keys).toStrictEqual(ids)
    expect(r.arrow.keys).toStrictEqual(ids)
    expect([r.local.executor, r.arrow.executor]).toStrictEqual(['local', 'arrow'])
    // LocalExecutor calls fn once per page; the batch form runs once per batch of 16 pages
    expect(r.localCalls).toBe(40)
    expect(r.arrowCalls).toBe(Math.ceil(40 / 16))
    // the model answers one call of 5 ms at a time: Arrow's three calls take at least 15 ms
    expect(r.arrowMs).toBeGreaterThanOrEqual(3 * 5 - 1)
    expect(r.localMs).toBeGreaterThan(r.arrowMs)
    expect(lines).toContain('outputs deep-equal across executors: true')
    const calls = /^local: 40 embed calls, .* arrow \(batchSize 16\): 3 embed calls/
    expect(lines.some((l) => calls.test(l))).toBe(true)
    expect(lines).toContain('read back: keys and nearest ids match: true')
  })

  it('embeds every chunk as a unit vector, and nearest is never the page itself', async () => {
    const r = await result()
    const { chunks, vectors, nearest } = r.arrow.outputs
    vectors.forEach((vs, i) => {
      expect(vs).toHaveLength(chunks[i]?.length ?? -1)
      for (const v of vs) {
        expect(v).toHaveLength(512)
        expect(Math.abs(norm(v) - 1)).toBeLessThan(1e-12)
      }
    })
    const ids = r.arrow.keys
    nearest.forEach((n, i) => {
      expect(n).not.toBeNull()
      expect(n?.id).not.toBe(ids[i])
      expect(ids).toContain(n?.id)
      expect(n?.score).toBeGreaterThan(0)
      expect(n?.score).toBeLessThanOrEqual(1 + 1e-12)
    })
    // far better than chance (7 of the 39 other pages share a page's section)
    const same = nearest.filter((n, i) => section(n?.id ?? '') === section(String(ids[i]))).length
    expect(same).toBeGreaterThanOrEqual(20)
  })

  it('writes the per-page outputs as Arrow IPC that reads back to the same values', async () => {
    const r = await result()
    const back = tableFromIPC(r.ipc)
    expect(back.numRows).toBe(40)
    // toArrow takes either executor's result and builds the same table
    expect(r.sameBytes).toBe(true)
    expect(back.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toStrictEqual([
      ['id', 'Utf8', false],
      ['doc', 'Struct<{title:Utf8, text:Utf8}>', false],
      ['chunks', 'List<Utf8>', false],
      ['vectors', 'List<List<Float64>>', false],
      ['nearest', 'Struct<{id:Utf8, title:Utf8, score:Float64}>', true],
    ])
    expect(Array.from(back.getChild('id') ?? [])).toStrictEqual(r.arrow.keys)
    for (const name of ['doc', 'chunks', 'vectors', 'nearest'] as const) {
      expect(Array.from(back.getChild(name) ?? [], plain)).toStrictEqual(r.local.outputs[name])
    }
  })

  it('cleans every page back to the text it was made from', async () => {
    const source = JSON.parse(
      readFileSync(new URL('../../examples/data/documents.json', import.meta.url), 'utf8'),
    ) as ReadonlyArray<{ doc_id: string; title: string; text: string }>
    const r = await new LocalExecutor().map(pipeline(demo.extract), { raw: demo.pages })
    expect(r.keys).toStrictEqual(source.map((d) => d.doc_id))
    expect(r.outputs.doc).toStrictEqual(source.map((d) => ({ title: d.title, text: d.text })))
    // no markup, entity or boilerplate is left
    for (const d of r.outputs.doc) {
      expect(`${d.title} ${d.text}`).not.toMatch(/[<>]|&\w+;|Field Notes/)
    }
  })

  it('cuts chunks of about chunkWords words that add up to the title and text', async () => {
    const doc = { title: 'T', text: Array.from({ length: 23 }, (_, i) => `w${i}`).join(' ') }
    const chunks = await demo.chunk.fn({ doc, chunkWords: 10 })
    expect(chunks.map((c) => c.split(' ').length)).toStrictEqual([10, 14])
    expect(chunks.join(' ')).toBe(`T. ${doc.text}`)
    const question = { title: 'Why?', text: 'a b' }
    expect(await demo.chunk.fn({ doc: question, chunkWords: 10 })).toStrictEqual(['Why? a b'])
    expect(await demo.chunk.fn({ doc: { title: '', text: '' }, chunkWords: 10 })).toStrictEqual([])
  })

  it('gives a page without text no chunks and no nearest page, with either executor', async () => {
    const blank = { id: 'blank', url: '', html: '<html><body></body></html>' }
    const raw = [...demo.pages.slice(0, 3), blank]
    const inputs = { ...demo.inputs, model: new demo.HashEmbedder({ latencyMs: 0 }), raw }
    const [local, arrow] = await Promise.all([
      new LocalExecutor().map(demo.documents, inputs),
      new ArrowBatchExecutor({ batchSize: 2 }).map(demo.documents, inputs),
    ])
    expect(arrow.outputs).toStrictEqual(local.outputs)
    expect(local.outputs.chunks[3]).toStrictEqual([])
    expect(local.outputs.vectors[3]).toStrictEqual([])
    expect(local.outputs.nearest[3]).toBeNull()
    const others = local.outputs.nearest.slice(0, 3)
    expect(others.every((n) => n !== null && n.id !== 'blank')).toBe(true)
    // null stays null through Arrow (nearest is a nullable struct)
    const table = arrow.toArrow()
    expect(table.getChild('nearest')?.nullCount).toBe(1)
    expect(table.getChild('nearest')?.get(3)).toBeNull()
  })

  it('makes ceil(n / batchSize) embed calls on Arrow, whatever n', async () => {
    for (const n of [1, 16, 17, 33]) {
      const model = new demo.HashEmbedder({ latencyMs: 0 })
      const r = await new ArrowBatchExecutor({ batchSize: 16 }).map(demo.documents, {
        ...demo.inputs,
        model,
        raw: demo.pages.slice(0, n),
      })
      expect(model.calls).toBe(Math.ceil(n / 16))
      expect(model.texts).toBe(r.outputs.chunks.reduce((s, c) => s + c.length, 0))
    }
  })

  it('has a batch form that agrees with fn (checkBatch), empty chunk lists included', async () => {
    await checkBatch(demo.embed, {
      constants: ['model'],
      arbitraries: {
        model: fc.constant(new demo.HashEmbedder({ latencyMs: 0, dims: 16 })),
        chunks: fc.array(fc.string(), { maxLength: 3 }),
      },
      numRuns: 50,
      seed: 4,
    })
  })

  it('runs on Arrow in auto mode only from the threshold on', async () => {
    const auto = createRunner({ mode: 'auto', threshold: 32, batchSize: 16 })
    const run = (n: number) =>
      auto.map(demo.documents, {
        ...demo.inputs,
        model: new demo.HashEmbedder({ latencyMs: 0 }),
        raw: demo.pages.slice(0, n),
      })
    expect((await run(31)).executor).toBe('local')
    expect((await run(32)).executor).toBe('arrow')
  })
})
