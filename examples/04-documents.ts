/**
 * Document processing, run by both executors: clean raw HTML pages, cut them into chunks, embed
 * the chunks with a (simulated) model, build a small index once, and find each page's most
 * similar other page.
 *
 *   raw[] ─► extract ─► chunk ─► embed ──────────► index ─► nearest
 *            per page   per page  per page,        once     per page, reading `index` whole
 *                                 batch form: one
 *                                 model call per batch
 *
 * `embed` calls the model once per page in `LocalExecutor`; its `batch` form embeds every chunk
 * of a batch of pages in one call, which `ArrowBatchExecutor` uses. The model answers one call at
 * a time with a fixed latency, as a model on one device does, so fewer calls is less time. Both
 * executors give deep-equal outputs, and `toArrow` turns the per-page outputs into an Arrow
 * table, written here as Arrow IPC and read back.
 *
 * Run: npx tsx --conditions=dagflow:source examples/04-documents.ts
 */
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { tableFromIPC, tableToIPC } from 'apache-arrow'
import * as t from 'io-ts'
import { LocalExecutor, node, pipeline } from 'dagflow'
import { ArrowBatchExecutor, toArrow } from 'dagflow/arrow'

// --- codecs and data ------------------------------------------------------------------

/** A page as it was crawled. */
const RawDoc = t.type({ id: t.string, url: t.string, html: t.string })
export type RawDoc = t.TypeOf<typeof RawDoc>

/** A page after cleaning: its title and its body text, one line of plain words. */
const Doc = t.type({ title: t.string, text: t.string })
export type Doc = t.TypeOf<typeof Doc>

const Chunks = t.readonlyArray(t.string)
/** one unit-length vector per chunk */
const Vectors = t.readonlyArray(t.readonlyArray(t.number))
export type Vectors = t.TypeOf<typeof Vectors>

/** The most similar other page, or null for a page without text. */
const Nearest = t.union([t.type({ id: t.string, title: t.string, score: t.number }), t.null])
export type Nearest = t.TypeOf<typeof Nearest>

/** 40 pages in five sections (astro, bake, garden, db, bike), eight each. */
export const pages: ReadonlyArray<RawDoc> = readFileSync(
  new URL('./data/articles.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as RawDoc)

// --- the model ---------------------------------------------------------------------------

/**
 * A stand-in for an embedding model: a hashed bag of words (the FNV-1a hash of each content
 * word picks one of `dims` dimensions and a sign), L2-normalised, so it is deterministic and
 * local. 512 dimensions keep hash collisions rare enough for these short pages (at 64, unrelated
 * pages collide on as many words as related ones share). Like a model on one device it answers
 * one call at a time, and each call costs `latencyMs` however many texts it carries. It counts
 * its calls and the texts it embedded.
 */
export class HashEmbedder {
  readonly dims: number
  readonly latencyMs: number
  calls = 0
  texts = 0
  private queue: Promise<unknown> = Promise.resolve()

  constructor(options: { readonly dims?: number; readonly latencyMs?: number } = {}) {
    this.dims = options.dims ?? 512
    this.latencyMs = options.latencyMs ?? 5
  }

  embed(texts: ReadonlyArray<string>): Promise<Array<Array<number>>> {
    const turn = this.queue.then(async () => {
      this.calls++
      this.texts += texts.length
      if (this.latencyMs > 0) await sleep(this.latencyMs)
      return texts.map((text) => embedText(text, this.dims))
    })
    this.queue = turn.catch(() => undefined)
    return turn
  }
}

const STOPWORDS = new Set(
  [
    'a about after all also an and are as at be because before but by can do does each every',
    'for from has have how if in into is it its less more most much no not of often on one only',
    'or so some than that the their them then there these they this to too up was what when',
    'where which while who why will with without you your',
  ]
    .join(' ')
    .split(' '),
)

/** The content words of a text: lower case, letters and digits, no stopwords. */
export const words = (text: string): Array<string> =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '' && !STOPWORDS.has(w))
    .map(stem)

/** A crude stemmer: plurals and -ing/-ed endings off, so "stars" and "star" are one word. */
const stem = (w: string) =>
  w.length <= 4
    ? w
    : w
        .replace(/ies$/, 'y')
        .replace(/(ing|ed)$/, '')
        .replace(/([^s])s$/, '$1')

function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** A unit vector for `text`; a text without content words gets the first axis. */
export function embedText(text: string, dims: number): Array<number> {
  const v = new Array<number>(dims).fill(0)
  for (const w of words(text)) {
    // the low bits pick the dimension, the top bit the sign (collisions cancel out on average)
    const h = fnv1a(w)
    const d = h % dims
    v[d] = (v[d] as number) + (h >>> 31 === 1 ? -1 : 1)
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0))
  if (norm === 0) {
    v[0] = 1
    return v
  }
  return v.map((x) => x / norm)
}

/** A codec for the model: accepts any HashEmbedder and passes it through untouched. */
const Embedder = new t.Type<HashEmbedder>(
  'HashEmbedder',
  (u): u is HashEmbedder => u instanceof HashEmbedder,
  (u, c) => (u instanceof HashEmbedder ? t.success(u) : t.failure(u, c, 'expected a HashEmbedder')),
  t.identity,
)

// --- nodes -----------------------------------------------------------------------------

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  middot: '·',
}

const decodeEntities = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(Number.parseInt(e.slice(e[1] === 'x' ? 2 : 1), e[1] === 'x' ? 16 : 10))
      : (ENTITIES[e.toLowerCase()] ?? all),
  )

/** Markup → one line of text: tags dropped, entities decoded, whitespace collapsed. */
const plainText = (html: string) =>
  decodeEntities(html.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim()

const element = (html: string, tag: string) =>
  new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'i').exec(html)?.[1]

/**
 * Per page: the title (the `<h1>`, else the `<title>` without its " | site" suffix) and the text
 * of the `<article>` (else the `<body>`), without navigation, footers, scripts and comments.
 */
export const extract = node(
  {
    name: 'extract',
    output: 'doc',
    mapAxis: 'raw',
    keyAttr: 'id',
    inputs: { raw: RawDoc },
    returns: Doc,
  },
  ({ raw }) => {
    const html = raw.html
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<(script|style|nav|footer|head)\b[\s\S]*?<\/\1>/gi, ' ')
    const h1 = element(html, 'h1')
    const title =
      h1 !== undefined
        ? plainText(h1)
        : plainText(element(raw.html, 'title') ?? '').replace(/\s+\|[^|]*$/, '')
    const body = element(html, 'article') ?? element(html, 'body') ?? html
    return { title, text: plainText(body.replace(/<h1\b[\s\S]*?<\/h1>/i, ' ')) }
  },
)

/**
 * Per page (it maps over `doc`, an output of a per-page node): the title and text in chunks of
 * about `chunkWords` words. A last piece shorter than half a chunk joins the chunk before it; an
 * empty page has no chunks.
 */
export const chunk = node(
  {
    name: 'chunk',
    output: 'chunks',
    mapAxis: 'doc',
    inputs: { doc: Doc, chunkWords: t.number },
    returns: Chunks,
  },
  ({ doc, chunkWords }) => {
    const title = doc.title === '' || /[.!?]$/.test(doc.title) ? doc.title : `${doc.title}.`
    const all = `${title} ${doc.text}`.split(' ').filter((w) => w !== '')
    const size = Math.max(1, Math.floor(chunkWords))
    const out: Array<Array<string>> = []
    for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size))
    const last = out.at(-1)
    if (out.length > 1 && last !== undefined && last.length < size / 2) {
      out.pop()
      out[out.length - 1]?.push(...last)
    }
    return out.map((ws) => ws.join(' '))
  },
)

/**
 * Per page: one vector per chunk. `fn` calls the model once per page; the `batch` form calls it
 * once for all the chunks of a batch of pages and hands each page its share, in order.
 */
export const embed = node(
  {
    name: 'embed',
    output: 'vectors',
    mapAxis: 'chunks',
    inputs: { chunks: Chunks, model: Embedder },
    returns: Vectors,
    batch: async ({ chunks, model }) => {
      // `model` is a constant: its column repeats one value
      const vectors = await (model[0] as HashEmbedder).embed(Array.from(chunks).flat())
      let at = 0
      return Array.from(chunks, (c) => vectors.slice(at, (at += c.length)))
    },
  },
  ({ chunks, model }) => model.embed(chunks),
)

/** A page's vector: the mean of its chunk vectors, L2-normalised (undefined without chunks). */
export function centroid(vectors: Vectors): Float64Array | undefined {
  const first = vectors[0]
  if (first === undefined) return undefined
  const c = new Float64Array(first.length)
  for (const v of vectors) {
    for (let d = 0; d < c.length; d++) c[d] = (c[d] as number) + (v[d] as number)
  }
  let norm = 0
  for (const x of c) norm += x * x
  norm = Math.sqrt(norm)
  return norm === 0 ? undefined : c.map((x) => x / norm)
}

export interface Index {
  readonly ids: ReadonlyArray<string>
  readonly titles: ReadonlyArray<string>
  /** one unit vector per page, or undefined for a page without text */
  readonly centroids: ReadonlyArray<Float64Array | undefined>
}

/** Once, over every page (a reduce): the ids, titles and page vectors. */
export const index = node(
  { name: 'index', output: 'index' },
  ({
    raw,
    doc,
    vectors,
  }: {
    raw: ReadonlyArray<RawDoc>
    doc: ReadonlyArray<Doc>
    vectors: ReadonlyArray<Vectors>
  }): Index => ({
    ids: raw.map((r) => r.id),
    titles: doc.map((d) => d.title),
    centroids: vectors.map(centroid),
  }),
)

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0
  for (let d = 0; d < a.length; d++) s += (a[d] as number) * (b[d] as number)
  return s
}

/** Per page, reading the index whole: the most similar other page by cosine similarity. */
export const nearest = node(
  { name: 'nearest', output: 'nearest', mapAxis: 'vectors', returns: Nearest },
  ({ vectors, raw, index }: { vectors: Vectors; raw: RawDoc; index: Index }): Nearest => {
    const own = centroid(vectors)
    if (own === undefined) return null
    let best: Nearest = null
    index.ids.forEach((id, j) => {
      const other = index.centroids[j]
      if (id === raw.id || other === undefined) return
      const score = dot(own, other)
      if (best === null || score > best.score) {
        best = { id, title: index.titles[j] as string, score }
      }
    })
    return best
  },
)

// --- pipeline and inputs -------------------------------------------------------------

export const documents = pipeline(extract, chunk, embed, index, nearest)
export default documents

/** The constants: about 10 words a chunk, and the model (used in place, never copied). */
export const inputs = { chunkWords: 10, model: new HashEmbedder() }

// --- main ----------------------------------------------------------------------------

export async function main(log: (line: string) => void = console.log) {
  log(`pipeline: ${documents.order.join(' → ')}   ${pages.length} pages`)

  const timed = async <A>(f: () => Promise<A>) => {
    const started = performance.now()
    const value = await f()
    return { value, ms: performance.now() - started }
  }

  // 1. the same pipeline, run by each executor, each with a fresh model to count its calls
  const localModel = new HashEmbedder()
  const local = await timed(() =>
    new LocalExecutor().map(documents, { ...inputs, model: localModel, raw: pages }),
  )
  const arrowModel = new HashEmbedder()
  const arrow = await timed(() =>
    new ArrowBatchExecutor({ batchSize: 16 }).map(documents, {
      ...inputs,
      model: arrowModel,
      raw: pages,
    }),
  )
  const chunks = local.value.outputs.chunks.reduce((n, c) => n + c.length, 0)
  log(
    `${chunks} chunks of about ${inputs.chunkWords} words; ` +
      `the model takes ${localModel.latencyMs} ms a call, one call at a time`,
  )
  log(
    `local: ${localModel.calls} embed calls, ${local.ms.toFixed(0)} ms   ` +
      `arrow (batchSize 16): ${arrowModel.calls} embed calls, ${arrow.ms.toFixed(0)} ms`,
  )

  // 2. the executors agree: deep-equal outputs and keys (toArrow is not enumerable)
  const equal =
    isDeepStrictEqual(local.value.outputs, arrow.value.outputs) &&
    isDeepStrictEqual(local.value.keys, arrow.value.keys)
  log(`outputs deep-equal across executors: ${equal}`)

  const { doc, nearest: near } = arrow.value.outputs
  arrow.value.keys.forEach((key, i) => {
    if (i % 8 !== 0) return
    const n = near[i] ?? null
    const to = n === null ? 'none' : `${n.id} "${n.title}" (${n.score.toFixed(2)})`
    log(`  ${String(key)} "${doc[i]?.title}" → ${to}`)
  })
  const sameSection = near.filter(
    (n, i) => n !== null && n.id.split('-')[0] === String(arrow.value.keys[i]).split('-')[0],
  ).length
  log(`nearest page in the same section: ${sameSection} of ${pages.length}`)

  // 3. the per-page outputs as an Arrow table (typed by the nodes' `returns` codecs, with the
  // keys in an `id` column), written as Arrow IPC and read back. `arrow.value.toArrow()` gives
  // the same table without the key column; `toArrow` takes any MapResult, so the local result
  // gives the same bytes.
  const ipc = tableToIPC(toArrow(arrow.value, { keyColumn: 'id' }), 'file')
  const sameBytes = Buffer.from(ipc).equals(
    tableToIPC(toArrow(local.value, { keyColumn: 'id' }), 'file'),
  )
  const back = tableFromIPC(ipc)
  log(`Arrow IPC file: ${ipc.byteLength} bytes, ${back.numRows} rows`)
  log(`  the same bytes from the local result: ${sameBytes}`)
  for (const f of back.schema.fields) {
    log(`  ${f.name}: ${String(f.type)}${f.nullable ? ' (nullable)' : ''}`)
  }
  const nearestIds = Array.from(back.getChild('nearest') ?? [], (row) =>
    row === null ? null : (row.toJSON() as { id: string }).id,
  )
  const roundTrip =
    isDeepStrictEqual(Array.from(back.getChild('id') ?? []), arrow.value.keys) &&
    isDeepStrictEqual(
      nearestIds,
      near.map((n) => n?.id ?? null),
    )
  log(`read back: keys and nearest ids match: ${roundTrip}`)

  return {
    local: local.value,
    arrow: arrow.value,
    localCalls: localModel.calls,
    arrowCalls: arrowModel.calls,
    localMs: local.ms,
    arrowMs: arrow.ms,
    equal,
    sameBytes,
    ipc,
    back,
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
