import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * Import boundaries (docs/architecture.md): dependencies point inward, in this direction (each unit may
 * import the ones to its left, never those to its right):
 *
 *   domain ← store ← processor ← webhooks ← charging ← billing ← services ← http ← telemetry ← app ← cli
 *
 * config.ts and deps.ts are leaves that anything above store may import. domain/ is pure: it
 * imports only domain/ and no I/O module. store/ imports only store/ and domain/, and is the only
 * place that builds SQL. No two top-level units of src/ import each other, even through others
 * and even for types only: a cycle of types is still a cycle.
 *
 * Imports are read with the TypeScript parser (multi-line imports, `import type`, inline `type`
 * specifiers, `export … from`, side-effect imports, `import('…')` types and calls), and SQL is
 * looked for in the code with its comments blanked out.
 */

const SRC = resolve('src')

function filesUnder(dir: string): string[] {
  let result: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) result = result.concat(filesUnder(path))
    else if (/\.(ts|mts|cts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) result.push(path)
  }
  return result
}

/** A path relative to the repository, with forward slashes, for messages. */
function shown(path: string): string {
  return relative(process.cwd(), path).split(sep).join('/')
}

/** How a module is imported. */
type ImportKind =
  /** Binds at least one value, or is a side-effect import (`import './x.js'`). */
  | 'value'
  /** `import type …`, `export type … from`, or every specifier marked `type`. */
  | 'type'
  /** A type written `import('…').Name`. */
  | 'type-query'
  /** A call `import('…')` (loaded at run time, still a dependency). */
  | 'dynamic'

interface ImportRef {
  readonly file: string
  readonly line: number
  readonly specifier: string
  readonly kind: ImportKind
  /** The file it resolves to, for relative specifiers; undefined for packages. */
  readonly target: string | undefined
}

interface ParsedFile {
  readonly file: string
  readonly imports: readonly ImportRef[]
  /** The source text with every comment replaced by spaces (line breaks kept). */
  readonly code: string
}

function resolveSpecifier(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const base = resolve(dirname(file), specifier)
  const candidates = [base, base.replace(/\.(m|c)?js$/, '.$1ts'), `${base}.ts`, join(base, 'index.ts')]
  // A module that does not exist (yet) still names where it would be.
  return candidates.find((path) => existsSync(path) && statSync(path).isFile()) ?? base
}

function importKindOf(clause: ts.ImportClause | undefined): ImportKind {
  if (clause === undefined) return 'value'
  if (clause.isTypeOnly) return 'type'
  if (clause.name) return 'value'
  const bindings = clause.namedBindings
  if (bindings === undefined || ts.isNamespaceImport(bindings)) return 'value'
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly) ? 'type' : 'value'
}

function exportKindOf(node: ts.ExportDeclaration): ImportKind {
  if (node.isTypeOnly) return 'type'
  const clause = node.exportClause
  if (clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)) {
    return 'type'
  }
  return 'value'
}

const parsed = new Map<string, ParsedFile>()

function parse(file: string): ParsedFile {
  const cached = parsed.get(file)
  if (cached) return cached
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const imports: ImportRef[] = []
  const add = (node: ts.Node, literal: ts.Expression | undefined, kind: ImportKind) => {
    if (literal === undefined || !ts.isStringLiteralLike(literal)) return
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
    imports.push({ file, line, specifier: literal.text, kind, target: resolveSpecifier(file, literal.text) })
  }
  const comments: Array<readonly [number, number]> = []
  const visit = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return
    // Every token's leading trivia, read both ways: comments on the previous token's line are
    // "trailing", the others "leading".
    for (const range of [
      ...(ts.getLeadingCommentRanges(text, node.pos) ?? []),
      ...(ts.getTrailingCommentRanges(text, node.pos) ?? []),
    ]) {
      comments.push([range.pos, range.end])
    }
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, importKindOf(node.importClause))
    else if (ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, exportKindOf(node))
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly ? 'type' : 'value')
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, 'type-query')
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], 'dynamic')
    }
    for (const child of node.getChildren(source)) visit(child)
  }
  visit(source)
  // Comment ranges are UTF-16 offsets, so blank by UTF-16 unit.
  const units = text.split('')
  for (const [start, end] of comments) {
    for (let i = start; i < end; i++) if (units[i] !== '\n' && units[i] !== '\r') units[i] = ' '
  }
  const result = { file, imports, code: units.join('') }
  parsed.set(file, result)
  return result
}

function describeImport(ref: ImportRef): string {
  const kind = ref.kind === 'value' ? '' : ` (${ref.kind})`
  return `${shown(ref.file)}:${ref.line} imports '${ref.specifier}'${kind}`
}

/** The top-level unit of src/ a path belongs to: its first folder, or the file itself. */
function unitOf(path: string): string | undefined {
  const inside = relative(SRC, path)
  if (inside.startsWith('..') || inside === '') return undefined
  return inside.split(sep)[0]
}

function isUnder(path: string, dir: string): boolean {
  const inside = relative(resolve(dir), path)
  return inside !== '' && !inside.startsWith('..')
}

const NODE_IO_MODULES = new Set([
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'tls',
  'dgram',
  'dns',
  'dns/promises',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'inspector',
])
const IO_PACKAGES = ['pg', 'better-sqlite3', 'kysely', 'fastify', '@fastify/', 'pino']

function isIoModule(specifier: string): boolean {
  const bare = specifier.replace(/^node:/, '')
  if (NODE_IO_MODULES.has(bare)) return true
  return IO_PACKAGES.some((name) => (name.endsWith('/') ? bare.startsWith(name) : bare === name || bare.startsWith(`${name}/`)))
}

const SQL_PATTERN = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql(<[^>]*>)?`/

const srcFiles = filesUnder(SRC)

// The first test parses every source file (the rest reuse it): seconds on a busy machine.
describe('architecture', { timeout: 60_000 }, () => {
  it('keeps domain/ pure: no imports outside domain/, no I/O modules', () => {
    const offences: string[] = []
    for (const file of filesUnder('src/domain')) {
      for (const ref of parse(file).imports) {
        if (ref.target !== undefined && !isUnder(ref.target, 'src/domain')) {
          offences.push(`${describeImport(ref)}: outside src/domain/`)
        } else if (isIoModule(ref.specifier)) {
          offences.push(`${describeImport(ref)}: an I/O module`)
        }
      }
    }
    expect(offences, 'src/domain/ imports outside domain/ or I/O modules').toEqual([])
  })

  it('keeps store/ below everything but domain/: it imports only store/ and domain/ from src/', () => {
    const offences: string[] = []
    for (const file of filesUnder('src/store')) {
      for (const ref of parse(file).imports) {
        if (ref.target === undefined || !isUnder(ref.target, 'src')) continue
        if (!isUnder(ref.target, 'src/store') && !isUnder(ref.target, 'src/domain')) {
          offences.push(`${describeImport(ref)}: outside src/store/ and src/domain/`)
        }
      }
    }
    expect(offences, 'src/store/ imports from src/ outside store/ and domain/').toEqual([])
  })

  it('keeps sdk/ self-contained: it imports only sdk/ and node:crypto (it ships as dawri/sdk)', () => {
    const offences: string[] = []
    for (const file of filesUnder('src/sdk')) {
      for (const ref of parse(file).imports) {
        if (ref.target !== undefined ? !isUnder(ref.target, 'src/sdk') : ref.specifier !== 'node:crypto') {
          offences.push(`${describeImport(ref)}: outside src/sdk/ (the SDK may use only itself, fetch and node:crypto)`)
        }
      }
    }
    expect(offences, 'src/sdk/ imports outside sdk/').toEqual([])
  })

  it('builds SQL only in store/: no Kysely builder calls or sql`…` templates elsewhere in src/', () => {
    const offences: string[] = []
    for (const file of srcFiles) {
      if (isUnder(file, 'src/store')) continue
      parse(file)
        .code.split('\n')
        .forEach((line, index) => {
          if (SQL_PATTERN.test(line)) offences.push(`${shown(file)}:${index + 1}: ${line.trim()}`)
        })
    }
    expect(offences, 'SQL built outside src/store/ (file:line: code)').toEqual([])
  })

  it('imports no value from kysely outside store/', () => {
    const offences = srcFiles
      .filter((file) => !isUnder(file, 'src/store'))
      .flatMap((file) => parse(file).imports)
      .filter((ref) => (ref.specifier === 'kysely' || ref.specifier.startsWith('kysely/')) && ref.kind !== 'type' && ref.kind !== 'type-query')
      .map(describeImport)
    expect(offences, 'kysely value imports outside src/store/').toEqual([])
  })

  it('imports no kysely types outside store/ either (store/ exports the row and executor types)', () => {
    const offences = srcFiles
      .filter((file) => !isUnder(file, 'src/store'))
      .flatMap((file) => parse(file).imports)
      .filter((ref) => (ref.specifier === 'kysely' || ref.specifier.startsWith('kysely/')) && (ref.kind === 'type' || ref.kind === 'type-query'))
      .map(describeImport)
    expect(offences, 'kysely type-only imports outside src/store/').toEqual([])
  })

  it('has no import cycle between the top-level units of src/', () => {
    // unit → unit → the imports making that edge
    const edges = new Map<string, Map<string, ImportRef[]>>()
    for (const file of srcFiles) {
      const from = unitOf(file)
      if (from === undefined) continue
      if (!edges.has(from)) edges.set(from, new Map())
      for (const ref of parse(file).imports) {
        const to = ref.target === undefined ? undefined : unitOf(ref.target)
        if (to === undefined || to === from) continue
        const targets = edges.get(from) as Map<string, ImportRef[]>
        targets.set(to, [...(targets.get(to) ?? []), ref])
      }
    }
    const units = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])].sort()
    const next = (unit: string): string[] => [...(edges.get(unit)?.keys() ?? [])].sort()

    // Strongly connected components (Tarjan): a cycle lies within one component.
    const index = new Map<string, number>()
    const low = new Map<string, number>()
    const onStack = new Set<string>()
    const stack: string[] = []
    const components: string[][] = []
    let counter = 0
    const strongConnect = (unit: string): void => {
      index.set(unit, counter)
      low.set(unit, counter)
      counter++
      stack.push(unit)
      onStack.add(unit)
      for (const to of next(unit)) {
        if (!index.has(to)) {
          strongConnect(to)
          low.set(unit, Math.min(low.get(unit) as number, low.get(to) as number))
        } else if (onStack.has(to)) {
          low.set(unit, Math.min(low.get(unit) as number, index.get(to) as number))
        }
      }
      if (low.get(unit) === index.get(unit)) {
        const component: string[] = []
        for (;;) {
          const member = stack.pop() as string
          onStack.delete(member)
          component.push(member)
          if (member === unit) break
        }
        if (component.length > 1) components.push(component.sort())
      }
    }
    for (const unit of units) if (!index.has(unit)) strongConnect(unit)

    // Within a component, the shortest cycle through each edge against the intended direction
    // (through every edge when none is: cycles among units outside LAYERS); each cycle once.
    const cycles = new Map<string, string[]>()
    for (const component of components) {
      const members = new Set(component)
      const inside = component.flatMap((from) => next(from).filter((to) => members.has(to)).map((to) => [from, to] as const))
      const against = inside.filter(([from, to]) => isAgainstDirection(from, to))
      for (const [from, to] of against.length > 0 ? against : inside) {
        // Shortest path to → … → from inside the component (BFS, neighbours in name order).
        const previous = new Map<string, string>([[to, to]])
        const queue = [to]
        while (queue.length > 0 && !previous.has(from)) {
          const unit = queue.shift() as string
          for (const n of next(unit)) {
            if (members.has(n) && !previous.has(n)) {
              previous.set(n, unit)
              queue.push(n)
            }
          }
        }
        const path = [from]
        for (let unit = from; unit !== to; unit = previous.get(unit) as string) path.unshift(previous.get(unit) as string)
        // path is to … from; the cycle is from → to → … → from.
        const cycle = [from, ...path.slice(0, -1)]
        const start = cycle.indexOf([...cycle].sort()[0] as string)
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)]
        cycles.set(canonical.join(' → '), canonical)
      }
    }

    const offences = [...cycles.values()].map((cycle) => {
      const chain = [...cycle, cycle[0] as string]
      const lines = cycle.map((from, i) => {
        const to = chain[i + 1] as string
        const refs = edges.get(from)?.get(to) ?? []
        const [first] = [...refs].sort((a, b) => rankOfKind(a.kind) - rankOfKind(b.kind))
        const more = refs.length > 1 ? ` (+${refs.length - 1} more)` : ''
        const against = isAgainstDirection(from, to) ? ' [against the direction]' : ''
        return `    ${from} → ${to}${against}: ${first ? describeImport(first) : '?'}${more}`
      })
      return [`cycle ${chain.join(' → ')}`, ...lines].join('\n')
    })
    expect(offences, `import cycles between top-level units of src/\n${offences.join('\n')}\n`).toEqual([])
  })

  it('never reads process.env outside src/config.ts', () => {
    for (const file of srcFiles) {
      if (file === resolve('src/config.ts')) continue
      expect(readFileSync(file, 'utf8').includes('process.env'), shown(file)).toBe(false)
    }
  })
})

/** The intended direction; config.ts and deps.ts are leaves outside it. */
const LAYERS = ['domain', 'store', 'processor', 'webhooks', 'charging', 'billing', 'services', 'http', 'telemetry', 'app', 'cli']

function isAgainstDirection(from: string, to: string): boolean {
  const a = LAYERS.indexOf(from)
  const b = LAYERS.indexOf(to)
  return a >= 0 && b >= 0 && a < b
}

/** Value imports first when choosing which import to show for an edge. */
function rankOfKind(kind: ImportKind): number {
  return ['value', 'dynamic', 'type', 'type-query'].indexOf(kind)
}
