import { myFatoorahBaseUrl, type Environment } from './base-urls.js'
import { Transport, type CallOptions, type RouteCall } from './transport.js'
import type { CurrencyExchangeRate, RegisterApplePayDomainRequest } from './types/account.js'
import type { CountryCode } from './types/common.js'
import type { SendPaymentData, SendPaymentRequest } from './types/invoices.js'
import type {
  CancelTokenRequest,
  DirectPaymentData,
  DirectPaymentRequest,
  ExecutePaymentData,
  ExecutePaymentRequest,
  GetPaymentStatusRequest,
  InitiatePaymentData,
  InitiatePaymentRequest,
  InitiateSessionData,
  InitiateSessionRequest,
  PaymentStatusData,
  UpdatePaymentStatusData,
  UpdatePaymentStatusRequest,
  UpdateSessionData,
  UpdateSessionRequest,
} from './types/payments.js'
import type { GetRecurringPaymentData, GetRecurringPaymentRequest, RecurringIdRequest } from './types/recurring.js'
import type { GetRefundStatusData, GetRefundStatusRequest, MakeRefundData, MakeRefundRequest } from './types/refunds.js'
import type {
  AdvanceClockData,
  AdvanceClockRequest,
  NotificationsData,
  NotificationsRequest,
  WebhookChaosData,
  WebhookChaosRequest,
} from './types/sandbox.js'
import type { GetWebhooksData, GetWebhooksRequest, ResendWebhookRequest, WebhookLogItem } from './types/webhook-log.js'

/** Settings shared by both ways of naming the server. */
interface CommonClientOptions {
  /** The account's API key (`SK_KWT_…` for dawri and MyFatoorah alike). */
  readonly apiKey: string
  /** Time allowed for one attempt, in ms. Default 30 000. */
  readonly timeoutMs?: number
  /** Retries after a network error, a timeout, a 429 or a 5xx. Default 2. */
  readonly retries?: number
  /** First back-off delay in ms, doubled per retry. Default 250. */
  readonly retryDelayMs?: number
  /** A fetch to use instead of the global one (a proxy agent, instrumentation). */
  readonly fetch?: typeof globalThis.fetch
}

/** Options of {@link MyFatoorahClient}: a base URL (dawri, a proxy), or MyFatoorah's own host by country. */
export type MyFatoorahClientOptions =
  | (CommonClientOptions & { readonly baseUrl: string; readonly country?: undefined; readonly environment?: undefined })
  | (CommonClientOptions & { readonly country: CountryCode; readonly environment: Environment; readonly baseUrl?: undefined })

/** The path of a DirectPayment URL, e.g. `/v2/DirectPayment/<invoiceKey>/9`. */
const DIRECT_PAYMENT_PATH = /\/v2\/DirectPayment\/[^/?#]+\/[^/?#]+$/

/** The sandbox's own routes (dawri only; MyFatoorah has none). */
export class SandboxApi {
  constructor(private readonly transport: Transport) {}

  /** Moves the account's clock forward and returns once every charge and webhook due by then ran. */
  advanceClock(request: AdvanceClockRequest, options?: CallOptions): Promise<AdvanceClockData> {
    return this.transport.call({ method: 'POST', path: '/v2/sandbox/AdvanceClock', body: request }, options)
  }

  /** The e-mails and SMS SendPayment would have sent, newest first. */
  notifications(request: NotificationsRequest = {}, options?: CallOptions): Promise<NotificationsData> {
    return this.transport.call({ method: 'GET', path: '/v2/sandbox/Notifications', query: { ...request } }, options)
  }

  /** Makes webhook deliveries drop, repeat, wait or arrive out of order. */
  webhookChaos(request: WebhookChaosRequest, options?: CallOptions): Promise<WebhookChaosData> {
    return this.transport.call({ method: 'POST', path: '/v2/sandbox/WebhookChaos', body: request }, options)
  }
}

/**
 * A typed client of MyFatoorah's v2 API, for dawri and for MyFatoorah itself. Each method is a
 * route (camelCase of its name), takes MyFatoorah's request fields and resolves to the answer's
 * `Data`; failures throw {@link MyFatoorahError} (an answer) or {@link MyFatoorahConnectionError}
 * (no answer).
 */
export class MyFatoorahClient {
  /** The base URL every call goes to, without a trailing slash. */
  readonly baseUrl: string
  /** dawri's sandbox routes. */
  readonly sandbox: SandboxApi
  private readonly transport: Transport

  constructor(options: MyFatoorahClientOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') throw new TypeError('MyFatoorahClient needs an apiKey')
    const base = options.baseUrl ?? myFatoorahBaseUrl(options.country, options.environment)
    let parsed: URL
    try {
      parsed = new URL(base)
    } catch {
      throw new TypeError(`MyFatoorahClient: baseUrl '${base}' is not a URL`)
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`MyFatoorahClient: baseUrl must be http(s), not ${parsed.protocol}`)
    this.baseUrl = base.replace(/\/+$/, '')
    const fetchImpl = options.fetch ?? globalThis.fetch
    if (typeof fetchImpl !== 'function') throw new TypeError('MyFatoorahClient needs a global fetch (Node 20 or newer) or a fetch option')
    this.transport = new Transport({
      apiKey: options.apiKey,
      baseUrl: this.baseUrl,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 250,
      fetch: fetchImpl,
    })
    this.sandbox = new SandboxApi(this.transport)
  }

  private post<T>(path: string, body: unknown, options: CallOptions | undefined): Promise<T> {
    return this.transport.call<T>({ method: 'POST', path, body }, options)
  }

  private send<T>(route: RouteCall, options: CallOptions | undefined): Promise<T> {
    return this.transport.call<T>(route, options)
  }

  /** The payment methods enabled on the account, with their charges for an amount. */
  initiatePayment(request: InitiatePaymentRequest = {}, options?: CallOptions): Promise<InitiatePaymentData> {
    return this.post('/v2/InitiatePayment', request, options)
  }

  /** A single-use session for the Card View (embedded payment). */
  initiateSession(request: InitiateSessionRequest = {}, options?: CallOptions): Promise<InitiateSessionData> {
    return this.post('/v2/InitiateSession', request, options)
  }

  /** Binds a customer's saved card to a session. */
  updateSession(request: UpdateSessionRequest, options?: CallOptions): Promise<UpdateSessionData> {
    return this.post('/v2/UpdateSession', request, options)
  }

  /** Creates an invoice (recurring with a RecurringModel) and returns where the customer pays it. */
  executePayment(request: ExecutePaymentRequest, options?: CallOptions): Promise<ExecutePaymentData> {
    return this.post('/v2/ExecutePayment', request, options)
  }

  /**
   * Pays an invoice with card data or a saved token (PCI merchants). `paymentUrl` is the
   * `PaymentURL` ExecutePayment returned for a direct method (`IsDirectPayment: true`); only its
   * path is used, sent to this client's base URL, so the API key never goes anywhere else.
   */
  directPayment(paymentUrl: string, request: DirectPaymentRequest, options?: CallOptions): Promise<DirectPaymentData> {
    let pathname: string
    try {
      pathname = new URL(paymentUrl, this.baseUrl).pathname
    } catch {
      throw new TypeError(`directPayment: '${paymentUrl}' is not a URL`)
    }
    const match = DIRECT_PAYMENT_PATH.exec(pathname)
    if (!match) throw new TypeError(`directPayment: '${paymentUrl}' is not a DirectPayment URL (ExecutePayment with a direct PaymentMethodId gives one)`)
    return this.post(match[0], request, options)
  }

  /** The invoice and all its transactions, by InvoiceId, PaymentId or CustomerReference. */
  getPaymentStatus(request: GetPaymentStatusRequest, options?: CallOptions): Promise<PaymentStatusData> {
    return this.post('/v2/GetPaymentStatus', request, options)
  }

  /** The account's recurring payments (all, or one by `recurringId`). */
  getRecurringPayment(request: GetRecurringPaymentRequest = {}, options?: CallOptions): Promise<GetRecurringPaymentData> {
    return this.send({ method: 'GET', path: '/v2/GetRecurringPayment', query: { ...request } }, options)
  }

  /** Cancels a recurring payment; final. Resolves to true. */
  cancelRecurringPayment(request: RecurringIdRequest, options?: CallOptions): Promise<boolean> {
    return this.send({ method: 'POST', path: '/v2/CancelRecurringPayment', query: { recurringId: request.recurringId } }, options)
  }

  /** Charges the blocked cycle of an Uncompleted recurring payment now; a decline throws (400). */
  resumeRecurringPayment(request: RecurringIdRequest, options?: CallOptions): Promise<boolean> {
    return this.send({ method: 'POST', path: '/v2/ResumeRecurringPayment', query: { recurringId: request.recurringId } }, options)
  }

  /** Creates an invoice the customer pays from a link (optionally e-mailed or texted). */
  sendPayment(request: SendPaymentRequest, options?: CallOptions): Promise<SendPaymentData> {
    return this.post('/v2/SendPayment', request, options)
  }

  /** Refunds all or part of a paid invoice. */
  makeRefund(request: MakeRefundRequest, options?: CallOptions): Promise<MakeRefundData> {
    return this.post('/v2/MakeRefund', request, options)
  }

  /** The refunds of an invoice, or one refund. */
  getRefundStatus(request: GetRefundStatusRequest, options?: CallOptions): Promise<GetRefundStatusData> {
    return this.post('/v2/GetRefundStatus', request, options)
  }

  /** Captures or releases an authorised payment (ProcessingDetails.AutoCapture false). */
  updatePaymentStatus(request: UpdatePaymentStatusRequest, options?: CallOptions): Promise<UpdatePaymentStatusData> {
    return this.post('/v2/UpdatePaymentStatus', request, options)
  }

  /** Deletes a saved card token. Resolves to true. */
  cancelToken(request: CancelTokenRequest, options?: CallOptions): Promise<boolean> {
    return this.send({ method: 'POST', path: '/v2/CancelToken', query: { token: request.token } }, options)
  }

  /** Exchange rates of the account's currencies (MyFatoorah answers a bare list). */
  getCurrenciesExchangeList(options?: CallOptions): Promise<CurrencyExchangeRate[]> {
    return this.send({ method: 'GET', path: '/v2/GetCurrenciesExchangeList' }, options)
  }

  /** Registers a domain for Apple Pay in the embedded payment. Resolves to null. */
  registerApplePayDomain(request: RegisterApplePayDomainRequest, options?: CallOptions): Promise<null> {
    return this.post('/v2/RegisterApplePayDomain', request, options)
  }

  /** The account's webhook events and their delivery attempts, newest first. */
  getWebhooks(request: GetWebhooksRequest = {}, options?: CallOptions): Promise<GetWebhooksData> {
    return this.post('/v2/GetWebhooks', request, options)
  }

  /** Sends one webhook event again. */
  resendWebhook(request: ResendWebhookRequest, options?: CallOptions): Promise<WebhookLogItem> {
    return this.post('/v2/ResendWebhook', request, options)
  }
}
