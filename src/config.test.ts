import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('badge pool setting', () => {
  const base = { SECRET_KEY: 'k'.repeat(32) };
  it('defaults to one thread per core, takes 0 (sign in-process) to 32, and refuses anything else', () => {
    expect(loadConfig(base).badgePoolSize).toBeUndefined();
    expect(loadConfig({ ...base, BADGE_POOL_SIZE: '0' }).badgePoolSize).toBe(0);
    expect(loadConfig({ ...base, BADGE_POOL_SIZE: '3' }).badgePoolSize).toBe(3);
    for (const bad of ['33', '-1', '1.5', 'two']) {
      expect(() => loadConfig({ ...base, BADGE_POOL_SIZE: bad }), bad).toThrow(ConfigError);
    }
  });
});
