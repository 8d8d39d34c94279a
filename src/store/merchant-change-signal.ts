/**
 * In-process signal that merchants or API keys changed, so caches of this process
 * (store/merchant-cache.ts) drop their entries at once instead of waiting for the database's
 * cross-process signal. Called by the store functions that write those tables.
 */
const listeners = new Set<() => void>()

/** Registers a listener; returns its removal. */
export function onMerchantsChanged(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Tells every listener of this process that merchants or API keys changed. */
export function signalMerchantsChanged(): void {
  for (const listener of listeners) listener()
}
