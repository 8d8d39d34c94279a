import { isPaymentErrorCode, type PaymentErrorCode } from '../../domain/payment-errors.js'
import type { DisclosedCharges, DisclosedFrequency } from '../../domain/recurring-disclosure.js'
import type { LocalDate } from '../../domain/schedule.js'
import type { TestCard } from '../../processor/test-processor.js'

/** The two languages of the hosted pages, picked by the URL's `En`/`Ar` segment (reference §2.2). */
export const PAGE_LANGUAGES = ['EN', 'AR'] as const

/** One of {@link PAGE_LANGUAGES}. */
export type PageLanguage = (typeof PAGE_LANGUAGES)[number]

/** `En`/`Ar` (any case) from a URL segment, or undefined. */
export function parseLanguageSegment(segment: string): PageLanguage | undefined {
  const lower = segment.toLowerCase()
  return lower === 'en' ? 'EN' : lower === 'ar' ? 'AR' : undefined
}

/** The URL segment of a language (`En`, `Ar`). */
export function languageSegment(language: PageLanguage): string {
  return language === 'AR' ? 'Ar' : 'En'
}

const EN = {
  htmlLang: 'en',
  dir: 'ltr',
  otherLanguage: 'العربية',
  poweredBy: 'Secure payment by dawri',
  payInvoice: 'Pay invoice',
  invoiceTitle: 'Invoice',
  choosePaymentMethod: 'Choose how to pay',
  otherPaymentMethods: 'Choose another payment method',
  invoiceSummary: 'Invoice summary',
  merchant: 'Merchant',
  customer: 'Customer',
  amountDue: 'Amount due',
  amount: 'Amount',
  item: 'Item',
  quantity: 'Qty',
  unitPrice: 'Unit price',
  cardDetails: 'Card details',
  nameOnCard: 'Name on card',
  cardNumber: 'Card number',
  expiryMonth: 'Expiry month (MM)',
  expiryYear: 'Expiry year (YY)',
  securityCode: 'Security code (CVV)',
  securityCodeHint: '3 digits on the back of the card, 4 on the front for Amex.',
  pin: 'PIN',
  pay: 'Pay {amount}',
  knetTitle: 'Pay with KNET',
  sandboxTitle: 'Sandbox: no real money moves',
  sandboxCards: 'Test cards work with any future expiry date and any 3-digit security code, unless the row says otherwise. A past expiry date fails with MF007.',
  sandboxOtp: 'The verification code is 123456; any other code fails with MF001.',
  sandboxKnet: 'KNET is simulated: card 8888880000000001 with expiry 09/30 and any 4-digit PIN is approved; any other card or expiry is declined (MF002).',
  testCardNumber: 'Card number',
  testCardOutcome: 'Outcome',
  fixErrors: 'Please correct the highlighted fields.',
  formExpired: 'This form has expired. Check the details and submit again.',
  'number-malformed': 'Enter a valid card number.',
  'number-unsupported-brand': 'This card brand is not accepted here.',
  'expiry-month-malformed': 'Enter the month as two digits, 01 to 12.',
  'expiry-year-malformed': 'Enter the year as two digits, for example 30.',
  'security-code-malformed': 'Enter the 3-digit security code (4 digits for Amex).',
  'pin-malformed': 'Enter the 4-digit PIN.',
  'knet-number-malformed': 'Enter the 16-digit KNET card number.',
  'otp-missing': 'Enter the verification code.',
  otpTitle: 'Verify your payment',
  otpIntro: 'Enter the one-time code your bank sent for the card',
  otpLabel: 'Verification code',
  otpHeading: '3-D Secure check',
  confirm: 'Confirm payment',
  processingTitle: 'Your payment is being processed',
  processingBody: 'This page refreshes by itself. Please do not pay again.',
  refresh: 'Refresh now',
  successTitle: 'Payment successful',
  failedTitle: 'Payment failed',
  pendingTitle: 'Payment not completed yet',
  paymentId: 'Payment ID',
  reason: 'Reason',
  paidTitle: 'This invoice is already paid',
  paidBody: 'There is nothing left to pay, and no new charge was made.',
  expiredTitle: 'This invoice has expired',
  expiredBody: 'Ask the merchant for a new payment link.',
  canceledTitle: 'This invoice can no longer be paid',
  canceledBody: 'Ask the merchant for a new payment link.',
  busyTitle: 'A payment for this invoice is already in progress',
  busyBody: 'Wait a moment and reload this page; you will not be charged twice.',
  notFoundTitle: 'Payment link not found',
  notFoundBody: 'Check the link you were given, or ask the merchant for a new one.',
  errorTitle: 'Something went wrong',
  errorBody: 'Your payment could not be completed right now. Please try again in a moment.',
  sessionInvalid: 'This payment session is no longer valid. Reload the page to start again.',
  cardFrameTitle: 'Card details',
  expiryDate: 'Expiry date (MM/YY)',
  recurringTitle: 'Recurring payment',
  recurringIntro: 'After this payment your card is saved and charged again automatically:',
  recurringAmount: 'Each charge',
  recurringFrequency: 'How often',
  recurringCharges: 'Number of charges',
  recurringFirstRenewal: 'First renewal',
  recurringDaily: 'Every day',
  recurringWeekly: 'Every week',
  recurringMonthly: 'Every month',
  recurringUntilCancelled: 'Until cancelled',
  recurringLastOn: '{count}, the last on {date}',
  recurringCardSaved: 'This card will be saved for recurring charges.',
} as const

/** Every message key of the pages. */
export type MessageKey = keyof typeof EN

const AR: Readonly<Record<MessageKey, string>> = {
  htmlLang: 'ar',
  dir: 'rtl',
  otherLanguage: 'English',
  poweredBy: 'دفع آمن بواسطة دوري',
  payInvoice: 'دفع الفاتورة',
  invoiceTitle: 'فاتورة',
  choosePaymentMethod: 'اختر طريقة الدفع',
  otherPaymentMethods: 'اختر طريقة دفع أخرى',
  invoiceSummary: 'ملخص الفاتورة',
  merchant: 'التاجر',
  customer: 'العميل',
  amountDue: 'المبلغ المستحق',
  amount: 'المبلغ',
  item: 'المنتج',
  quantity: 'الكمية',
  unitPrice: 'سعر الوحدة',
  cardDetails: 'بيانات البطاقة',
  nameOnCard: 'الاسم على البطاقة',
  cardNumber: 'رقم البطاقة',
  expiryMonth: 'شهر الانتهاء (MM)',
  expiryYear: 'سنة الانتهاء (YY)',
  securityCode: 'رمز الأمان (CVV)',
  securityCodeHint: '3 أرقام على ظهر البطاقة، أو 4 أرقام على وجه بطاقة أمريكان إكسبريس.',
  pin: 'الرقم السري',
  pay: 'ادفع {amount}',
  knetTitle: 'الدفع عبر كي نت',
  sandboxTitle: 'بيئة تجريبية: لا تُحوَّل أموال حقيقية',
  sandboxCards: 'تعمل بطاقات الاختبار مع أي تاريخ انتهاء مستقبلي وأي رمز أمان من 3 أرقام ما لم يُذكر غير ذلك. تاريخ الانتهاء الماضي يفشل بالخطأ MF007.',
  sandboxOtp: 'رمز التحقق هو 123456، وأي رمز آخر يفشل بالخطأ MF001.',
  sandboxKnet: 'كي نت محاكاة: البطاقة 8888880000000001 بتاريخ انتهاء 09/30 وأي رقم سري من 4 أرقام تُقبل، وأي بطاقة أو تاريخ آخر يُرفض (MF002).',
  testCardNumber: 'رقم البطاقة',
  testCardOutcome: 'النتيجة',
  fixErrors: 'يرجى تصحيح الحقول المميزة.',
  formExpired: 'انتهت صلاحية النموذج. راجع البيانات وأرسلها مرة أخرى.',
  'number-malformed': 'أدخل رقم بطاقة صالحًا.',
  'number-unsupported-brand': 'نوع هذه البطاقة غير مقبول هنا.',
  'expiry-month-malformed': 'أدخل الشهر برقمين من 01 إلى 12.',
  'expiry-year-malformed': 'أدخل السنة برقمين، مثل 30.',
  'security-code-malformed': 'أدخل رمز الأمان المكون من 3 أرقام (4 أرقام لبطاقة أمريكان إكسبريس).',
  'pin-malformed': 'أدخل الرقم السري المكون من 4 أرقام.',
  'knet-number-malformed': 'أدخل رقم بطاقة كي نت المكون من 16 رقمًا.',
  'otp-missing': 'أدخل رمز التحقق.',
  otpTitle: 'تأكيد عملية الدفع',
  otpIntro: 'أدخل الرمز المؤقت الذي أرسله البنك للبطاقة',
  otpLabel: 'رمز التحقق',
  otpHeading: 'التحقق الآمن ثلاثي الأبعاد',
  confirm: 'تأكيد الدفع',
  processingTitle: 'جارٍ معالجة عملية الدفع',
  processingBody: 'ستتحدث هذه الصفحة تلقائيًا. يرجى عدم الدفع مرة أخرى.',
  refresh: 'تحديث الآن',
  successTitle: 'تمت عملية الدفع بنجاح',
  failedTitle: 'فشلت عملية الدفع',
  pendingTitle: 'لم تكتمل عملية الدفع بعد',
  paymentId: 'رقم عملية الدفع',
  reason: 'السبب',
  paidTitle: 'هذه الفاتورة مدفوعة بالفعل',
  paidBody: 'لا يوجد مبلغ مستحق، ولم يتم أي خصم جديد.',
  expiredTitle: 'انتهت صلاحية هذه الفاتورة',
  expiredBody: 'اطلب من التاجر رابط دفع جديدًا.',
  canceledTitle: 'لم يعد بالإمكان دفع هذه الفاتورة',
  canceledBody: 'اطلب من التاجر رابط دفع جديدًا.',
  busyTitle: 'هناك عملية دفع جارية لهذه الفاتورة',
  busyBody: 'انتظر قليلًا ثم أعد تحميل الصفحة، ولن يتم الخصم مرتين.',
  notFoundTitle: 'رابط الدفع غير موجود',
  notFoundBody: 'تحقق من الرابط الذي وصلك أو اطلب من التاجر رابطًا جديدًا.',
  errorTitle: 'حدث خطأ ما',
  errorBody: 'تعذر إكمال عملية الدفع الآن. يرجى المحاولة بعد قليل.',
  sessionInvalid: 'جلسة الدفع هذه لم تعد صالحة. أعد تحميل الصفحة للبدء من جديد.',
  cardFrameTitle: 'بيانات البطاقة',
  expiryDate: 'تاريخ الانتهاء (MM/YY)',
  recurringTitle: 'دفع متكرر',
  recurringIntro: 'بعد هذه الدفعة تُحفظ بطاقتك ويُخصم منها تلقائيًا:',
  recurringAmount: 'مبلغ كل خصم',
  recurringFrequency: 'التكرار',
  recurringCharges: 'عدد مرات الخصم',
  recurringFirstRenewal: 'أول تجديد',
  recurringDaily: 'كل يوم',
  recurringWeekly: 'كل أسبوع',
  recurringMonthly: 'كل شهر',
  recurringUntilCancelled: 'حتى الإلغاء',
  recurringLastOn: '{count}، آخرها في {date}',
  recurringCardSaved: 'ستُحفظ هذه البطاقة لعمليات خصم متكررة.',
}

const MESSAGES: Readonly<Record<PageLanguage, Readonly<Record<MessageKey, string>>>> = { EN, AR }

/** The text of `key` in `language`, with `{name}` placeholders filled from `vars`. */
export function translate(language: PageLanguage, key: MessageKey, vars: Readonly<Record<string, string>> = {}): string {
  return MESSAGES[language][key].replace(/\{(\w+)\}/g, (match, name: string) => vars[name] ?? match)
}

/**
 * Arabic plural category of a count (CLDR rules for `ar`, without `zero`): 1, 2, 3–10, 11–99
 * (by the last two digits), and the rest (100, 101, 102…).
 */
export function arabicPluralCategory(count: number): 'one' | 'two' | 'few' | 'many' | 'other' {
  if (count === 1) return 'one'
  if (count === 2) return 'two'
  const lastTwo = count % 100
  if (lastTwo >= 3 && lastTwo <= 10) return 'few'
  if (lastTwo >= 11 && lastTwo <= 99) return 'many'
  return 'other'
}

type ArabicForms = Readonly<Record<ReturnType<typeof arabicPluralCategory>, string>>

const arabicCount = (count: number, forms: ArabicForms) => forms[arabicPluralCategory(count)].replace('{n}', String(count))

const MONTHS: Readonly<Record<PageLanguage, readonly string[]>> = {
  EN: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  // The month names of the Gulf countries; digits stay 0–9 like the rest of the Arabic pages.
  AR: ['يناير', 'فبراير', 'مارس', 'أبريل', 'مايو', 'يونيو', 'يوليو', 'أغسطس', 'سبتمبر', 'أكتوبر', 'نوفمبر', 'ديسمبر'],
}

/** A calendar date for people: `27 December 2026`, `27 ديسمبر 2026`. */
export function formatDate(language: PageLanguage, date: LocalDate): string {
  return `${date.day} ${MONTHS[language][date.month - 1] ?? String(date.month)} ${date.year}`
}

/** How often a recurring card is charged: `Every month`, `Every 10 days`, `كل 10 أيام`. */
export function describeFrequency(language: PageLanguage, frequency: DisclosedFrequency): string {
  switch (frequency.kind) {
    case 'daily':
      return translate(language, 'recurringDaily')
    case 'weekly':
      return translate(language, 'recurringWeekly')
    case 'monthly':
      return translate(language, 'recurringMonthly')
    case 'every-n-days':
      return language === 'AR'
        ? arabicCount(frequency.days, { one: 'كل يوم', two: 'كل يومين', few: 'كل {n} أيام', many: 'كل {n} يومًا', other: 'كل {n} يوم' })
        : frequency.days === 1
          ? translate(language, 'recurringDaily')
          : `Every ${frequency.days} days`
  }
}

/** How many automatic charges follow: `3 charges, the last on 27 March 2027`, `Until cancelled`. */
export function describeCharges(language: PageLanguage, charges: DisclosedCharges): string {
  if (charges.kind === 'until-cancelled') return translate(language, 'recurringUntilCancelled')
  const count =
    language === 'AR'
      ? arabicCount(charges.count, { one: 'مرة واحدة', two: 'مرتان', few: '{n} مرات', many: '{n} مرة', other: '{n} مرة' })
      : charges.count === 1
        ? '1 charge'
        : `${charges.count} charges`
  // With one charge, the first renewal is also the last: its date is shown once, beside it.
  return charges.count === 1 ? count : translate(language, 'recurringLastOn', { count, date: formatDate(language, charges.lastDate) })
}

/** Arabic texts of MyFatoorah's payment error codes; the API keeps the English ones (domain/payment-errors.ts). */
const PAYMENT_ERRORS_AR: Readonly<Record<PaymentErrorCode, string>> = {
  MF001: 'فشل التحقق الآمن ثلاثي الأبعاد',
  MF002: 'رفضها البنك المُصدر',
  MF003: 'حظرتها بوابة الدفع',
  MF004: 'الرصيد غير كافٍ',
  MF005: 'انتهت مهلة الجلسة',
  MF006: 'أُلغيت العملية',
  MF007: 'انتهت صلاحية البطاقة',
  MF008: 'البنك المُصدر لا يستجيب',
  MF009: 'رُفضت بسبب تقييم المخاطر',
  MF010: 'رمز الأمان غير صحيح',
  MF020: 'خطأ غير محدد',
}

/**
 * The reason of a failed payment as pages show it: in English the message stored with the
 * transaction (as the API prints it), in Arabic the text of its MF code.
 */
export function paymentErrorText(language: PageLanguage, code: string, storedMessage: string | null): string {
  if (language === 'AR') return PAYMENT_ERRORS_AR[isPaymentErrorCode(code) ? code : 'MF020']
  return storedMessage ?? ''
}

/** The Arabic text of a payment error code (for tests and pages). */
export function arabicPaymentError(code: PaymentErrorCode): string {
  return PAYMENT_ERRORS_AR[code]
}

/**
 * Arabic outcomes of the test-card behaviours that take no parameter, by kind. A behaviour missing
 * here shows its English outcome, which tests/unit/page-i18n.test.ts (every card of `TEST_CARDS`
 * in Arabic, no English left) turns into a failure.
 */
const SIMPLE_OUTCOMES_AR: Readonly<Record<string, string>> = {
  approve: 'مقبولة',
  'decline-renewals': 'الدفعة الأولى مقبولة، ثم يُرفض كل تجديد تلقائي (MF002)',
  'lose-reply': 'ملتبسة: تُقبل لكن الرد يضيع (انتهاء المهلة)، ويحسمها الاستعلام بمفتاح منع التكرار',
  'decline-refunds': 'الدفعات مقبولة، وكل استرداد لها يُرفض (فيُلغى الاسترداد)',
}

/**
 * What a sandbox test card does, for the banner. English quotes the contract table of
 * docs/test-cards.md (`TEST_CARDS`, the one list of card numbers); Arabic words each behaviour.
 */
export function testCardOutcome(language: PageLanguage, card: Pick<TestCard, 'outcome' | 'behaviour'>): string {
  if (language === 'EN') return card.outcome
  const behaviour = card.behaviour
  if (behaviour.kind === 'decline') return `مرفوضة: ${PAYMENT_ERRORS_AR[behaviour.errorCode]} (${behaviour.errorCode})`
  if (behaviour.kind === 'decline-first-renewal-attempts') {
    const declined = arabicCount(behaviour.attempts, {
      one: 'تُرفض المحاولة الأولى',
      two: 'تُرفض أول محاولتين',
      few: 'تُرفض أول {n} محاولات',
      many: 'تُرفض أول {n} محاولة',
      other: 'تُرفض أول {n} محاولة',
    })
    return `في كل دورة تجديد ${declined} (MF004)، وتُقبل المحاولات التالية`
  }
  return SIMPLE_OUTCOMES_AR[behaviour.kind] ?? card.outcome
}
