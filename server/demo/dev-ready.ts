import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

// The web server with NODE_ENV=development announces "build ready" to the Remix dev server at
// REMIX_DEV_ORIGIN once it listens (server/serve.ts only when that is set).
// The demo is not `remix dev`, but it is the one that wants to know when the app is up: this
// answers the announcement (POST /ping) and resolves `ready`.

export interface DevReadyListener {
  readonly origin: string;
  /** Resolves with the build hash on the first announcement. */
  readonly ready: Promise<string>;
  close(): Promise<void>;
}

export async function startDevReadyListener(host = "127.0.0.1"): Promise<DevReadyListener> {
  let announce!: (buildHash: string) => void;
  const ready = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/ping") {
      res.writeHead(404).end();
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      if (body.length < 10_000) body += chunk;
    });
    req.on("end", () => {
      let buildHash = "";
      try {
        buildHash = String((JSON.parse(body) as { buildHash?: unknown }).buildHash ?? "");
      } catch {
        // An announcement without a readable hash still means the app is listening.
      }
      announce(buildHash);
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    ready,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
