import { randomUUID } from 'node:crypto'

import type { Insertable, Selectable } from 'kysely'

import { detectCardBrand, maskCardNumber, normalizeCardNumber, type CardTokenPurpose } from '../domain/cards.js'
import type { CardTokenTable, Executor } from './database.js'

/**
 * Tokenised cards. The full number goes in only through {@link insertCardToken} (encrypted) and
 * comes out only through {@link readCardNumber}; rows carry the masked number, the brand and a
 * keyed hash, which is all that listings, responses and logs need.
 */


/** A `card_tokens` row; `pan_encrypted` is ciphertext, never the number. */
export type CardTokenRow = Selectable<CardTokenTable>

/**
 * The card columns shown next to a transaction (GetPaymentStatus, webhooks), for a
 * `transactions LEFT JOIN card_tokens` select; never the encrypted number.
 */
export const CARD_DISPLAY_COLUMNS = [
  'card_tokens.masked_number',
  'card_tokens.brand',
  'card_tokens.issuer',
  'card_tokens.expiry_month',
  'card_tokens.expiry_year',
  'card_tokens.holder_name',
  'card_tokens.pan_hash',
  'card_tokens.token',
  'card_tokens.purpose',
] as const

/**
 * What the store needs of the card vault (processor/card-vault.ts): the store writes and reads
 * ciphertext and hashes, and never holds the key.
 */
export interface PanSealer {
  encrypt(number: string): string
  hashPan(number: string): string
}

/** Turns a stored ciphertext back into the card number (the vault). */
export interface PanOpener {
  decrypt(sealed: string): string
}

/** Issuer printed for every sandbox card (reference §4.2 sample: `"Issuer": "Test Bank"`). */
export const SANDBOX_ISSUER = 'Test Bank'

/** Options for {@link insertCardToken}. */
export interface InsertCardTokenOptions {
  readonly merchantId: number
  readonly purpose: CardTokenPurpose
  readonly customerIdentifier: string | null
  /** The full card number, spaces and dashes allowed; validated by the caller (domain/cards.ts). */
  readonly number: string
  /** `MM`. */
  readonly expiryMonth: string
  /** `YY`. */
  readonly expiryYear: string
  readonly holderName: string | null
  readonly now: number
  /** Issuer name. Default is {@link SANDBOX_ISSUER}; a real acquirer's BIN lookup replaces it. */
  readonly issuer?: string
}

/**
 * Stores a card: the number encrypted by the vault, plus its masked form, brand and keyed hash.
 * The security code is not a parameter on purpose: it is never stored. Throws when the number
 * is of no accepted brand, which validation must have refused first.
 */
export async function insertCardToken(
  db: Executor,
  vault: PanSealer,
  options: InsertCardTokenOptions,
): Promise<CardTokenRow> {
  const number = normalizeCardNumber(options.number)
  const brand = detectCardBrand(number)
  // The message names the masked number only: errors end up in logs.
  if (!brand) throw new Error(`Card ${maskCardNumber(number)} is of no accepted brand; validate it before storing`)
  return db
    .insertInto('card_tokens')
    .values({
      merchant_id: options.merchantId,
      token: `TKN-${randomUUID()}`,
      purpose: options.purpose,
      customer_identifier: options.customerIdentifier,
      pan_encrypted: vault.encrypt(number),
      pan_hash: vault.hashPan(number),
      masked_number: maskCardNumber(number),
      brand,
      issuer: options.issuer ?? SANDBOX_ISSUER,
      expiry_month: options.expiryMonth,
      expiry_year: options.expiryYear,
      holder_name: options.holderName,
      created_at: options.now,
      deleted_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/**
 * A merchant's token by internal id, deleted or not: transactions and recurrences keep pointing
 * at the card they were paid with, and their history must still show it. Callers that charge
 * check `deleted_at`.
 */
export async function findCardTokenById(
  db: Executor,
  merchantId: number,
  id: number,
): Promise<CardTokenRow | undefined> {
  return db
    .selectFrom('card_tokens')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
}

/**
 * A merchant's live token by its public text (`TKN-…`). Another merchant's token and a deleted
 * token are not found, exactly like a token that never existed, so a token reveals nothing
 * outside its merchant. `includeDeleted` also finds cancelled ones (CancelToken tells a
 * cancelled token from an unknown one).
 */
export async function findCardTokenByToken(
  db: Executor,
  merchantId: number,
  token: string,
  options: { readonly includeDeleted?: boolean } = {},
): Promise<CardTokenRow | undefined> {
  let query = db.selectFrom('card_tokens').selectAll().where('token', '=', token).where('merchant_id', '=', merchantId)
  if (!options.includeDeleted) query = query.where('deleted_at', 'is', null)
  return query.executeTakeFirst()
}

/** A customer's saved cards (purpose `saved`, not deleted), oldest first. */
export async function listSavedTokens(
  db: Executor,
  merchantId: number,
  customerIdentifier: string,
): Promise<CardTokenRow[]> {
  return db
    .selectFrom('card_tokens')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('customer_identifier', '=', customerIdentifier)
    .where('purpose', '=', 'saved')
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute()
}

/**
 * The customer's live saved token for the same card, found by the keyed hash (`vault.hashPan`),
 * so saving a card twice can reuse the first token instead of listing the card twice.
 */
export async function findSavedTokenByPanHash(
  db: Executor,
  merchantId: number,
  customerIdentifier: string,
  panHash: string,
): Promise<CardTokenRow | undefined> {
  return db
    .selectFrom('card_tokens')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('customer_identifier', '=', customerIdentifier)
    .where('purpose', '=', 'saved')
    .where('pan_hash', '=', panHash)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .executeTakeFirst()
}

/** Marks a merchant's token deleted at `now`; returns false when there was no live token. */
export async function markCardTokenDeleted(
  db: Executor,
  merchantId: number,
  id: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('card_tokens')
    .set({ deleted_at: now })
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** The full card number of a token, for the processor call only. Never log or return it. */
export function readCardNumber(vault: PanOpener, row: Pick<CardTokenRow, 'pan_encrypted'>): string {
  return vault.decrypt(row.pan_encrypted)
}

/** Makes a token the customer's saved card (SaveToken honoured once the payment is approved). */
export async function markCardTokenSaved(db: Executor, id: number): Promise<void> {
  await db.updateTable('card_tokens').set({ purpose: 'saved' }).where('id', '=', id).where('purpose', '=', 'session').execute()
}

/**
 * Deletes one-payment tokens that nothing points at any more: no transaction and no embedded
 * session uses them (the tokens of payments that lost a race or were abandoned).
 */
export async function deleteOrphanSessionTokens(db: Executor, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return
  await db
    .deleteFrom('card_tokens')
    .where('id', 'in', [...ids])
    .where('purpose', '=', 'session')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('transactions').select('transactions.id').whereRef('transactions.card_token_id', '=', 'card_tokens.id'))),
    )
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('sessions').select('sessions.id').whereRef('sessions.card_token_id', '=', 'card_tokens.id'))),
    )
    .execute()
}

/**
 * Copies a card into a token of purpose `recurring` for a recurrence (the ciphertext as it is,
 * nothing decrypted), so deleting the customer's saved card never stops the recurrence.
 */
export async function copyCardTokenForRecurrence(db: Executor, merchantId: number, cardTokenId: number, now: number): Promise<number | undefined> {
  const card = await findCardTokenById(db, merchantId, cardTokenId)
  if (!card) return undefined
  const copy = await db
    .insertInto('card_tokens')
    .values({
      merchant_id: card.merchant_id,
      token: `TKN-${randomUUID()}`,
      purpose: 'recurring',
      customer_identifier: card.customer_identifier,
      pan_encrypted: card.pan_encrypted,
      pan_hash: card.pan_hash,
      masked_number: card.masked_number,
      brand: card.brand,
      issuer: card.issuer,
      expiry_month: card.expiry_month,
      expiry_year: card.expiry_year,
      holder_name: card.holder_name,
      created_at: now,
      deleted_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return copy.id
}

/** The card columns a charge needs, for many tokens at once. */
export async function findChargeCards(
  db: Executor,
  ids: readonly number[],
): Promise<Array<Pick<CardTokenRow, 'id' | 'pan_encrypted' | 'expiry_month' | 'expiry_year' | 'holder_name' | 'deleted_at'>>> {
  if (ids.length === 0) return []
  return db
    .selectFrom('card_tokens')
    .select(['id', 'pan_encrypted', 'expiry_month', 'expiry_year', 'holder_name', 'deleted_at'])
    .where('id', 'in', [...ids])
    .execute()
}

/** Inserts a card token row as given (its `pan_encrypted` is not checked); returns its id. */
export async function insertCardTokenRow(db: Executor, row: Insertable<CardTokenTable>): Promise<number> {
  const inserted = await db.insertInto('card_tokens').values(row).returning('id').executeTakeFirstOrThrow()
  return inserted.id
}
