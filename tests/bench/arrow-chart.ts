/**
 * A small hand-written SVG line chart with log-scale axes, for the crossover figures of
 * docs/performance.md (written by `arrow-report.ts`). No dependencies: the output is plain SVG
 * text that a browser shows as is.
 */

export interface Series {
  readonly label: string
  readonly color: string
  /** an SVG stroke-dasharray, for a secondary line */
  readonly dash?: string
  /** [x, y] pairs, x ascending; both positive (log scales) */
  readonly points: ReadonlyArray<readonly [number, number]>
}

export interface Marker {
  /** where on the x axis to draw a vertical guide */
  readonly x: number
  readonly label: string
}

export interface ChartSpec {
  readonly title: string
  readonly subtitle?: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: ReadonlyArray<Series>
  readonly marker?: Marker
  readonly width?: number
  readonly height?: number
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const num = (v: number): string => (Math.round(v * 10) / 10).toString()

/** A tick label: 1, 16, 1k, 64k, 1M (powers of two from 1,024 on read as k: 1k = 1,024). */
function tickLabel(v: number): string {
  if (v >= 1024 && Number.isInteger(Math.log2(v))) {
    return v >= 1024 * 1024 ? `${v / (1024 * 1024)}M` : `${v / 1024}k`
  }
  if (v >= 1e6) return `${v / 1e6}M`
  if (v >= 1e3 && v % 1e3 === 0) return `${v / 1e3}k`
  return String(v)
}

/** Ticks at the powers of `base` that fall in [lo, hi] (and 1, 2, 5 × 10^k for base 10). */
function logTicks(lo: number, hi: number, base: number): Array<number> {
  const ticks: Array<number> = []
  const steps = base === 10 ? [1, 2, 5] : [1]
  for (let e = Math.floor(Math.log(lo) / Math.log(base)) - 1; ; e++) {
    const p = base ** e
    if (p > hi * 1.0001) break
    for (const s of steps) {
      const v = s * p
      if (v >= lo * 0.9999 && v <= hi * 1.0001) ticks.push(Number(v.toPrecision(6)))
    }
  }
  return ticks
}

/**
 * A line chart with log-scale x (powers of 4 when the x values are powers of 2, else powers of
 * 10) and log-scale y (1-2-5 steps), a legend and axis labels.
 */
export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 760
  const H = spec.height ?? 440
  const m = { left: 78, right: 24, top: spec.subtitle === undefined ? 52 : 70, bottom: 62 }
  const pw = W - m.left - m.right
  const ph = H - m.top - m.bottom
  const all = spec.series.flatMap((s) => s.points)
  const xs = all.map((p) => p[0])
  const ys = all.map((p) => p[1])
  const xMin = Math.min(...xs)
  const xMax = Math.max(...xs)
  // y range padded out to the next 1-2-5 step
  const yTicksAll = logTicks(Math.min(...ys) / 2.5, Math.max(...ys) * 2.5, 10)
  const yLo = Math.max(...yTicksAll.filter((t) => t <= Math.min(...ys)))
  const yHi = Math.min(...yTicksAll.filter((t) => t >= Math.max(...ys)))
  const lx = (v: number): number => Math.log(v)
  const X = (v: number): number => m.left + ((lx(v) - lx(xMin)) / (lx(xMax) - lx(xMin))) * pw
  const Y = (v: number): number => m.top + ph - ((lx(v) - lx(yLo)) / (lx(yHi) - lx(yLo))) * ph
  const powersOf2 = xs.every((v) => Number.isInteger(Math.log2(v)))
  const xTicks = powersOf2 ? logTicks(xMin, xMax, 4) : logTicks(xMin, xMax, 10)
  const yTicks = logTicks(yLo, yHi, 10)

  const out: Array<string> = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="13">`,
  )
  out.push(`<title>${esc(spec.title)}</title>`)
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  out.push(
    `<text x="${m.left}" y="26" font-size="16" font-weight="600" fill="#111">${esc(spec.title)}</text>`,
  )
  if (spec.subtitle !== undefined) {
    out.push(`<text x="${m.left}" y="46" font-size="12" fill="#555">${esc(spec.subtitle)}</text>`)
  }
  // grid and ticks
  out.push('<g stroke="#e5e5e5" stroke-width="1">')
  for (const t of xTicks) {
    out.push(`<line x1="${num(X(t))}" y1="${m.top}" x2="${num(X(t))}" y2="${m.top + ph}"/>`)
  }
  for (const t of yTicks) {
    out.push(`<line x1="${m.left}" y1="${num(Y(t))}" x2="${m.left + pw}" y2="${num(Y(t))}"/>`)
  }
  out.push('</g>')
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" ` +
      'fill="none" stroke="#888" stroke-width="1"/>',
  )
  out.push('<g fill="#333" font-size="12">')
  for (const t of xTicks) {
    out.push(`<text x="${num(X(t))}" y="${m.top + ph + 18}" text-anchor="middle">${tickLabel(t)}</text>`)
  }
  for (const t of yTicks) {
    out.push(`<text x="${m.left - 8}" y="${num(Y(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`)
  }
  out.push('</g>')
  out.push(
    `<text x="${m.left + pw / 2}" y="${H - 16}" text-anchor="middle" fill="#111">${esc(spec.xLabel)}</text>`,
  )
  out.push(
    `<text transform="translate(20 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" ` +
      `fill="#111">${esc(spec.yLabel)}</text>`,
  )
  // legend box, top right inside the plot
  const lw = Math.max(...spec.series.map((s) => s.label.length)) * 7 + 46
  const lh = spec.series.length * 20 + 10
  const lx0 = m.left + pw - lw - 10
  const ly0 = m.top + 10
  // marker: a dashed vertical guide, labelled at the top (at the bottom if the legend is there)
  if (spec.marker !== undefined && spec.marker.x >= xMin && spec.marker.x <= xMax) {
    const x = X(spec.marker.x)
    const mx = num(x)
    out.push(
      `<line x1="${mx}" y1="${m.top}" x2="${mx}" y2="${m.top + ph}" ` +
        'stroke="#555" stroke-width="1.5" stroke-dasharray="3 4"/>',
    )
    // the first place that stays inside the plot and off the legend: top right, top left,
    // bottom right, bottom left of the guide
    const width = spec.marker.label.length * 6.5
    const places = [
      { anchor: 'start', left: x + 6, y: m.top + 18 },
      { anchor: 'end', left: x - 6 - width, y: m.top + 18 },
      { anchor: 'start', left: x + 6, y: m.top + ph - 10 },
      { anchor: 'end', left: x - 6 - width, y: m.top + ph - 10 },
    ]
    const fits = (p: (typeof places)[number]): boolean =>
      p.left >= m.left &&
      p.left + width <= m.left + pw &&
      !(p.y < ly0 + lh + 14 && p.left + width > lx0 && p.left < lx0 + lw)
    const place = places.find(fits) ?? (places[2] as (typeof places)[number])
    const tx = place.anchor === 'start' ? place.left : place.left + width
    out.push(
      `<text x="${num(tx)}" y="${place.y}" text-anchor="${place.anchor}" font-size="12" ` +
        `fill="#333">${esc(spec.marker.label)}</text>`,
    )
  }
  // lines and points
  for (const s of spec.series) {
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(X(p[0]))} ${num(Y(p[1]))}`).join(' ')
    // secondary (dashed) lines are thinner and lighter, so the solid pair reads first
    const style =
      s.dash === undefined
        ? 'stroke-width="2.5"'
        : `stroke-width="1.8" stroke-opacity="0.75" stroke-dasharray="${s.dash}"`
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" ${style}/>`)
    for (const p of s.points) {
      const r = s.dash === undefined ? 3.5 : 2.5
      out.push(`<circle cx="${num(X(p[0]))}" cy="${num(Y(p[1]))}" r="${r}" fill="${s.color}"/>`)
    }
  }
  // legend
  out.push(
    `<rect x="${lx0}" y="${ly0}" width="${lw}" height="${lh}" ` +
      'fill="#ffffff" fill-opacity="0.9" stroke="#ccc"/>',
  )
  spec.series.forEach((s, i) => {
    const y = ly0 + 18 + i * 20
    const dash = s.dash === undefined ? '' : ` stroke-dasharray="${s.dash}"`
    out.push(
      `<line x1="${lx0 + 10}" y1="${y - 4}" x2="${lx0 + 34}" y2="${y - 4}" ` +
        `stroke="${s.color}" stroke-width="2.5"${dash}/>`,
    )
    out.push(`<text x="${lx0 + 40}" y="${y}" fill="#111">${esc(s.label)}</text>`)
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
