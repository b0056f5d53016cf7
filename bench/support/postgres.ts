import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** The same server, another database: `postgresql://u@h:p/<name>`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, "postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return `"${name}"`;
}

export async function recreateDatabase(serverUrl: string, name: string): Promise<string> {
  await withAdmin(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
  return databaseUrl(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withAdmin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

export async function serverVersion(serverUrl: string): Promise<string> {
  return withAdmin(serverUrl, async (client) => (await client.query<{ v: string }>("SELECT version() AS v")).rows[0].v);
}

export async function serverSettings(serverUrl: string, names: string[]): Promise<Record<string, string>> {
  return withAdmin(serverUrl, async (client) => {
    const rows = (await client.query<{ name: string; setting: string; unit: string | null }>(
      "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)", [names],
    )).rows;
    return Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]));
  });
}

export function findPgbench(): string {
  const candidates = (process.env.PATH ?? "").split(":").map((dir) => `${dir}/pgbench`);
  if (existsSync("/usr/lib/postgresql")) {
    for (const version of readdirSync("/usr/lib/postgresql").sort().reverse()) candidates.push(`/usr/lib/postgresql/${version}/bin/pgbench`);
  }
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error("pgbench not found (it ships with PostgreSQL: /usr/lib/postgresql/<v>/bin/pgbench)");
  return found;
}

export interface PgbenchResult {
  tps: number;
  latencyAvgMs: number | null;
  transactions: number;
  command: string;
}

/**
 * The baseline: pgbench's simple-update script without the contended branch/teller updates (-N),
 * on a throwaway database, so the app's throughput can be read as a share of what this PostgreSQL
 * on this machine does at all.
 */
export async function runPgbench(serverUrl: string, name: string, { scale = 10, clients = 8, threads = 2, seconds = 15 } = {}): Promise<PgbenchResult> {
  const pgbench = findPgbench();
  const url = new URL(await recreateDatabase(serverUrl, name));
  const connection = ["-h", url.hostname, "-p", url.port || "5432", "-U", decodeURIComponent(url.username || "postgres")];
  try {
    await run(pgbench, [...connection, "-i", "-s", String(scale), "-q", name], { maxBuffer: 16 * 1024 * 1024 });
    const args = ["-N", "-c", String(clients), "-j", String(threads), "-T", String(seconds)];
    const { stdout } = await run(pgbench, [...connection, ...args, name], { maxBuffer: 16 * 1024 * 1024 });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout) ?? /tps = ([\d.]+)/.exec(stdout);
    if (!tps) throw new Error(`could not read pgbench's tps from:\n${stdout}`);
    const latency = /latency average = ([\d.]+) ms/.exec(stdout);
    const transactions = /number of transactions actually processed: (\d+)/.exec(stdout);
    return {
      tps: Number(tps[1]),
      latencyAvgMs: latency ? Number(latency[1]) : null,
      transactions: transactions ? Number(transactions[1]) : 0,
      command: `pgbench -i -s ${scale} && pgbench ${args.join(" ")}`,
    };
  } finally {
    await dropDatabase(serverUrl, name);
  }
}
