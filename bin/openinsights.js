#!/usr/bin/env node
// The bundle of dist/src/cli (rolldown.config.mjs): a faster start than the ~900 modules it holds.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
