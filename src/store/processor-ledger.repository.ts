import type { Insertable, Selectable } from 'kysely'

import type { Executor, ProcessorLedgerTable } from './database.js'

/**
 * The sandbox processor's ledger (`processor_ledger`): every charge and refund the test processor
 * received (`operation`), keyed by the caller's idempotency key. It is the ground truth of what was charged, so it is
 * written on the root database, never inside a caller's transaction.
 */

/** A row of the processor's ledger. */
export type LedgerEntry = Selectable<ProcessorLedgerTable>

/** The columns of a charge to record. */
export type NewLedgerEntry = Insertable<ProcessorLedgerTable>

/** The outcome of writing one charge to the ledger. */
export interface LedgerWrite {
  /** The row stored under the key: this call's, or the earlier call's that won. */
  readonly entry: LedgerEntry
  /** True when this call wrote the row (the first call with its key). */
  readonly recordedNow: boolean
}

/**
 * Writes charges with one statement (`INSERT … ON CONFLICT DO NOTHING RETURNING *`), plus one
 * read only for keys that were already taken. The primary key makes the first writer of a key
 * win, also across processes on PostgreSQL; every other call with that key (in this batch or
 * later) is answered from the row that won, never from its own values. One result per entry, in
 * order.
 */
export async function writeLedgerEntries(db: Executor, entries: readonly NewLedgerEntry[]): Promise<LedgerWrite[]> {
  if (entries.length === 0) return []
  const inserted = await db
    .insertInto('processor_ledger')
    .values([...entries])
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returningAll()
    .execute()
  const stored = new Map(inserted.map((entry) => [entry.idempotency_key, entry]))
  const writers = new Set(stored.keys())
  const others = entries.map((e) => e.idempotency_key).filter((key) => !stored.has(key))
  if (others.length > 0) {
    const existing = await db.selectFrom('processor_ledger').selectAll().where('idempotency_key', 'in', others).execute()
    for (const entry of existing) stored.set(entry.idempotency_key, entry)
  }
  return entries.map(({ idempotency_key: key }) => {
    const entry = stored.get(key)
    if (!entry) throw new Error(`Ledger entry ${key} vanished after it was written`)
    // The first item with a key in the batch is the one that wrote it; repeats are replays.
    const recordedNow = writers.delete(key)
    return { entry, recordedNow }
  })
}

/** The ledger entry for a key, or `undefined` when the processor never received that charge. */
export async function findLedgerEntry(db: Executor, idempotencyKey: string): Promise<LedgerEntry | undefined> {
  return db.selectFrom('processor_ledger').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirst()
}

/**
 * The refunds approved so far of the charge recorded under `chargeKey`, in minor units, leaving
 * out the refund under `exceptKey` (the one being decided).
 */
export async function sumApprovedRefunds(db: Executor, chargeKey: string, exceptKey: string): Promise<number> {
  const row = await db
    .selectFrom('processor_ledger')
    .select((eb) => eb.fn.sum<number | string | null>('amount_minor').as('total'))
    .where('operation', '=', 'refund')
    .where('refund_of', '=', chargeKey)
    .where('outcome', '=', 'approved')
    .where('idempotency_key', '!=', exceptKey)
    .executeTakeFirst()
  return row?.total === null || row?.total === undefined ? 0 : Number(row.total)
}

/**
 * The approved capture or release of the authorisation recorded under `authorizationKey`, leaving
 * out the one under `exceptKey` (the one being decided): an authorisation is settled once.
 */
export async function findAuthorizationSettlement(db: Executor, authorizationKey: string, exceptKey: string): Promise<LedgerEntry | undefined> {
  return db
    .selectFrom('processor_ledger')
    .selectAll()
    .where('operation', 'in', ['capture', 'release'])
    .where('refund_of', '=', authorizationKey)
    .where('outcome', '=', 'approved')
    .where('idempotency_key', '!=', exceptKey)
    .executeTakeFirst()
}

/** Filters of {@link listLedger}; omitted fields match everything. */
export interface LedgerFilter {
  readonly merchantId?: number
  /** Only charges or only refunds. */
  readonly operation?: LedgerEntry['operation']
  readonly outcome?: LedgerEntry['outcome']
  /** Only these keys; an empty list matches nothing. Keep it to a few thousand keys. */
  readonly idempotencyKeys?: readonly string[]
  /** Only keys starting with this text, such as `attempt-` (no `%`, `_` or `\`). */
  readonly keyPrefix?: string
}

/** Ledger entries matching `filter`, oldest first (tests compare them with what the engine recorded). */
export async function listLedger(db: Executor, filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
  let query = db.selectFrom('processor_ledger').selectAll().orderBy('created_at').orderBy('idempotency_key')
  if (filter.merchantId !== undefined) query = query.where('merchant_id', '=', filter.merchantId)
  if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome)
  if (filter.operation !== undefined) query = query.where('operation', '=', filter.operation)
  if (filter.idempotencyKeys !== undefined) {
    if (filter.idempotencyKeys.length === 0) return []
    query = query.where('idempotency_key', 'in', [...filter.idempotencyKeys])
  }
  if (filter.keyPrefix !== undefined) {
    if (/[%_\\]/.test(filter.keyPrefix)) throw new Error(`Ledger key prefix ${filter.keyPrefix} holds a LIKE wildcard`)
    query = query.where('idempotency_key', 'like', `${filter.keyPrefix}%`)
  }
  return query.execute()
}

/** Filters for {@link countApprovedCharges}; omitted fields match everything. */
export interface CountApprovedChargesFilter {
  readonly merchantId?: number
  readonly cardTokenId?: number
}

/** How many charges the processor approved, i.e. how many times a card was charged (refunds not counted). */
export async function countApprovedCharges(db: Executor, filter: CountApprovedChargesFilter = {}): Promise<number> {
  let query = db
    .selectFrom('processor_ledger')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('outcome', '=', 'approved')
    .where('operation', '=', 'charge')
  if (filter.merchantId !== undefined) query = query.where('merchant_id', '=', filter.merchantId)
  if (filter.cardTokenId !== undefined) query = query.where('card_token_id', '=', filter.cardTokenId)
  const row = await query.executeTakeFirstOrThrow()
  return Number(row.count)
}
