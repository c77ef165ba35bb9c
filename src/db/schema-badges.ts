// Kysely table types for migration 0004-badges. Keep in step with it.

// biome-ignore lint/complexity/noBannedTypes: filled in as the migration is written
export type BadgesTables = {};
