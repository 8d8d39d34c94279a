// The floor of the API benchmark: the least work any durable ExecutePayment can do on this stack.
// Fastify 5, the API key checked against a map in memory, a few field checks, and ONE prepared
// insert of a 30-column invoice row (items as JSON), answered with an InvoiceId and a PaymentURL.
// SQLite: WAL, synchronous=NORMAL, one autocommit statement. PostgreSQL: one named (prepared)
// `INSERT … RETURNING` round trip in autocommit, from a pool of 10 as dawri uses.
// GetPaymentStatus is one prepared primary-key SELECT; the first DirectPayment call one prepared
// insert of a transaction row.
//   node bench/api/floor-server.mjs --port 8082 --database sqlite:/tmp/floor.sqlite|postgres://…
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'

import Database from 'better-sqlite3'
import Fastify from 'fastify'
import pg from 'pg'

import { API_KEY } from './bodies.mjs'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    database: { type: 'string' },
  },
})
if (!values.database) throw new Error('--database sqlite:PATH or postgres://… is required')

const COLUMNS = [
  'merchant_id', 'invoice_key', 'status', 'value_minor', 'currency', 'display_currency', 'payment_method_id',
  'session_id', 'customer_name', 'customer_mobile', 'mobile_country_code', 'customer_email', 'customer_reference',
  'customer_civil_id', 'user_defined_field', 'language', 'callback_url', 'error_url', 'webhook_url',
  'customer_address', 'items', 'shipping_method', 'shipping_consignee', 'suppliers', 'processing_details',
  'recurrence_id', 'recurrence_cycle', 'expires_at', 'created_at', 'paid_at',
]
const TEXT_COLUMNS = new Set(['invoice_key', 'status', 'currency', 'display_currency', 'session_id', 'customer_name',
  'customer_mobile', 'mobile_country_code', 'customer_email', 'customer_reference', 'customer_civil_id',
  'user_defined_field', 'language', 'callback_url', 'error_url', 'webhook_url', 'customer_address', 'items',
  'shipping_consignee', 'suppliers', 'processing_details'])
const columnSql = (id) =>
  `${id}, ${COLUMNS.map((c) => `${c} ${TEXT_COLUMNS.has(c) ? 'text' : 'bigint'}${c === 'invoice_key' ? ' NOT NULL UNIQUE' : ''}`).join(', ')}`

const TRANSACTION_COLUMNS = 'invoice_key text NOT NULL, status text NOT NULL, amount_minor bigint, masked_card text, holder_name text, created_at bigint'
const TRANSACTION_INSERT = 'INSERT INTO floor_transactions (invoice_key, status, amount_minor, masked_card, holder_name, created_at) VALUES'

/** Inserts one row (values in COLUMNS order) and resolves to its id. */
let insert
/** The invoice row of an id, or undefined. */
let findInvoice
/** Inserts one transaction row and resolves to its id. */
let insertTransaction
if (values.database.startsWith('sqlite:')) {
  const sqlite = new Database(values.database.slice('sqlite:'.length))
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.exec(`CREATE TABLE IF NOT EXISTS floor_invoices (${columnSql('id INTEGER PRIMARY KEY AUTOINCREMENT')})`)
  const statement = sqlite.prepare(`INSERT INTO floor_invoices (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`)
  insert = async (row) => Number(statement.run(row).lastInsertRowid)
  const select = sqlite.prepare('SELECT * FROM floor_invoices WHERE id = ?')
  findInvoice = async (id) => select.get(id)
  sqlite.exec(`CREATE TABLE IF NOT EXISTS floor_transactions (id INTEGER PRIMARY KEY AUTOINCREMENT, ${TRANSACTION_COLUMNS})`)
  const transaction = sqlite.prepare(`${TRANSACTION_INSERT} (?, ?, ?, ?, ?, ?)`)
  insertTransaction = async (row) => Number(transaction.run(row).lastInsertRowid)
} else {
  // Idle connections kept, as dawri keeps them: pg's default closes them after 10 s, and the
  // benchmark's turns leave each server idle longer than that (bench/README.md).
  const pool = new pg.Pool({ connectionString: values.database, max: 10, idleTimeoutMillis: 0 })
  await pool.query(`CREATE TABLE IF NOT EXISTS floor_invoices (${columnSql('id bigserial PRIMARY KEY')})`)
  const text = `INSERT INTO floor_invoices (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`
  insert = async (row) => Number((await pool.query({ name: 'floor_insert', text, values: row })).rows[0].id)
  findInvoice = async (id) => (await pool.query({ name: 'floor_select', text: 'SELECT * FROM floor_invoices WHERE id = $1', values: [id] })).rows[0]
  await pool.query(`CREATE TABLE IF NOT EXISTS floor_transactions (id bigserial PRIMARY KEY, ${TRANSACTION_COLUMNS})`)
  const transactionText = `${TRANSACTION_INSERT} ($1, $2, $3, $4, $5, $6) RETURNING id`
  insertTransaction = async (row) => Number((await pool.query({ name: 'floor_transaction', text: transactionText, values: row })).rows[0].id)
}

const merchantsByKey = new Map([[API_KEY, 1]])
const failure = (reply, name, error) =>
  reply.code(400).send({ IsSuccess: false, Message: 'Invalid data', ValidationErrors: [{ Name: name, Error: error }], Data: null })

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
app.get('/health', async () => ({ status: 'ok' }))
const merchantOf = (request, reply) => {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')
  const merchantId = match ? merchantsByKey.get(match[1]) : undefined
  if (merchantId === undefined) reply.code(401).send({ IsSuccess: false, Message: 'Unauthorized', ValidationErrors: null, Data: null })
  return merchantId
}

app.post('/v2/ExecutePayment', async (request, reply) => {
  const merchantId = merchantOf(request, reply)
  if (merchantId === undefined) return reply
  const body = request.body
  if (typeof body !== 'object' || body === null) return failure(reply, 'body', 'required')
  if (!(typeof body.InvoiceValue === 'number' && body.InvoiceValue > 0)) return failure(reply, 'InvoiceValue', 'must be positive')
  if (!Number.isInteger(body.PaymentMethodId)) return failure(reply, 'PaymentMethodId', 'required')
  if (typeof body.CustomerName !== 'string') return failure(reply, 'CustomerName', 'required')
  const now = Date.now()
  const key = randomBytes(16).toString('hex')
  const id = await insert([
    merchantId, key, 'Pending', Math.round(body.InvoiceValue * 1000), 'KWD', body.DisplayCurrencyIso ?? 'KWD',
    body.PaymentMethodId, null, body.CustomerName, body.CustomerMobile ?? null, body.MobileCountryCode ?? null,
    body.CustomerEmail ?? null, body.CustomerReference ?? null, null, body.UserDefinedField ?? null, body.Language ?? 'en',
    body.CallBackUrl ?? null, body.ErrorUrl ?? null, null, JSON.stringify(body.CustomerAddress ?? null),
    JSON.stringify(body.InvoiceItems ?? []), null, null, '[]', null, null, null, now + 3 * 86_400_000, now, null,
  ])
  return {
    IsSuccess: true,
    Message: 'Invoice Created Successfully!',
    ValidationErrors: null,
    Data: {
      InvoiceId: id,
      IsDirectPayment: false,
      PaymentURL: body.PaymentMethodId === 9 ? `http://127.0.0.1/v2/DirectPayment/${key}/9` : `http://127.0.0.1/en/KWT/ie/${key}`,
      CustomerReference: body.CustomerReference ?? null,
      UserDefinedField: body.UserDefinedField ?? null,
      RecurringId: body.RecurringModel ? `RECUR${id}` : '',
    },
  }
})

app.post('/v2/GetPaymentStatus', async (request, reply) => {
  if (merchantOf(request, reply) === undefined) return reply
  const id = Number(request.body?.Key)
  if (!Number.isSafeInteger(id)) return failure(reply, 'Key', 'must be an InvoiceId')
  const row = await findInvoice(id)
  if (!row) return failure(reply, 'Key', 'not found')
  return {
    IsSuccess: true,
    Message: '',
    ValidationErrors: null,
    Data: { InvoiceId: Number(row.id), InvoiceStatus: row.status, InvoiceValue: Number(row.value_minor) / 1000, CustomerName: row.customer_name, InvoiceItems: JSON.parse(row.items), InvoiceTransactions: [] },
  }
})

app.post('/v2/DirectPayment/:key/:method', async (request, reply) => {
  if (merchantOf(request, reply) === undefined) return reply
  const card = request.body?.Card
  if (typeof card?.Number !== 'string' || !/^\d{12,19}$/.test(card.Number)) return failure(reply, 'Card.Number', 'invalid')
  const id = await insertTransaction([request.params.key, 'InProgress', 33750, `${card.Number.slice(0, 6)}******${card.Number.slice(-4)}`, card.HolderName ?? null, Date.now()])
  const paymentId = `0707${String(id).padStart(10, '0')}`
  return {
    IsSuccess: true,
    Message: '',
    ValidationErrors: null,
    Data: { Status: 'SUCCESS', ErrorMessage: '', PaymentId: paymentId, Token: '', RecurringId: '', PaymentURL: `http://127.0.0.1/en/KWT/otp/${paymentId}`, CardInfo: {} },
  }
})

await app.listen({ port: Number(values.port), host: values.host })
process.stdout.write(`floor server listening on ${values.host}:${app.server.address().port}\n`)
const stop = () => app.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
