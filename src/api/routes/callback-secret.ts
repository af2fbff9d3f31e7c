/** The callback secret: the key a tenant's callbacks are signed with (see docs/callbacks.md). */
import { envelope } from "../envelope.js";
import { SCHEMAS } from "../schemas.js";
import type { ProgramRoutes } from "./program.js";

export function registerCallbackSecretRoutes({ app, context, base, tags, scopeOf }: ProgramRoutes): void {
  app.get(`${base}/CallbackSecret`, { schema: { ...SCHEMAS.callbackSecret, tags } }, async (request) => {
    const { scope } = await scopeOf(request);
    return envelope([{ secret: context.callbackSecret(scope.tenant) }]);
  });
}
