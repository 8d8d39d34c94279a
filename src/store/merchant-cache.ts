import type SqliteDatabase from 'better-sqlite3'
import type { Kysely } from 'kysely'
import pg from 'pg'

import type { Merchant } from '../domain/merchant.js'
import type { Database } from './database.js'
import { onMerchantsChanged } from './merchant-change-signal.js'
import { findMerchantByKeyHash, hashApiKey } from './merchant.repository.js'

/**
 * The API key → merchant lookup, cached in each process. Every /v2 request needs it, and on
 * PostgreSQL it is a round trip of its own. An entry is trusted only while the merchants'
 * change generation it was read under is still current:
 * - SQLite: the generation is a counter that triggers bump on every change to `merchants` or
 *   `api_keys` (migration 0009), read with one prepared statement per lookup, so a change made
 *   by any process (the CLI included) is seen by the next request;
 * - PostgreSQL: the same triggers send `NOTIFY dawri_merchants` on commit; a listening connection
 *   bumps the in-process generation, so other processes see a change within milliseconds. While
 *   that connection is down nothing is cached.
 * Writes made in this process also bump it at once (store/merchant-change-signal.ts), and no
 * entry lives longer than {@link ENTRY_TTL_MS} whatever happens.
 */
export interface MerchantCache {
  /** The merchant whose active key this is, or undefined. */
  findByApiKey(apiKey: string): Promise<Merchant | undefined>
  /** Forgets every entry (a merchant or key changed). */
  invalidate(): void
  close(): Promise<void>
}

/** The longest an entry is used without being read again, as a safety net. */
export const ENTRY_TTL_MS = 30_000
/** Entries kept at most; past this the cache starts over (keys are few in practice). */
const MAX_ENTRIES = 10_000
const CHANNEL = 'dawri_merchants'

interface Entry {
  readonly merchant: Merchant
  readonly generation: number
  readonly expiresAt: number
}

type Source = { readonly dialect: 'sqlite'; readonly sqlite: SqliteDatabase.Database } | { readonly dialect: 'postgres'; readonly url: string }

/** A cache over `db`; `source` says how it learns about changes. */
export function createMerchantCache(db: Kysely<Database>, source: Source): MerchantCache {
  const entries = new Map<string, Entry>()
  let localGeneration = 0
  let listening = source.dialect === 'sqlite'
  let closed = false
  let listener: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined

  let storedGeneration: SqliteDatabase.Statement | undefined
  /** The generation now: SQLite's counter (none before migration 0009: NaN, no caching) and local bumps. */
  const currentGeneration = (): number => {
    if (source.dialect !== 'sqlite') return localGeneration
    try {
      storedGeneration ??= source.sqlite.prepare("SELECT generation FROM cache_generations WHERE name = 'merchants'").pluck()
      return Number(storedGeneration.get() ?? 0) * 1_000_000 + localGeneration
    } catch {
      return Number.NaN
    }
  }

  const listen = async (): Promise<void> => {
    if (source.dialect !== 'postgres' || closed) return
    const client = new pg.Client({ connectionString: source.url })
    const lost = () => {
      if (listener !== client) return
      listener = undefined
      listening = false
      localGeneration++
      client.end().catch(() => undefined)
      if (!closed) retry = setTimeout(() => void listen(), 1000)
    }
    client.on('error', lost)
    client.on('end', lost)
    client.on('notification', () => {
      localGeneration++
    })
    try {
      await client.connect()
      await client.query(`LISTEN ${CHANNEL}`)
    } catch {
      client.end().catch(() => undefined)
      if (!closed) retry = setTimeout(() => void listen(), 1000)
      return
    }
    if (closed) {
      await client.end().catch(() => undefined)
      return
    }
    listener = client
    // Whatever changed while nobody listened is unknown: start afresh.
    localGeneration++
    listening = true
  }

  let started = false
  const cache: MerchantCache = {
    async findByApiKey(apiKey) {
      // The listening connection opens with the first lookup: only API processes need it.
      if (!started) {
        started = true
        void listen()
      }
      const generation = listening ? currentGeneration() : Number.NaN
      const now = Date.now()
      // Keyed by the key's hash, as the table is: the secret itself is never compared (a string
      // comparison stops at the first difference) nor kept in memory.
      const hash = hashApiKey(apiKey)
      const entry = entries.get(hash)
      if (entry && entry.generation === generation && entry.expiresAt > now) return entry.merchant
      const merchant = await findMerchantByKeyHash(db, hash)
      // Kept only if nothing changed while it was read: a change racing with the read wins.
      if (merchant && Number.isFinite(generation) && currentGeneration() === generation && listening) {
        if (entries.size >= MAX_ENTRIES) entries.clear()
        entries.set(hash, { merchant, generation, expiresAt: now + ENTRY_TTL_MS })
      } else {
        entries.delete(hash)
      }
      return merchant
    },
    invalidate() {
      localGeneration++
      entries.clear()
    },
    async close() {
      closed = true
      stopSignals()
      if (retry) clearTimeout(retry)
      const client = listener
      listener = undefined
      if (client) await client.end().catch(() => undefined)
    },
  }
  const stopSignals = onMerchantsChanged(() => cache.invalidate())
  return cache
}
