/**
 * Whose rows a console query may read: one merchant's (`merchantId`), or, for the operator
 * signed in with DAWRI_ADMIN_TOKEN, every merchant's (`merchantId: null`). Every console query
 * takes one, so a merchant's session can never reach another merchant's rows.
 */
export interface ConsoleScope {
  readonly merchantId: number | null
}

/** A keyset page: rows with ids below `beforeId` (all when undefined), newest first, at most `limit`. */
export interface KeysetPage {
  readonly beforeId?: number
  readonly limit: number
}
