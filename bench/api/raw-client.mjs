// The paced generator's HTTP/1.1 client: keep-alive sockets writing each request's bytes, encoded
// once per request object, and reading answers with just enough parsing to find the status and
// the body (Content-Length framing, which every server of the benchmark uses). Node's http client
// cost about 250 µs of CPU per request here, as much as the server under test, on the same two
// cores; this one costs a fraction of that, so the generator disturbs the tail it measures less.
import net from 'node:net'

const HEADER_END = Buffer.from('\r\n\r\n')
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i

/**
 * Up to `connections` sockets to `port` on the loopback, one request in flight on each (no
 * pipelining), requests queued while all are busy. `onAnswer(job, status, body)` hears every
 * answer, `onError(job, error)` every request lost with its socket.
 */
export function rawClient({ port, connections, onAnswer, onError }) {
  const encoded = new WeakMap()
  const idle = []
  const queue = []
  let open = 0
  let closing = false

  const encode = (request) => {
    let bytes = encoded.get(request)
    if (bytes) return bytes
    const body = Buffer.from(request.body ?? '')
    const headers = Object.entries(request.headers ?? {})
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')
    const head = `${request.method} ${request.path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\n${headers}content-length: ${body.length}\r\n\r\n`
    bytes = Buffer.concat([Buffer.from(head, 'latin1'), body])
    encoded.set(request, bytes)
    return bytes
  }

  const connect = () => {
    open++
    const connection = { socket: net.connect({ port, host: '127.0.0.1', noDelay: true }), job: null, buffer: Buffer.alloc(0), served: 0 }
    connection.socket.on('data', (chunk) => {
      connection.buffer = connection.buffer.length === 0 ? chunk : Buffer.concat([connection.buffer, chunk])
      readAnswers(connection)
    })
    connection.socket.on('error', () => undefined)
    connection.socket.on('close', () => {
      open--
      const at = idle.indexOf(connection)
      if (at >= 0) idle.splice(at, 1)
      if (connection.job) {
        const job = connection.job
        connection.job = null
        // A kept-alive socket the server closed as the request went out: sent again once, on a
        // new socket, still timed from when it was due.
        if (connection.served > 0 && connection.buffer.length === 0 && !job.resent) {
          job.resent = true
          queue.unshift(job)
        } else {
          onError(job, new Error('connection closed with a request in flight'))
        }
      }
      if (!closing && queue.length > 0 && open < connections) send(connect(), queue.shift())
    })
    return connection
  }

  const readAnswers = (connection) => {
    for (;;) {
      const end = connection.buffer.indexOf(HEADER_END)
      if (end < 0) return
      const head = connection.buffer.toString('latin1', 0, end)
      const length = CONTENT_LENGTH.exec(head)
      if (!length || !connection.job) {
        // Not an answer this client can frame (or one nobody asked for): drop the socket.
        connection.socket.destroy()
        return
      }
      const bodyStart = end + HEADER_END.length
      const bodyEnd = bodyStart + Number(length[1])
      if (connection.buffer.length < bodyEnd) return
      const status = Number(head.slice(9, 12))
      const body = connection.buffer.toString('utf8', bodyStart, bodyEnd)
      connection.buffer = connection.buffer.subarray(bodyEnd)
      const job = connection.job
      connection.job = null
      connection.served++
      onAnswer(job, status, body)
      const next = queue.shift()
      if (next) send(connection, next)
      else idle.push(connection)
    }
  }

  const send = (connection, job) => {
    connection.job = job
    connection.socket.write(encode(job.request))
  }

  return {
    /** Sends `job.request` on an idle socket, a new one, or after the others once all are busy. */
    submit(job) {
      const connection = idle.pop()
      if (connection) send(connection, job)
      else if (open < connections) send(connect(), job)
      else queue.push(job)
    },
    close() {
      closing = true
      for (const connection of idle.splice(0)) connection.socket.destroy()
    },
  }
}
