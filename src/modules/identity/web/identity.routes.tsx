import { Hono } from 'hono';
import type { AppEnv } from '../../../web/context.js';
import { accountRoutes } from './account.routes.js';
import { linkRoutes } from './link.routes.js';
import { loginRoutes } from './login.routes.js';

export function identityRoutes() {
  const app = new Hono<AppEnv>();
  app.route('/', loginRoutes());
  app.route('/', linkRoutes());
  app.route('/', accountRoutes());
  return app;
}
