import { pingQueue } from "~/jobs/queue.server";
import { pingDatabase } from "~/models/health.server";

const TIMEOUT_MS = 2000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms).unref()),
  ]);
}

export async function checkHealth(): Promise<{ db: "ok" | "error"; queue: "ok" | "error" }> {
  const [db, queue] = await Promise.all([
    within(pingDatabase(), TIMEOUT_MS).then(() => "ok" as const, () => "error" as const),
    within(pingQueue(), TIMEOUT_MS).then((ok) => (ok ? ("ok" as const) : ("error" as const)), () => "error" as const),
  ]);
  return { db, queue };
}
