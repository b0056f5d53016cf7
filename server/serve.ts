import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady, installGlobals, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import morgan from "morgan";
import { createRouteLanes, type RouteLanes } from "./route-lanes.ts";

// The web process: `node server/serve.ts build/index.js` (npm start). The same server remix-serve
// builds (compression, the build's assets for a year, public/ for an hour, an access log, Remix for
// everything else), with one thing in front: a request for a resource route at a fixed path
// (webhooks, the app proxy, the checkout and public APIs, /healthz) goes straight to that route's
// loader or action (server/route-lanes.ts). Remix flattens and ranks the whole route list on every
// request, and with Express and the access log that was 20–30 % of the CPU of a webhook or a
// storefront member read (bench/RESULTS.md). Runs with Node's own TypeScript type stripping.

process.env.NODE_ENV = process.env.NODE_ENV ?? "production";
const mode = process.env.NODE_ENV;

const buildPath = path.resolve(process.argv[2] ?? "build/index.js");
const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
installGlobals({ nativeFetch: build.future.v3_singleFetch });
const lanes: RouteLanes = createRouteLanes(build, mode);
const remix = createRequestHandler({ build, mode });

const app = express();
app.disable("x-powered-by");
app.use(compression());
app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
app.use(morgan("tiny"));
app.all("*", remix);

const server = http.createServer((req, res) => {
  if (!lanes.handle(req, res)) app(req, res);
});

const port = Number(process.env.PORT ?? 3000);
const onListen = () => {
  console.log(`[loyalnest] http://localhost:${port}`);
  // Whoever started a development server (the demo) waits for this announcement. No rebuilds are
  // reloaded: `npm run dev` serves through Remix's own dev server.
  if (mode === "development" && process.env.REMIX_DEV_ORIGIN) void broadcastDevReady(build);
};
if (process.env.HOST) server.listen(port, process.env.HOST, onListen);
else server.listen(port, onListen);

// In-flight requests finish; entry.server.tsx closes the pools after its grace period.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => server.close((error) => error && console.error(error)));
}
