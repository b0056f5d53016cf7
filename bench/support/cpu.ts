import { readFileSync } from "node:fs";
import type pg from "pg";

// CPU time actually spent by each part of the system during the measured phase, from
// /proc/<pid>/stat. On a shared, noisy machine wall-clock throughput moves with everyone else's
// load; CPU milliseconds per order do not, so they are what optimisations are judged by.

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on (getconf CLK_TCK)

/** user + system CPU of one process in milliseconds, or null if it is gone or /proc is absent. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces; the fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU of every PostgreSQL backend connected to `database`, by backend pid. */
export async function backendCpuMs(monitor: pg.Pool, database: string): Promise<Map<number, number>> {
  const { rows } = await monitor.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = processCpuMs(pid);
    if (ms !== null) out.set(pid, ms);
  }
  return out;
}

/** CPU the backends used between two snapshots (backends that appeared in between count from 0). */
export function backendCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
