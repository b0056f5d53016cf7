import { readdir, stat } from "node:fs/promises";
import path from "node:path";

// `remix build` takes a while, so the demo only runs it when build/ is missing or older than what
// it is built from.
const BUILD_INPUTS = ["app", "server/demo", "remix.config.js", "package-lock.json", "tsconfig.json"];

async function newestMtime(target: string): Promise<number> {
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs; // a deleted file only shows as its directory's mtime
  for (const entry of await readdir(target, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    newest = Math.max(newest, await newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** Why the build must be redone, or null when build/index.js is newer than every input. */
export async function buildStaleness(root: string): Promise<"missing" | "outdated" | null> {
  let built: number;
  try {
    built = (await stat(path.join(root, "build", "index.js"))).mtimeMs;
  } catch {
    return "missing";
  }
  const inputs = await Promise.all(BUILD_INPUTS.map((p) => newestMtime(path.join(root, p))));
  return Math.max(...inputs) > built ? "outdated" : null;
}
