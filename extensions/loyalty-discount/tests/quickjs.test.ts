import path from "node:path";
import { performance } from "node:perf_hooks";
import { build } from "esbuild";
import { getQuickJS, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from "quickjs-emscripten";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fn from "../src/index.js";
import { cartInput, config, deliveryInput, fixtureFiles, FUNCTION_DIR, manyLines, readFixture, TARGETS, type TargetName, targetOf } from "./support";

// Shopify compiles a JavaScript Function with javy, which embeds QuickJS. Wasm cannot be built on
// this machine (the CLI downloads javy), so the next best proof is the same bundle the CLI makes —
// its generated entry, esbuild, ES module, es2022 — evaluated by QuickJS itself: any API QuickJS
// lacks, or any difference in BigInt or string handling, shows up as a throw or a different output.

const EXPORTS: Record<TargetName, string> = {
  lines: "cartLinesDiscountsGenerateRun",
  delivery: "cartDeliveryOptionsDiscountsGenerateRun",
};

/** What `shopify app function build` bundles: one wrapper per target around the user function. */
function cliEntrypoint(): string {
  const wrappers = Object.values(EXPORTS).map((name) => {
    const runName = `run${name[0].toUpperCase()}${name.slice(1)}`;
    return `import { ${name} as ${runName} } from "user-function"\nexport function ${name}() { return __runFunction(${runName}) }`;
  });
  return [`import __runFunction from "@shopify/shopify_function/run"`, ...wrappers].join("\n");
}

async function bundleLikeTheCli(): Promise<string> {
  const result = await build({
    stdin: { contents: cliEntrypoint(), loader: "ts", resolveDir: FUNCTION_DIR },
    alias: { "user-function": path.join(FUNCTION_DIR, "src/index.js") },
    bundle: true,
    format: "esm",
    target: "es2022",
    legalComments: "none",
    logLevel: "silent",
    write: false,
  });
  return result.outputFiles[0].text;
}

let bundle: string;
let runtime: QuickJSRuntime;
let vm: QuickJSContext;
let moduleExports: QuickJSHandle;
let pendingInput = "";
let writtenOutput: string | null = null;

beforeAll(async () => {
  bundle = await bundleLikeTheCli();
  const quickjs = await getQuickJS();
  runtime = quickjs.newRuntime();
  // Shopify's Function memory limit is 10 MB; the interpreter and the 200-line input must fit.
  runtime.setMemoryLimit(10 * 1024 * 1024);
  vm = runtime.newContext();

  // javy's ShopifyFunction global: reads the input the host gives, writes the output back.
  const readInput = vm.newFunction("__hostReadInput", () => vm.newString(pendingInput));
  const writeOutput = vm.newFunction("__hostWriteOutput", (text) => {
    writtenOutput = vm.getString(text);
  });
  vm.setProp(vm.global, "__hostReadInput", readInput);
  vm.setProp(vm.global, "__hostWriteOutput", writeOutput);
  readInput.dispose();
  writeOutput.dispose();
  vm.unwrapResult(
    vm.evalCode(
      "globalThis.ShopifyFunction = { readInput: () => JSON.parse(__hostReadInput()), writeOutput: (value) => __hostWriteOutput(JSON.stringify(value)) };",
    ),
  ).dispose();

  moduleExports = vm.unwrapResult(vm.evalCode(bundle, "function.js", { type: "module" }));
});

afterAll(() => {
  moduleExports?.dispose();
  vm?.dispose();
  runtime?.dispose();
});

function runInQuickJS(target: TargetName, input: unknown): unknown {
  pendingInput = JSON.stringify(input);
  writtenOutput = null;
  const exported = vm.getProp(moduleExports, EXPORTS[target]);
  try {
    vm.unwrapResult(vm.callFunction(exported, vm.undefined)).dispose();
  } finally {
    exported.dispose();
  }
  if (writtenOutput === null) throw new Error(`${EXPORTS[target]} wrote no output`);
  return JSON.parse(writtenOutput);
}

function runInNode(target: TargetName, input: unknown): unknown {
  const run = (fn as Record<string, (value: unknown) => unknown>)[EXPORTS[target]];
  // Through JSON both ways, as the Function host passes it.
  return JSON.parse(JSON.stringify(run(JSON.parse(JSON.stringify(input)))));
}

const generatedCases: [string, TargetName, unknown][] = [
  ["1 line, fixed amount", "lines", cartInput({ lines: manyLines(1), config: config.fixed("1.00") })],
  ["50 lines, percentage", "lines", cartInput({ lines: manyLines(50), config: config.percentage("15") })],
  ["200 lines, capped percentage in EUR", "lines", cartInput({ lines: manyLines(200), currency: "EUR", rate: "0.9234", config: config.percentage("10", { cap: "20.00" }) })],
  ["200 lines, free product", "lines", cartInput({ lines: manyLines(200), config: config.freeProduct("gid://shopify/ProductVariant/10199") })],
  ["200 JPY lines, fixed amount with a minimum", "lines", cartInput({ lines: manyLines(200, { currencyDigits: 0 }), currency: "JPY", rate: "149.87", config: config.fixed("5.00", { minimumSubtotal: "50.00" }) })],
  ["malformed configuration", "lines", cartInput({ lines: manyLines(3), config: { v: 1, kind: "fixed_amount", amount: 5 } })],
  ["order class missing", "lines", cartInput({ lines: manyLines(3), classes: ["SHIPPING"], config: config.fixed("5.00") })],
  ["free shipping, 3 groups", "delivery", deliveryInput({ lines: manyLines(20), groups: 3, config: config.freeShipping({ message: "Free shipping" }) })],
  ["free shipping below the minimum", "delivery", deliveryInput({ lines: manyLines(1), config: config.freeShipping({ minimumSubtotal: "500.00" }) })],
];

describe("the CLI-style bundle inside QuickJS", () => {
  it("is one ES module exporting both targets, small enough for a Function", () => {
    expect(bundle).toMatch(/export\s*\{[^}]*cartLinesDiscountsGenerateRun[^}]*\}/);
    expect(bundle).toMatch(/cartDeliveryOptionsDiscountsGenerateRun/);
    // The compiled module must stay under Shopify's 256 KB; the bundle is what javy compiles.
    expect(Buffer.byteLength(bundle)).toBeLessThan(64 * 1024);
  });

  it.each(generatedCases)("%s: same output as Node", (_label, target, input) => {
    expect(runInQuickJS(target, input)).toEqual(runInNode(target, input));
  });

  it("every fixture: same output as Node and as the fixture", async () => {
    for (const file of fixtureFiles()) {
      const fixture = await readFixture(file);
      const target = targetOf(fixture.target);
      expect(TARGETS[target].export).toBe(fixture.export);
      const output = runInQuickJS(target, fixture.input);
      expect(output, path.basename(file)).toEqual(runInNode(target, fixture.input));
      expect(output, path.basename(file)).toEqual(fixture.expectedOutput);
    }
  });

  it("measures the 200-line cart (bundle size, time per run)", async ({ annotate }) => {
    const input = cartInput({ lines: manyLines(200), currency: "EUR", rate: "0.9234", config: config.freeProduct("gid://shopify/ProductVariant/10199") });
    const runs = 50;
    runInQuickJS("lines", input); // warm-up: first call compiles nothing more, but allocates the shapes
    const started = performance.now();
    for (let i = 0; i < runs; i += 1) runInQuickJS("lines", input);
    const perRunMs = (performance.now() - started) / runs;
    const bytes = Buffer.byteLength(bundle);
    await annotate(`bundle ${bytes} bytes; QuickJS ${perRunMs.toFixed(2)} ms per run of the 200-line cart (mean of ${runs}, incl. JSON in/out)`);
    expect(perRunMs).toBeGreaterThan(0);
  });
});
