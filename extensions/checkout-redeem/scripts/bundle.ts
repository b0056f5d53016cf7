// Bundles the extension the way Shopify CLI 4 does for a UI extension (its esbuild options:
// stdin that registers each target with shopify.extend, bundle, minify, target es6, automatic
// JSX, process.env.* defined) and measures it against a size budget.
//
//   npx tsx extensions/checkout-redeem/scripts/bundle.ts    prints the sizes, exits 1 over budget

import { build, type Format } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const EXTENSION_DIR = join(import.meta.dirname, '..');

/** Shopify refuses a UI extension over 64 KB compressed; ours must stay far below. */
export const SHOPIFY_LIMIT_BYTES = 64 * 1024;
export const COMPRESSED_BUDGET_BYTES = 20 * 1024;

export interface TargetModule {
  target: string;
  module: string;
}

/** The [[extensions.targeting]] blocks of shopify.extension.toml, in order. */
export function targetModules(toml: string): TargetModule[] {
  const blocks = toml.split(/^\s*\[\[extensions\.targeting\]\]\s*$/m).slice(1);
  return blocks.map((block) => {
    const target = /^\s*target\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    const module = /^\s*module\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    if (!target || !module) throw new Error('Every [[extensions.targeting]] needs a target and a module');
    return { target, module };
  });
}

export interface BundleSize {
  rawBytes: number;
  gzipBytes: number;
  /** What the CLI prints after a build ("~N KB compressed"): brotli at quality 11. */
  brotliBytes: number;
  code: string;
}

export async function bundleExtension(options: { appUrl?: string; format?: Format } = {}): Promise<BundleSize> {
  const toml = readFileSync(join(EXTENSION_DIR, 'shopify.extension.toml'), 'utf8');
  const entry = targetModules(toml)
    .map(({ target, module }, i) => `import Target_${i} from '${module}';shopify.extend('${target}', (...args) => Target_${i}(...args));`)
    .join('\n');
  const define: Record<string, string> = { 'process.env.NODE_ENV': JSON.stringify('production') };
  if (options.appUrl !== undefined) define['process.env.APP_URL'] = JSON.stringify(options.appUrl);
  const result = await build({
    stdin: { contents: entry, resolveDir: EXTENSION_DIR, loader: 'tsx' },
    bundle: true,
    write: false,
    minify: true,
    target: 'es6',
    // The CLI sets no format, so esbuild's default for a browser bundle (iife) is what ships.
    ...(options.format ? { format: options.format } : {}),
    jsx: 'automatic',
    define,
    loader: { '.esnext': 'ts', '.js': 'jsx' },
    resolveExtensions: ['.tsx', '.ts', '.js', '.json', '.esnext', '.mjs', '.ejs'],
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0].contents;
  return {
    rawBytes: output.byteLength,
    gzipBytes: gzipSync(output, { level: 9 }).byteLength,
    brotliBytes: brotliCompressSync(output, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
    code: new TextDecoder().decode(output),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main() {
  const shipped = await bundleExtension({ appUrl: 'https://loyalnest.example.com' });
  const esm = await bundleExtension({ appUrl: 'https://loyalnest.example.com', format: 'esm' });
  const lines = [
    `checkout-redeem bundle (as shipped, iife): ${shipped.rawBytes} B raw (${kb(shipped.rawBytes)}), ${shipped.gzipBytes} B gzip, ${shipped.brotliBytes} B brotli`,
    `checkout-redeem bundle (esm):              ${esm.rawBytes} B raw (${kb(esm.rawBytes)}), ${esm.gzipBytes} B gzip, ${esm.brotliBytes} B brotli`,
    `budget: ${kb(COMPRESSED_BUDGET_BYTES)} compressed (Shopify's limit: ${kb(SHOPIFY_LIMIT_BYTES)})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const largest = Math.max(shipped.gzipBytes, esm.gzipBytes);
  if (largest > COMPRESSED_BUDGET_BYTES) {
    process.stderr.write(`over budget: ${largest} B gzip > ${COMPRESSED_BUDGET_BYTES} B\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main();
