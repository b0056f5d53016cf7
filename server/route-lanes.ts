import type { IncomingMessage, ServerResponse } from "node:http";
import { json, type ServerBuild } from "@remix-run/node";
import { readRequestBody } from "./request-body.ts";

// Resource routes at a fixed path, answered without Remix's router. Remix 2 flattens, scores and
// matches its whole route list twice per request (server-runtime, then the static handler); for a
// webhook or a storefront read that was the largest single cost left in the web process. A route
// qualifies when it has no UI (no default export: Remix would only call its loader or action) and
// no dynamic segment, so the path alone names it. What the route does is unchanged: same module,
// same arguments ({request, params: {}, context: {}}), and the same answers Remix gives for a
// resource route — a Response as returned or thrown, plain data as JSON, any other throw to the
// build's handleError and a 500. Answers are not compressed: they are small (a member state is
// ≈ 3 KB, a webhook's empty), and gzip at the origin raised the member state's p95 at 500/s from
// ≈ 3 to 11–17 ms on two vCPUs (bench/RESULTS.md). Anything unusual (HEAD, OPTIONS, `?_data`, an
// encoded path, a missing loader or action) goes to Remix, which keeps its own behaviour for it.

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const ACTION_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

type RouteFunction = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => unknown;
interface LaneRoute {
  loader?: RouteFunction;
  action?: RouteFunction;
}

export interface RouteLanes {
  /** The fixed paths served here (lower case, no trailing slash). */
  readonly paths: readonly string[];
  /** True when it took the request; false leaves it to Remix. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

function fullPath(build: ServerBuild, routeId: string): string | null {
  const segments: string[] = [];
  for (let route: (typeof build.routes)[string] | undefined = build.routes[routeId]; route; route = route.parentId ? build.routes[route.parentId] : undefined) {
    if (route.path) segments.unshift(route.path);
  }
  const joined = `/${segments.join("/")}`.replace(/\/+/g, "/");
  return /[:*]/.test(joined) ? null : joined.toLowerCase().replace(/(.)\/$/, "$1");
}

export function createRouteLanes(build: ServerBuild, mode: string): RouteLanes {
  const routes = new Map<string, LaneRoute>();
  for (const [id, route] of Object.entries(build.routes)) {
    const module = route.module as { default?: unknown; loader?: RouteFunction; action?: RouteFunction };
    if (id === "root" || module.default !== undefined || route.index || route.caseSensitive) continue;
    const at = fullPath(build, id);
    if (at !== null && at !== "/") routes.set(at, { loader: module.loader, action: module.action });
  }
  const handleError =
    (build.entry.module as { handleError?: (error: unknown, args: { request: Request; params: object; context: object }) => void }).handleError ??
    ((error: unknown, { request }: { request: Request }) => {
      if (!request.signal.aborted) console.error(error);
    });

  function routeFor(req: IncomingMessage): RouteFunction | undefined {
    const url = req.url ?? "";
    const queryAt = url.indexOf("?");
    const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
    if (pathname.includes("%") || (queryAt !== -1 && url.includes("_data=", queryAt))) return undefined;
    const route = routes.get(pathname.toLowerCase().replace(/(.)\/$/, "$1"));
    if (!route) return undefined;
    if (req.method === "GET") return route.loader;
    return req.method && ACTION_METHODS.has(req.method) ? route.action : undefined;
  }

  return {
    paths: [...routes.keys()],
    handle(req, res) {
      const fn = routeFor(req);
      if (!fn) return false;
      void serve(fn, req, res, handleError, mode);
      return true;
    },
  };
}

function requestOf(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  // As the Express adapter does: a loader still running when the client goes away sees an abort.
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method,
    headers,
    signal: controller.signal,
    // A Buffer from Node's reads is backed by a plain ArrayBuffer.
    ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}),
  });
}

async function serve(
  fn: RouteFunction,
  req: IncomingMessage,
  res: ServerResponse,
  handleError: (error: unknown, args: { request: Request; params: object; context: object }) => void,
  mode: string,
): Promise<void> {
  let request: Request | undefined;
  let response: Response;
  try {
    let body: Buffer | undefined;
    if (req.method !== "GET") {
      const read = await readRequestBody(req, MAX_BODY_BYTES);
      if (read === null) {
        res.writeHead(413, { "Content-Type": "text/plain", Connection: "close" }).end("Payload Too Large");
        return;
      }
      body = read;
    }
    request = requestOf(req, res, body);
    const args = { request, params: {}, context: {} };
    try {
      const result = await fn(args);
      response = result instanceof Response ? result : json(result);
    } catch (thrown) {
      if (!(thrown instanceof Response)) throw thrown;
      response = thrown;
    }
  } catch (error) {
    if (request) handleError(error, { request, params: {}, context: {} });
    else console.error(error);
    const message = mode === "production" ? "Unexpected Server Error" : `Unexpected Server Error\n\n${String(error)}`;
    response = new Response(message, { status: 500, headers: { "Content-Type": "text/plain" } });
  }
  await send(res, response);
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else headers[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : null;
  if (res.destroyed) return;
  res.writeHead(response.status, response.statusText || undefined, headers);
  res.end(body ?? undefined);
}
