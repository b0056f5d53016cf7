import path from "node:path";
import { validateTestAssets } from "@shopify/shopify-function-test-helpers";
import { describe, expect, it } from "vitest";
import * as fn from "../src/index.js";
import { fixtureFiles, FIXTURES_DIR, functionSchema, readFixture, TARGETS, targetOf } from "./support";

// The fixtures are in the format `shopify app function run` logs and function-runner replays
// ({payload: {export, target, input, output}}), so they can run against the Wasm build wherever
// the CLI can compile it.

/** "cart-lines-discounts-generate-run" → "cartLinesDiscountsGenerateRun", as the CLI maps exports. */
const exportFunctionName = (exportName: string) => exportName.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

describe("fixtures", () => {
  const files = fixtureFiles();

  it("has fixtures for both targets", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files.map((file) => [path.relative(FIXTURES_DIR, file), file]))("%s is valid and the Function produces its output", async (_name, file) => {
    const fixture = await readFixture(file);
    const target = targetOf(fixture.target);
    expect(fixture.export).toBe(TARGETS[target].export);

    const { schema, queries } = await functionSchema();
    const validation = await validateTestAssets({ schema, fixture, inputQueryAST: queries[target] });
    expect(validation.error).toBeUndefined();
    expect(validation.inputQuery.errors).toEqual([]);
    expect(validation.inputFixture.errors).toEqual([]);
    expect(validation.outputFixture.errors).toEqual([]);

    const run = (fn as Record<string, (input: unknown) => unknown>)[exportFunctionName(fixture.export)];
    expect(run, `src/index.js exports ${exportFunctionName(fixture.export)}`).toBeTypeOf("function");
    expect(run(fixture.input)).toEqual(fixture.expectedOutput);
  });
});
