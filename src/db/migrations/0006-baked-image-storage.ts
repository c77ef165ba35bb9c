import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * The baked badge images of `credentials` (0004) are stored out of line without compression: a PNG is already
 * deflated and the SVG wraps that PNG in base64, so PostgreSQL's default (EXTENDED: try pglz, then move out of
 * line) spends CPU on every insert for no space gained. bench/RESULTS.md (2026-11-25, night): PostgreSQL's CPU
 * per issued badge dropped from ~1.5 ms to ~0.6 ms and bulk issuance went from 2.61× to 3.74× the plain loop.
 * EXTERNAL still moves large values to the TOAST table (rows stay small for the list and export queries).
 *
 * This changes only how values written from now on are stored: existing rows keep their compressed values
 * (they read back the same), and no rewrite is needed. ALTER … SET STORAGE takes a brief ACCESS EXCLUSIVE lock
 * on the table, and changes only the catalogue.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table credentials alter column baked_png set storage external;
    alter table credentials alter column baked_svg set storage external;
  `,
  );
}
