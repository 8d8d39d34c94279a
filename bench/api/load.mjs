// Load generators of the API benchmark: autocannon at full concurrency, and an evenly paced
// open-loop generator for latency at a fixed rate. Every answer is checked by the workload's
// `check(status, body, request)`; a measurement counts only if nothing failed.
import autocannon from 'autocannon'

import { cpuMeter } from './processes.mjs'
import { rawClient } from './raw-client.mjs'

/**
 * A workload: `next()` gives the next request ({ method, path, headers, body, expect }); `check`
 * says whether an answer is right for the request it answers.
 */
function makeCounters() {
  return { bad: 0, sample: null }
}

function judge(workload, counters, request, status, body) {
  if (status < 200 || status > 299) return false
  let ok = false
  try {
    ok = workload.check(JSON.parse(body), request)
  } catch {
    ok = false
  }
  if (!ok) {
    counters.bad++
    counters.sample ??= body.slice(0, 300)
  }
  return ok
}

/** Peak (or autocannon-rate) load on one or more servers at once; their results are summed. */
export async function cannon(servers, workload, { connections, duration, overallRate, amount }) {
  const list = Array.isArray(servers) ? servers : [servers]
  const counters = makeCounters()
  const meters = await Promise.all(list.map((server) => cpuMeter(server)))
  const results = await Promise.all(
    list.map((server) => {
      const options = {
        url: server.url,
        connections: Math.max(1, Math.round(connections / list.length)),
        ...(amount ? { amount } : { duration }),
        timeout: 10,
        requests: [
          {
            setupRequest: (request, context) => {
              const next = workload.next()
              context.current = next
              return { ...request, method: next.method, path: next.path, headers: { ...next.headers }, body: next.body }
            },
            onResponse: (status, body, context) => judge(workload, counters, context.current, status, body),
          },
        ],
      }
      if (overallRate) {
        options.overallRate = overallRate / list.length
        // autocannon's coordinated-omission correction assumes whole-millisecond intervals per
        // connection and inflates percentiles; record what the client actually waited instead.
        options.ignoreCoordinatedOmission = true
      }
      return autocannon(options)
    }),
  )
  const cpus = await Promise.all(meters.map((meter) => meter()))
  const total = results.reduce((n, r) => n + r.requests.total, 0)
  const serverCpu = cpus.reduce((n, c) => n + c.server, 0)
  const dbCpu = cpus.reduce((n, c) => n + c.db, 0)
  const worst = results.reduce((a, b) => (a.latency.p99 >= b.latency.p99 ? a : b))
  return {
    cpuUs: (serverCpu * 1e6) / total,
    dbCpuUs: (dbCpu * 1e6) / total,
    rps: results.reduce((n, r) => n + r.requests.average, 0),
    total,
    p50: worst.latency.p50,
    p99: worst.latency.p99,
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    bad: counters.bad,
    badSample: counters.sample,
  }
}

/**
 * An open-loop, evenly paced load at `rate` requests per second (autocannon's overallRate sends
 * each connection's quota in a burst at the start of every second). Latency is measured from the
 * moment a request was due, so a server that falls behind is not flattered. Requests go out on
 * `connections` keep-alive sockets of a lean client (raw-client.mjs), queued when all are busy.
 */
export async function paced(server, workload, { connections, rate, duration, timeline = false }) {
  const counters = makeCounters()
  const latencies = []
  /** With `timeline`: [wall-clock ms when due, latency ms] of every answer, for finding stalls. */
  const answers = timeline ? [] : undefined
  const sendLate = timeline ? [] : undefined
  let errors = 0
  let non2xx = 0
  let sent = 0
  let inFlight = 0
  let finished = false
  let done
  const allDone = new Promise((resolve) => (done = resolve))
  const settle = () => {
    inFlight--
    if (finished && inFlight === 0) done()
  }
  const client = rawClient({
    port: server.port,
    connections,
    onAnswer: (job, status, body) => {
      const latency = performance.now() - job.due
      latencies.push(latency)
      answers?.push([performance.timeOrigin + job.due, latency])
      if (status < 200 || status > 299) non2xx++
      else judge(workload, counters, job.request, status, body)
      settle()
    },
    onError: () => {
      errors++
      settle()
    },
  })
  const meter = await cpuMeter(server)
  const clientCpu = process.cpuUsage()
  const t0 = performance.now()
  const end = t0 + duration * 1000
  const tick = () => {
    const now = performance.now()
    const horizon = Math.min(now, end)
    while (t0 + (sent * 1000) / rate <= horizon) {
      const due = t0 + (sent * 1000) / rate
      // The generator's own lateness: how long after its due time this request went out.
      sendLate?.push([performance.timeOrigin + due, now - due])
      sent++
      inFlight++
      client.submit({ request: workload.next(), due })
    }
    if (now < end) setTimeout(tick, 1)
    else {
      finished = true
      if (inFlight === 0) done()
    }
  }
  tick()
  await allDone
  client.close()
  const { user, system } = process.cpuUsage(clientCpu)
  const cpu = await meter()
  latencies.sort((a, b) => a - b)
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN
  return {
    cpuUs: (cpu.server * 1e6) / latencies.length,
    dbCpuUs: (cpu.db * 1e6) / latencies.length,
    /** The generator's own CPU per request (this process). */
    clientCpuUs: (user + system) / latencies.length,
    rps: latencies.length / duration,
    total: latencies.length,
    p50: pct(50),
    p99: pct(99),
    errors,
    non2xx,
    bad: counters.bad,
    badSample: counters.sample,
    timeline: timeline ? { answers, sendLate } : undefined,
  }
}

/**
 * The 100 ms windows (by when requests were due) holding answers slower than 10 ms, each with how
 * late the generator itself sent its requests (a late generator is the client's stall, not the
 * server's).
 */
export function slowWindows({ answers, sendLate }) {
  const windows = new Map()
  const key = (due) => Math.floor(due / 100) * 100
  for (const [due, latency] of answers) {
    if (latency <= 10) continue
    const w = windows.get(key(due)) ?? { slow: 0, worst: 0, late: 0 }
    w.slow++
    w.worst = Math.max(w.worst, latency)
    windows.set(key(due), w)
  }
  for (const [due, late] of sendLate) {
    const w = windows.get(key(due))
    if (w) w.late = Math.max(w.late, late)
  }
  return [...windows]
    .map(([at, w]) => `  slow window ${new Date(at).toISOString()}: ${w.slow} answers over 10 ms, worst ${w.worst.toFixed(1)} ms; generator sent up to ${w.late.toFixed(1)} ms late\n`)
    .join('')
}

/** Sends one request of a workload and throws unless its answer checks out. */
export async function sanityCheck(server, workload, times = 2) {
  for (let i = 0; i < times; i++) {
    const r = workload.next()
    const response = await fetch(`${server.url}${r.path}`, { method: r.method, headers: r.headers, body: r.body })
    const text = await response.text()
    const counters = makeCounters()
    if (!judge(workload, counters, r, response.status, text)) {
      throw new Error(`${server.name}: ${r.method} ${r.path} sanity check failed (HTTP ${response.status}): ${text.slice(0, 600)}`)
    }
  }
}
