import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

import type SqliteDatabase from 'better-sqlite3'

/**
 * SQLite's WAL checkpoints, moved off the request path.
 *
 * By default the connection that commits past 1,000 WAL pages runs the checkpoint itself: it
 * copies the WAL into the database file and fsyncs it, synchronously, inside a request. On the
 * server's one connection that stalled every request behind it for tens of milliseconds (the p99
 * of ExecutePayment at half its peak rate). Here a worker thread with its own connection runs
 * PASSIVE checkpoints on a timer, which copy what no reader still needs without blocking readers
 * or the writer. Durability is unchanged: a commit is
 * in the WAL either way, and the WAL is synced by the checkpoint exactly as before.
 *
 * A checkpoint running beside a writer that never pauses may never catch up with it, and the WAL
 * is reset only once it has (the next write then starts it over). So the serving connection keeps
 * a backstop: past {@link BACKSTOP_PAGES} WAL pages it checkpoints itself, finding nearly every
 * page already copied. If the thread fails, the serving connection takes checkpoints back at
 * SQLite's default threshold. Either way the WAL cannot grow without bound.
 */

/** How often the thread checkpoints. A quarter second keeps the WAL to a few MB at full load. */
const CHECKPOINT_INTERVAL_MS = 250
/** The WAL file is truncated back to this size when it is reset after growing past it. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024
/** The serving connection checkpoints past this many WAL pages (16 MB): a backstop, seldom reached. */
const BACKSTOP_PAGES = 4000
/** SQLite's own default, restored on the serving connection if the thread stops. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000

/** A running background checkpointer. */
export interface WalCheckpointer {
  /** Stops the thread (the serving connection checkpoints when it closes). */
  close(): Promise<void>
}

// The thread's code is inline, so it runs the same from TypeScript sources (tests) and from the
// build. It loads the driver from the path the main thread resolved.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driverPath)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 0')
db.pragma('synchronous = NORMAL')
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
const timer = setInterval(() => {
  try {
    checkpoint.get()
  } catch (error) {
    // SQLITE_BUSY: another checkpoint runs; the next tick tries again.
    if (error && error.code !== 'SQLITE_BUSY') throw error
  }
}, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
parentPort.postMessage('ready')
`

/**
 * Starts checkpointing `path` (a WAL-mode SQLite file) in a worker thread and leaves `serving`, the
 * connection that answers requests, only the backstop. Resolves once the thread runs.
 */
export async function startWalCheckpointer(path: string, serving: SqliteDatabase.Database): Promise<WalCheckpointer> {
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { path, driverPath, intervalMs: CHECKPOINT_INTERVAL_MS } })
  // The thread must not keep a process alive that has nothing else to do.
  worker.unref()
  let closing = false
  const takeCheckpointsBack = () => {
    if (!closing && serving.open) serving.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`)
  }
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve())
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`The WAL checkpoint thread exited with code ${code}`)))
  })
  worker.on('error', takeCheckpointsBack)
  worker.on('exit', takeCheckpointsBack)
  serving.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
  serving.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`)
  return {
    async close() {
      if (closing) return
      closing = true
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
      // Held while it stops: awaiting an unreferenced thread alone would let the process exit
      // with code 0 in the middle of a shutdown (a `serve` whose port was taken did so).
      worker.ref()
      worker.postMessage('stop')
      await exited
      if (serving.open) serving.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`)
    },
  }
}
