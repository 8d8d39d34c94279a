/** An HTTP client of the console that keeps its session cookie, as a browser would. */
export interface ConsoleClient {
  cookie: string
  get(path: string): Promise<{ status: number; html: string; location: string | null }>
  post(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; html: string; location: string | null; setCookie: string | null }>
}

/** The CSRF token of the first form of a page. */
export function formToken(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html)
  if (!match?.[1]) throw new Error(`No CSRF token in the page:\n${html.slice(0, 800)}`)
  return match[1]
}

/** A console client on `baseUrl` without a session. */
export function consoleClient(baseUrl: string): ConsoleClient {
  const client: ConsoleClient = {
    cookie: '',
    async get(path) {
      const response = await fetch(baseUrl + path, { redirect: 'manual', headers: client.cookie ? { cookie: client.cookie } : {} })
      return { status: response.status, html: await response.text(), location: response.headers.get('location') }
    },
    async post(path, fields, headers = {}) {
      const response = await fetch(baseUrl + path, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(client.cookie ? { cookie: client.cookie } : {}), ...headers },
        body: new URLSearchParams(fields).toString(),
      })
      const setCookie = response.headers.get('set-cookie')
      const session = /dawri_console=([^;]*)/.exec(setCookie ?? '')
      if (session) client.cookie = session[1] ? `dawri_console=${session[1]}` : ''
      return { status: response.status, html: await response.text(), location: response.headers.get('location'), setCookie }
    },
  }
  return client
}

/** Signs in with an API key (or, with `operator`, the admin token); returns the client with its session. */
export async function signIn(baseUrl: string, secret: string, options: { operator?: boolean } = {}): Promise<ConsoleClient> {
  const client = consoleClient(baseUrl)
  const page = await client.get('/console/sign-in')
  const answer = await client.post('/console/sign-in', { csrf: formToken(page.html), [options.operator ? 'adminToken' : 'apiKey']: secret })
  if (answer.status !== 303 || client.cookie === '') throw new Error(`Sign-in failed: ${answer.status}\n${answer.html.slice(0, 800)}`)
  return client
}
