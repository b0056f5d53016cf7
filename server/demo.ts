import { readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { applyMigrations } from "./apply-migrations";
import { readAccessScopes } from "./demo/app-toml";
import { buildStaleness } from "./demo/build";
import { runToCompletion, startChild, type RunningChild } from "./demo/children";
import { demoEnvPath, loadDemoCredentials } from "./demo/demo-env";
import { startDevReadyListener, type DevReadyListener } from "./demo/dev-ready";
import { PGLITE_POOL_MAX, startEmbeddedPostgres, type EmbeddedPostgres } from "./demo/embedded-postgres";
import { DEMO_SHOP_PROFILE, installDemoShop, withPrisma } from "./demo/install";
import { replayDemoStream } from "./demo/replay";
import { bold, dim, friendlyLine, say } from "./demo/log";
import { prismaClientIsCurrent, prismaGenerateEnv } from "./demo/prisma-client";
import { startAdminStandin, type AdminStandin } from "./standins/shopify-admin";

// `npm run demo`: the whole app on one machine with nothing but Node and node_modules. PostgreSQL
// is PGlite unless DATABASE_URL is set; jobs run inside the app unless REDIS_URL is set (then
// `npm run worker` runs beside it); Shopify's Admin API is the local stand-in. Environment:
//   DEMO_DIR   data directory (default .demo/)      DEMO_PORT   app port (default 3000)
//   DEMO_SHOP  demo shop domain                      DEMO_DEBUG=1  stack traces on failure
//   DATABASE_URL / REDIS_URL  use these instead of PGlite / in-process jobs

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const HOST = "127.0.0.1";
const DEFAULT_SHOP = "demo-loyalnest.myshopify.com";
const APP_READY_TIMEOUT_MS = 90_000;
const APP_STOP_GRACE_MS = 10_000;
const WORKER_STOP_GRACE_MS = 35_000; // the worker's own default drain is 30 s

const nonEmpty = (value: string | undefined) => (value && value.trim() !== "" ? value.trim() : undefined);

interface DemoSettings {
  demoDir: string;
  port: number;
  shop: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Replay a month of webhooks into a new demo shop (DEMO_REPLAY=0 turns it off). */
  replay: boolean;
}

function readSettings(env: NodeJS.ProcessEnv): DemoSettings {
  const port = Number(nonEmpty(env.DEMO_PORT) ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`DEMO_PORT must be a port number, not "${env.DEMO_PORT}"`);
  const shop = nonEmpty(env.DEMO_SHOP) ?? DEFAULT_SHOP;
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) throw new UsageError(`DEMO_SHOP must be a *.myshopify.com domain, not "${shop}"`);
  return {
    demoDir: path.resolve(ROOT, nonEmpty(env.DEMO_DIR) ?? ".demo"),
    port,
    shop,
    databaseUrl: nonEmpty(env.DATABASE_URL),
    redisUrl: nonEmpty(env.REDIS_URL),
    replay: nonEmpty(env.DEMO_REPLAY) !== "0",
  };
}

/** A problem the person running the demo can fix; printed without a stack trace. */
class UsageError extends Error {}

function display(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") ? relative : file;
}

function binOf(pkg: string, bin: string): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: string | Record<string, string> };
  const relative = typeof manifest.bin === "string" ? manifest.bin : manifest.bin[bin];
  return path.join(path.dirname(manifestPath), relative);
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new UsageError(`Port ${port} is already in use. Stop what uses it or set DEMO_PORT.`) : error),
    );
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

/** One demo per data directory: two PGlite instances on the same files would corrupt them. */
async function lockDemoDir(demoDir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(demoDir, "demo.pid");
  const holder = Number((await readFile(lockFile, "utf8").catch(() => "")).trim());
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
    throw new UsageError(`Another demo is already running on ${display(demoDir)} (pid ${holder}). Stop it first, or set DEMO_DIR.`);
  }
  await writeFile(lockFile, `${process.pid}\n`);
  return () => rm(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function waitForHealthy(url: string, appExited: Promise<unknown>, timeoutMs: number): Promise<{ ok: boolean; body: string }> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void appExited.then(() => {
    exited = true;
  });
  let body = "";
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      body = await response.text();
      if (response.status === 200) return { ok: true, body };
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { ok: false, body };
}

async function main(): Promise<number> {
  const settings = readSettings(process.env);
  console.log(`\n${bold("LoyalNest demo")} ${dim("— a local shop, no Shopify account needed")}\n`);

  await assertPortFree(settings.port);
  await mkdir(settings.demoDir, { recursive: true });
  const unlock = await lockDemoDir(settings.demoDir);

  // Promises, so that a Ctrl-C arriving while one of them is still starting waits for it and then
  // closes it (PGlite above all: it must be shut down to flush its files).
  let database: Promise<EmbeddedPostgres> | undefined;
  let standin: Promise<AdminStandin> | undefined;
  let devReady: Promise<DevReadyListener> | undefined;
  const children: RunningChild[] = [];
  let stopping: Promise<number> | undefined;

  // If the demo itself dies, its children must not outlive it holding the port.
  process.once("exit", () => children.forEach((child) => child.kill()));

  const shutdown = (exitCode: number): Promise<number> => {
    stopping ??= (async () => {
      say.info("Stopping…");
      const results = await Promise.all(
        children.map(async (child) => ({ child, ...(await child.stop(child.name === "worker" ? WORKER_STOP_GRACE_MS : APP_STOP_GRACE_MS)) })),
      );
      for (const { child, forced, code, signal } of results) {
        if (forced) say.warn(`${child.name} did not stop within its grace period and was killed`);
        // npm re-raises the SIGINT it was stopped with; anything else is worth a word.
        else if (code !== 0 && signal !== "SIGINT" && signal !== "SIGTERM" && exitCode === 0) say.warn(`${child.name} exited with ${signal ?? `code ${code}`}`);
      }
      const started = <T,>(resource: Promise<T> | undefined) => resource?.catch(() => undefined);
      await (await started(standin))?.close();
      await (await started(devReady))?.close();
      await (await started(database))?.close(); // PGlite writes its last changes to disk here
      await unlock();
      say.step("stopped", database ? `data kept in ${display(settings.demoDir)}` : "");
      return exitCode;
    })();
    return stopping;
  };

  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // tsx (npm run demo) may relay the terminal's signal once more right after the first.
      if (Date.now() - firstSignalAt < 1000) return;
      say.warn(`${signal} again: killing the app and worker now`);
      children.forEach((child) => child.kill());
      return;
    }
    firstSignalAt = Date.now();
    void shutdown(0).then((code) => process.exit(code));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  try {
    const { credentials, generated } = await loadDemoCredentials(settings.demoDir);
    say.step("credentials", generated ? `generated, saved in ${display(demoEnvPath(settings.demoDir))}` : `from ${display(demoEnvPath(settings.demoDir))}`);

    let databaseUrl: string;
    if (settings.databaseUrl) {
      databaseUrl = settings.databaseUrl;
      say.step("database", "DATABASE_URL");
    } else {
      const dataDir = path.join(settings.demoDir, "pgdata");
      database = startEmbeddedPostgres({ dataDir, host: HOST });
      databaseUrl = (await database).url;
      say.step("database", `PGlite, data in ${display(dataDir)}`);
    }

    const applied = await applyMigrations(databaseUrl, path.join(ROOT, "prisma", "migrations"));
    say.step("migrations", applied.length ? `applied ${applied.join(", ")}` : "up to date");

    if (await prismaClientIsCurrent(ROOT)) {
      say.step("prisma", "client up to date");
    } else {
      await runToCompletion({
        name: "prisma generate",
        command: process.execPath,
        args: [binOf("prisma", "prisma"), "generate"],
        cwd: ROOT,
        env: prismaGenerateEnv(ROOT, { ...process.env, DATABASE_URL: databaseUrl }),
      });
      say.step("prisma", "client generated");
    }

    const scopes = await readAccessScopes(path.join(ROOT, "shopify.app.toml"));
    const { created } = await withPrisma(databaseUrl, (prisma) =>
      installDemoShop(prisma, { shop: settings.shop, accessToken: credentials.DEMO_ADMIN_ACCESS_TOKEN, scopes }),
    );
    say.step("demo shop", `${settings.shop} ${dim(created ? "(installed)" : "(already installed)")}`);

    standin = startAdminStandin({ port: 0, host: HOST });
    const adminApi = await standin;
    adminApi.addShop(settings.shop, credentials.DEMO_ADMIN_ACCESS_TOKEN, DEMO_SHOP_PROFILE);
    // The stand-in starts empty each run: the members of earlier runs are its customers again.
    await withPrisma(databaseUrl, async (prisma) => {
      const members = await prisma.member.findMany({ where: { shop: settings.shop }, select: { shopifyCustomerId: true, email: true } });
      for (const m of members) adminApi.addCustomer(settings.shop, { id: `gid://shopify/Customer/${m.shopifyCustomerId}`, email: m.email });
    });
    say.step("Admin API", `stand-in on ${adminApi.url}`);

    const staleness = await buildStaleness(ROOT);
    if (staleness) {
      say.info(`Building the app (${staleness === "missing" ? "first run" : "sources changed"})…`);
      const started = Date.now();
      await runToCompletion({ name: "remix build", command: process.execPath, args: [binOf("@remix-run/dev", "remix"), "build"], cwd: ROOT, env: process.env });
      say.step("build", `done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } else {
      say.step("build", "up to date");
    }

    devReady = startDevReadyListener(HOST);
    const appAnnouncements = await devReady;
    const appUrl = `http://${HOST}:${settings.port}`;
    const sharedEnv: NodeJS.ProcessEnv = {
      ...process.env,
      // The server defaults NODE_ENV to production, which (rightly) refuses DEMO=1.
      NODE_ENV: "development",
      HOST,
      PORT: String(settings.port),
      DEMO: "1",
      DEMO_SHOP: settings.shop,
      SHOPIFY_API_KEY: credentials.SHOPIFY_API_KEY,
      SHOPIFY_API_SECRET: credentials.SHOPIFY_API_SECRET,
      SHOPIFY_APP_URL: appUrl,
      SCOPES: scopes,
      SHOPIFY_ADMIN_API_ORIGIN: adminApi.url,
      DATABASE_URL: databaseUrl,
      ...(database ? { DATABASE_POOL_MAX: String(PGLITE_POOL_MAX) } : {}),
      REDIS_URL: settings.redisUrl ?? "",
      ...(settings.redisUrl ? { BULL_PREFIX: nonEmpty(process.env.BULL_PREFIX) ?? "loyalnest-demo" } : {}),
    };
    const appEnv: NodeJS.ProcessEnv = {
      ...sharedEnv,
      REMIX_DEV_ORIGIN: appAnnouncements.origin,
      // Ends the server promptly on SIGTERM (see demo/app-exit.mjs).
      NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import ${JSON.stringify(pathToFileURL(path.join(ROOT, "server", "demo", "app-exit.mjs")).href)}`]
        .filter(Boolean)
        .join(" "),
    };

    const app = startChild({
      name: "app",
      command: process.execPath,
      args: [path.join(ROOT, "server", "serve.ts"), "build/index.js"],
      cwd: ROOT,
      env: appEnv,
      onLine: (line) => {
        const shown = friendlyLine(line);
        if (shown !== null) say.child("app", shown);
      },
    });
    children.push(app);

    if (settings.redisUrl) {
      const npmCli = nonEmpty(process.env.npm_execpath);
      const worker = startChild({
        name: "worker",
        command: npmCli ? process.execPath : "npm",
        args: [...(npmCli ? [npmCli] : []), "run", "--silent", "worker"],
        cwd: ROOT,
        env: sharedEnv,
        stopSignal: "SIGINT",
        onLine: (line) => {
          const shown = friendlyLine(line);
          if (shown !== null) say.child("worker", shown);
        },
      });
      children.push(worker);
    }

    for (const child of children) {
      void child.exited.then(
        ({ code, signal }) => {
          if (stopping) return;
          say.error(`The ${child.name} stopped unexpectedly (${signal ?? `exit code ${code}`}); see its output above.`);
          void shutdown(1).then((exitCode) => process.exit(exitCode));
        },
        (error: unknown) => {
          say.error(`The ${child.name} could not be started: ${error instanceof Error ? error.message : String(error)}`);
          void shutdown(1).then((exitCode) => process.exit(exitCode));
        },
      );
    }

    const listening = await Promise.race([
      appAnnouncements.ready.then(() => true),
      app.exited.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), APP_READY_TIMEOUT_MS).unref()),
    ]);
    if (!listening) {
      if (!app.hasExited) say.error(`The app did not start listening within ${APP_READY_TIMEOUT_MS / 1000} s.`);
      return await shutdown(1);
    }
    const health = await waitForHealthy(`${appUrl}/healthz`, app.exited, 30_000);
    if (stopping) return await stopping;
    if (!health.ok) say.warn(`The app is up but not healthy yet: /healthz says ${health.body || "nothing"}`);

    if (settings.replay) {
      const fresh = await withPrisma(databaseUrl, async (prisma) => (await prisma.orderEarning.count({ where: { shop: settings.shop } })) === 0);
      if (fresh) {
        say.info("Replaying a month of signed Shopify webhooks into the demo shop…");
        const replay = await replayDemoStream({
          appUrl, shop: settings.shop, secret: credentials.SHOPIFY_API_SECRET,
          onCustomer: ({ id }) => adminApi.addCustomer(settings.shop, { id: `gid://shopify/Customer/${id}` }),
        });
        if (replay.failed.length > 0) say.warn(`${replay.failed.length} of ${replay.sent} webhooks were not acknowledged: ${JSON.stringify(replay.failed.slice(0, 3))}`);
        say.step("webhooks", `${replay.acknowledged} delivered ${dim("(processed in the background)")}`);
      } else {
        say.step("webhooks", `demo data already present ${dim("(delete the demo folder for a fresh month)")}`);
      }
    }

    const browserUrl = `http://localhost:${settings.port}`;
    console.log(`\n${bold("LoyalNest demo is running")}`);
    say.info(`Admin       ${bold(`${browserUrl}/app`)}`);
    say.info(`Health      ${browserUrl}/healthz`);
    say.info(`Admin API   ${adminApi.url} ${dim("(local stand-in for Shopify)")}`);
    say.info(`Database    ${databaseUrl.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@")}${database ? dim(" (PGlite)") : ""}`);
    say.info(`Jobs        ${settings.redisUrl ? "worker process on REDIS_URL" : "in the app process (no REDIS_URL)"}`);
    say.info(`API key     ${credentials.SHOPIFY_API_KEY}`);
    say.info(`API secret  ${credentials.SHOPIFY_API_SECRET} ${dim(`(in ${display(demoEnvPath(settings.demoDir))})`)}`);
    console.log(`\nPress Ctrl-C to stop.\n`);
    return await new Promise<number>(() => {
      // Runs until a signal or a child's exit calls shutdown(), which exits the process.
    });
  } catch (error) {
    // A Ctrl-C during startup closes what the startup was using; that is not a failure to report.
    if (stopping) return await stopping;
    if (error instanceof UsageError) say.error(error.message);
    else if (process.env.DEMO_DEBUG === "1") say.error(`The demo could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    else say.error(`The demo could not start: ${error instanceof Error ? error.message : String(error)} ${dim("(DEMO_DEBUG=1 shows where)")}`);
    return await shutdown(1);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
