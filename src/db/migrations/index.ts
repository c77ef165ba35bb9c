import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-recruitment.js';
import * as m0003 from './0003-dssp-framework.js';
import * as m0004 from './0004-badges.js';
import * as m0005 from './0005-skill-framework-import.js';
import * as m0006 from './0006-baked-image-storage.js';

// Listed by hand so the same list works from TypeScript sources and the compiled build.
export const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-recruitment': m0002,
  '0003-dssp-framework': m0003,
  '0004-badges': m0004,
  '0005-skill-framework-import': m0005,
  '0006-baked-image-storage': m0006,
};
