import { describe, it, expect } from 'vitest'
import * as retrievalDemo from '../../examples/01-retrieval.js'
import * as etlDemo from '../../examples/02-etl.js'
import * as asyncDemo from '../../examples/03-async-concurrency.js'

const collect = () => {
  const lines: Array<string> = []
  return { lines, log: (line: string) => void lines.push(line) }
}

describe('examples/01-retrieval', () => {
  it('retrieves, reranks and evaluates every query, keyed by query_uuid', async () => {
    const { lines, log } = collect()
    const result = await retrievalDemo.main(log)
    const ids = retrievalDemo.queries.map((q) => q.query_uuid)
    expect(ids).toHaveLength(12)
    expect(result.keys).toEqual(ids)
    expect(result.executor).toBe('local')
    const { hits, reranked, metrics } = result.outputs
    expect(hits).toHaveLength(12)
    expect(reranked).toHaveLength(12)
    // reranking reorders the same hits
    reranked.forEach((r, i) => {
      expect(r.map((h) => h.doc_id).sort()).toEqual((hits[i] ?? []).map((h) => h.doc_id).sort())
      expect(r.length).toBeLessThanOrEqual(retrievalDemo.inputs.top_k)
    })
    expect(metrics.queries).toBe(12)
    expect(Object.keys(metrics.firstRelevant)).toEqual(ids)
    for (const m of [metrics.retrieve, metrics.rerank]) {
      for (const v of [m.mrr, m.recall, m.ndcg]) {
        expect(v).toBeGreaterThanOrEqual(0)
        expect(v).toBeLessThanOrEqual(1)
      }
    }
    expect(metrics.rerank.mrr).toBeGreaterThan(0.7)
    expect(metrics.rerank.mrr).toBeGreaterThanOrEqual(metrics.retrieve.mrr)
    // one line per query, then the summary table
    for (const id of ids) expect(lines.some((l) => l.startsWith(`${id} `))).toBe(true)
    expect(lines.some((l) => /^rerank\s+0\.\d{3}/.test(l))).toBe(true)
  })

  it('exports the pipeline as default, with the constants in `inputs`', () => {
    expect(retrievalDemo.default).toBe(retrievalDemo.retrieval)
    expect(retrievalDemo.retrieval.order).toEqual(['retrieve', 'rerank', 'evaluate'])
    expect(retrievalDemo.retrieval.mapAxis).toBe('query')
    expect(retrievalDemo.retrieval.keyAttr).toBe('query_uuid')
    expect(Object.keys(retrievalDemo.inputs).sort()).toEqual(['qrels', 'retriever', 'top_k'])
    expect(retrievalDemo.documents).toHaveLength(40)
  })

  it('BM25 finds the obvious document; the metrics are right on a hand-checked case', async () => {
    const query = { query_uuid: 'x', text: 'sourdough starter' }
    const hits = retrievalDemo.inputs.retriever.search(query.text, 3)
    expect(hits[0]?.doc_id).toBe('bake-01')
    // relevant doc at rank 2 of 5, one of two relevant found: RR 1/2, recall 1/2,
    // nDCG = (1/log2 3) / (1 + 1/log2 3)
    const run = ['a', 'r1', 'b', 'c', 'd'].map((doc_id) => ({ doc_id, title: doc_id, score: 1 }))
    const m = await retrievalDemo.evaluate.fn({
      query: [query],
      hits: [run],
      reranked: [run],
      qrels: { x: ['r1', 'r2'] },
    })
    expect(m.rerank.mrr).toBe(0.5)
    expect(m.rerank.recall).toBe(0.5)
    expect(m.rerank.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12)
    expect(m.firstRelevant).toEqual({ x: 2 })
    expect(m.k).toBe(5)
  })
})

describe('examples/02-etl', () => {
  it('computes the statistics once and z-scores every row with them', async () => {
    const { lines, log } = collect()
    const { result, selected, only, error } = await etlDemo.main(log)
    const { stats, features } = result.outputs
    expect(stats).toEqual({ count: 8, mean: 500, std: 200 })
    expect(result.keys).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8'])
    expect(features.map((f) => f.z)).toEqual([-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2])
    expect(features.filter((f) => f.outlier).map((f) => f.id)).toEqual(['L8'])
    expect(features.map((f) => f.city)).toEqual([
      'Boston',
      'Cambridge',
      'Somerville',
      'Boston',
      'Cambridge',
      'Somerville',
      'Boston',
      'Cambridge',
    ])
    expect(selected.outputs).toEqual({ listing: result.outputs.listing, stats })
    expect(Object.keys(only.outputs)).toEqual(['features'])
    expect(only.outputs.features).toEqual(features)
    expect(error).toMatchObject({
      code: 'VALIDATION',
      node: 'parse',
      param: '(result)',
      key: 'L9',
      index: 8,
    })
    expect(error?.paths).toContain('price')
    expect(lines).toContain('stats: n=8 mean=500.00 $/sqft std=200.00')
  })

  it('binds the threshold, so only the rows remain as an input', () => {
    expect(etlDemo.etl.inputs).toEqual(['row'])
    expect(etlDemo.etl.bound).toEqual({ outlier_z: 1.5 })
    expect(etlDemo.etl.select('stats').order).toEqual(['parse', 'stats'])
  })
})

describe('examples/03-async-concurrency', () => {
  it('bounds calls in flight, aborts on the deadline, and folds a TaskEither', async () => {
    const { lines, log } = collect()
    const r = await asyncDemo.main(log)
    expect(r.calls).toBe(12)
    expect(r.maxInFlight).toBe(4)
    // 12 calls of 20 ms, 4 at a time: at least three waves
    expect(r.ms).toBeGreaterThanOrEqual(55)
    expect(r.result.keys).toEqual(asyncDemo.places.map((p) => p.id))
    expect(r.result.outputs.km).toHaveLength(12)
    expect(r.result.outputs.km.every((km) => km > 0 && km < 3000)).toBe(true)
    expect(r.aborted?.code).toBe('ABORTED')
    // the first call alone takes 400 ms: the abort did not wait for it
    expect(r.abortMs).toBeLessThan(350)
    expect(r.messages).toEqual(['Vienna: 597 km', 'Atlantis: NODE_FAILED in node geocode'])
    expect(lines[0]).toMatch(/^12 calls, at most 4 in flight/)
  })
})
