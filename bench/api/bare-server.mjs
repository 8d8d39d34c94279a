// The reference point of the API benchmark: a bare Fastify 5 server with one POST route that
// echoes the JSON body inside the MyFatoorah envelope. No auth, no validation, no database.
//   node bench/api/bare-server.mjs --port 8081 [--host 127.0.0.1]
import { parseArgs } from 'node:util'

import Fastify from 'fastify'

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
})

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })

app.get('/health', async () => ({ status: 'ok' }))
app.post('/v2/ExecutePayment', async (request) => ({
  IsSuccess: true,
  Message: 'Invoice Created Successfully!',
  ValidationErrors: null,
  Data: request.body,
}))

await app.listen({ port: Number(values.port), host: values.host })
process.stdout.write(`bare fastify listening on ${values.host}:${app.server.address().port}\n`)

const stop = () => app.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
