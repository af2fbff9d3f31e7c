/**
 * The operator API under `/admin/`: every route needs an operator's token (role
 * OpenInsights.Admin); a tenant's token gets 403 on any `/admin/` path, known or not.
 */
import type { FastifyInstance } from "fastify";
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { ApiContext } from "./context.js";

export function registerAdminRoutes(app: FastifyInstance, context: ApiContext): void {
  // Paths no admin route matches: the token is checked first, so a tenant learns nothing of them.
  app.all("/admin/*", { schema: { hide: true } }, async (request) => {
    await context.authenticateAdmin(request.headers);
    throw new AppError(ERROR_CODES.NOT_FOUND, `No route for ${request.method} ${request.url.split("?")[0]}`);
  });
}
