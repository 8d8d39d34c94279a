import addFormatsModule from 'ajv-formats'
import { Ajv, type ValidateFunction } from 'ajv'

import type { TestApp } from '../support/start-test-app.js'

/**
 * The OpenAPI document as a contract the tests hold the server to: every answer of a call made
 * through {@link SpecChecker.call} must have a status the operation lists and a body that its
 * schema accepts, where objects may carry no field the schema does not document.
 */

/** The parts of /openapi.json the tests read. */
export interface Spec {
  readonly paths: Record<string, Record<string, Operation>>
}

/** One operation (path and method) of the document. */
export interface Operation {
  readonly summary?: string
  readonly description?: string
  readonly parameters?: ReadonlyArray<{ name: string; in: string; required?: boolean; example?: unknown; schema?: Record<string, unknown> }>
  readonly requestBody?: { content: Record<string, { schema?: Record<string, unknown> & { example?: unknown }; example?: unknown }> }
  readonly responses: Record<string, { description?: string; content?: Record<string, { schema?: SchemaNode }> }>
  readonly 'x-example-outcome'?: { status: number; error: string }
}

/** A schema of the document, read loosely. */
export type SchemaNode = { [key: string]: unknown }

/** Every operation of the document, in its order: path, method and the operation. */
export function operationsOf(spec: Spec): Array<{ path: string; method: string; operation: Operation }> {
  return Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })))
}

/** The example body of an operation, where Swagger UI takes it from. */
export function exampleBodyOf(operation: Operation): unknown {
  const media = operation.requestBody?.content['application/json']
  return media?.example ?? media?.schema?.example
}

/** The URL Swagger UI's "try it out" builds from the parameters' examples. */
export function exampleUrlOf(path: string, operation: Operation): string {
  let url = path
  const query: string[] = []
  for (const parameter of operation.parameters ?? []) {
    if (parameter.example === undefined) continue
    const value = String(parameter.example)
    if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, encodeURIComponent(value))
    if (parameter.in === 'query') query.push(`${encodeURIComponent(parameter.name)}=${encodeURIComponent(value)}`)
  }
  return query.length > 0 ? `${url}?${query.join('&')}` : url
}

/** A copy of `schema` in which every object with documented properties refuses undocumented ones. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed)
  if (typeof schema !== 'object' || schema === null) return schema
  const copy: SchemaNode = {}
  for (const [key, value] of Object.entries(schema)) {
    // Examples are data, not schemas.
    copy[key] = key === 'example' || key === 'examples' ? value : closed(value)
  }
  if (typeof copy.properties === 'object' && copy.additionalProperties === undefined) copy.additionalProperties = false
  return copy
}

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv

/** One call checked against the document, and what was wrong with its answer. */
export interface CheckedAnswer {
  readonly status: number
  readonly body: any
  readonly headers: Headers
  /** Why the answer does not match the document; empty when it does. */
  readonly problems: string[]
}

/** Calls the server and checks each answer against the document. */
export class SpecChecker {
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }))
  private readonly validators = new Map<string, ValidateFunction>()
  /** Every operation and status seen answering, as `METHOD path status`. */
  readonly seen = new Set<string>()

  constructor(
    private readonly app: TestApp,
    readonly spec: Spec,
  ) {}

  /** The operation a request reaches: its path template and the operation. */
  operationOf(method: string, url: string): { path: string; operation: Operation } | undefined {
    const requestPath = url.split('?')[0] ?? url
    for (const [path, methods] of Object.entries(this.spec.paths)) {
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`)
      const operation = methods[method.toLowerCase()]
      if (operation && pattern.test(requestPath)) return { path, operation }
    }
    return undefined
  }

  /** Makes the call and checks its answer against the operation's documented responses. */
  async call(method: string, url: string, apiKey: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<CheckedAnswer> {
    const answer = await this.app.call(method, url, apiKey, body, headers)
    return { ...answer, problems: this.check(method, url, answer.status, answer.body) }
  }

  /** Why an operation's example body does not match its own request schema (empty when it does). */
  checkExampleBody(name: string, operation: Operation, example: unknown): string[] {
    const schema = operation.requestBody?.content['application/json']?.schema
    if (!schema || example === undefined) return []
    const validate = this.ajv.compile(schema)
    if (validate(example)) return []
    return (validate.errors ?? []).map((error) => `${name} example: ${error.instancePath || '(body)'} ${error.message}`)
  }

  /** Why an answer does not match the document (empty when it does). */
  check(method: string, url: string, status: number, body: unknown): string[] {
    const found = this.operationOf(method, url)
    if (!found) return [`${method} ${url} is not in the document`]
    const where = `${method} ${found.path} → ${status}`
    const response = found.operation.responses[String(status)]
    if (!response) return [`${where}: status not documented (${Object.keys(found.operation.responses).join(', ')}): ${JSON.stringify(body).slice(0, 300)}`]
    this.seen.add(`${method.toUpperCase()} ${found.path} ${status}`)
    const schema = response.content?.['application/json']?.schema
    if (!schema) return [`${where}: no schema`]
    const key = `${method} ${found.path} ${status}`
    let validate = this.validators.get(key)
    if (!validate) {
      validate = this.ajv.compile(closed(schema) as SchemaNode)
      this.validators.set(key, validate)
    }
    if (validate(body)) return []
    return (validate.errors ?? []).map((error) => `${where}: ${error.instancePath || '(body)'} ${error.message} ${JSON.stringify(error.params)}`)
  }
}
