/**
 * The `openinsights` command line. Each command is a small module; this file only dispatches
 * and maps failures to exit codes: 0 success, 1 failure, 2 bad input (usage, bad query, bad data).
 */
import { parseArgs } from "node:util";
import { isAppError } from "../core/errors.js";
import { nearestName } from "../core/nearest-name.js";
import { demoCommand } from "./demo.js";
import { loadCommand } from "./load.js";
import { queryCommand } from "./query.js";
import { serveCommand } from "./serve.js";
import { type CliIo, type Command, processIo, UsageError } from "./shared.js";
import { tenantsCommand } from "./tenants.js";
import { tokenCommand } from "./token.js";

const COMMANDS: readonly Command[] = [
  serveCommand,
  demoCommand,
  tenantsCommand,
  queryCommand,
  loadCommand,
  tokenCommand,
];

const USAGE = `Usage: openinsights <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`).join("\n")}

Every command takes --data-dir D (env OPENINSIGHTS_DATA_DIR, default ./data).
Run 'openinsights <command> --help' for a command's options.`;

/** The message of a usage error; an unknown option names the closest known one. */
function usageMessage(error: Error & { code?: string }, command: Command): string {
  if (error.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return error.message;
  const given = /'(-[^']*)'/.exec(error.message)?.[1] ?? "";
  const typed = given.replace(/^-+/, "").split("=")[0]!;
  const known = [...Object.keys(command.options), "help"];
  const closest = nearestName(typed, known);
  const hint = closest
    ? `did you mean --${closest}?`
    : `the options are ${known.map((option) => `--${option}`).join(", ")}`;
  return `unknown option '${given}': ${hint}`;
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`openinsights: unknown command '${name}'\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout.write(`Usage: openinsights ${command.usage}\n\n${command.summary}\n`);
      return 0;
    }
    return await command.run({ values, positionals, io, env: io.env });
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(
        `openinsights ${name}: ${usageMessage(error as Error & { code?: string }, command)}\nUsage: openinsights ${command.usage}\n`,
      );
      return 2;
    }
    if (isAppError(error)) {
      io.stderr.write(`openinsights ${name}: ${error.message}\n`);
      return error.code === "internal" || error.code === "unavailable" ? 1 : 2;
    }
    io.stderr.write(`openinsights ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
