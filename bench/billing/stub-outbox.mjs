// Diagnostic only: `node --import ./bench/billing/stub-outbox.mjs bench/billing/run.mjs …`
// replaces dist/webhooks/outbox.js with no-op writers, to measure the billing engine apart
// from the cost of rendering and writing webhook events. Never use it for the headline figures.
import { register } from 'node:module'

globalThis.__dawriOutboxStubbed = true
register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  if (resolved.url.endsWith('/dist/webhooks/outbox.js') && !context.parentURL?.startsWith('data:')) {
    return { url: 'data:text/javascript,export async function enqueuePaymentStatusChanged(){}export async function enqueueRecurringUpdate(){}export async function enqueueEvents(){}', shortCircuit: true }
  }
  return resolved
}`),
)
