// Child processes, CPU meters and throw-away databases for the API benchmark (run.mjs).
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'

import pg from 'pg'

/** The repository root: children run there. */
export const ROOT = new URL('../..', import.meta.url).pathname

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
  })
}

/** Children and databases to clean up if the run is interrupted. */
export const live = { children: new Set(), databases: new Set() }
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    process.stderr.write(`[bench] ${signal}: stopping servers and dropping databases\n`)
    for (const child of live.children) child.kill('SIGKILL')
    for (const db of live.databases) await db.drop().catch(() => undefined)
    process.exit(130)
  })
}

/** Starts a server child and resolves once GET /health answers 200. */
export async function startChild(name, args, env) {
  const port = await freePort()
  const child = spawn(process.execPath, [...args.node, args.script, ...args.args(port)], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  live.children.add(child)
  child.once('exit', () => live.children.delete(child))
  let output = ''
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-8000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', (chunk) => {
    keep(chunk)
    // LOG_LEVEL=warn: anything the server writes here is worth seeing.
    for (const line of chunk.toString().split('\n')) if (line.trim()) process.stderr.write(`[${name}] ${line}\n`)
  })
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })))
  let dead = null
  void exited.then((status) => {
    dead = status
  })
  const deadline = Date.now() + 30_000
  for (;;) {
    if (dead) throw new Error(`${name} exited during start-up (${JSON.stringify(dead)}):\n${output}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${name} did not answer /health within 30 s:\n${output}`)
    }
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)
    if (ok) break
    await sleep(100)
  }
  return {
    name,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (dead) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** The parent's environment with `env` applied; `undefined` removes a variable. */
function childEnv(env) {
  const result = { ...process.env }
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete result[key]
    else result[key] = value
  }
  return result
}

const CLOCK_TICKS = 100 // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where unavailable. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return NaN
  }
}

/**
 * Starts measuring the CPU the server process (and, on PostgreSQL, the backends serving its
 * database) use; the returned function gives the seconds used since.
 */
export async function cpuMeter(server) {
  const serverBefore = cpuSeconds(server.pid)
  const dbBefore = new Map()
  if (server.databasePids) for (const pid of await server.databasePids()) dbBefore.set(pid, cpuSeconds(pid))
  return async () => {
    const serverCpu = cpuSeconds(server.pid) - serverBefore
    if (!server.databasePids) return { server: serverCpu, db: NaN }
    // Connections the pool opened during the run count from zero (their whole life is inside it).
    let db = 0
    const pids = new Set([...dbBefore.keys(), ...(await server.databasePids())])
    for (const pid of pids) {
      const now = cpuSeconds(pid)
      const before = dbBefore.get(pid) ?? 0
      if (Number.isFinite(now) && Number.isFinite(before)) db += now - before
    }
    return { server: serverCpu, db }
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms))
}

// ---------------------------------------------------------------------------------------------
// Databases

export function sqliteDatabase(tmp) {
  const file = join(tmp, 'bench.sqlite')
  return { urlFor: () => `sqlite:${file}`, label: 'SQLite', async drop() {} }
}

export async function postgresDatabase(adminUrl) {
  const name = `dawri_bench_${Date.now()}_${process.pid}`
  const admin = new pg.Client({ connectionString: adminUrl })
  try {
    await admin.connect()
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${adminUrl} (--postgres-url); run with --dialects sqlite to skip it`, { cause: error })
  }
  const version = (await admin.query('SHOW server_version')).rows[0].server_version
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  return {
    /** The database URL; `tag` becomes the application_name of that server's connections. */
    urlFor(tag) {
      const url = new URL(adminUrl)
      url.pathname = `/${name}`
      url.searchParams.set('application_name', tag)
      return url.toString()
    },
    label: 'PostgreSQL',
    version,
    /** Backends serving one server's pool (by application_name). */
    async pids(tag) {
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      try {
        const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [name, tag])
        return rows.map((r) => r.pid)
      } finally {
        await client.end()
      }
    },
    /**
     * Writes every dirty page now (`CHECKPOINT`), so that the next measurement does not pay for
     * the writes of the ones before it: after the peak rounds a checkpoint forced by
     * `max_wal_size` would otherwise be flushing hundreds of megabytes under it.
     */
    async checkpoint() {
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      try {
        await client.query('CHECKPOINT')
      } finally {
        await client.end()
      }
    },
    async drop() {
      const cleaner = new pg.Client({ connectionString: adminUrl })
      await cleaner.connect()
      await cleaner.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleaner.end()
    },
  }
}

/** The machine's CPU time from /proc/stat (Linux), in clock ticks: all of it and the hypervisor's steal. */
export function cpuTimes() {
  try {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
    return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 }
  } catch {
    return undefined
  }
}

/** The share of the machine's CPU time the hypervisor took between two {@link cpuTimes} readings, e.g. "0.3 %", or undefined. */
export function stolenShare(start, end) {
  if (!start || !end || end.total <= start.total) return undefined
  return `${(((end.steal - start.steal) / (end.total - start.total)) * 100).toFixed(1)} %`
}
