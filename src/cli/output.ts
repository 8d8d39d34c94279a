/** What commands print: tables and key-value lists for people, JSON for scripts. */

/** Writes one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

/** Writes lines on stdout. */
export function printLines(...lines: readonly string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`)
}

/** A cell as printed: empty for null, yes/no for booleans, one line. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '-'
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  return String(value).replace(/\s+/g, ' ')
}

/** Writes a table with a header row, columns padded to their widest cell; an empty table says so. */
export function printTable(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>, empty = 'Nothing to show.'): void {
  if (rows.length === 0) {
    printLines(empty)
    return
  }
  const text = rows.map((row) => row.map(cell))
  const widths = headers.map((header, index) => Math.max(header.length, ...text.map((row) => (row[index] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((value, index) => (index === cells.length - 1 ? value : value.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd()
  printLines(line(headers), ...text.map(line))
}

/** Writes `label: value` lines with the labels aligned. */
export function printFields(fields: ReadonlyArray<readonly [string, unknown]>): void {
  const width = Math.max(...fields.map(([label]) => label.length)) + 1
  printLines(...fields.map(([label, value]) => `${`${label}:`.padEnd(width)} ${cell(value)}`))
}

/**
 * A spinner with elapsed seconds on stderr while long work runs, only when stderr is a terminal
 * (pipes and log files get nothing); the line is erased when the work ends.
 */
export async function withProgress<T>(label: string, work: () => Promise<T>): Promise<T> {
  const stream = process.stderr
  if (!stream.isTTY) return work()
  const frames = ['|', '/', '-', '\\']
  const started = Date.now()
  let frame = 0
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    stream.write(`\r${frames[frame++ % frames.length] ?? ''} ${label} ${seconds}s`)
  }
  draw()
  const timer = setInterval(draw, 100)
  try {
    return await work()
  } finally {
    clearInterval(timer)
    stream.write('\r\u001b[2K')
  }
}
