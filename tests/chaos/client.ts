import { setTimeout as delay } from 'node:timers/promises'

/**
 * HTTP as customers and merchants do it during a crash-injection run: each request goes to a
 * random live API process; a request whose process died under it (connection reset, refused,
 * timeout) is "no answer", and the caller decides whether to try again. Any 5xx is recorded:
 * no input, crash or race may produce one.
 */

export interface Answer {
  /** 0 when no answer came (the process died or was down). */
  readonly status: number
  readonly body: any
  readonly location: string | null
  readonly text: string
}

export interface ChaosClient {
  /** JSON API call. */
  api(method: string, path: string, key: string | null, body?: unknown): Promise<Answer>
  /** GET of a page, or POST of a form, without following redirects. */
  page(pathAndQuery: string, form?: Record<string, string>): Promise<Answer>
  /** Calls `send` until it answers (at most `tries` times), pausing between tries. */
  untilAnswered(send: () => Promise<Answer>, tries?: number): Promise<Answer>
  readonly serverErrors: string[]
  readonly stats: { requests: number; unanswered: number }
}

export function createChaosClient(liveApis: () => string[], timeoutMs = 15_000): ChaosClient {
  const serverErrors: string[] = []
  const stats = { requests: 0, unanswered: 0 }
  const pick = () => {
    const live = liveApis()
    return live[Math.floor(Math.random() * live.length)]
  }
  async function send(path: string, init: RequestInit): Promise<Answer> {
    const base = pick()
    stats.requests++
    if (!base) {
      stats.unanswered++
      await delay(100)
      return { status: 0, body: null, location: null, text: 'no live API process' }
    }
    try {
      const response = await fetch(new URL(path, base), { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
      const text = await response.text()
      let body: any = null
      try {
        body = JSON.parse(text)
      } catch {
        // a page, not JSON
      }
      if (response.status >= 500) serverErrors.push(`${init.method} ${path} → ${response.status} ${text.slice(0, 300)}`)
      const location = response.headers.get('location')
      return { status: response.status, body, location: location === null ? null : pathOf(location), text }
    } catch (error) {
      stats.unanswered++
      return { status: 0, body: null, location: null, text: String(error) }
    }
  }
  return {
    serverErrors,
    stats,
    api(method, path, key, body) {
      return send(path, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    },
    page(pathAndQuery, form) {
      if (form === undefined) return send(pathAndQuery, { method: 'GET' })
      return send(pathAndQuery, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      })
    },
    async untilAnswered(call, tries = 8) {
      let answer = await call()
      for (let i = 1; i < tries && answer.status === 0; i++) {
        await delay(150 + Math.random() * 250)
        answer = await call()
      }
      return answer
    },
  }
}

/** The path and query of a URL: the pages' URLs name one process; any live one serves them. */
export function pathOf(url: string): string {
  const parsed = new URL(url, 'http://placeholder')
  return `${parsed.pathname}${parsed.search}`
}

/** The CSRF token of a page's form. */
export function csrfOf(html: string): string | undefined {
  return /name="csrf" value="([^"]+)"/.exec(html)?.[1]
}
