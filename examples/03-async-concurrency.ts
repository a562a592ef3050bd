/**
 * Async nodes: a simulated remote service with latency, called once per item. The executor keeps
 * at most `concurrency` calls in flight; an AbortSignal cancels a run that takes too long; and
 * `runTE`/`mapTE` give the same work as an fp-ts TaskEither, folded here into a message.
 *
 *   place[] ─► geocode (async, per place) ─► distance (per place)
 */
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { pipe } from 'fp-ts/lib/function.js'
import * as T from 'fp-ts/lib/Task.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { LocalExecutor, NodeError, isDagflowError, node, pipeline } from 'dagflow'

export interface Place {
  readonly id: string
  readonly city: string
}

export interface Coords {
  readonly lat: number
  readonly lon: number
}

const ATLAS: Readonly<Record<string, Coords>> = {
  Amsterdam: { lat: 52.37, lon: 4.9 },
  Berlin: { lat: 52.52, lon: 13.4 },
  Lisbon: { lat: 38.72, lon: -9.14 },
  London: { lat: 51.51, lon: -0.13 },
  Madrid: { lat: 40.42, lon: -3.7 },
  Oslo: { lat: 59.91, lon: 10.75 },
  Paris: { lat: 48.86, lon: 2.35 },
  Prague: { lat: 50.08, lon: 14.44 },
  Rome: { lat: 41.9, lon: 12.5 },
  Vienna: { lat: 48.21, lon: 16.37 },
  Warsaw: { lat: 52.23, lon: 21.01 },
  Zurich: { lat: 47.38, lon: 8.54 },
}

/** A fake geocoding service: every call takes `latencyMs`; it counts the calls in flight. */
export class GeoService {
  readonly latencyMs: number
  calls = 0
  inFlight = 0
  maxInFlight = 0

  constructor(latencyMs: number) {
    this.latencyMs = latencyMs
  }

  async lookup(city: string): Promise<Coords> {
    this.calls++
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight)
    try {
      await sleep(this.latencyMs)
      const found = ATLAS[city]
      if (found === undefined) throw new Error(`unknown city ${JSON.stringify(city)}`)
      return found
    } finally {
      this.inFlight--
    }
  }
}

// --- nodes and pipeline --------------------------------------------------------------

/** An async node: the executor awaits it, at most `concurrency` calls at a time. */
export const geocode = node(
  { name: 'geocode', output: 'coords', mapAxis: 'place', keyAttr: 'id' },
  ({ place, service }: { place: Place; service: GeoService }) => service.lookup(place.city),
)

/** A sync node on the same axis: great-circle distance from `origin`, in km. */
export const distance = node(
  { name: 'distance', output: 'km', mapAxis: 'coords' },
  ({ coords, origin }: { coords: Coords; origin: Coords }) => {
    const rad = (d: number) => (d * Math.PI) / 180
    const [dLat, dLon] = [rad(coords.lat - origin.lat), rad(coords.lon - origin.lon)]
    const a =
      Math.sin(dLat / 2) ** 2 +
      Math.cos(rad(origin.lat)) * Math.cos(rad(coords.lat)) * Math.sin(dLon / 2) ** 2
    return Math.round(2 * 6371 * Math.asin(Math.sqrt(a)))
  },
)

export const distances = pipeline(geocode, distance)
export default distances

/** The constants (the service is passed by reference, never copied). */
export const inputs = { service: new GeoService(20), origin: { lat: 50.11, lon: 8.68 } }

export const places: ReadonlyArray<Place> = Object.keys(ATLAS).map((city, i) => ({
  id: `p${String(i + 1).padStart(2, '0')}`,
  city,
}))

// --- main ----------------------------------------------------------------------------

export async function main(log: (line: string) => void = console.log) {
  const local = new LocalExecutor({ concurrency: 4 })

  // 1. bounded concurrency: 12 calls of 20 ms, 4 at a time → 3 waves, about 60 ms
  const service = new GeoService(20)
  const started = performance.now()
  const result = await local.map(distances, { ...inputs, service, place: places })
  const ms = performance.now() - started
  const { calls, maxInFlight } = service
  log(`${calls} calls, at most ${maxInFlight} in flight, ${ms.toFixed(0)} ms`)
  const { km } = result.outputs
  const rows = result.keys.map((k, i) => `${String(k)} ${places[i]?.city} ${km[i]} km`)
  for (let i = 0; i < rows.length; i += 4) log(`  ${rows.slice(i, i + 4).join(' · ')}`)

  // 2. cancel: a slow service (400 ms a call) and a 50 ms deadline → AbortError, promptly
  const slow = new GeoService(400)
  const t0 = performance.now()
  const signal = AbortSignal.timeout(50)
  const aborted = await local
    .map(distances, { ...inputs, service: slow, place: places }, { signal })
    .then(
      () => undefined,
      (e: unknown) => (isDagflowError(e) ? e : undefined),
    )
  const abortMs = performance.now() - t0
  log(`deadline 50 ms: ${aborted?.code ?? 'no error'} after ${abortMs.toFixed(0)} ms`)

  // 3. TaskEither: the same work, failures as a Left (a DagflowError), folded into one message
  const describe = (place: Place) =>
    pipe(
      local.runTE(distances, { ...inputs, service, place }),
      TE.fold(
        (e) => {
          const where = e instanceof NodeError ? ` in node ${e.node}` : ''
          return T.of(`${place.city}: ${e.code}${where}`)
        },
        ({ km }) => T.of(`${place.city}: ${km} km`),
      ),
    )
  const messages = [
    await describe({ id: 'x1', city: 'Vienna' })(),
    await describe({ id: 'x2', city: 'Atlantis' })(),
  ]
  log(messages.join('; '))

  return { result, calls, maxInFlight, ms, aborted, abortMs, messages }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
