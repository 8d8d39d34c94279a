// Preloaded into a server by `bench/api/tail.mjs --sql-probe` (`node --import …`): times every
// better-sqlite3 statement call (get, run, all; BEGIN and COMMIT included) and every 6 s writes
// to stderr, per statement (its first 40 characters), the calls, their mean, how many took over
// 1 ms and the longest. Tells a slow statement from a stalled write (a COMMIT waiting on the disk).
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../package.json', import.meta.url))
const Database = require('better-sqlite3')

const scratch = new Database(':memory:')
// Every statement of every connection shares this prototype: wrapping it times them all.
const statementPrototype = Object.getPrototypeOf(scratch.prepare('SELECT 1'))
const calls = new Map()

for (const method of ['get', 'run', 'all']) {
  const original = statementPrototype[method]
  statementPrototype[method] = function timed(...args) {
    const start = process.hrtime.bigint()
    try {
      return original.apply(this, args)
    } finally {
      const us = Number(process.hrtime.bigint() - start) / 1000
      const key = `${method} ${this.source.slice(0, 40)}`
      const c = calls.get(key) ?? { n: 0, totalUs: 0, over1ms: 0, maxUs: 0 }
      c.n++
      c.totalUs += us
      if (us > 1000) c.over1ms++
      c.maxUs = Math.max(c.maxUs, us)
      calls.set(key, c)
    }
  }
}

setInterval(() => {
  const rows = [...calls.entries()]
    .filter(([, c]) => c.n >= 100 || c.over1ms > 0)
    .map(([key, c]) => `${key}: n ${c.n}, mean ${(c.totalUs / c.n).toFixed(1)} µs, over 1 ms ${c.over1ms}, max ${(c.maxUs / 1000).toFixed(1)} ms`)
  if (rows.length > 0) process.stderr.write(`sql-probe\n  ${rows.join('\n  ')}\n`)
  calls.clear()
}, 6000).unref()
