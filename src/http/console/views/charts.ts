import { html, raw, type SafeHtml } from '../../pages/html.js'

/**
 * Server-rendered SVG charts: plain markup with presentation attributes (no inline styles, no
 * script), so the pages' CSP needs nothing more. Every chart carries a `<title>` per bar for
 * hover and a table of its numbers beside it for screen readers and copying.
 */

/** One series of a stacked bar chart. */
export interface ChartSeries {
  readonly label: string
  readonly color: string
  /** One value per x label. */
  readonly values: readonly number[]
}

/** Options of {@link barChart}. */
export interface BarChartOptions {
  readonly labels: readonly string[]
  readonly series: readonly ChartSeries[]
  /** How a value is written on the axis and in tooltips (money with its decimals…). */
  readonly format?: (value: number) => string
  readonly ariaLabel: string
}

const WIDTH = 640
const HEIGHT = 220
const LEFT = 70
const BOTTOM = 36
const TOP = 10
const RIGHT = 10

/** A "nice" top for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power
  return 10 * power
}

/** A vertical bar chart, stacked when there are several series; x labels thinned to fit. */
export function barChart(options: BarChartOptions): SafeHtml {
  const format = options.format ?? ((value: number) => String(value))
  const count = options.labels.length
  const totals = options.labels.map((_, index) => options.series.reduce((sum, series) => sum + (series.values[index] ?? 0), 0))
  const top = niceCeiling(Math.max(0, ...totals))
  const plotWidth = WIDTH - LEFT - RIGHT
  const plotHeight = HEIGHT - TOP - BOTTOM
  const slot = count === 0 ? plotWidth : plotWidth / count
  const barWidth = Math.max(2, slot * 0.7)
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight
  const ticks = [0, top / 2, top]
  const labelEvery = Math.max(1, Math.ceil(count / 10))
  const bars: SafeHtml[] = []
  options.labels.forEach((label, index) => {
    let base = 0
    const x = LEFT + index * slot + (slot - barWidth) / 2
    for (const series of options.series) {
      const value = series.values[index] ?? 0
      if (value > 0) {
        const height = (value / top) * plotHeight
        bars.push(
          html`<rect x="${x.toFixed(1)}" y="${(y(base) - height).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${height.toFixed(1)}" fill="${series.color}"><title>${label} · ${series.label}: ${format(value)}</title></rect>`,
        )
      }
      base += value
    }
  })
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${options.ariaLabel}" direction="ltr">
${ticks.map(
  (tick) =>
    html`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#d5dbe5" stroke-width="1"/><text x="${LEFT - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#4a5568">${format(tick)}</text>`,
)}
${bars}
${options.labels.map((label, index) =>
  index % labelEvery === 0
    ? html`<text x="${(LEFT + index * slot + slot / 2).toFixed(1)}" y="${HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" fill="#4a5568">${label}</text>`
    : '',
)}
</svg>
${legend(options.series)}`
}

/** Horizontal bars, one per label, for counts by category. */
export function horizontalBars(rows: ReadonlyArray<{ label: string; value: number; color: string }>, ariaLabel: string): SafeHtml {
  const rowHeight = 26
  const height = rows.length * rowHeight + 10
  const top = niceCeiling(Math.max(0, ...rows.map((row) => row.value)))
  const left = 120
  const plotWidth = WIDTH - left - 80
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${ariaLabel}" direction="ltr">
${rows.map((row, index) => {
  const width = (row.value / top) * plotWidth
  const yTop = 5 + index * rowHeight
  return html`<text x="${left - 8}" y="${yTop + 16}" text-anchor="end" font-size="12" fill="#1b2330">${row.label}</text><rect x="${left}" y="${yTop + 3}" width="${Math.max(row.value > 0 ? 2 : 0, width).toFixed(1)}" height="${rowHeight - 8}" fill="${row.color}"><title>${row.label}: ${row.value}</title></rect><text x="${(left + width + 6).toFixed(1)}" y="${yTop + 16}" font-size="12" fill="#1b2330">${row.value}</text>`
})}
</svg>`
}

function legend(series: readonly ChartSeries[]): SafeHtml {
  if (series.length < 2) return raw('')
  return html`<ul class="legend">${series.map(
    (item) => html`<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${item.color}"/></svg> ${item.label}</li>`,
  )}</ul>`
}

/** The numbers of a chart as a table, folded under a summary. */
export function chartTable(summary: string, headers: readonly string[], rows: ReadonlyArray<readonly string[]>): SafeHtml {
  return html`<details class="numbers"><summary>${summary}</summary><table><thead><tr>${headers.map((header) => html`<th scope="col">${header}</th>`)}</tr></thead><tbody>${rows.map(
    (row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`,
  )}</tbody></table></details>`
}
