import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

import { describe, expect, it } from 'vitest'

/**
 * Import boundaries (STYLE.md §1): dependencies point inward. domain/ is pure and imports only
 * domain/; the SDK and the browser card view import no server code.
 */

function filesUnder(dir: string): string[] {
  let result: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) result = result.concat(filesUnder(path))
    else if (/\.(ts|js|mjs)$/.test(name)) result.push(path)
  }
  return result
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '')
}

const NODE_IO_MODULES = ['node:fs', 'node:http', 'node:https', 'node:net', 'node:child_process', 'pg', 'better-sqlite3', 'kysely', 'fastify']

describe('architecture', () => {
  it('keeps domain/ pure: no imports outside domain/, no I/O modules', () => {
    for (const file of filesUnder('src/domain')) {
      for (const specifier of importsOf(file)) {
        const where = relative(process.cwd(), file)
        expect(specifier.startsWith('../'), `${where} imports ${specifier}`).toBe(false)
        expect(NODE_IO_MODULES.includes(specifier), `${where} imports ${specifier}`).toBe(false)
      }
    }
  })

  it('never reads process.env outside src/config.ts', () => {
    for (const file of filesUnder('src')) {
      if (file.endsWith('config.ts')) continue
      expect(readFileSync(file, 'utf8').includes('process.env'), file).toBe(false)
    }
  })
})
