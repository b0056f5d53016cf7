import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

// The app imports the generated Prisma client, which must match prisma/schema.prisma. The
// generator copies the schema it used next to its output, so comparing the two tells whether a
// `prisma generate` is due.
export async function prismaClientIsCurrent(root: string): Promise<boolean> {
  const schema = await readFile(path.join(root, "prisma", "schema.prisma"), "utf8");
  try {
    const generatedFrom = await readFile(path.join(root, "node_modules", ".prisma", "client", "schema.prisma"), "utf8");
    return generatedFrom === schema;
  } catch {
    return false;
  }
}

/**
 * Environment for `prisma generate`. Generating needs no schema engine, but Prisma's CLI looks for
 * the native binary first and, where it was never downloaded (offline installs skip the
 * postinstall), tries to fetch it. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file
 * skips that; the node binary is one that always exists.
 */
export function prismaGenerateEnv(root: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.PRISMA_SCHEMA_ENGINE_BINARY) return env;
  const enginesDir = path.join(root, "node_modules", "@prisma", "engines");
  const hasNativeEngine = existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));
  return hasNativeEngine ? env : { ...env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath };
}
