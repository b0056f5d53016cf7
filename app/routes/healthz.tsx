import { json } from "@remix-run/node";
import { checkHealth } from "~/services/health.server";

// Load balancers and the demo poll this: 200 when the database and the queue answer, else 503.
export async function loader() {
  const health = await checkHealth();
  return json(health, {
    status: health.db === "ok" && health.queue === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
