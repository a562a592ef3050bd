/**
 * A small BM25 retriever for the retrieval demo: a tokenizer with a crude suffix stemmer, an
 * inverted index, and Okapi BM25 scoring. Deterministic: ties break by document order.
 */

export interface Doc {
  readonly doc_id: string
  readonly title: string
  readonly text: string
}

export interface Hit {
  readonly doc_id: string
  readonly title: string
  readonly score: number
}

const STOPWORDS = new Set(
  ('a an and are as at be by can do does for from how in into is it its of on or so ' +
    'than that the this to too what when why will with you your').split(' '),
)

/** lower-case words without stopwords, with plural and -ing/-ed endings stripped */
export function tokenize(text: string): Array<string> {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? []
  return words.filter((w) => !STOPWORDS.has(w)).map(stem)
}

function stem(w: string): string {
  if (w.length <= 3) return w
  const s = w.replace(/ies$/, 'y').replace(/(ing|ed|es|s)$/, '')
  return s.length > 2 ? s.replace(/e$/, '') : w
}

export class BM25 {
  readonly docs: ReadonlyArray<Doc>
  readonly k1: number
  readonly b: number
  readonly #postings = new Map<string, Array<[doc: number, tf: number]>>()
  readonly #lengths: Array<number> = []
  readonly #avgLength: number

  constructor(docs: ReadonlyArray<Doc>, { k1 = 1.2, b = 0.75 }: { k1?: number; b?: number } = {}) {
    this.docs = docs
    this.k1 = k1
    this.b = b
    docs.forEach((d, i) => {
      const terms = tokenize(`${d.title} ${d.text}`)
      this.#lengths.push(terms.length)
      const tf = new Map<string, number>()
      for (const term of terms) tf.set(term, (tf.get(term) ?? 0) + 1)
      for (const [term, n] of tf) {
        const list = this.#postings.get(term) ?? []
        list.push([i, n])
        this.#postings.set(term, list)
      }
    })
    this.#avgLength = this.#lengths.reduce((a, b) => a + b, 0) / Math.max(1, docs.length)
  }

  /** the `k` best documents for `text`, best first */
  search(text: string, k: number): Array<Hit> {
    const { k1, b } = this
    const n = this.docs.length
    const scores = new Map<number, number>()
    for (const term of new Set(tokenize(text))) {
      const postings = this.#postings.get(term) ?? []
      const idf = Math.log(1 + (n - postings.length + 0.5) / (postings.length + 0.5))
      for (const [doc, tf] of postings) {
        const norm = 1 - b + (b * (this.#lengths[doc] ?? 0)) / this.#avgLength
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (k1 + 1)) / (tf + k1 * norm))
      }
    }
    return [...scores]
      .sort(([da, sa], [db, sb]) => sb - sa || da - db)
      .slice(0, k)
      .map(([doc, score]) => {
        const d = this.docs[doc] as Doc
        return { doc_id: d.doc_id, title: d.title, score }
      })
  }
}
