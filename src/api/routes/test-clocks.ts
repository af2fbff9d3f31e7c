/**
 * Test clocks (extension, docs/test-clocks.md): a tenant's own clocks under each program base,
 * registered only with OPENINSIGHTS_TEST_CLOCKS=true (off, the paths answer 404 like any unknown one).
 */
import { AppError, ERROR_CODES } from "../../core/errors.js";
import { envelope } from "../envelope.js";
import { SCHEMAS } from "../schemas.js";
import { wireTestClock } from "../wire.js";
import type { ProgramRoutes } from "./program.js";

type ClockParams = { Params: { testClockId: string } };

export function registerTestClockRoutes({ app, context, base, tags, scopeOf }: ProgramRoutes): void {
  const clocks = context.services.testClocks;
  if (!clocks) return;
  app.post(`${base}/TestClocks`, { schema: { ...SCHEMAS.createTestClock, tags } }, async (request) => {
    const { scope } = await scopeOf(request);
    const clock = await clocks.create(scope, request.body);
    return envelope([wireTestClock(clock)], { message: "Test clock created successfully" });
  });

  app.get(`${base}/TestClocks`, { schema: { ...SCHEMAS.listTestClocks, tags } }, async (request) => {
    const { scope } = await scopeOf(request);
    return envelope((await clocks.list(scope)).map(wireTestClock));
  });

  app.get<ClockParams>(
    `${base}/TestClocks/:testClockId`,
    { schema: { ...SCHEMAS.getTestClock, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      return envelope([wireTestClock(await clocks.get(scope, request.params.testClockId))]);
    },
  );

  app.post<ClockParams>(
    `${base}/TestClocks/:testClockId/advance`,
    { schema: { ...SCHEMAS.advanceTestClock, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      if (request.body === undefined) {
        throw new AppError(ERROR_CODES.INVALID_ARGUMENT, "Null or missing value: FrozenTime is required");
      }
      const clock = await clocks.advance(scope, request.params.testClockId, request.body);
      return envelope([wireTestClock(clock)], { message: "Test clock advanced successfully" });
    },
  );

  app.delete<ClockParams>(
    `${base}/TestClocks/:testClockId`,
    { schema: { ...SCHEMAS.deleteTestClock, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      const clock = await clocks.delete(scope, request.params.testClockId);
      return envelope([wireTestClock(clock)], { message: "Test clock deleted successfully" });
    },
  );
}
