import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'

import { isCountryCode, getCountry } from '../../src/domain/countries.js'
import { addDays, dueInstant, localDateOf } from '../../src/domain/schedule.js'
import { adapterFor, type DialectName } from '../../src/store/adapter.js'
import { listAttempts } from '../../src/store/charge-attempt.repository.js'
import { advanceClockOffset, readClockOffset } from '../../src/store/merchant.repository.js'
import { listRows } from '../../src/store/table-inspection.js'
import { freePort } from '../integration/payment-support.js'
import { startReceiver, type Receiver } from '../integration/webhooks-receiver.js'
import { createChaosClient } from './client.js'
import { createChaosDatabase, type ChaosDatabase } from './database.js'
import { createCluster, DAWRI_MAIN, type Cluster, type Role } from './cluster.js'
import { checkChaosInvariants, type ChaosFigures, type ChaosSnapshot } from './invariants.js'
import { createWorkload, type WorkloadLog } from './workload.js'

/**
 * One crash-injection run: real `serve` processes on a fresh database (PostgreSQL: two API and
 * two worker processes; SQLite: one process, as SQLite serves one), customers and a merchant at
 * work, the sandbox clock moved a day at a time, and `kills` SIGKILLs of a random process at
 * random moments (half of them while a charge is at the processor), each process started again.
 * Then the run settles and the processor's ledger is checked against the database.
 */

export interface ChaosOptions {
  readonly dialect: DialectName
  readonly kills: number
  /** Test processor latency: the window in which a kill lands between the charge and its record. */
  readonly latencyMs?: number
  readonly leaseMs?: number
  /** Customer loops running at once. */
  readonly concurrency?: number
  /** How often a day passes on the merchant's clock. */
  readonly clockEveryMs?: number
  /**
   * With several processes, the share of days moved through AdvanceClock (billing in an API
   * process, racing the workers); the rest are moved straight in the database. Default 0.5.
   */
  readonly advanceClockShare?: number
  readonly settleTimeoutMs?: number
  /** Stop killing at this time (epoch ms) even if fewer than `kills` were made; the report counts the kills made. */
  readonly stopKillingAt?: number
  readonly progress?: (line: string) => void
}

export interface ChaosReport {
  readonly dialect: DialectName
  readonly layout: string
  readonly kills: number
  /** Kills asked for; more than `kills` when `stopKillingAt` came first. */
  readonly killsPlanned: number
  readonly killsByRole: Record<string, number>
  /** Kills that landed while some charge attempt was open. */
  readonly killsWithChargeInFlight: number
  /** Kills of a process that had not finished starting (migrations, recovery). */
  readonly killsDuringStartup: number
  /** Error-level log lines of the processes (what explains a 5xx). */
  readonly serverErrorLog: string[]
  /** Processes that died without being killed, or did not come back. */
  readonly unexpectedExits: string[]
  readonly runMs: number
  readonly settleMs: number
  readonly settled: boolean
  /**
   * The webhook backlog while the run settled (every ~10 s, and at the end): events to a URL still
   * pending, how many of them had failed attempts, were leased, or were due later on the merchant's
   * clock — whether a backlog drains or is stuck.
   */
  readonly settleTrace: SettleSample[]
  readonly daysAdvanced: number
  readonly requests: number
  readonly unanswered: number
  readonly serverErrors: string[]
  /** Payments or captures the server confirmed with a 200 that the merchant does not see as Paid. */
  readonly confirmedButNotPaid: string[]
  readonly violations: string[]
  readonly figures: ChaosFigures
  readonly confirmedPayments: number
  readonly recurrencesSignedUp: number
  readonly actions: WorkloadLog['actions']
}

const DAY_MS = 86_400_000

/** One look at the webhook backlog while the run settles. */
export interface SettleSample {
  readonly atMs: number
  readonly violations: number
  readonly pendingEvents: number
  /** Of the pending events, those with at least one failed attempt (retrying with backoff). */
  readonly retrying: number
  /** Of the pending events, those under a lease still running (a delivery in flight). */
  readonly leased: number
  /** Of the pending events, those due only later on the merchant's clock. */
  readonly notYetDue: number
  readonly maxAttempts: number
}

interface OutboxState {
  readonly status: string
  readonly target_url: string | null
  readonly merchant_id: number
  readonly attempt_count: number
  readonly next_attempt_at: number
  readonly lease_until: number | null
}

function sampleBacklog(snapshot: ChaosSnapshot, outbox: readonly OutboxState[], atMs: number, violations: number): SettleSample {
  const realNow = Date.now()
  const merchantNowById = new Map(snapshot.merchants.map((m) => [m.id, m.now]))
  const pending = outbox.filter((e) => e.status === 'pending' && e.target_url !== null)
  return {
    atMs,
    violations,
    pendingEvents: pending.length,
    retrying: pending.filter((e) => Number(e.attempt_count) > 0).length,
    leased: pending.filter((e) => e.lease_until !== null && Number(e.lease_until) > realNow).length,
    notYetDue: pending.filter((e) => Number(e.next_attempt_at) > (merchantNowById.get(e.merchant_id) ?? realNow)).length,
    maxAttempts: pending.reduce((max, e) => Math.max(max, Number(e.attempt_count)), 0),
  }
}

/** `dawri merchant create …`; its JSON line. */
async function createMerchant(databaseUrl: string, env: Record<string, string>, args: readonly string[]): Promise<{ MerchantId: number; ApiKey: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, [DAWRI_MAIN, 'merchant', 'create', '--database', databaseUrl, ...args], { env: { ...process.env, ...env } })
  return JSON.parse(stdout.trim())
}
const CHARGE_HOUR = 4

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const latencyMs = options.latencyMs ?? 250
  const leaseMs = options.leaseMs ?? 2000
  const say = options.progress ?? (() => undefined)
  const database: ChaosDatabase = await createChaosDatabase(options.dialect)
  const receiver: Receiver = await startReceiver()
  const dataDir = mkdtempSync(join(tmpdir(), 'dawri-chaos-'))
  let cluster: Cluster | undefined
  try {
    const env = {
      DAWRI_DATA_DIR: dataDir,
      DAWRI_VAULT_KEY: Buffer.alloc(32, 13).toString('base64'),
      DAWRI_TEST_PROCESSOR_LATENCY_MS: String(latencyMs),
      DAWRI_BILLING_LEASE_MS: String(leaseMs),
      DAWRI_POLL_INTERVAL_MS: '100',
      DAWRI_CHARGE_HOUR: String(CHARGE_HOUR),
    }
    // The first CLI call migrates the empty database with the schema of the code under test.
    const shop = await createMerchant(database.url, env, ['--name', 'Chaos shop', '--recurring', '--bypass-3ds', '--authorize-capture', '--webhook-url', receiver.url])
    const db = database.store.db
    const [merchantRow] = (await listRows(db, 'merchants')).filter((m) => m.id === shop.MerchantId)
    const country = merchantRow?.country ?? 'KWT'
    const timeZone = getCountry(isCountryCode(country) ? country : 'KWT').timeZone
    // 10:00 tomorrow on the merchant's clock, far from the charge hour: days pass in whole steps.
    const tenTomorrow = dueInstant(addDays(localDateOf(Date.now(), timeZone), 1), timeZone, 10)
    await advanceClockOffset(db, shop.MerchantId, tenTomorrow - Date.now())

    const concurrentWriters = adapterFor(options.dialect).concurrentWriters
    const roles: Role[] = concurrentWriters ? ['api', 'api', 'worker', 'worker'] : ['all']
    const layout = await Promise.all(roles.map(async (role) => ({ role, port: await freePort() })))
    cluster = createCluster({ databaseUrl: database.url, env, layout })
    const members = cluster.members
    await cluster.start()
    const client = createChaosClient(() => cluster?.liveApis() ?? [])
    const workload = createWorkload(client, shop.ApiKey)
    const startedAt = Date.now()

    // The merchant's clock: a day at a time, through AdvanceClock (billing in the API process)
    // or, with several processes, straight in the database (billing by the workers).
    let daysAdvanced = 0
    let clockRunning = true
    const clockAnswers: Record<string, number> = {}
    const clockActor = (async () => {
      while (clockRunning) {
        await delay((options.clockEveryMs ?? 1500) * (0.5 + Math.random()))
        if (!clockRunning) break
        if (concurrentWriters && Math.random() >= (options.advanceClockShare ?? 0.5)) {
          await advanceClockOffset(db, shop.MerchantId, (await readClockOffset(db, shop.MerchantId)) + DAY_MS)
          daysAdvanced++
        } else {
          const answer = await client.untilAnswered(() => client.api('POST', '/v2/sandbox/AdvanceClock', shop.ApiKey, { Days: 1 }))
          const key = answer.status === 0 ? 'no answer' : String(answer.status)
          clockAnswers[key] = (clockAnswers[key] ?? 0) + 1
          if (answer.status === 200) daysAdvanced++
        }
      }
    })()
    const running = workload.run(options.concurrency ?? 4)

    // The kills: of processes at work (each kill waits until every process is up again and
    // has had a moment of work), now and then again of one still starting up.
    const killsByRole: Record<string, number> = {}
    let killsWithChargeInFlight = 0
    let killsDuringStartup = 0
    let previous: (typeof members)[number] | undefined
    // Kills start once customers have signed up to recurrences, so renewals are under way.
    const signUpDeadline = Date.now() + 60_000
    while (workload.log.recurringIds.size < 2 && Date.now() < signUpDeadline) await delay(100)
    let killsMade = 0
    for (let kill = 0; kill < options.kills; kill++) {
      if (options.stopKillingAt !== undefined && Date.now() > options.stopKillingAt) break
      let victim: (typeof members)[number] | undefined
      if (previous && Math.random() < 0.15) {
        // Its replacement is starting: kill it again after a moment (migrations, recovery pass).
        const spawnedAt = Date.now()
        while (!previous.child && Date.now() - spawnedAt < 10_000) await delay(10)
        await delay(Math.random() * 1000)
        victim = previous
      } else {
        if (!(await cluster.waitAllReady(120_000))) throw new Error('Processes did not come back within 120 s')
        await delay(500 + Math.random() * 1500)
        if (Math.random() < 0.5) {
          // Aim at a charge in flight: wait for an open attempt, then a moment inside the processor's latency.
          const deadline = Date.now() + 3000
          while (Date.now() < deadline && (await listAttempts(db, { status: 'open' })).length === 0) await delay(20)
          await delay(Math.random() * latencyMs)
        }
        victim = members[Math.floor(Math.random() * members.length)]
      }
      if (!victim) break
      const wasReady = victim.ready
      if ((await listAttempts(db, { status: 'open' })).length > 0) killsWithChargeInFlight++
      if (!(await cluster.kill(victim))) {
        kill--
        continue
      }
      previous = victim
      killsMade++
      if (!wasReady) killsDuringStartup++
      killsByRole[victim.role] = (killsByRole[victim.role] ?? 0) + 1
      say(`${options.dialect}: kill ${kill + 1}/${options.kills} (${victim.name}${wasReady ? '' : ', starting'}) after ${Math.round((Date.now() - startedAt) / 1000)} s`)
    }
    workload.stop()
    clockRunning = false
    await Promise.all([running, clockActor])
    const runMs = Date.now() - startedAt
    const allUp = await cluster.waitAllReady(60_000)
    // Two more days, with every process up, so the last cycles are due and billed before the checks.
    for (let day = 0; day < 2; day++) {
      const answer = await client.untilAnswered(() => client.api('POST', '/v2/sandbox/AdvanceClock', shop.ApiKey, { Days: 1 }))
      const key = answer.status === 0 ? 'no answer' : String(answer.status)
      clockAnswers[key] = (clockAnswers[key] ?? 0) + 1
      if (answer.status === 200) daysAdvanced++
    }

    // Settle: nothing open, nothing undelivered, nothing due on the merchant's clock.
    const settleStart = Date.now()
    let outboxRows: OutboxState[] = []
    const snapshot = async (): Promise<ChaosSnapshot> => {
      const merchants = await listRows(db, 'merchants')
      const now = Date.now()
      const [ledger, attempts, invoices, transactions, refunds, recurrences, outbox] = await Promise.all([
        listRows(db, 'processor_ledger'),
        listRows(db, 'charge_attempts'),
        listRows(db, 'invoices'),
        listRows(db, 'transactions'),
        listRows(db, 'refunds'),
        listRows(db, 'recurrences'),
        listRows(db, 'outbox_events'),
      ])
      outboxRows = outbox
      return {
        ledger: ledger.map((e) => ({ ...e, amount_minor: Number(e.amount_minor) })),
        attempts,
        invoices,
        transactions,
        refunds,
        recurrences: recurrences.map((r) => ({ ...r, next_attempt_at: r.next_attempt_at === null ? null : Number(r.next_attempt_at) })),
        outbox,
        merchants: merchants.map((m) => ({ id: m.id, now: now + Number(m.clock_offset_ms), timeZone: getCountry(isCountryCode(m.country) ? m.country : 'KWT').timeZone })),
        receivedReferences: receiver.received.map((w) => w.reference),
        chargeHour: CHARGE_HOUR,
      }
    }
    // Waits while the backlog (webhooks above all: a long run's last days write thousands) shrinks;
    // gives up after settleTimeoutMs without progress, or 15 minutes in all.
    let latest = await snapshot()
    let verdict = checkChaosInvariants(latest)
    const settleTrace: SettleSample[] = [sampleBacklog(latest, outboxRows, 0, verdict.violations.length)]
    let settled = verdict.violations.length === 0
    let best = verdict.violations.length
    let progressAt = Date.now()
    while (!settled && Date.now() - progressAt < (options.settleTimeoutMs ?? leaseMs + latencyMs + 60_000) && Date.now() - settleStart < 900_000) {
      await delay(500)
      latest = await snapshot()
      verdict = checkChaosInvariants(latest)
      settled = verdict.violations.length === 0
      const last = settleTrace[settleTrace.length - 1]
      if (last && Date.now() - settleStart - last.atMs >= 10_000) settleTrace.push(sampleBacklog(latest, outboxRows, Date.now() - settleStart, verdict.violations.length))
      if (verdict.violations.length < best) {
        best = verdict.violations.length
        progressAt = Date.now()
      }
    }
    const settleMs = Date.now() - settleStart
    settleTrace.push(sampleBacklog(latest, outboxRows, settleMs, verdict.violations.length))
    say(`${options.dialect}: settle ${settled ? 'done' : 'gave up'} after ${settleMs} ms; backlog ${JSON.stringify(settleTrace.map((x) => x.pendingEvents))}`)

    // What the server confirmed with a 200 is what the merchant sees.
    const confirmedButNotPaid: string[] = []
    for (const InvoiceId of [...workload.log.confirmedPaid, ...workload.log.confirmedCaptured]) {
      const answer = await client.untilAnswered(() => client.api('POST', '/v2/GetPaymentStatus', shop.ApiKey, { KeyType: 'InvoiceId', Key: InvoiceId }))
      if (answer.body?.Data?.InvoiceStatus !== 'Paid') confirmedButNotPaid.push(`${InvoiceId}: ${answer.status} ${answer.body?.Data?.InvoiceStatus ?? answer.text.slice(0, 200)}`)
    }

    return {
      dialect: options.dialect,
      layout: roles.join(' + '),
      kills: killsMade,
      killsPlanned: options.kills,
      killsByRole,
      killsWithChargeInFlight,
      killsDuringStartup,
      serverErrorLog: cluster.errorLines,
      unexpectedExits: [...cluster.unexpectedExits, ...(allUp ? [] : ['not every process was up again within 60 s after the last kill'])],
      runMs,
      settleMs,
      settled,
      settleTrace,
      daysAdvanced,
      requests: client.stats.requests,
      unanswered: client.stats.unanswered,
      serverErrors: client.serverErrors,
      confirmedButNotPaid,
      violations: verdict.violations,
      figures: verdict.figures,
      confirmedPayments: workload.log.confirmedPaid.size,
      recurrencesSignedUp: workload.log.recurringIds.size,
      actions: { ...workload.log.actions, AdvanceClock: clockAnswers },
    }
  } finally {
    await cluster?.stopAll()
    await receiver.close()
    await database.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
