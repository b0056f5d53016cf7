import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { json, type ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRouteLanes, type RouteLanes } from "../../server/route-lanes";
import { repoRoot } from "../helpers/app-server";

// server/route-lanes.ts answers fixed-path resource routes without Remix's router. Served here on
// a real socket, with a build made of plain modules: what it takes, what it leaves to Remix, and
// that its answers are the ones Remix gives for a resource route.

type Fn = (args: { request: Request; params: object; context: object }) => unknown;
const route = (id: string, routePath: string | undefined, module: Record<string, unknown>, extra: object = {}) => ({
  [id]: { id, parentId: "root", path: routePath, module, ...extra },
});

const handleError = vi.fn();
const calls: { method: string; url: string; body: string }[] = [];
const record: Fn = async ({ request }) => {
  calls.push({ method: request.method, url: request.url, body: request.method === "GET" ? "" : await request.text() });
  return json({ ok: true }, { headers: { "Cache-Control": "private, no-store" } });
};

const build = {
  entry: { module: { handleError } },
  routes: {
    root: { id: "root", path: "", module: { default: () => null } },
    ...route("routes/webhooks.orders.paid", "webhooks/orders/paid", { action: record }),
    ...route("routes/proxy.member", "proxy/member", { loader: record, action: () => json({ error: "Use GET" }, { status: 405 }) }),
    ...route("routes/data", "data", { loader: () => ({ plain: "data", n: 1 }) }),
    ...route("routes/thrown", "thrown", { loader: () => { throw json({ error: { code: "unauthorized" } }, { status: 401 }); } }),
    ...route("routes/broken", "broken", { loader: () => { throw new Error("database down"); } }),
    ...route("routes/app.members", "app/members", { loader: record, default: () => null }),
    ...route("routes/exports.$id", "exports/:id", { loader: record }),
    ...route("routes/files.$", "files/*", { loader: record }),
    ...route("routes/loader-only", "loader-only", { loader: record }),
  },
} as unknown as ServerBuild;

let lanes: RouteLanes;
let server: http.Server;
let base: string;
let fellThrough: string[];

beforeAll(async () => {
  lanes = createRouteLanes(build, "production");
  fellThrough = [];
  server = http.createServer((req, res) => {
    if (lanes.handle(req, res)) return;
    fellThrough.push(`${req.method} ${req.url}`);
    res.writeHead(418).end("remix");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("route lanes", () => {
  it("takes only resource routes at a fixed path", () => {
    expect([...lanes.paths].sort()).toEqual(["/broken", "/data", "/loader-only", "/proxy/member", "/thrown", "/webhooks/orders/paid"]);
  });

  it("gives the action the method, URL, headers and exact body bytes", async () => {
    const body = `{"id":820982911946154508,"note":"é ✓"}`;
    const response = await fetch(`${base}/webhooks/orders/paid?x=1`, { method: "POST", body, headers: { "X-Shopify-Topic": "orders/paid" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(await response.json()).toEqual({ ok: true });
    expect(calls.at(-1)).toEqual({ method: "POST", url: expect.stringMatching(/\/webhooks\/orders\/paid\?x=1$/), body });
  });

  it("matches as Remix does: any case, with or without a trailing slash", async () => {
    for (const p of ["/PROXY/Member", "/proxy/member/"]) expect((await fetch(`${base}${p}?locale=en`)).status, p).toBe(200);
  });

  it("leaves to Remix what it does not serve the same way", async () => {
    fellThrough.length = 0;
    const cases: [string, RequestInit][] = [
      ["/app/members", {}], // a page
      ["/exports/abc", {}], // a dynamic segment
      ["/files/a/b", {}], // a splat
      ["/proxy/member", { method: "HEAD" }],
      ["/proxy/member", { method: "OPTIONS" }],
      ["/proxy/member?_data=routes%2Fproxy.member", {}],
      ["/proxy/%6Dember", {}], // percent-encoded
      ["/loader-only", { method: "POST", body: "x" }], // no action: Remix answers 405
      ["/nowhere", {}],
    ];
    for (const [p, init] of cases) expect((await fetch(`${base}${p}`, init)).status, `${init.method ?? "GET"} ${p}`).toBe(418);
    expect(fellThrough).toHaveLength(cases.length);
  });

  it("answers as Remix answers a resource route: data as JSON, a thrown Response as is, an error as a 500 through handleError", async () => {
    const data = await fetch(`${base}/data`);
    expect(data.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await data.json()).toEqual({ plain: "data", n: 1 });

    const thrown = await fetch(`${base}/thrown`);
    expect(thrown.status).toBe(401);
    expect(await thrown.json()).toEqual({ error: { code: "unauthorized" } });

    handleError.mockClear();
    const broken = await fetch(`${base}/broken`);
    expect(broken.status).toBe(500);
    expect(await broken.text()).toBe("Unexpected Server Error");
    expect(handleError).toHaveBeenCalledTimes(1);
    expect(String(handleError.mock.calls[0][0])).toContain("database down");
  });

  it("refuses a body over 10 MiB with 413 without calling the route", async () => {
    const before = calls.length;
    const response = await fetch(`${base}/webhooks/orders/paid`, { method: "POST", body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) });
    expect(response.status).toBe(413);
    expect(calls.length).toBe(before);
  });
});

describe("route lanes of the built app", () => {
  const entry = path.join(repoRoot, "build/index.js");
  it.runIf(existsSync(entry))("serve the webhooks, the app proxy, the APIs and /healthz, and no page", async () => {
    const built = (await import(pathToFileURL(entry).href)) as ServerBuild;
    const paths = createRouteLanes(built, "production").paths;
    for (const p of ["/webhooks/orders/paid", "/webhooks/refunds/create", "/webhooks/customers/redact", "/proxy/member", "/proxy/program", "/proxy/redeem", "/api/checkout/redeem", "/api/v1/redemptions", "/healthz"]) {
      expect(paths, p).toContain(p);
    }
    for (const p of ["/app", "/app/members", "/app/program", "/auth/login", "/"]) expect(paths, p).not.toContain(p);
  });
});
