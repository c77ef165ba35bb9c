// Kysely table types for migration 0005-skill-framework-import. Keep in step with it.

// biome-ignore lint/complexity/noBannedTypes: filled in as the migration is written
export type FrameworkImportTables = {};
