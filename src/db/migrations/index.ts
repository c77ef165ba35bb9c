import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-recruitment.js';
import * as m0003 from './0003-dssp-framework.js';

// Listed by hand so the same list works from TypeScript sources and the compiled build.
export const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-recruitment': m0002,
  '0003-dssp-framework': m0003,
};
