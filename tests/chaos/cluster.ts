import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as delay } from 'node:timers/promises'

/**
 * Real `dawri serve` processes (dist/cli/main.js) on one database. Each slot is supervised: a
 * process that dies is started again on the same port (URLs handed out before a crash stay
 * valid) after a short random pause, so kills need not wait for restarts and may land during
 * start-up too (migrations, recovery passes).
 */

export type Role = 'api' | 'worker' | 'all'

/** One process slot: its role and port outlive the processes that fill it. */
export interface Member {
  readonly name: string
  readonly role: Role
  readonly port: number
  readonly baseUrl: string
  child: ChildProcess | undefined
  /** True once the current process printed its banner (it listens and its workers run). */
  ready: boolean
}

export interface Cluster {
  readonly members: readonly Member[]
  /** Base URLs of processes that serve the API and are up now. */
  liveApis(): string[]
  /** Starts every slot's supervision and waits until all are up. */
  start(): Promise<void>
  /** SIGKILLs the slot's current process (running or starting); false when none was there. */
  kill(member: Member): Promise<boolean>
  /** Waits until every slot's process is up; false on timeout. */
  waitAllReady(timeoutMs: number): Promise<boolean>
  /** Exits no kill explains (crashes by themselves), with their code. */
  readonly unexpectedExits: string[]
  /** The processes' error-level log lines (pino level 50 and up), the first 200. */
  readonly errorLines: string[]
  /** Stops supervising and SIGKILLs everything. */
  stopAll(): Promise<void>
}

/** The built CLI the processes run: dist/ (built by the test setup), or DAWRI_CHAOS_MAIN. */
export const DAWRI_MAIN = process.env.DAWRI_CHAOS_MAIN ?? 'dist/cli/main.js'

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())))

export function createCluster(options: {
  readonly databaseUrl: string
  readonly env: Record<string, string>
  readonly layout: ReadonlyArray<{ role: Role; port: number }>
  /** Longest pause before a killed process is started again. */
  readonly restartDelayMs?: number
}): Cluster {
  const members: Member[] = options.layout.map(({ role, port }, i) => ({
    name: `${role}-${i}`,
    role,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    child: undefined,
    ready: false,
  }))
  const unexpectedExits: string[] = []
  const errorLines: string[] = []
  const killedByUs = new WeakSet<ChildProcess>()
  let stopped = false
  const loops: Array<Promise<void>> = []

  function spawnOnce(member: Member): ChildProcess {
    const child = spawn(
      process.execPath,
      [DAWRI_MAIN, 'serve', '--role', member.role, '--host', '127.0.0.1', '--port', String(member.port), '--database', options.databaseUrl],
      { env: { ...process.env, LOG_LEVEL: 'error', DAWRI_PUBLIC_URL: member.baseUrl, ...options.env }, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    member.child = child
    member.ready = false
    // `serve` prints its banner once it listens and its workers run ("Base URL" or "Worker running").
    let printed = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      // Kept so a 5xx can be explained: its error line names the cause.
      for (const line of text.split('\n')) if (/"level":(5|6)\d/.test(line) && errorLines.length < 200) errorLines.push(`${member.name}: ${line.slice(0, 2000)}`)
      if (printed.length < 4096) printed += text
      if (!member.ready && member.child === child && /Base URL|Worker running/.test(printed)) member.ready = true
    })
    return child
  }

  async function supervise(member: Member): Promise<void> {
    while (!stopped) {
      const child = spawnOnce(member)
      await exited(child)
      member.ready = false
      member.child = undefined
      if (stopped) return
      if (!killedByUs.has(child)) {
        unexpectedExits.push(`${member.name} exited by itself (${child.exitCode ?? child.signalCode})`)
        await delay(200)
      } else {
        await delay(Math.random() * (options.restartDelayMs ?? 400))
      }
    }
  }

  const cluster: Cluster = {
    members,
    unexpectedExits,
    errorLines,
    liveApis: () => members.filter((m) => m.role !== 'worker' && m.ready).map((m) => m.baseUrl),
    async start() {
      for (const member of members) loops.push(supervise(member))
      if (!(await cluster.waitAllReady(60_000))) throw new Error(`Not every process started: ${members.map((m) => `${m.name} ${m.ready}`).join(', ')}`)
    },
    async kill(member) {
      const child = member.child
      if (!child) return false
      killedByUs.add(child)
      const gone = exited(child)
      child.kill('SIGKILL')
      await gone
      return true
    },
    async waitAllReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs
      while (!members.every((m) => m.ready)) {
        if (Date.now() > deadline) return false
        await delay(50)
      }
      return true
    },
    async stopAll() {
      stopped = true
      await Promise.all(members.map((m) => cluster.kill(m)))
      await Promise.all(loops)
    },
  }
  return cluster
}
