// Preloaded into a server by bench/api/tail.mjs (`node --import bench/api/stall-probe.mjs …`):
// every 3 s writes one line to stderr with the event loop's delay (p99 and max, 1 ms resolution)
// and the garbage collector's pauses (the longest, their sum and count, how many were full
// collections), the young and old generations' sizes, then starts counting again. The timer is unref'd.
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import v8 from 'node:v8'

const loop = monitorEventLoopDelay({ resolution: 1 })
loop.enable()
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
}
let pauses = []
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) pauses.push({ kind: KINDS[entry.detail?.kind] ?? 'other', ms: entry.duration })
}).observe({ entryTypes: ['gc'] })

setInterval(() => {
  const gc = pauses.reduce((worst, p) => Math.max(worst, p.ms), 0)
  const gcTotal = pauses.reduce((sum, p) => sum + p.ms, 0)
  const major = pauses.filter((p) => p.kind === 'major').length
  const space = (name) => Math.round((v8.getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? 0) / 1024)
  process.stderr.write(
    `stall-probe ${JSON.stringify({ loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, gcMax: gc, gcTotal, gcCount: pauses.length, major, newSpaceKB: space('new_space'), oldSpaceKB: space('old_space'), at: new Date().toISOString() })}\n`,
  )
  loop.reset()
  pauses = []
}, 3000).unref()
