/** The shop's HTML pages: plain server-rendered HTML, one small script on the checkout page. */

/** dawri's local date-times (`2026-12-27T04:00:00.000`) as `2026-12-27 04:00`, or the date alone. */
const localTime = (value) => (value ? String(value).replace('T', ' ').slice(0, 16) : '')
const localDate = (value) => (value ? String(value).slice(0, 10) : '')

/** Escapes text for HTML. */
export const escape = (value) =>
  String(value ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

const STYLE = `
  body { font-family: system-ui, sans-serif; max-width: 54rem; margin: 2rem auto; padding: 0 1rem; color: #1d2433; }
  header a { color: inherit; text-decoration: none; }
  .plan { border: 1px solid #d7dce5; border-radius: 10px; padding: 1rem 1.25rem; }
  #card-element { border: 1px solid #d7dce5; padding: 0.5rem; border-radius: 8px; margin: 1rem 0; }
  button, .button { font: inherit; padding: 0.55rem 1.1rem; border-radius: 6px; border: 1px solid #1d4ed8;
    background: #1d4ed8; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
  button.secondary { background: #fff; color: #1d4ed8; }
  button.danger { background: #b91c1c; border-color: #b91c1c; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
  th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #e5e8ef; }
  .status { font-weight: 600; }
  .note { color: #5b6475; font-size: 0.9rem; }
  .sandbox { border: 1px dashed #c2410c; border-radius: 10px; padding: 0.75rem 1rem; margin-top: 2rem; }
  [role=alert] { color: #b91c1c; }
  [role=status] { background: #ecfdf5; border: 1px solid #a7f3d0; border-radius: 8px; padding: 0.5rem 0.75rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.5rem; }
  dt { color: #5b6475; } dd { margin: 0; }
  td { white-space: nowrap; }
`

function layout(title, body) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Dawri Fitness</title><style>${STYLE}</style></head>
<body>
<header><a href="/"><strong>Dawri Fitness</strong></a></header>
<main>
${body}
</main>
</body>
</html>`
}

/** Home: the plan and the subscriptions made in this shop. */
export function homePage({ plan, subscriptions }) {
  const rows = subscriptions
    .map(
      (subscription) => `<tr><td><a href="/subscriptions/${escape(subscription.recurringId)}">${escape(subscription.recurringId)}</a></td>
<td>${escape(subscription.customerName)}</td><td class="status">${escape(subscription.status)}</td></tr>`,
    )
    .join('\n')
  return layout(
    'Monthly plan',
    `<h1>Monthly plan</h1>
<section class="plan">
  <p>Unlimited classes, billed every month until you cancel.</p>
  <p><strong>${escape(plan.amount)} ${escape(plan.currency)}</strong> a month</p>
  <a class="button" href="/checkout">Subscribe</a>
</section>
${subscriptions.length === 0 ? '' : `<h2>Subscriptions</h2><table><thead><tr><th>Subscription</th><th>Customer</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table>`}`,
  )
}

/**
 * Checkout: dawri's Card View (an iframe of dawri's origin: card data never touches this page),
 * then ExecutePayment on the shop's server, then the customer follows PaymentURL (the OTP step).
 */
export function checkoutPage({ plan, dawriUrl, sessionId, countryCode }) {
  return layout(
    'Checkout',
    `<h1>Subscribe to the monthly plan</h1>
<p><strong>${escape(plan.amount)} ${escape(plan.currency)}</strong> today, then every month until you cancel.</p>
<label for="customer-name">Your name</label>
<input id="customer-name" autocomplete="name" value="">
<div id="card-element"></div>
<p id="error" role="alert"></p>
<button id="pay" type="button">Pay and subscribe</button>
<script src="${escape(dawriUrl)}/cardview/v3/session.js"></script>
<script>
  myFatoorah.init({
    countryCode: ${JSON.stringify(countryCode)},
    sessionId: ${JSON.stringify(sessionId)},
    cardViewId: 'card-element',
    supportedNetworks: 'v,m,ae,md',
    style: { direction: 'ltr', input: { borderRadius: 6, borderColor: '#c5ccd8' } }
  });
  document.getElementById('pay').addEventListener('click', function () {
    var button = this;
    var error = document.getElementById('error');
    error.textContent = '';
    button.disabled = true;
    myFatoorah.submit().then(function (card) {
      return fetch('/checkout/pay', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: card.sessionId, customerName: document.getElementById('customer-name').value })
      });
    }).then(function (reply) {
      return reply.json().then(function (data) {
        if (!reply.ok) throw new Error(data.message || 'The payment could not start');
        location.href = data.paymentUrl;
      });
    }).catch(function (failure) {
      error.textContent = failure.message;
      button.disabled = false;
    });
  });
</script>`,
  )
}

/** Where the customer lands when the first payment failed. */
export function failedPage({ message }) {
  return layout(
    'Payment failed',
    `<h1>Payment failed</h1>
<p role="alert">${escape(message)}</p>
<p><a class="button" href="/checkout">Try again</a></p>`,
  )
}

/** One subscription: its status, its payments (first payment and renewals), the cancel button. */
export function subscriptionPage({ subscription, payments, sandbox, flash }) {
  const rows = payments
    .map(
      (payment, index) => `<tr data-kind="${escape(payment.kind)}" data-status="${escape(payment.status)}">
<td>${index + 1}</td><td>${payment.kind === 'first' ? 'First payment' : 'Renewal'}</td>
<td>${escape(localTime(payment.date))}</td><td>${escape(payment.amount ?? '')} ${escape(subscription.currency)}</td>
<td>${escape(payment.status)}</td><td>${escape(payment.paymentId)}</td><td>${escape(payment.source)}</td></tr>`,
    )
    .join('\n')
  const renewals = payments.filter((payment) => payment.kind === 'renewal' && payment.status === 'SUCCESS').length
  const cancellable = subscription.status === 'ACTIVE' || subscription.status === 'UNCOMPLETED' || subscription.status === 'PENDING'
  return layout(
    'Your subscription',
    `<h1>Your subscription</h1>
${flash ? `<p role="status">${escape(flash)}</p>` : ''}
<dl>
  <dt>Subscription</dt><dd id="recurring-id">${escape(subscription.recurringId)}</dd>
  <dt>Status</dt><dd id="subscription-status" class="status">${escape(subscription.status)}</dd>
  <dt>Next payment</dt><dd id="next-pay-date">${escape(subscription.status === 'ACTIVE' ? localDate(subscription.nextPayDate) : '—')}</dd>
  <dt>Renewals paid</dt><dd id="renewal-count">${renewals}</dd>
</dl>
<h2>Payments</h2>
<table id="payments"><thead><tr><th>#</th><th>What</th><th>Date</th><th>Amount</th><th>Status</th><th>Payment id</th><th>Recorded from</th></tr></thead>
<tbody>${rows}</tbody></table>
<p class="note">Renewals are recorded by the shop's webhook endpoint, which checks each delivery's signature.</p>
${
  cancellable
    ? `<form method="post" action="/subscriptions/${escape(subscription.recurringId)}/cancel">
  <button class="danger" type="submit">Cancel my subscription</button></form>`
    : ''
}
${
  sandbox
    ? `<section class="sandbox" aria-label="Sandbox">
  <h2>Sandbox</h2>
  <p class="note">dawri's sandbox clock belongs to the merchant: advancing it runs every renewal due in between and delivers its webhooks before answering.</p>
  <form method="post" action="/sandbox/advance">
    <input type="hidden" name="back" value="/subscriptions/${escape(subscription.recurringId)}">
    <label for="days">Advance the clock by</label> <input id="days" name="days" type="number" min="1" max="366" value="31" size="4"> days
    <button class="secondary" type="submit">Advance</button>
  </form>
</section>`
    : ''
}`,
  )
}
