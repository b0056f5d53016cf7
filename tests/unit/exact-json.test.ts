import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isSafeNumber, parse as parseLossless } from "lossless-json";
import { describe, expect, it } from "vitest";
import { parseExactJson } from "~/utils/json.server";

// parseExactJson replaced lossless-json on the webhook path for speed; it must read every body
// exactly as lossless-json (with its isSafeNumber rule) did.
const lossless = (raw: string) => parseLossless(raw, null, (v: string) => (isSafeNumber(v) ? Number(v) : v));

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? fixtureFiles(join(dir, entry.name)) : entry.name.endsWith(".json") ? [join(dir, entry.name)] : [],
  );
}

describe("parseExactJson", () => {
  it("keeps ids above 2^53 digit for digit", () => {
    const parsed = parseExactJson('{"id":820982911946154508,"line_items":[{"id":9007199254740993,"quantity":2}]}') as {
      id: unknown;
      line_items: { id: unknown; quantity: unknown }[];
    };
    expect(parsed.id).toBe("820982911946154508");
    expect(parsed.line_items[0]).toEqual({ id: "9007199254740993", quantity: 2 });
    expect(JSON.parse('{"id":820982911946154508}').id).not.toBe(820982911946154508n.toString());
  });

  it.each([
    ["0", 0],
    ["-17", -17],
    ["9007199254740991", 9007199254740991],
    ["9007199254740992", "9007199254740992"],
    ["-9007199254740993", "-9007199254740993"],
    ["0.1", 0.1],
    ["19.99", 19.99],
    ["1.10", 1.1],
    ["1e3", 1000],
    ["2.5E-3", 0.0025],
    ["0.30000000000000004", 0.30000000000000004],
    ["123456789012345678.5", "123456789012345678.5"],
    ["0.12345678901234567890", "0.12345678901234567890"],
    ["1e400", "1e400"],
  ])("reads the number %s as %j", (text, expected) => {
    expect(parseExactJson(`[${text}]`)).toEqual([expected]);
  });

  it("reads every shared Shopify fixture and the repo's fixtures exactly as lossless-json does", () => {
    const files = [...fixtureFiles("../shared/fixtures"), ...fixtureFiles("tests/fixtures")];
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const raw = readFileSync(file, "utf8");
      const expected = lossless(raw);
      expect(parseExactJson(raw), file).toEqual(expected);
    }
  });

  it("rejects what is not JSON", () => {
    expect(() => parseExactJson("{id: 1}")).toThrow(SyntaxError);
    expect(() => parseExactJson("")).toThrow(SyntaxError);
  });
});
