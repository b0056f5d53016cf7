import { createHash } from "node:crypto";
import pg from "pg";
import { config } from "~/config.server";

// Serialises work on one key (e.g. one order) across every worker process with a PostgreSQL
// session-level advisory lock held on a dedicated connection. If the process dies, the connection
// closes and PostgreSQL releases the lock: a crash can never leave an order locked.
let pool: pg.Pool | undefined;

function lockPool(): pg.Pool {
  pool ??= new pg.Pool({
    connectionString: config().DATABASE_URL,
    max: Math.max(2, Math.ceil(config().DATABASE_POOL_MAX / 2)),
  });
  return pool;
}

/** Two 32-bit halves of sha256(key): the two-argument form of pg_advisory_lock. */
function lockIds(key: string): [number, number] {
  const digest = createHash("sha256").update(key).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

export async function withAdvisoryLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const client = await lockPool().connect();
  const [a, b] = lockIds(key);
  let released = false;
  try {
    await client.query("SELECT pg_advisory_lock($1, $2)", [a, b]);
    try {
      return await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1, $2)", [a, b]);
      released = true;
    }
  } finally {
    // A connection whose unlock failed may still hold the lock: destroy it instead of reusing it.
    client.release(released ? undefined : true);
  }
}

export async function closeAdvisoryLocks() {
  const p = pool;
  pool = undefined;
  await p?.end();
}
