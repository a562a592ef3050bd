/**
 * The main demo: an information-retrieval pipeline over a small embedded corpus.
 *
 *   query[] ─► retrieve ─► rerank ─► evaluate
 *              per query   per query  once, over all queries (MRR, recall@k, nDCG@k)
 *
 * `retrieve` maps over the queries (keyed by `query_uuid`) with io-ts codecs on its inputs;
 * `rerank` runs on the same axis (it maps over `hits`, a per-query output); `evaluate` has no
 * mapAxis, so it runs once and receives every query's hits as a ReadonlyArray (a reduce).
 *
 * Run: npm run demo
 */
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import * as t from 'io-ts'
import { LocalExecutor, node, pipeline } from 'dagflow'
import { BM25, tokenize, type Hit } from './bm25.js'

// --- codecs and data ------------------------------------------------------------------

const Query = t.type({ query_uuid: t.string, text: t.string })
export type Query = t.TypeOf<typeof Query>
const Document = t.type({ doc_id: t.string, title: t.string, text: t.string })
const Qrels = t.record(t.string, t.array(t.string))
/** relevance judgments: query_uuid → relevant doc_ids */
export type Qrels = t.TypeOf<typeof Qrels>
const Hits = t.readonlyArray(t.type({ doc_id: t.string, title: t.string, score: t.number }))

/** A codec for a class instance: accepts any BM25 and passes it through untouched. */
const Retriever = new t.Type<BM25>(
  'BM25',
  (u): u is BM25 => u instanceof BM25,
  (u, c) => (u instanceof BM25 ? t.success(u) : t.failure(u, c, 'expected a BM25 instance')),
  t.identity,
)

const read = (file: string) => readFileSync(new URL(`./data/${file}`, import.meta.url), 'utf8')

function decodeOrThrow<A>(codec: t.Decoder<unknown, A>, value: unknown, file: string): A {
  const r = codec.decode(value)
  if (r._tag === 'Left') throw new Error(`examples/data/${file} does not match its codec`)
  return r.right
}

export const documents = decodeOrThrow(
  t.array(Document),
  JSON.parse(read('documents.json')),
  'documents.json',
)
/** The queries are checked by `retrieve`'s `query` codec, item by item, when the pipeline runs. */
export const queries: ReadonlyArray<Query> = read('queries.jsonl')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Query)

// --- nodes ---------------------------------------------------------------------------

/** First stage: BM25 over title and text. `inputs` codecs type the parameter record. */
export const retrieve = node(
  {
    name: 'retrieve',
    output: 'hits',
    mapAxis: 'query',
    keyAttr: 'query_uuid',
    inputs: { query: Query, top_k: t.number, retriever: Retriever },
    returns: Hits,
  },
  ({ query, top_k, retriever }) => retriever.search(query.text, top_k),
)

/**
 * Second stage, on the same axis: re-score each hit list. The score is the BM25 score scaled
 * to the best hit, plus a bonus for the share of query terms that appear in the title.
 * Without `inputs`, the annotation on the destructured parameter gives the compiler its types.
 */
export const rerank = node(
  { name: 'rerank', output: 'reranked', mapAxis: 'hits' },
  ({ hits, query }: { hits: ReadonlyArray<Hit>; query: Query }): ReadonlyArray<Hit> => {
    const terms = new Set(tokenize(query.text))
    const best = Math.max(...hits.map((h) => h.score), Number.MIN_VALUE)
    return hits
      .map((h) => {
        const inTitle = new Set(tokenize(h.title).filter((w) => terms.has(w)))
        return { ...h, score: h.score / best + (0.5 * inTitle.size) / Math.max(1, terms.size) }
      })
      .sort((a, b) => b.score - a.score)
  },
)

export interface Metrics {
  readonly mrr: number
  readonly recall: number
  readonly ndcg: number
}

export interface Evaluation {
  /** the cut-off of recall@k and nDCG@k */
  readonly k: number
  readonly queries: number
  readonly retrieve: Metrics
  readonly rerank: Metrics
  /** per query, the rank of its first relevant document after reranking (null: not in the top k) */
  readonly firstRelevant: Readonly<Record<string, number | null>>
}

/**
 * A reduce: no mapAxis, so it runs once and every per-query value reaches it as a ReadonlyArray
 * in input order. `qrels` is a constant; `k` is optional (it has a default).
 */
export const evaluate = node(
  { name: 'evaluate', output: 'metrics' },
  ({
    query,
    hits,
    reranked,
    qrels,
    k = 5,
  }: {
    query: ReadonlyArray<Query>
    hits: ReadonlyArray<ReadonlyArray<Hit>>
    reranked: ReadonlyArray<ReadonlyArray<Hit>>
    qrels: Qrels
    k?: number
  }): Evaluation => {
    const relevant = query.map((q) => qrels[q.query_uuid] ?? [])
    const stage = (runs: ReadonlyArray<ReadonlyArray<Hit>>): Metrics => {
      const per = runs.map((run, i) => judge(run, relevant[i] ?? [], k))
      const mean = (f: (m: Metrics) => number) =>
        per.reduce((s, m) => s + f(m), 0) / Math.max(1, per.length)
      return { mrr: mean((m) => m.mrr), recall: mean((m) => m.recall), ndcg: mean((m) => m.ndcg) }
    }
    const firstRelevant = Object.fromEntries(
      query.map((q, i) => {
        const top = (reranked[i] ?? []).slice(0, k)
        const rank = top.findIndex((h) => relevant[i]?.includes(h.doc_id))
        return [q.query_uuid, rank < 0 ? null : rank + 1]
      }),
    )
    const queries = query.length
    return { k, queries, retrieve: stage(hits), rerank: stage(reranked), firstRelevant }
  },
)

/** reciprocal rank, recall@k and nDCG@k (binary gains) of one ranked list */
function judge(run: ReadonlyArray<Hit>, relevant: ReadonlyArray<string>, k: number): Metrics {
  const top = run.slice(0, k).map((h) => relevant.includes(h.doc_id))
  const first = top.indexOf(true)
  const gain = (hit: boolean, i: number) => (hit ? 1 / Math.log2(i + 2) : 0)
  const dcg = (hits: ReadonlyArray<boolean>) => hits.reduce((s, h, i) => s + gain(h, i), 0)
  const ideal = dcg(Array.from({ length: Math.min(k, relevant.length) }, () => true))
  return {
    mrr: first < 0 ? 0 : 1 / (first + 1),
    recall: relevant.length === 0 ? 0 : top.filter(Boolean).length / relevant.length,
    ndcg: ideal === 0 ? 0 : dcg(top) / ideal,
  }
}

// --- pipeline and inputs -------------------------------------------------------------

export const retrieval = pipeline(retrieve, rerank, evaluate)
export default retrieval

/** The constants: everything but the map axis (`query`). */
export const inputs = {
  retriever: new BM25(documents),
  top_k: 10,
  qrels: decodeOrThrow(Qrels, JSON.parse(read('qrels.json')), 'qrels.json'),
}

// --- main ----------------------------------------------------------------------------

export async function main(log: (line: string) => void = console.log) {
  log(`pipeline: ${retrieval.order.join(' → ')}   inputs: ${retrieval.inputs.join(', ')}`)
  log(`corpus: ${documents.length} documents, ${queries.length} queries\n`)

  const local = new LocalExecutor({ concurrency: 8 })
  const result = await local.map(retrieval, { ...inputs, query: queries })
  const { reranked, metrics } = result.outputs

  const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n))
  log(`key  ${pad('query', 40)} rel  top 3 after rerank (rel: rank of the first relevant one)`)
  result.keys.forEach((key, i) => {
    const q = queries[i] as Query
    const rank = metrics.firstRelevant[String(key)]
    const top = (reranked[i] ?? []).slice(0, 3).map((h) => pad(h.title, 28).trimEnd())
    const rel = rank == null ? '–' : `@${rank}`
    log(`${String(key)}  ${pad(q.text, 40)} ${rel.padStart(3)}  ${top.join(' | ')}`)
  })

  const row = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(10) : c.padStart(i === 1 ? 6 : 9))).join(' ')
  const num = (m: Metrics) => [m.mrr, m.recall, m.ndcg].map((x) => x.toFixed(3))
  log('')
  log(row(['stage', 'MRR', `R@${metrics.k}`, `nDCG@${metrics.k}`]))
  log(row(['retrieve', ...num(metrics.retrieve)]))
  log(row(['rerank', ...num(metrics.rerank)]))
  return result
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
