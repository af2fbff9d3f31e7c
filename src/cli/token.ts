import { access } from "node:fs/promises";
import { DEFAULT_LOCAL_USER, issueLocalToken, localKeyPath } from "../auth/local-key.js";
import { ADMIN_ROLE } from "../auth/roles.js";
import {
  type Command,
  configFrom,
  DATA_DIR_OPTION,
  stringOption,
  tenantOption,
  UsageError,
} from "./shared.js";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };
const MAX_TTL_SECONDS = 366 * 86_400;
/** The `tid` of operators' local tokens: an operator belongs to no tenant. */
export const ADMIN_TOKEN_TENANT = "openinsights-admin";

export const tokenCommand: Command = {
  name: "token",
  usage: "token (--tenant <tid> | --admin) [--user <name>] [--ttl 1h] [--data-dir D]",
  summary: `Prints an access token signed with the service's local key (made on first use in <data-dir>/keys/), for the Authorization: Bearer header: a tenant's, or with --admin an operator's (role ${ADMIN_ROLE}, for the /admin/ API only).`,
  options: {
    ...DATA_DIR_OPTION,
    tenant: { type: "string" },
    admin: { type: "boolean" },
    user: { type: "string" },
    ttl: { type: "string" },
  },
  async run(context) {
    const admin = context.values.admin === true;
    if (admin && stringOption(context, "tenant") !== undefined) {
      throw new UsageError("--admin makes an operator's token, which belongs to no tenant: drop --tenant");
    }
    const tenant = admin ? ADMIN_TOKEN_TENANT : tenantOption(context);
    if (tenant === "") throw new UsageError("--tenant must not be blank");
    const user = (stringOption(context, "user") ?? DEFAULT_LOCAL_USER).trim();
    if (user === "") throw new UsageError("--user must not be blank");
    const ttlSeconds = parseTtl(stringOption(context, "ttl") ?? "1h");

    const config = configFrom(context);
    const auth = config.auth;
    const audience = auth.audiences[0]!;
    const roles = admin
      ? [ADMIN_ROLE]
      : [...new Set(Object.values(auth.requiredRoles).filter((role) => role !== undefined))];
    const now = new Date();
    const keyExisted = await access(localKeyPath(config.dataDir)).then(
      () => true,
      () => false,
    );
    const token = await issueLocalToken({
      dataDir: config.dataDir,
      tenant,
      user,
      ttlSeconds,
      audience,
      roles,
      now,
    });

    if (!auth.localKey) {
      context.io.stderr.write(
        "warning: OPENINSIGHTS_AUTH_LOCAL is false, so a service with this configuration will not accept this token\n",
      );
    }
    if (!keyExisted) {
      context.io.stderr.write(
        `warning: ${config.dataDir} had no signing key, so a new one was made: only a service started with this data directory (--data-dir ${config.dataDir} or OPENINSIGHTS_DATA_DIR) accepts this token\n`,
      );
    }
    const expires = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    context.io.stderr.write(
      `Token for ${admin ? `operators (role ${ADMIN_ROLE})` : `tenant ${tenant}`}, user ${user}, audience ${audience}, expires ${expires} (key ${localKeyPath(config.dataDir)})\n`,
    );
    context.io.stdout.write(`${token}\n`);
    return 0;
  },
};

/** `30s`, `15m`, `1h`, `2d` → seconds. The unit is required: is `--ttl 60` a minute or an hour? */
export function parseTtl(raw: string): number {
  const match = /^\s*(\d+)\s*([smhd])\s*$/i.exec(raw);
  const amount = Number(match?.[1]);
  const unit = UNIT_SECONDS[(match?.[2] ?? "").toLowerCase()] ?? Number.NaN;
  const seconds = amount * unit;
  if (!match || !Number.isSafeInteger(seconds) || seconds <= 0 || seconds > MAX_TTL_SECONDS) {
    throw new UsageError(
      `--ttl must be a duration with its unit, such as 30s, 15m, 1h or 2d (at most 366d), not '${raw}'`,
    );
  }
  return seconds;
}
