import type { PGlite } from "@electric-sql/pglite";

// PGlite is ONE PostgreSQL backend, so every client connection of the demo shares one session.
// pglite-socket 0.1.3 multiplexes connections message by message and only keeps a client's turn
// while an explicit transaction block is open. That is not enough for the extended protocol:
// Parse/Bind/Execute/Sync of one query are separate messages, and when a client's batch arrives in
// two TCP chunks another client's Parse slips in between and replaces the unnamed statement
// ("bind message supplies 2 parameters, but prepared statement "" requires 1"). This scheduler
// gives a connection the backend from its first message until PGlite answers ReadyForQuery with
// status Idle, i.e. until its query or transaction is complete; other connections wait in order.
// It implements the queue interface PGLiteSocketHandler calls (enqueue, clearQueueForHandler,
// clearTransactionIfNeeded).

interface PendingMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
}

const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'

function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`);
  const message = Buffer.alloc(5 + text.length);
  message.write("Q", 0);
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return new Uint8Array(message);
}

/**
 * Follows a backend response stream across chunks and remembers the status byte of the last
 * ReadyForQuery message ('I' idle, 'T' in transaction, 'E' failed transaction).
 */
export class ReadyForQueryTracker {
  private header = new Uint8Array(5);
  private headerLength = 0;
  private remaining = 0;
  private currentType = 0;
  /** Status of the last complete ReadyForQuery, or null when the response had none. */
  status: number | null = null;

  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        if (this.currentType === READY_FOR_QUERY && this.remaining === 1) this.status = chunk[offset];
        this.remaining -= take;
        offset += take;
        continue;
      }
      this.header[this.headerLength++] = chunk[offset++];
      if (this.headerLength === 5) {
        this.currentType = this.header[0];
        const length = new DataView(this.header.buffer).getInt32(1);
        this.remaining = length - 4;
        this.headerLength = 0;
      }
    }
  }
}

export class SessionScheduler {
  private readonly pending: PendingMessage[] = [];
  private owner: number | null = null;
  private draining = false;

  constructor(private readonly db: PGlite) {}

  /** The handler currently holding the backend, for tests and diagnostics. */
  get sessionOwner(): number | null {
    return this.owner;
  }

  getQueueLength(): number {
    return this.pending.length;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ handlerId, message, onData, resolve, reject });
      void this.drain();
    });
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].handlerId === handlerId) {
        const [dropped] = this.pending.splice(i, 1);
        dropped.reject(new Error("Handler disconnected"));
      }
    }
  }

  /**
   * Called when a connection closes. If it still held the backend it was inside a transaction or
   * a half-sent batch: roll that back (as PostgreSQL does when a client disconnects) before the
   * next connection gets its turn, or the next client would run inside it.
   */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    await this.db.runExclusive(async () => {
      // Re-checked under the lock: the connection may have finished its turn meanwhile.
      if (this.owner !== handlerId) return;
      await this.rollbackSession();
      this.owner = null;
    });
    void this.drain();
  }

  // A raw simple-query message: PGlite's own exec() takes the lock we already hold. The stream
  // variant with its own callback, because PGlite keeps sending raw output to the last callback
  // it was given, which is the departed client's socket.
  private async rollbackSession(): Promise<void> {
    await this.db.execProtocolRawStream(simpleQuery("ROLLBACK"), { onRawData: () => {} });
  }

  private nextIndex(): number {
    if (this.owner === null) return this.pending.length > 0 ? 0 : -1;
    return this.pending.findIndex((p) => p.handlerId === this.owner);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let index = this.nextIndex(); index !== -1; index = this.nextIndex()) {
        const [next] = this.pending.splice(index, 1);
        const continuesTurn = this.owner === next.handlerId;
        this.owner = next.handlerId;
        if (next.message[0] === TERMINATE) {
          // PGlite answers Terminate with nothing and would keep an unfinished transaction open
          // for whoever comes next.
          try {
            if (continuesTurn) await this.db.runExclusive(() => this.rollbackSession());
          } finally {
            this.owner = null;
          }
          next.resolve(0);
          continue;
        }
        const tracker = new ReadyForQueryTracker();
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(next.message, {
              onRawData: (data) => {
                bytes += data.length;
                tracker.push(data);
                next.onData(data);
              },
            }),
          );
        } catch (error) {
          this.owner = null;
          next.reject(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        if (tracker.status === IDLE) this.owner = null;
        next.resolve(bytes);
      }
    } finally {
      this.draining = false;
    }
  }
}
