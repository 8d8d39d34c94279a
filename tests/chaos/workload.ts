import { setTimeout as delay } from 'node:timers/promises'

import { csrfOf, type Answer, type ChaosClient } from './client.js'

/**
 * What customers and a merchant do while processes die: card payments (DirectPayment with
 * Bypass3DS, some declined, some whose processor reply is lost), hosted checkout through the
 * OTP page, recurring sign-ups on cards whose renewals are declined some or all of the time,
 * resumes of Uncompleted recurrences, refunds, and authorise-then-capture or release. A step
 * that got no answer is tried again as a customer would (the same PaymentURL, the same form),
 * which is exactly what must never charge twice. What the server confirmed with a 200 is
 * remembered, so the end can check nothing confirmed was lost.
 */

const CARD = { approved: ['5123450000000008', '4508750015741019', '2223000000000007'], declined: '4000000000000002', ambiguous: '4000000000002016' }
/** Renewal behaviour of the sign-up cards (docs/test-cards.md). */
const RENEWAL_CARDS = ['5123450000000008', '4000000000001018', '4000000000001026', '4000000000001034', '4000000000000341'] as const
const apiCard = (number: string) => ({ Number: number, ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Chaos Customer' })
const pickOf = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T

export interface WorkloadLog {
  /** Invoices whose payment the server confirmed (200 SUCCESS, or the OTP page's redirect to the callback). */
  readonly confirmedPaid: Set<number>
  /** Invoices confirmed as captured by UpdatePaymentStatus. */
  readonly confirmedCaptured: Set<number>
  readonly recurringIds: Set<string>
  /** Per action: how often it ran, and its answers by status. */
  readonly actions: Record<string, Record<string, number>>
}

export interface Workload {
  readonly log: WorkloadLog
  /** Runs `concurrency` customer loops until {@link stop}. */
  run(concurrency: number): Promise<void>
  stop(): void
}

export function createWorkload(client: ChaosClient, apiKey: string): Workload {
  const log: WorkloadLog = { confirmedPaid: new Set(), confirmedCaptured: new Set(), recurringIds: new Set(), actions: {} }
  const paidForRefund: number[] = []
  const authorized: Array<{ InvoiceId: number; value: number }> = []
  let stopped = false
  const note = (action: string, answer: Answer) => {
    const counts = (log.actions[action] ??= {})
    const key = answer.status === 0 ? 'no answer' : String(answer.status)
    counts[key] = (counts[key] ?? 0) + 1
  }
  const api = (action: string, method: string, path: string, body?: unknown) =>
    client.untilAnswered(() => client.api(method, path, apiKey, body)).then((answer) => (note(action, answer), answer))

  async function newInvoice(body: Record<string, unknown>): Promise<{ InvoiceId: number; PaymentURL: string } | undefined> {
    const answer = await api('ExecutePayment', 'POST', '/v2/ExecutePayment', { InvoiceValue: 2.5, CallBackUrl: 'https://merchant.example.test/paid', ErrorUrl: 'https://merchant.example.test/failed', ...body })
    return answer.status === 200 ? answer.body.Data : undefined
  }

  /** DirectPayment with Bypass3DS; the same request again while no answer comes. */
  async function directPay(action: string, invoice: { InvoiceId: number; PaymentURL: string }, card: string): Promise<boolean> {
    const answer = await api(action, 'POST', new URL(invoice.PaymentURL).pathname, { PaymentType: 'card', Bypass3DS: true, Card: apiCard(card) })
    const paid = answer.status === 200 && answer.body?.Data?.Status === 'SUCCESS'
    if (paid) log.confirmedPaid.add(invoice.InvoiceId)
    return paid
  }

  const actions: Array<[weight: number, name: string, run: () => Promise<void>]> = [
    [4, 'card payment', async () => {
      const invoice = await newInvoice({ PaymentMethodId: 9 })
      if (!invoice) return
      const roll = Math.random()
      const card = roll < 0.1 ? CARD.declined : roll < 0.2 ? CARD.ambiguous : pickOf(CARD.approved)
      if ((await directPay('DirectPayment', invoice, card)) && card !== CARD.ambiguous) paidForRefund.push(invoice.InvoiceId)
    }],
    [2, 'hosted checkout', async () => {
      const invoice = await newInvoice({ PaymentMethodId: 2 })
      if (!invoice) return
      const checkout = new URL(invoice.PaymentURL)
      const path = `${checkout.pathname}${checkout.search}`
      const form = await client.untilAnswered(() => client.page(path))
      const csrf = csrfOf(form.text)
      if (form.status !== 200 || !csrf) return note('checkout page', form)
      const fields = { csrf, holderName: 'Chaos Customer', number: pickOf(CARD.approved), expiryMonth: '01', expiryYear: '39', securityCode: '100' }
      const submitted = await client.untilAnswered(() => client.page(path, fields))
      note('checkout card form', submitted)
      if (submitted.status !== 303 || !submitted.location?.includes('MpgsAuthentication')) return
      const otpPath = submitted.location
      const otpPage = await client.untilAnswered(() => client.page(otpPath))
      const otpCsrf = csrfOf(otpPage.text)
      if (otpPage.status !== 200 || !otpCsrf) return note('OTP page', otpPage)
      const confirmed = await client.untilAnswered(() => client.page(otpPath, { csrf: otpCsrf, otp: '123456' }))
      note('OTP submit', confirmed)
      // The redirect to the CallBackUrl is the customer's confirmation (the ErrorUrl is /failed).
      if (confirmed.status === 303 && confirmed.location?.startsWith('/paid')) log.confirmedPaid.add(invoice.InvoiceId)
    }],
    [2, 'recurring sign-up', async () => {
      const model = { RecurringType: 'Daily', Iteration: pickOf([0, 3, 6]), RetryCount: pickOf([0, 1, 2]) }
      const invoice = await newInvoice({ PaymentMethodId: 9, RecurringModel: model })
      if (!invoice) return
      const recurringId = (invoice as { RecurringId?: string }).RecurringId
      if ((await directPay('DirectPayment (recurring)', invoice, pickOf(RENEWAL_CARDS))) && recurringId) log.recurringIds.add(recurringId)
    }],
    [1, 'resume', async () => {
      const list = await api('GetRecurringPayment', 'GET', '/v2/GetRecurringPayment?RecurringStatus=Uncompleted&PageSize=50&PageNumber=1')
      const uncompleted: Array<{ RecurringId: string }> = list.status === 200 ? list.body?.Data?.RecurringPayment ?? [] : []
      const target = uncompleted.length > 0 ? pickOf(uncompleted) : undefined
      if (target) await api('ResumeRecurringPayment', 'POST', `/v2/ResumeRecurringPayment?recurringId=${target.RecurringId}`)
    }],
    [1, 'refund', async () => {
      const Key = paidForRefund.length > 0 ? pickOf(paidForRefund) : undefined
      if (Key !== undefined) await api('MakeRefund', 'POST', '/v2/MakeRefund', { KeyType: 'InvoiceId', Key, Amount: 0.5, Comment: 'chaos' })
    }],
    [1, 'authorize', async () => {
      const invoice = await newInvoice({ PaymentMethodId: 9, ProcessingDetails: { AutoCapture: false } })
      if (invoice && (await directPay('DirectPayment (authorize)', invoice, pickOf(CARD.approved)))) {
        log.confirmedPaid.delete(invoice.InvoiceId)
        authorized.push({ InvoiceId: invoice.InvoiceId, value: 2.5 })
      }
    }],
    [1, 'capture or release', async () => {
      const target = authorized.shift()
      if (!target) return
      const capture = Math.random() < 0.6
      const answer = await api(
        capture ? 'Capture' : 'Release',
        'POST',
        '/v2/UpdatePaymentStatus',
        capture ? { Operation: 'Capture', Amount: target.value, KeyType: 'InvoiceId', Key: target.InvoiceId } : { Operation: 'Release', KeyType: 'InvoiceId', Key: target.InvoiceId },
      )
      if (capture && answer.status === 200) log.confirmedCaptured.add(target.InvoiceId)
    }],
    [1, 'reads', async () => {
      const Key = paidForRefund.length > 0 ? pickOf(paidForRefund) : undefined
      if (Key !== undefined) await api('GetPaymentStatus', 'POST', '/v2/GetPaymentStatus', { KeyType: 'InvoiceId', Key })
      await api('GetRecurringPayment', 'GET', '/v2/GetRecurringPayment?PageSize=20&PageNumber=1')
    }],
  ]
  const totalWeight = actions.reduce((sum, [w]) => sum + w, 0)
  const pickAction = () => {
    let roll = Math.random() * totalWeight
    for (const action of actions) {
      roll -= action[0]
      if (roll < 0) return action
    }
    return actions[0] as (typeof actions)[number]
  }

  return {
    log,
    stop() {
      stopped = true
    },
    async run(concurrency) {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (!stopped) {
            const [, name, run] = pickAction()
            try {
              await run()
            } catch (error) {
              const counts = (log.actions[name] ??= {})
              counts.threw = (counts.threw ?? 0) + 1
              throw error
            }
            await delay(Math.random() * 50)
          }
        }),
      )
    },
  }
}
