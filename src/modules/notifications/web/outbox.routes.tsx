import { Hono } from 'hono';
import type { AppEnv } from '../../../web/context.js';

// Placeholder: filled in by its own change.
export function outboxRoutes() {
  return new Hono<AppEnv>();
}
