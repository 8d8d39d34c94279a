#!/usr/bin/env node
// The command runs the compiled code; a fresh clone has none until `npm run build` (npm start builds).
import { existsSync } from 'node:fs'

const main = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  process.stderr.write('dawri: not built yet: run `npm run build` (or `npm start`, which builds) first\n')
  process.exit(2)
}
await import(main.href)
