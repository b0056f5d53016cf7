import { z } from "zod";

// The environment is parsed once; a missing or malformed variable stops boot with its name.
const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());
const flag = z.preprocess(emptyToUndefined, z.enum(["0", "1", "true", "false"]).optional())
  .transform((v) => v === "1" || v === "true");

function codeKeysProblem(value: string): string | null {
  const entries = value.split(",").map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) return "must list at least one key";
  const ids = new Set<string>();
  for (const entry of entries) {
    const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(entry);
    if (!match) return 'must be "<id>:<base64 key>" entries separated by commas';
    if (ids.has(match[1])) return `lists the key id ${match[1]} twice`;
    ids.add(match[1]);
    if (Buffer.from(match[2], "base64").length !== 32) return `key ${match[1]} must be 32 bytes (base64)`;
  }
  return null;
}

export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    SHOPIFY_API_KEY: z.string().min(1),
    SHOPIFY_API_SECRET: z.string().min(1),
    SHOPIFY_APP_URL: z.url(),
    SCOPES: z.string().min(1),
    SHOP_CUSTOM_DOMAIN: z.preprocess(emptyToUndefined, z.string().optional()),
    DATABASE_URL: z.url().refine((u) => /^postgres(ql)?:\/\//.test(u), "must be a postgresql:// URL"),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    // Unset only in the local demo, which then runs jobs in-process.
    REDIS_URL: z.preprocess(emptyToUndefined, z.url().refine((u) => /^rediss?:\/\//.test(u), "must be a redis:// URL").optional()),
    // Bull key prefix: keeps deployments (or parallel test runs) that share one Redis apart.
    BULL_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, _ or -").default("loyalnest")),
    // A webhook job mostly waits on PostgreSQL and Redis, and paid orders in flight together share
    // one transaction (group commit): 32 at once measured best on two vCPUs (bench/RESULTS.md).
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(32),
    // How long a stopping worker waits for running jobs; keep it below the platform's kill timeout.
    WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
    // Bull's job lock and stalled-job check (its defaults). A job whose worker died is rerun once its
    // lock has expired and the next check runs: up to lock + interval later.
    BULL_LOCK_DURATION_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    BULL_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
    // Where Admin API calls go. Unset in production (each shop's own https://<shop>/admin/api);
    // tests and the demo point it at the local Admin API stand-in.
    SHOPIFY_ADMIN_API_ORIGIN: optionalUrl,
    // Keys that encrypt stored discount codes (AES-256-GCM): "<id>:<base64 of 32 bytes>", comma-separated,
    // the first encrypts, all decrypt (rotation: put the new key first, keep the old ones).
    // Required in production; elsewhere a key derived from SHOPIFY_API_SECRET is used (see code-cipher).
    REDEMPTION_CODE_KEYS: z.preprocess(emptyToUndefined, z.string().superRefine((value, ctx) => {
      const problem = codeKeysProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }).optional()),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // How long the web process lets in-flight requests finish after SIGTERM before closing its pools.
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.preprocess(emptyToUndefined, z.string().optional()),
    // Local demo only (npm run demo): the embedded admin opens in a plain browser for DEMO_SHOP.
    DEMO: flag,
    DEMO_SHOP: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a *.myshopify.com domain").default("demo-loyalnest.myshopify.com"),
  })
  .superRefine((env, ctx) => {
    if (env.DEMO && !["127.0.0.1", "localhost", "::1"].includes(env.HOST ?? "")) {
      ctx.addIssue({ code: "custom", path: ["HOST"], message: "must be a loopback address (127.0.0.1) when DEMO=1" });
    }
    if (env.NODE_ENV === "production") {
      if (env.DEMO) ctx.addIssue({ code: "custom", path: ["DEMO"], message: "the demo mode cannot run with NODE_ENV=production" });
      if (!env.REDIS_URL) ctx.addIssue({ code: "custom", path: ["REDIS_URL"], message: "is required in production" });
      if (!env.REDEMPTION_CODE_KEYS) ctx.addIssue({ code: "custom", path: ["REDEMPTION_CODE_KEYS"], message: "is required in production" });
      if (env.SHOPIFY_ADMIN_API_ORIGIN) ctx.addIssue({ code: "custom", path: ["SHOPIFY_ADMIN_API_ORIGIN"], message: "is for tests and the demo only; unset it in production" });
    }
  });

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join(".") || "(environment)";
        const missing = issue.code === "invalid_type" && env[name] === undefined;
        return missing ? `${name} is missing` : `${name} ${issue.message}`;
      }),
    );
  }
  return result.data;
}

let cached: AppConfig | undefined;

export function config(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Tests only: forget the parsed environment so the next call re-reads process.env. */
export function resetConfigForTests() {
  cached = undefined;
}
