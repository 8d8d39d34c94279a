import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { ERROR_CODES } from '../../src/domain/errors.js'
import { ERROR_STATUS } from '../../src/http/api/error-handler.js'

describe('error codes', () => {
  it('documents every code with its HTTP status in docs/errors.md', () => {
    const docs = readFileSync('docs/errors.md', 'utf8')
    for (const code of ERROR_CODES) {
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${code}\` |`))
      expect(row, `docs/errors.md has no row for ${code}`).toBeDefined()
      expect(row).toContain(`| ${ERROR_STATUS[code]} |`)
    }
  })
})
