import { type Kysely, sql } from 'kysely';

/**
 * PGlite runs each query as one prepared statement, so a migration's DDL is split into statements here.
 * Statements end with a semicolon at the end of a line; dollar-quoted bodies ($$ … $$) are kept whole.
 */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!inDollar && (trimmed === '' || trimmed.startsWith('--'))) continue;
    current += `${line}\n`;
    const dollars = line.match(/\$\$/g)?.length ?? 0;
    if (dollars % 2 === 1) inDollar = !inDollar;
    if (!inDollar && trimmed.endsWith(';')) {
      out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

export async function runStatements(db: Kysely<unknown>, text: string): Promise<void> {
  for (const statement of splitStatements(text)) {
    await sql.raw(statement).execute(db);
  }
}
