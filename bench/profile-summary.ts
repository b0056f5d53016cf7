import { readFile } from "node:fs/promises";
import path from "node:path";

// Summarises a V8 .cpuprofile (node --cpu-prof, as written by `bench/ingest.ts --profile`): where
// the process spent its CPU, by function (self time) and by package (self time of its files).
//   npx tsx bench/profile-summary.ts bench/out/<run>/app.cpuprofile [--top 30] [--skip 10]
// --skip S leaves out the first S seconds (start-up: module loading and compilation).

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string): string {
  if (!url) return "(native / V8)";
  const file = url.replace(/^file:\/\//, "");
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (match) return match[1];
  if (file.startsWith("node:")) return "node:core";
  return path.relative(process.cwd(), file).split(path.sep).slice(0, 2).join("/");
}

async function main() {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    console.error("usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--skip S]");
    process.exit(2);
  }
  const topIndex = rest.indexOf("--top");
  const top = topIndex >= 0 ? Number(rest[topIndex + 1]) : 30;
  const skipIndex = rest.indexOf("--skip");
  const skipUs = skipIndex >= 0 ? Number(rest[skipIndex + 1]) * 1e6 : 0;
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName === "(idle)").reduce((s, [, us]) => s + us, 0);

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id) as ProfileNode;
    if (callFrame.functionName === "(idle)") continue;
    const key = `${callFrame.functionName || "(anonymous)"}  ${callFrame.url ? `${packageOf(callFrame.url)}:${callFrame.lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = callFrame.functionName.startsWith("(") ? callFrame.functionName : packageOf(callFrame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  // Inclusive time: a function's own samples plus everything it called (counted once per stack,
  // so recursion does not double count). Async continuations start new stacks, so this shows
  // synchronous cost only.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (byId.get(id)?.callFrame.functionName === "(idle)") continue;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const { callFrame } = byId.get(cur) as ProfileNode;
      const key = `${callFrame.functionName || "(anonymous)"}  ${callFrame.url ? `${packageOf(callFrame.url)}:${callFrame.lineNumber + 1}` : ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  console.log(`${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((busy / total) * 100).toFixed(0)}%)`);
  console.log("\nby package (self time, share of busy time)");
  for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${pct(us)}  ${pkg}`);
  console.log(`\ntop ${top} functions (self time)`);
  for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${fn}`);
  console.log(`\ntop ${top} functions (inclusive synchronous time)`);
  for (const [fn, us] of [...inclusive].filter(([k]) => !k.startsWith("(root)")).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${fn}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
