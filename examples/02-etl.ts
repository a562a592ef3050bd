/**
 * Feature engineering: parse raw rows with codecs, compute statistics once over all rows (a
 * reduce), then use those statistics in a per-row stage.
 *
 *   row[] ─► parse ─► stats ─► features
 *            per row   once     per row, reading `stats` whole
 *
 * Also: `bind` fixes a constant, `select` cuts a pipeline down to what one output needs, and the
 * `outputs` option of `map` computes only some outputs for one call.
 */
import { pathToFileURL } from 'node:url'
import * as t from 'io-ts'
import { LocalExecutor, node, pipeline, ValidationError } from 'dagflow'

// --- codecs --------------------------------------------------------------------------

/** A raw row as it comes from a spreadsheet export: every field is text. */
const RawListing = t.type({ id: t.string, price: t.string, sqft: t.string, city: t.string })
export type RawListing = t.TypeOf<typeof RawListing>

const positive = (u: unknown): u is number => typeof u === 'number' && Number.isFinite(u) && u > 0
const Positive = new t.Type<number>(
  'Positive',
  positive,
  (u, c) => (positive(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** A parsed row; `parse` checks every result against it (`returns`). */
const Listing = t.type({
  id: t.string,
  city: t.string,
  price: Positive,
  sqft: Positive,
  pricePerSqft: Positive,
})
export type Listing = t.TypeOf<typeof Listing>

export interface Stats {
  readonly count: number
  readonly mean: number
  readonly std: number
}

// --- nodes ---------------------------------------------------------------------------

/** '$1,050,000' → 1050000; text that is not a number → NaN (which `returns` rejects) */
const toNumber = (text: string) =>
  text.trim() === '' ? Number.NaN : Number(text.replace(/[$,\s]/g, ''))

/** Per row: `inputs` checks the raw row, the function parses it, `returns` checks the result. */
export const parse = node(
  {
    name: 'parse',
    output: 'listing',
    mapAxis: 'row',
    keyAttr: 'id',
    inputs: { row: RawListing },
    returns: Listing,
  },
  ({ row }) => {
    const [price, sqft] = [toNumber(row.price), toNumber(row.sqft)]
    const city = row.city.trim().toLowerCase()
    const name = city.charAt(0).toUpperCase() + city.slice(1)
    return { id: row.id, city: name, price, sqft, pricePerSqft: price / sqft }
  },
)

/** Once: no mapAxis, so `listing` arrives as a ReadonlyArray of every row's value. */
export const stats = node(
  { output: 'stats' },
  ({ listing }: { listing: ReadonlyArray<Listing> }): Stats => {
    const xs = listing.map((l) => l.pricePerSqft)
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    const std = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length)
    return { count: xs.length, mean, std }
  },
)

/** Per row again (it maps over `listing`, a per-row output); `stats` reaches every call whole. */
export const features = node(
  { output: 'features', mapAxis: 'listing' },
  ({ listing, stats, outlier_z }: { listing: Listing; stats: Stats; outlier_z: number }) => {
    const z = stats.std === 0 ? 0 : (listing.pricePerSqft - stats.mean) / stats.std
    return { id: listing.id, city: listing.city, z, outlier: Math.abs(z) > outlier_z }
  },
)

// --- pipeline and inputs -------------------------------------------------------------

/** `bind` fixes the threshold: `outlier_z` is no longer an input of `etl`. */
export const etl = pipeline(parse, stats, features).bind({ outlier_z: 1.5 })
export default etl

/** The constants left to pass: none, after `bind`. */
export const inputs = {}

export const rows: ReadonlyArray<RawListing> = [
  { id: 'L1', price: '$300,000', sqft: '1,500', city: ' boston' },
  { id: 'L2', price: '$480,000', sqft: '1,200', city: 'CAMBRIDGE ' },
  { id: 'L3', price: '$800,000', sqft: '2,000', city: 'somerville' },
  { id: 'L4', price: '$360,000', sqft: '900', city: 'Boston' },
  { id: 'L5', price: '$550,000', sqft: '1,100', city: 'cambridge' },
  { id: 'L6', price: '$1,000,000', sqft: '2,000', city: 'Somerville' },
  { id: 'L7', price: '$1,050,000', sqft: '1,500', city: 'BOSTON' },
  { id: 'L8', price: '$1,350,000', sqft: '1,500', city: 'cambridge' },
]

// --- main ----------------------------------------------------------------------------

export async function main(log: (line: string) => void = console.log) {
  const local = new LocalExecutor()
  log(`inputs: ${etl.inputs.join(', ')}   bound: ${JSON.stringify(etl.bound)}`)

  const result = await local.map(etl, { row: rows })
  const { stats: s, listing, features: fs } = result.outputs
  log(`stats: n=${s.count} mean=${s.mean.toFixed(2)} $/sqft std=${s.std.toFixed(2)}`)
  fs.forEach((f, i) => {
    const ppsf = (listing[i] as Listing).pricePerSqft.toFixed(0).padStart(4)
    const z = f.z.toFixed(2).padStart(5)
    log(`  ${f.id}  ${f.city.padEnd(10)} ${ppsf} $/sqft  z=${z}${f.outlier ? '  outlier' : ''}`)
  })

  // select: a smaller pipeline with only what `stats` needs (parse, stats)
  const statsOnly = etl.select('stats')
  const s2 = await local.map(statsOnly, { row: rows })
  const order = JSON.stringify(statsOnly.order)
  log(`select('stats').order = ${order} → mean ${s2.outputs.stats.mean}`)

  // outputs: the same pipeline, but this call returns (and computes) only what `features` needs
  const only = await local.map(etl, { row: rows }, { outputs: ['features'] })
  log(`outputs: ['features'] → ${JSON.stringify(Object.keys(only.outputs))}`)

  // a row whose price is not a number: its parsed result fails `returns` (node, key, fields)
  const bad = [...rows, { id: 'L9', price: 'call us', sqft: '800', city: 'Boston' }]
  const error = await local.map(etl, { row: bad }).then(
    () => undefined,
    (e: unknown) => (e instanceof ValidationError ? e : undefined),
  )
  if (error !== undefined) {
    const at = [error.node, error.param, `key ${String(error.key)}`, error.paths.join(', ')]
    log(`bad row: ${error.code} at node ${at.join(' › ')}`)
  }
  return { result, selected: s2, only, error }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
