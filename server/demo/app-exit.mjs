// Preloaded into the demo's app process (node --import), and into the proxy benchmark's. On
// SIGTERM the web server stops listening and the app closes its pools only after its grace period
// (SHUTDOWN_GRACE_MS). This ends the process as soon as it would have exited on its own: the
// listener closed, requests answered, and the app's own connections and timers closed. If the app
// still holds something after APP_EXIT_SETTLE_MS, it says what and exits anyway.
import { clearInterval, setInterval } from "node:timers";

const SETTLE_MS = Number(process.env.APP_EXIT_SETTLE_MS ?? 5000);
const POLL_MS = 50;
// Resources that never end on their own and are not the app's work: the dev watcher and stdio.
const INERT = new Set(["FSEventWrap", "StatWatcher", "PipeWrap", "TTYWrap"]);

const NAMES = { TCPSocketWrap: "socket", Timeout: "timer", TCPServerWrap: "listener" };

/** ["TCPSocketWrap", "TCPSocketWrap", "Timeout"] → "2 sockets, 1 timer" */
function describe(resources) {
  const counts = new Map();
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${NAMES[r] ?? r}${n > 1 ? "s" : ""}`).join(", ");
}

function onStopSignal() {
  const since = Date.now();
  const poll = setInterval(() => {
    // This interval is unref'd, so it is not among the listed resources.
    const busy = process.getActiveResourcesInfo().filter((r) => !INERT.has(r));
    const waited = Date.now() - since;
    if (busy.length > 0 && waited < SETTLE_MS) return;
    clearInterval(poll);
    if (busy.length > 0) console.error(`exiting with ${describe(busy)} still open ${(waited / 1000).toFixed(1)} s after the stop signal`);
    process.exit(0);
  }, POLL_MS);
  poll.unref();
}

process.once("SIGTERM", onStopSignal);
process.once("SIGINT", onStopSignal);
