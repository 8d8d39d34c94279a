import { resolve } from 'node:path'

import ts from 'typescript'

/**
 * The SDK's public types read with the TypeScript compiler, as plain shapes, so tests can hold
 * them against what the server takes (its OpenAPI request schemas) and what it answers (real
 * responses): the types cannot drift from the server without a test failing.
 */

/** A type as a set of JSON possibilities. */
export interface Shape {
  /** `unknown`/`any`: anything goes. */
  any: boolean
  primitives: Set<'string' | 'number' | 'boolean' | 'null' | 'undefined'>
  object?: Map<string, { shape: Shape; optional: boolean }>
  array?: Shape
}

const emptyShape = (): Shape => ({ any: false, primitives: new Set() })

function merge(into: Shape, from: Shape): void {
  into.any ||= from.any
  for (const p of from.primitives) into.primitives.add(p)
  if (from.array) {
    if (into.array) merge(into.array, from.array)
    else into.array = from.array
  }
  if (from.object) {
    if (!into.object) into.object = new Map(from.object)
    else {
      const names = new Set([...into.object.keys(), ...from.object.keys()])
      for (const name of names) {
        const a = into.object.get(name)
        const b = from.object.get(name)
        if (a && b) {
          merge(a.shape, b.shape)
          a.optional ||= b.optional
        } else into.object.set(name, { shape: (a ?? b)!.shape, optional: true })
      }
    }
  }
}

/** The SDK's client methods: name → request shape (first data argument) and resolved Data shape. */
export interface SdkMethod {
  readonly name: string
  readonly request: Shape | undefined
  readonly response: Shape
}

/** Reads MyFatoorahClient's and SandboxApi's methods from src/sdk/index.ts. */
export function readSdkMethods(): { client: SdkMethod[]; sandbox: SdkMethod[] } {
  const entry = resolve('src/sdk/index.ts')
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    types: ['node'],
    noEmit: true,
  })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(entry)
  if (!source) throw new Error('src/sdk/index.ts not found')
  const moduleSymbol = checker.getSymbolAtLocation(source)
  if (!moduleSymbol) throw new Error('src/sdk/index.ts has no module symbol')
  const exports = checker.getExportsOfModule(moduleSymbol)

  const shapeOf = (type: ts.Type, depth = 0): Shape => {
    const shape = emptyShape()
    if (depth > 12) return { ...shape, any: true }
    const f = type.flags
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) shape.any = true
    else if (type.isUnion()) for (const member of type.types) merge(shape, shapeOf(member, depth + 1))
    else if (f & ts.TypeFlags.StringLike) shape.primitives.add('string')
    else if (f & ts.TypeFlags.NumberLike) shape.primitives.add('number')
    else if (f & ts.TypeFlags.BooleanLike) shape.primitives.add('boolean')
    else if (f & ts.TypeFlags.Null) shape.primitives.add('null')
    else if (f & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) shape.primitives.add('undefined')
    else if (f & ts.TypeFlags.Never) {
      // no value at all
    } else if (checker.isArrayType(type) || checker.isTupleType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference)
      shape.array = element ? shapeOf(element, depth + 1) : { ...emptyShape(), any: true }
    } else if (f & ts.TypeFlags.Object) {
      if (checker.getIndexInfosOfType(type).length > 0) shape.any = true
      else {
        shape.object = new Map()
        for (const property of checker.getPropertiesOfType(type)) {
          const declaration = property.valueDeclaration ?? property.declarations?.[0]
          const propertyType = declaration ? checker.getTypeOfSymbolAtLocation(property, declaration) : checker.getTypeOfSymbol(property)
          shape.object.set(property.name, {
            shape: shapeOf(propertyType, depth + 1),
            optional: (property.flags & ts.SymbolFlags.Optional) !== 0,
          })
        }
      }
    } else shape.any = true
    return shape
  }

  const methodsOf = (className: string, dataArgument: (name: string) => number): SdkMethod[] => {
    const symbol = exports.find((s) => s.name === className)
    if (!symbol) throw new Error(`${className} is not exported from src/sdk/index.ts`)
    const resolved = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
    const instance = checker.getDeclaredTypeOfSymbol(resolved)
    const methods: SdkMethod[] = []
    for (const property of checker.getPropertiesOfType(instance)) {
      const declaration = property.valueDeclaration
      if (!declaration || !ts.isMethodDeclaration(declaration)) continue
      const modifiers = ts.getCombinedModifierFlags(declaration)
      if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue
      const [signature] = checker.getTypeOfSymbolAtLocation(property, declaration).getCallSignatures()
      if (!signature) continue
      const index = dataArgument(property.name)
      const parameter = signature.getParameters()[index]
      const parameterDeclaration = parameter?.valueDeclaration
      const isOptions = parameter?.name === 'options'
      const request = parameter && parameterDeclaration && !isOptions ? shapeOf(checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(parameter, parameterDeclaration))) : undefined
      const response = shapeOf(checker.getAwaitedType(signature.getReturnType()) ?? signature.getReturnType())
      methods.push({ name: property.name, request, response })
    }
    return methods
  }
  return {
    client: methodsOf('MyFatoorahClient', (name) => (name === 'directPayment' ? 1 : 0)),
    sandbox: methodsOf('SandboxApi', () => 0),
  }
}

/** An OpenAPI (JSON Schema subset) node. */
export interface SchemaNode {
  type?: string | string[]
  nullable?: boolean
  properties?: Record<string, SchemaNode>
  required?: string[]
  items?: SchemaNode
  enum?: unknown[]
}

function schemaKinds(node: SchemaNode): Set<string> {
  const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type]
  const kinds = new Set(types.map((t) => (t === 'integer' ? 'number' : t)))
  if (node.nullable) kinds.add('null')
  return kinds
}

/**
 * Differences between an SDK request shape and the server's schema of that request: fields
 * either side lacks, required on one side only, JSON types the server does not take.
 */
export function compareRequest(sdk: Shape, schema: SchemaNode, path: string): string[] {
  const issues: string[] = []
  const kinds = schemaKinds(schema)
  if (kinds.size > 0 && !sdk.any) {
    for (const primitive of sdk.primitives) {
      if (primitive === 'undefined') continue
      if (!kinds.has(primitive)) issues.push(`${path}: the SDK allows ${primitive}, the server takes ${[...kinds].join('|')}`)
    }
    if (sdk.object && !kinds.has('object')) issues.push(`${path}: the SDK sends an object, the server takes ${[...kinds].join('|')}`)
    if (sdk.array && !kinds.has('array')) issues.push(`${path}: the SDK sends a list, the server takes ${[...kinds].join('|')}`)
  }
  if (schema.properties) {
    const sdkFields = sdk.object ?? new Map()
    const required = new Set(schema.required ?? [])
    for (const [name, node] of Object.entries(schema.properties)) {
      const field = sdkFields.get(name)
      if (!field) {
        issues.push(`${path}.${name}: the server takes it, the SDK's type lacks it`)
        continue
      }
      if (required.has(name) === field.optional) {
        issues.push(`${path}.${name}: ${required.has(name) ? 'required by the server, optional in the SDK' : 'optional on the server, required by the SDK'}`)
      }
      issues.push(...compareRequest(field.shape, node, `${path}.${name}`))
    }
    for (const name of sdkFields.keys()) if (!(name in schema.properties)) issues.push(`${path}.${name}: in the SDK's type, not taken by the server`)
  }
  if (schema.items && sdk.array) issues.push(...compareRequest(sdk.array, schema.items, `${path}[]`))
  return issues
}

/** Fields the server documents in a response that the SDK's type lacks. */
export function missingResponseFields(sdk: Shape, schema: SchemaNode, path: string): string[] {
  if (sdk.any) return []
  const issues: string[] = []
  if (schema.properties && sdk.object) {
    for (const [name, node] of Object.entries(schema.properties)) {
      const field = sdk.object.get(name)
      if (!field) issues.push(`${path}.${name}: documented by the server, missing from the SDK's type`)
      else issues.push(...missingResponseFields(field.shape, node, `${path}.${name}`))
    }
  }
  if (schema.items && sdk.array) issues.push(...missingResponseFields(sdk.array, schema.items, `${path}[]`))
  return issues
}

/**
 * Where a real value does not fit an SDK type: a key the type lacks, a required key missing,
 * a JSON type the type does not allow. Empty when the value fits.
 */
export function misfits(value: unknown, shape: Shape, path = 'Data'): string[] {
  if (shape.any) return []
  if (value === null) return shape.primitives.has('null') ? [] : [`${path}: null, the SDK's type does not allow null`]
  if (Array.isArray(value)) {
    if (!shape.array) return [`${path}: a list, the SDK's type is not one`]
    return value.flatMap((item, i) => misfits(item, shape.array as Shape, `${path}[${i}]`))
  }
  if (typeof value === 'object') {
    if (!shape.object) return [`${path}: an object, the SDK's type is not one`]
    const issues: string[] = []
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      const field = shape.object.get(key)
      if (!field) issues.push(`${path}.${key}: sent by the server, missing from the SDK's type`)
      else issues.push(...misfits(record[key], field.shape, `${path}.${key}`))
    }
    for (const [key, field] of shape.object) {
      if (!field.optional && !(key in record)) issues.push(`${path}.${key}: required by the SDK's type, not sent by the server`)
    }
    return issues
  }
  const kind = typeof value as 'string' | 'number' | 'boolean'
  return shape.primitives.has(kind) ? [] : [`${path}: a ${kind}, the SDK's type allows ${[...shape.primitives].join('|') || 'no primitive'}`]
}
