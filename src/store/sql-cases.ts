import { sql, type RawBuilder } from 'kysely'

/**
 * `CASE id WHEN … THEN … END`: one statement sets a different value on each row. Values are
 * cast, so PostgreSQL knows their type even when every one is a parameter or null.
 */
export function valueById<T extends string | number | null>(
  ids: readonly number[],
  values: readonly T[],
  type: 'text' | 'integer' | 'bigint',
): RawBuilder<T> {
  const cases = ids.map((id, index) => sql`WHEN ${id} THEN CAST(${values[index] ?? null} AS ${sql.raw(type)})`)
  return sql<T>`CASE id ${sql.join(cases, sql` `)} END`
}
