import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { insertMerchant } from '../../src/store/merchant.repository.js'
import { explainDueOutboxCandidates, insertOutboxEvents, listDueOutboxCandidates, type NewOutboxEvent } from '../../src/store/outbox.repository.js'
import { gatherStatistics } from '../../src/store/table-inspection.js'
import { DIALECTS } from '../support/dialects.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'

/**
 * The webhook claim must stay one index probe per candidate however stale the planner's
 * statistics are. The soak found PostgreSQL, with statistics gathered while the outbox was empty
 * and a burst of renewals just written, probing "is an earlier event of this object pending?"
 * through the status index: every pending event read for every candidate (1,500 pending: 1 s per
 * claim; in the soak 6.5 s, so AdvanceClock timed out).
 */

const PENDING = 1500
const OBJECTS = 300

/** Every node of an EXPLAIN (FORMAT JSON) plan, depth first. */
function planNodes(plan: unknown): Array<Record<string, unknown>> {
  const nodes: Array<Record<string, unknown>> = []
  const visit = (node: unknown) => {
    if (node === null || typeof node !== 'object') return
    const record = node as Record<string, unknown>
    nodes.push(record)
    for (const child of (record['Plans'] as unknown[] | undefined) ?? []) visit(child)
  }
  for (const entry of (plan as Array<{ Plan: unknown }>) ?? []) visit(entry.Plan)
  return nodes
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the webhook claim with stale statistics`, () => {
    let database: TestDatabase
    let merchantId: number

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      const merchant = await insertMerchant(database.store.db, {
        name: 'Claim plan',
        country: 'KWT',
        recurringEnabled: true,
        bypass3dsEnabled: false,
        webhookUrl: 'http://127.0.0.1:9/hook',
        webhookVersion: 'v2',
        webhookSecret: 'secret',
        now: 1000,
      })
      merchantId = merchant.id
      // Statistics of an empty outbox, then a burst: what a first AdvanceClock does.
      await gatherStatistics(database.store.db)
      const events: NewOutboxEvent[] = Array.from({ length: PENDING }, (_, i) => ({
        merchant_id: merchantId,
        event_code: 1,
        entity_key: `invoice:${i % OBJECTS}`,
        webhook_version: 'v2',
        target_url: 'http://127.0.0.1:9/hook',
        status: 'pending',
        attempt_count: 0,
        next_attempt_at: 1000,
        lease_until: null,
        created_at: 1000,
        delivered_at: null,
        invoice_id: null,
        customer_reference: null,
        first_attempt_at: null,
      }))
      await insertOutboxEvents(database.store.db, events)
    })
    afterAll(async () => database?.drop())

    it('offers each object its earliest pending event only', async () => {
      const due = await listDueOutboxCandidates(database.store.db, { realNow: 5000, limit: PENDING })
      expect(due).toHaveLength(OBJECTS)
      const forMerchant = await listDueOutboxCandidates(database.store.db, { realNow: 5000, limit: 16, merchant: { id: merchantId, now: 5000 } })
      expect(forMerchant).toHaveLength(16)
      expect(forMerchant.map((row) => row.id)).toEqual(due.slice(0, 16).map((row) => row.id))
    })

    it.runIf(dialect === 'postgres')('probes earlier events of an object through (entity_key, id), never through the status index', async () => {
      for (const merchant of [undefined, { id: merchantId, now: 5000 }]) {
        const plan = await explainDueOutboxCandidates(database.store.db, { realNow: 5000, limit: 64, ...(merchant ? { merchant } : {}) })
        const probes = planNodes(plan).filter((node) => node['Alias'] === 'p')
        expect(probes.length, JSON.stringify(plan)).toBeGreaterThan(0)
        for (const probe of probes) expect(probe['Index Name'], JSON.stringify(probe)).toBe('outbox_events_entity')
      }
    })

    // Every event here shares one due instant, as a day's renewals do. Through an index ending at
    // next_attempt_at, PostgreSQL read all 1,500 (probing each) before sorting by id to keep 16:
    // the soak's AdvanceClock spent 100-170 ms per claim. Migration 0013 puts id in the index.
    it.runIf(dialect === 'postgres')('reads events in claim order from an index, with no sort, so a claim stops at its limit', async () => {
      const plan = await explainDueOutboxCandidates(database.store.db, { realNow: 5000, limit: 16, merchant: { id: merchantId, now: 5000 } })
      const nodes = planNodes(plan)
      expect(nodes.filter((node) => String(node['Node Type']).includes('Sort')), JSON.stringify(plan)).toEqual([])
      const outer = nodes.filter((node) => node['Alias'] === 'o')
      expect(outer.map((node) => node['Index Name']), JSON.stringify(plan)).toEqual(['outbox_events_merchant_due_order'])
    })
  })
}
