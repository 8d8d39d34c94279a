import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'

/**
 * Forgets that the newest migration ran (its schema stays), as a database left behind by an
 * older release would look to this code; returns the migration's name. Raw driver calls: the
 * migration table is Kysely's own, not part of dawri's schema.
 */
export async function forgetNewestMigration(url: string): Promise<string> {
  if (url.startsWith('sqlite:')) {
    const sqlite = new SqliteDatabase(url.slice('sqlite:'.length))
    try {
      const row = sqlite.prepare('select name from kysely_migration order by name desc limit 1').get() as { name: string }
      sqlite.prepare('delete from kysely_migration where name = ?').run(row.name)
      return row.name
    } finally {
      sqlite.close()
    }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ name: string }>('select name from kysely_migration order by name desc limit 1')
    const name = rows[0]?.name ?? ''
    await client.query('delete from kysely_migration where name = $1', [name])
    return name
  } finally {
    await client.end()
  }
}
