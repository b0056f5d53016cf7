// Loaded with `node --import` into the app and the worker when bench/ingest runs with
// --count-queries or --profile. It counts every PostgreSQL query (by statement text) and Redis
// command the process sends, and writes the counts to $LOYALNEST_BENCH_COUNTS_FILE on SIGUSR2, so
// the benchmark can diff the counts around its measured phase. On SIGTERM it exits after a short
// grace when $LOYALNEST_BENCH_EXIT_ON_SIGTERM is 1 (the app: remix-serve only closes its HTTP
// server and its pools would keep it alive); a clean exit is what makes --cpu-prof write its profile.
import { writeFileSync } from "node:fs";
import { setTimeout } from "node:timers";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "package.json"));
const countsFile = process.env.LOYALNEST_BENCH_COUNTS_FILE;

const queries = new Map();
const commands = new Map();
const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

if (countsFile) {
  const pg = require("pg");
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(config, ...rest) {
    const text = typeof config === "string" ? config : config?.text;
    if (typeof text === "string") bump(queries, text.replace(/\s+/g, " ").trim().slice(0, 160));
    return query.call(this, config, ...rest);
  };

  const { Redis } = require("ioredis");
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function countedCommand(command, ...rest) {
    if (command?.name) bump(commands, command.name.toLowerCase());
    return sendCommand.call(this, command, ...rest);
  };

  process.on("SIGUSR2", () => {
    writeFileSync(countsFile, JSON.stringify({
      pid: process.pid,
      at: Date.now(),
      queries: Object.fromEntries(queries),
      redisCommands: Object.fromEntries(commands),
    }));
  });
}

if (process.env.LOYALNEST_BENCH_EXIT_ON_SIGTERM === "1") {
  process.once("SIGTERM", () => {
    setTimeout(() => process.exit(0), 1500).unref();
  });
}
