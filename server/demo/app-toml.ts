import { readFile } from "node:fs/promises";

// The demo session gets exactly the scopes the app asks Shopify for. shopify.app.toml is the one
// place they are declared; this reads `scopes` from its [access_scopes] table (a plain string, as
// the Shopify CLI writes it) without pulling in a TOML parser.
export async function readAccessScopes(tomlPath: string): Promise<string> {
  const text = await readFile(tomlPath, "utf8");
  let inAccessScopes = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line.startsWith("[")) {
      inAccessScopes = line === "[access_scopes]";
      continue;
    }
    if (!inAccessScopes) continue;
    const match = /^scopes\s*=\s*"([^"]*)"$/.exec(line);
    if (match) {
      const scopes = match[1].split(",").map((s) => s.trim()).filter(Boolean);
      if (scopes.length === 0) break;
      return scopes.join(",");
    }
  }
  throw new Error(`${tomlPath} has no [access_scopes] scopes = "…" entry`);
}
