export type { CanonicalCacheStats } from './canonical-cache.js';
export { createLazyBadgePool, type LazyBadgePool } from './lazy.js';
export {
  type BadgePool,
  BadgePoolError,
  type BadgePoolOptions,
  type BadgePoolStats,
  createBadgePool,
  type PoolSignOptions,
  type PoolVerifyOptions,
  type SigningKeyMaterial,
  type WorkerStats,
} from './pool.js';
