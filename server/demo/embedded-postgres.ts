import { createServer, type AddressInfo, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from "@electric-sql/pglite-socket";
import { SessionScheduler } from "./session-scheduler";

// The demo's PostgreSQL: PGlite (Postgres compiled to WASM, data in a plain directory) served on a
// loopback TCP port by pglite-socket's protocol handler, so the app connects with the same pg
// driver and DATABASE_URL as in production.
//
// What pglite-socket 0.1.3 really serves: its PGLiteSocketServer accepts ONE connection by
// default (`maxConnections ?? 1` in the code, although its typings say 100) and answers a second
// client by closing the socket (ECONNRESET). Raising the limit only multiplexes more sockets onto
// the same single backend, one message at a time, and its scheduler interleaves split
// extended-protocol batches (see session-scheduler.ts). So the server here is our own small
// listener around the library's per-connection handler, with a scheduler that keeps a client's
// turn until its query or transaction is complete. Throughput is one statement at a time whatever
// the number of connections, so each process that connects uses a pool of ONE connection
// (DATABASE_POOL_MAX=1); `maxConnections` only has to cover the processes (app, optional worker,
// the demo's own installer, a developer's psql).
export const PGLITE_POOL_MAX = 1;
export const PGLITE_MAX_CONNECTIONS = 8;

export interface EmbeddedPostgres {
  /** postgresql:// URL of the loopback listener. */
  readonly url: string;
  readonly port: number;
  /** Closes client connections, stops listening and shuts PGlite down (flushing its data). */
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory of the database files; created on first start and reused afterwards. */
  dataDir: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  maxConnections?: number;
}

// SQLSTATE 53300 as a proper ErrorResponse, so a client over the limit gets a readable error
// instead of pglite-socket's bare text line.
function tooManyConnections(): Buffer {
  const fields = Buffer.concat([
    Buffer.from("SFATAL\0VFATAL\0C53300\0Msorry, too many clients already (PGlite demo database)\0"),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

// psql (and libpq generally, sslmode=prefer by default) opens with an SSLRequest, or a
// GSSENCRequest first: 8 bytes, length 8 and a magic code. pglite-socket 0.1.3 reads them as the
// start of an unknown message and waits for the rest, so psql hangs. PostgreSQL answers 'N'
// (encryption not supported) and the client then sends its StartupMessage in the clear: do the
// same here, then hand the socket, and whatever followed, to the protocol handler.
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export function declineEncryption(socket: Socket, ready: () => void): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 8 && buffered.readInt32BE(0) === 8 && [SSL_REQUEST, GSSENC_REQUEST].includes(buffered.readInt32BE(4))) {
      socket.write("N");
      buffered = buffered.subarray(8);
    }
    // Wait for 8 bytes: fewer could still be the start of another request.
    if (buffered.length < 8) return;
    socket.off("data", onData);
    socket.pause();
    socket.unshift(buffered);
    ready();
  };
  socket.on("data", onData);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const host = options.host ?? "127.0.0.1";
  const maxConnections = options.maxConnections ?? PGLITE_MAX_CONNECTIONS;
  const db = await PGlite.create({ dataDir: options.dataDir });
  const scheduler = new SessionScheduler(db);
  // The handler's option is typed with pglite-socket's (unexported) queue class; the scheduler
  // implements the three methods the handler calls.
  const queryQueue = scheduler as unknown as PGLiteSocketHandlerOptions["queryQueue"];
  const handlers = new Set<PGLiteSocketHandler>();
  const sockets = new Set<Socket>();

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    if (handlers.size >= maxConnections) {
      socket.end(tooManyConnections());
      return;
    }
    declineEncryption(socket, () => {
      const handler = new PGLiteSocketHandler({ queryQueue, closeOnDetach: true });
      handlers.add(handler);
      handler.addEventListener("close", () => handlers.delete(handler));
      handler.addEventListener("error", () => handlers.delete(handler));
      handler.attach(socket).then(() => socket.resume(), () => {
        handlers.delete(handler);
        socket.destroy();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `postgresql://postgres@${host}:${port}/postgres`,
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...handlers].map((h) => h.detach(true)));
        for (const socket of sockets) socket.destroy();
        await stopped;
        await db.close();
      })();
      return closing;
    },
  };
}
