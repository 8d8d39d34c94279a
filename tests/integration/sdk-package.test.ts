import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DIALECTS } from '../support/dialects.js'
import { startTestApp, type TestApp } from '../support/start-test-app.js'

/**
 * dawri/sdk as a user gets it: the tarball `npm pack` makes, unpacked as node_modules/dawri in
 * an empty folder with none of dawri's dependencies (the SDK needs none), imported by package
 * name from a script and from TypeScript, and run against the real server. (The full `npm
 * install <tarball>` also compiles better-sqlite3 and takes minutes; docs/sdk.md was run so.)
 */

const ROOT = resolve('.')
const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

describe('the packed dawri/sdk', () => {
  let folder: string
  let tarball: string

  beforeAll(() => {
    // The SDK's declarations (npm run build makes them; the test set-up builds only the JavaScript).
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'src/sdk/tsconfig.json'], ROOT)
    folder = mkdtempSync(join(tmpdir(), 'dawri-sdk-user-'))
    // --ignore-scripts: dist/ is built already; `prepare` would build it again.
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], ROOT)
    const [name] = readdirSync(folder).filter((file) => file.endsWith('.tgz'))
    tarball = join(folder, name as string)
    const unpacked = join(folder, 'node_modules', 'dawri')
    mkdirSync(unpacked, { recursive: true })
    run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], folder)
  }, 120_000)
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true })
  })

  it('holds the compiled SDK with its declarations, the command, and no sources or tests', () => {
    const files = run('tar', ['-tzf', tarball], folder).split('\n').filter(Boolean)
    for (const file of ['package/dist/sdk/index.js', 'package/dist/sdk/index.d.ts', 'package/dist/sdk/client.d.ts', 'package/dist/cli/main.js', 'package/bin/dawri.js', 'package/docs/sdk.md']) {
      expect(files).toContain(file)
    }
    expect(files.filter((file) => file.startsWith('package/src/') || file.startsWith('package/tests/'))).toEqual([])
  })

  for (const dialect of DIALECTS) {
    describe(`${dialect}: imported by name, with no dependency installed`, () => {
      let app: TestApp
      let apiKey: string
      beforeAll(async () => {
        app = await startTestApp(dialect)
        ;({ apiKey } = await app.createMerchant({ bypass3ds: true }))
      })
      afterAll(async () => {
        await app?.close()
      })

      it('a script pays an invoice through `dawri/sdk`', async () => {
        writeFileSync(
          join(folder, 'pay.mjs'),
          [
            "import { MyFatoorahClient, MyFatoorahError } from 'dawri/sdk'",
            'const client = new MyFatoorahClient({ apiKey: process.env.KEY, baseUrl: process.env.BASE })',
            'const created = await client.executePayment({ PaymentMethodId: 9, InvoiceValue: 10 })',
            "const card = { Number: '5123450000000008', ExpiryMonth: '01', ExpiryYear: '39', SecurityCode: '100' }",
            "await client.directPayment(created.PaymentURL, { PaymentType: 'card', Bypass3DS: true, Card: card })",
            "const status = await client.getPaymentStatus({ Key: created.InvoiceId, KeyType: 'InvoiceId' })",
            'const refused = await client.executePayment({ PaymentMethodId: 2, InvoiceValue: 0 }).catch((e) => e)',
            'console.log(JSON.stringify({ status: status.InvoiceStatus, error: refused instanceof MyFatoorahError, code: refused.status }))',
          ].join('\n'),
        )
        // Asynchronously: the server runs in this process and must answer meanwhile.
        const { stdout } = await promisify(execFile)(process.execPath, ['pay.mjs'], { cwd: folder, encoding: 'utf8', env: { ...process.env, KEY: apiKey, BASE: app.baseUrl } })
        const output = stdout
        expect(JSON.parse(output)).toEqual({ status: 'Paid', error: true, code: 400 })
      })
    })
  }

  it('TypeScript resolves the types through the package exports, and checks calls with them', () => {
    writeFileSync(
      join(folder, 'typed.mts'),
      [
        "import { MyFatoorahClient, type ExecutePaymentData, type WebhookEvent } from 'dawri/sdk'",
        "const client = new MyFatoorahClient({ apiKey: 'k', country: 'KWT', environment: 'test' })",
        'export const created: Promise<ExecutePaymentData> = client.executePayment({ InvoiceValue: 1, PaymentMethodId: 2 })',
        "export const kind = (event: WebhookEvent): string => (event.kind === 'refund' && event.version === 'v2' ? event.body.Data.Refund.Status : event.kind)",
        '// @ts-expect-error InvoiceValue is required',
        'void client.executePayment({ PaymentMethodId: 2 })',
      ].join('\n'),
    )
    writeFileSync(
      join(folder, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] },
        files: ['typed.mts'],
      }),
    )
    // Throws (with tsc's report) on any type error; the declarations themselves were checked when emitted.
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], folder)
  }, 60_000)
})
