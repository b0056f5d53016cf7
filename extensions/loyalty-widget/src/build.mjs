// Builds the widget's assets from src/: one minified script per entry (no shared chunk, so each
// page loads only what its blocks need) and the stylesheet. Theme app extensions have no build
// step of their own; the outputs are committed and a unit test fails when they are stale.
//   node extensions/loyalty-widget/src/build.mjs
import { build } from "esbuild";
import { Buffer } from "node:buffer";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SRC = path.dirname(fileURLToPath(import.meta.url));
const ASSETS = path.join(SRC, "..", "assets");

export const ENTRIES = {
  "loyalnest-launcher.js": "launcher.ts",
  "loyalnest-product.js": "product.ts",
  "loyalnest-panel.js": "panel.ts",
  "loyalnest.css": "loyalnest.css",
};

/** Every asset's expected content, keyed by file name. */
export async function buildAssets() {
  const outputs = {};
  for (const [asset, entry] of Object.entries(ENTRIES)) {
    const result = await build({
      entryPoints: [path.join(SRC, entry)],
      bundle: true,
      minify: true,
      write: false,
      format: entry.endsWith(".ts") ? "iife" : undefined,
      // Modern syntax as is (BigInt, ?., ??=, class fields): every browser Shopify supports has it.
      target: "es2022",
      legalComments: "none",
      charset: "utf8",
      logLevel: "silent",
    });
    outputs[asset] = result.outputFiles[0].text;
  }
  return outputs;
}

export async function assetsAreCurrent() {
  const outputs = await buildAssets();
  const stale = [];
  for (const [asset, text] of Object.entries(outputs)) {
    const current = await readFile(path.join(ASSETS, asset), "utf8").catch(() => null);
    if (current !== text) stale.push(asset);
  }
  return stale;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outputs = await buildAssets();
  for (const [asset, text] of Object.entries(outputs)) {
    await writeFile(path.join(ASSETS, asset), text);
    console.log(`${asset.padEnd(24)} ${String(Buffer.byteLength(text)).padStart(6)} bytes`);
  }
}
