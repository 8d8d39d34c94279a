#!/usr/bin/env node
// The subscription shop: `node examples/subscription-shop/server.mjs` (or `npm run example:shop`)
// next to a running dawri (`npm start`). Settings come from the environment; see README.md.
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** Reads the settings; every problem is named, and the process stops with exit code 2. */
function readSettings(env) {
  const problems = []
  const dawriUrl = (env.DAWRI_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]+/.test(dawriUrl)) problems.push(`DAWRI_URL must be an http(s) URL such as http://127.0.0.1:8080 (got "${dawriUrl}")`)
  const apiKey = env.DAWRI_API_KEY ?? ''
  if (apiKey === '') problems.push('DAWRI_API_KEY is not set: use the API key `npm start` printed for the demo merchant, or the "ApiKey" of `node bin/dawri.js merchant create --name "My shop" --recurring`')
  const webhookSecret = env.DAWRI_WEBHOOK_SECRET ?? ''
  if (webhookSecret === '') problems.push('DAWRI_WEBHOOK_SECRET is not set: use the webhook secret printed next to that API key (the shop refuses webhooks it cannot verify)')
  const port = Number(env.SHOP_PORT ?? '4000')
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`SHOP_PORT must be a port number (got "${env.SHOP_PORT}")`)
  const host = env.SHOP_HOST ?? '127.0.0.1'
  const publicUrl = env.SHOP_PUBLIC_URL?.replace(/\/+$/, '')
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) problems.push(`SHOP_PUBLIC_URL must be an http(s) URL (got "${publicUrl}")`)
  const dataFile = resolve(env.SHOP_DATA_FILE ?? join(here, 'data', 'shop.json'))
  return { problems, settings: { dawriUrl, apiKey, webhookSecret, port, host, publicUrl, dataFile } }
}

const { problems, settings } = readSettings(process.env)
if (problems.length > 0) {
  process.stderr.write(`subscription-shop: cannot start\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`)
  process.exit(2)
}

let buildShop
try {
  ;({ buildShop } = await import('./shop.mjs'))
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && /dawri|dist/.test(String(error.message))) {
    process.stderr.write('subscription-shop: the SDK is not built; run `npm run build` (or `npm start`) first\n')
    process.exit(2)
  }
  throw error
}

let publicUrl = settings.publicUrl ?? ''
const shop = buildShop({ ...settings, publicUrl: () => publicUrl, logger: process.env.SHOP_LOG === '1' })
try {
  await shop.listen({ port: settings.port, host: settings.host })
} catch (error) {
  process.stderr.write(`subscription-shop: cannot listen on ${settings.host}:${settings.port}: ${error.message} (set SHOP_PORT)\n`)
  process.exit(2)
}
const address = shop.server.address()
const port = typeof address === 'object' && address ? address.port : settings.port
// Listening on every address: the browser and dawri on this machine reach it on loopback.
const reachableHost = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host.includes(':') ? `[${settings.host}]` : settings.host
publicUrl ||= `http://${reachableHost}:${port}`
process.stdout.write(
  [
    `Subscription shop: ${publicUrl}`,
    `  dawri:           ${settings.dawriUrl}`,
    `  webhooks:        ${publicUrl}/webhook (signatures checked with DAWRI_WEBHOOK_SECRET)`,
    `  records:         ${settings.dataFile}`,
    '',
  ].join('\n'),
)

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    shop.close().then(() => process.exit(0))
  })
}
