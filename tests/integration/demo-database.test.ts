import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../server/demo/embedded-postgres";

// The demo's database (PGlite behind a loopback listener) as a new user meets it: the URL the demo
// prints must work in psql, and the app's pipelined statements must come back in order.

const run = promisify(execFile);
const psqlAvailable = await run("psql", ["--version"]).then(() => true, () => false);

let dir: string;
let database: EmbeddedPostgres;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "loyalnest-demo-db-"));
  database = await startEmbeddedPostgres({ dataDir: dir });
}, 60_000);

afterAll(async () => {
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The first bytes the server answers to `request`, or what arrived before `ms` elapsed. */
function firstAnswer(port: number, request: Buffer, ms = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.alloc(0));
    }, ms);
    socket.once("data", (data) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(data);
    });
    socket.once("error", reject);
  });
}

const encryptionRequest = (code: number) => {
  const message = Buffer.alloc(8);
  message.writeInt32BE(8, 0);
  message.writeInt32BE(code, 4);
  return message;
};

describe("the demo's database", () => {
  it("declines SSL and GSS encryption the way PostgreSQL does ('N'), instead of leaving the client waiting", async () => {
    expect((await firstAnswer(database.port, encryptionRequest(80877103))).toString()).toBe("N");
    expect((await firstAnswer(database.port, encryptionRequest(80877104))).toString()).toBe("N");
  });

  it.skipIf(!psqlAvailable)("answers psql at the URL the demo prints (libpq asks for SSL first)", async () => {
    const { stdout } = await run("psql", [database.url, "-Atc", "SELECT 40 + 2"], { timeout: 20_000, env: { ...process.env, PGCONNECT_TIMEOUT: "10" } });
    expect(stdout.trim()).toBe("42");
  });

  it("runs statements pipelined in one transaction in order, as the app sends them", async () => {
    const client = new pg.Client({ connectionString: database.url, ...({ pipeline: true } as object) });
    await client.connect();
    try {
      const [, created, inserted, read, committed] = await Promise.all([
        client.query("BEGIN"),
        client.query("CREATE TEMP TABLE pipelined (n int)"),
        client.query("INSERT INTO pipelined VALUES ($1), ($2) RETURNING n", [1, 2]),
        client.query("SELECT sum(n)::int AS total FROM pipelined"),
        client.query("COMMIT"),
      ]);
      expect(created.command).toBe("CREATE");
      expect(inserted.rows).toEqual([{ n: 1 }, { n: 2 }]);
      expect(read.rows).toEqual([{ total: 3 }]);
      expect(committed.command).toBe("COMMIT");
    } finally {
      await client.end();
    }
  });
});
