// The ExecutePayment bodies of the API benchmark: realistic requests with three invoice items,
// customer fields and redirect URLs; the second adds a RecurringModel.

/** DAWRI_DEMO_API_KEY of the benchmarked server. */
export const API_KEY = 'bench-demo-api-key-0123456789abcdef'

// 2 × 12.750 + 1 × 4.500 + 3 × 1.250 = 33.750 KWD
export const PLAIN_BODY = {
  PaymentMethodId: 2,
  InvoiceValue: 33.75,
  CustomerName: 'Fatima Al Sabah',
  DisplayCurrencyIso: 'KWD',
  MobileCountryCode: '+965',
  CustomerMobile: '55512345',
  CustomerEmail: 'fatima@example.com',
  CallBackUrl: 'https://shop.example.com/payments/callback',
  ErrorUrl: 'https://shop.example.com/payments/error',
  Language: 'en',
  CustomerReference: 'ORD-2024-000981',
  UserDefinedField: 'plan=gold;source=web',
  CustomerAddress: {
    Block: '4',
    Street: 'Salem Al Mubarak St',
    HouseBuildingNo: '12',
    Address: 'Salmiya, Kuwait',
    AddressInstructions: 'Second floor',
  },
  InvoiceItems: [
    { ItemName: 'Gold plan (monthly)', Quantity: 2, UnitPrice: 12.75 },
    { ItemName: 'Setup fee', Quantity: 1, UnitPrice: 4.5 },
    { ItemName: 'SMS bundle', Quantity: 3, UnitPrice: 1.25 },
  ],
}
export const RECURRING_BODY = {
  ...PLAIN_BODY,
  RecurringModel: { RecurringType: 'Custom', IntervalDays: 30, Iteration: 12, RetryCount: 3 },
}


/** An invoice for Visa/Master Direct (PaymentMethodId 9): its PaymentURL is a DirectPayment URL. */
export const DIRECT_INVOICE_BODY = { ...PLAIN_BODY, PaymentMethodId: 9 }

/** The first DirectPayment call: an approving demo card, with 3-D Secure (the answer is the OTP step). */
export const DIRECT_BODY = {
  PaymentType: 'card',
  Card: { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100', HolderName: 'Fatima Al Sabah' },
}
