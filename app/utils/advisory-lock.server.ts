import { createHash } from "node:crypto";
import pg from "pg";
import { config } from "~/config.server";

// Serialises work on one key (e.g. one order) across every worker process with PostgreSQL
// session-level advisory locks held on a dedicated connection. If the process dies, the connection
// closes and PostgreSQL releases the locks: a crash can never leave an order locked.
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

export interface HeldLocks {
  /**
   * Takes a further lock on the same connection, held until the outer call ends. Callers must
   * always nest in the same order (order, then member) so two holders can never wait on each
   * other; one connection per holder also means the pool cannot run dry while locks wait.
   */
  alsoLock(key: string): Promise<void>;
}

export async function withAdvisoryLock<T>(key: string, fn: (locks: HeldLocks) => Promise<T>): Promise<T> {
  const client = await lockPool().connect();
  let clean = false;
  try {
    await client.query("SELECT pg_advisory_lock($1, $2)", lockIds(key));
    try {
      return await fn({
        alsoLock: async (other) => {
          await client.query("SELECT pg_advisory_lock($1, $2)", lockIds(other));
        },
      });
    } finally {
      await client.query("SELECT pg_advisory_unlock_all()");
      clean = true;
    }
  } finally {
    // A connection whose unlock failed may still hold locks: destroy it instead of reusing it.
    client.release(clean ? undefined : true);
  }
}

export async function closeAdvisoryLocks() {
  const p = pool;
  pool = undefined;
  await p?.end();
}
