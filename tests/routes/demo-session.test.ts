import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaSessionStorage } from "~/models/session-storage.server";
import { createTestShop, prisma } from "../helpers/db";
import { TEST_DATABASE_URL, TEST_REDIS_URL, testEnv } from "../helpers/env";
import { freePort } from "../helpers/net";

// The demo-only admin session (DEMO=1: /app opens for DEMO_SHOP without Shopify) must be
// impossible in production. The routes import CSS, so this drives the BUILT server the way it is
// deployed (`node server/serve.ts build/index.js`), against the test database holding a real shop and its
// offline session: if the demo session leaked, that shop's data would be served.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUILD = path.join(ROOT, "build", "index.js");
// Shopify's library answers bot user agents with 410 before any auth logic runs.
const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

function cliOf(pkg: string, bin: string): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: Record<string, string> };
  return path.join(path.dirname(manifestPath), manifest.bin[bin]);
}


interface BuiltServer {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

function startBuiltServer(port: number, env: NodeJS.ProcessEnv): BuiltServer {
  // Only what a deployment would set: nothing inherited from the test run.
  const child = spawn(process.execPath, [path.join(ROOT, "server/serve.ts"), BUILD], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    port,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntilListening(server: BuiltServer): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`the server exited:\n${server.output()}`);
    try {
      await fetch(`http://127.0.0.1:${server.port}/healthz`, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`the server did not listen within 30 s:\n${server.output()}`);
}

describe("the demo-only admin session", () => {
  const shopDomain = `demo-guard-${randomBytes(4).toString("hex")}.myshopify.com`;
  const shopName = `Guarded Store ${randomBytes(4).toString("hex")}`;
  const servers: BuiltServer[] = [];

  // A deployment's environment, complete and valid; each test changes only what it is about.
  function deploymentEnv(): NodeJS.ProcessEnv {
    return {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      SHOPIFY_API_KEY: testEnv.SHOPIFY_API_KEY,
      SHOPIFY_API_SECRET: testEnv.SHOPIFY_API_SECRET,
      REDEMPTION_CODE_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      SHOPIFY_APP_URL: "https://loyalnest.test",
      SCOPES: testEnv.SCOPES,
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      BULL_PREFIX: `demo-guard-${randomBytes(4).toString("hex")}`,
      LOG_LEVEL: "error",
      // Were the demo session reachable, it would be this shop's.
      DEMO_SHOP: shopDomain,
    };
  }

  beforeAll(async () => {
    if (!existsSync(BUILD)) {
      const build = spawn(process.execPath, [cliOf("@remix-run/dev", "remix"), "build"], { cwd: ROOT, stdio: "ignore" });
      const code = await new Promise<number | null>((resolve) => build.once("exit", resolve));
      if (code !== 0) throw new Error("`remix build` failed; run `npm run build` to see why");
    }
    await createTestShop({ domain: shopDomain });
    await prisma.shop.update({ where: { domain: shopDomain }, data: { name: shopName } });
    await new PrismaSessionStorage(prisma).storeSession(
      new Session({
        id: `offline_${shopDomain}`,
        shop: shopDomain,
        state: "",
        isOnline: false,
        scope: testEnv.SCOPES,
        accessToken: `shpat_${randomBytes(16).toString("hex")}`,
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await prisma.session.deleteMany({ where: { shop: shopDomain } });
    await prisma.shop.deleteMany({ where: { domain: shopDomain } });
  });

  it("the built server refuses to start with DEMO=1 and NODE_ENV=production, naming DEMO", async () => {
    const port = await freePort();
    const server = startBuiltServer(port, { ...deploymentEnv(), DEMO: "1" });
    servers.push(server);
    const exit = await within(server.exited, 30_000, "the server should have refused to start");
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(server.output()).toContain("DEMO the demo mode cannot run with NODE_ENV=production");
    await expect(fetch(`http://127.0.0.1:${port}/app`, { headers: { "User-Agent": BROWSER_UA } })).rejects.toThrow();
  }, 40_000);

  it("the built server refuses DEMO=1 on an address other than loopback, naming HOST", async () => {
    const port = await freePort();
    const server = startBuiltServer(port, { ...deploymentEnv(), NODE_ENV: "development", HOST: "0.0.0.0", DEMO: "1" });
    servers.push(server);
    const exit = await within(server.exited, 30_000, "the server should have refused to start");
    expect(exit.code).not.toBe(0);
    expect(server.output()).toContain("HOST must be a loopback address (127.0.0.1) when DEMO=1");
  }, 40_000);

  it("the built server exits on SIGTERM once its grace period has passed, its pools closed", async () => {
    const server = startBuiltServer(await freePort(), { ...deploymentEnv(), SHUTDOWN_GRACE_MS: "300" });
    servers.push(server);
    await waitUntilListening(server);
    // Opens the PostgreSQL and Redis connections that would otherwise hold the process open.
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`, { headers: { "User-Agent": BROWSER_UA } })).status).toBe(200);
    server.child.kill("SIGTERM");
    const exit = await within(server.exited, 15_000, "the server should have exited after SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
  }, 40_000);

  describe.each([
    { label: "DEMO unset", demo: undefined },
    { label: "DEMO=0", demo: "0" },
  ])("in production with $label", ({ demo }) => {
    let server: BuiltServer;

    beforeAll(async () => {
      server = startBuiltServer(await freePort(), { ...deploymentEnv(), ...(demo === undefined ? {} : { DEMO: demo }) });
      servers.push(server);
      await waitUntilListening(server);
    }, 40_000);

    async function get(pathAndQuery: string, headers: Record<string, string> = {}) {
      const response = await fetch(`http://127.0.0.1:${server.port}${pathAndQuery}`, {
        headers: { "User-Agent": BROWSER_UA, ...headers },
        redirect: "manual",
      });
      return { status: response.status, location: response.headers.get("location"), body: await response.text() };
    }

    it("GET /app without a Shopify session is sent to the login page", async () => {
      const response = await get("/app");
      expect(response.status).toBe(302);
      expect(response.location).toBe("/auth/login");
      expect(response.body).not.toContain(shopName);
    });

    it("GET /app naming the shop still needs Shopify's session token, and shows none of its data", async () => {
      const host = Buffer.from(`admin.shopify.com/store/${shopDomain.split(".")[0]}`).toString("base64url");
      for (const query of [`?shop=${shopDomain}`, `?shop=${shopDomain}&host=${host}&embedded=1`, `?shop=${shopDomain}&locale=en`]) {
        const response = await get(`/app${query}`);
        expect(response.status, query).toBe(302);
        expect(response.location, query).toMatch(/^\/auth\/(login|session-token)\b/);
        expect(response.body, query).not.toContain(shopName);
      }
    });

    it("the dashboard's data request gets no data: a redirect without a token, 401 with a forged one", async () => {
      const dataPath = `/app?_data=${encodeURIComponent("routes/app._index")}&shop=${shopDomain}`;
      const withoutToken = await get(dataPath);
      expect(withoutToken.status).toBe(204); // Remix's encoding of a redirect for fetch requests
      expect(withoutToken.body).toBe("");
      const forged = await get(dataPath, { Authorization: "Bearer not-a-session-token" });
      expect(forged.status).toBe(401);
      expect(forged.body).not.toContain(shopName);
      expect(forged.body).not.toContain('"stats"');
    });
  });
});
