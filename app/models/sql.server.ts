import { createHash } from "node:crypto";
import { Prisma } from "@prisma/client";
import pg from "pg";
import { config } from "~/config.server";

// SQL for the write paths that run for every order: a node-postgres pool in pipeline mode, next to
// Prisma (which every other query keeps using). Measured on the ingest path (bench/RESULTS.md,
// "Session 3"): a Prisma interactive transaction of three statements costs ≈ 1.1 ms of CPU in Node,
// the same three statements pipelined here ≈ 0.12 ms. Two things make the difference:
//   - pipelining: the statements a caller issues in one turn of the event loop (Promise.all, or a
//     BEGIN followed by the first reads) leave in one socket write and come back in one read;
//   - named statements: PostgreSQL parses and plans each statement once per connection.
// Rows come back typed as Prisma's raw queries type them (bigint, Date in UTC, Decimal, parsed
// JSON), so a model can run the same SQL in a Prisma transaction or here and return the same
// objects.

/** Runs SQL. Every model function that writes in a caller's transaction takes one of these. */
export interface Sql {
  rows<R>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** Number of rows the statement changed. */
  execute(text: string, values?: readonly unknown[]): Promise<number>;
}

/** A caller's transaction: one of ours, or Prisma's (app/models/redemption.server.ts uses Prisma's). */
export type Tx = SqlTransaction | Prisma.TransactionClient;

/** Where a model function runs its SQL: a transaction, a connection (withConnection), or autocommit when absent. */
export type Db = Sql | Prisma.TransactionClient;

const { builtins } = pg.types;
const utcTimestamp = (text: string) => new Date(`${text.replace(" ", "T")}Z`);
const PARSERS = new Map<number, (text: string) => unknown>([
  [builtins.INT8, (text) => BigInt(text)],
  // timestamp(3) without time zone holds UTC, as Prisma writes it.
  [builtins.TIMESTAMP, utcTimestamp],
  [builtins.DATE, (text) => new Date(`${text}T00:00:00Z`)],
  [builtins.NUMERIC, (text) => new Prisma.Decimal(text)],
]);
const types = {
  getTypeParser: ((oid: number, format?: string) => PARSERS.get(oid) ?? pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/** Dates are sent as UTC text (node-postgres would send local time, which timestamp(3) keeps as is). */
function prepare(values: readonly unknown[] | undefined): unknown[] {
  if (!values) return [];
  return values.map((v) => (v instanceof Date ? v.toISOString() : v));
}

// Names for prepared statements, one per distinct text (the texts are constants of the models,
// plus a few variants built from a fixed set of clauses). PostgreSQL then parses each once per
// connection and, after five runs, keeps a generic plan: planning every statement cost the order
// path ≈ 1.2 ms of backend CPU per order, more than executing them (measured one order at a time).
// A generic plan is made from the table's statistics and remade when ANALYZE changes them: one
// made while a table was empty can pick a poor index until autovacuum's next ANALYZE (bench/ingest
// runs ANALYZE after its warm-up, as a live database has statistics). Not in the local demo: its PGlite is ONE
// backend shared by every connection of every process (server/demo/embedded-postgres.ts), where
// the app's "ln_1" and the worker's "ln_1" would be the same prepared statement.
const statementNames = new Map<string, string>();
function statementName(text: string): string | undefined {
  if (config().DEMO) return undefined;
  let name = statementNames.get(text);
  if (!name) {
    name = `ln_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

let pool: pg.Pool | undefined;

function sqlPool(): pg.Pool {
  if (!pool) {
    const cfg = config();
    pool = new pg.Pool({
      connectionString: cfg.DATABASE_URL,
      max: cfg.DATABASE_POOL_MAX,
      types,
      // A transaction left open by a bug must not hold its locks for ever.
      idle_in_transaction_session_timeout: 60_000,
      ...({ pipeline: true } as object),
    });
    // An idle connection that breaks is dropped by the pool; nothing to do but not crash.
    pool.on("error", () => undefined);
  }
  return pool;
}

interface CorkableStream {
  cork(): void;
  uncork(): void;
}

/**
 * One checked-out connection. Statements are sent as soon as they are issued; the socket is
 * corked until the end of the current turn of the event loop, so the statements issued together
 * travel together.
 */
class Session implements Sql {
  private corked = false;
  private readonly inflight = new Set<Promise<unknown>>();
  /** The first statement that failed on this connection: what a rolled-back COMMIT reports. */
  firstError: unknown;

  constructor(private readonly client: pg.PoolClient) {}

  send<R extends pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>> {
    const stream = (this.client as unknown as { connection: { stream: CorkableStream } }).connection.stream;
    if (!this.corked) {
      this.corked = true;
      stream.cork();
      setImmediate(() => {
        this.corked = false;
        stream.uncork();
      });
    }
    const query = this.client.query<R>({ text, values: prepare(values), name: statementName(text) });
    this.inflight.add(query);
    query.then(
      () => this.inflight.delete(query),
      (error: unknown) => {
        this.firstError ??= error;
        this.inflight.delete(query);
      },
    );
    return query;
  }

  async rows<R>(text: string, values?: readonly unknown[]): Promise<R[]> {
    return (await this.send<R & pg.QueryResultRow>(text, values)).rows;
  }

  async execute(text: string, values?: readonly unknown[]): Promise<number> {
    return (await this.send(text, values)).rowCount ?? 0;
  }

  /** Waits for every statement sent so far (a pipelined one may still be running after a failure). */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  status(): string {
    return (this.client as unknown as { getTransactionStatus(): string }).getTransactionStatus();
  }
}

/** Raised by commit() when PostgreSQL rolled the transaction back and no failed statement was seen. */
export class TransactionRolledBackError extends Error {
  constructor() {
    super("the transaction was rolled back: a statement in it failed");
    this.name = "TransactionRolledBackError";
  }
}

export class SqlTransaction implements Sql {
  protected done = false;

  constructor(protected readonly session: Session) {}

  get finished(): boolean {
    return this.done;
  }

  protected assertOpen() {
    if (this.done) throw new Error("this transaction has already been committed");
  }

  rows<R>(text: string, values?: readonly unknown[]): Promise<R[]> {
    this.assertOpen();
    return this.session.rows<R>(text, values);
  }

  execute(text: string, values?: readonly unknown[]): Promise<number> {
    this.assertOpen();
    return this.session.execute(text, values);
  }

  /**
   * Transaction-scoped advisory lock: held until commit or rollback, released by PostgreSQL if the
   * process dies. Statements issued after it run once it is granted, so their reads see whatever
   * the previous holder committed.
   */
  async lock(key: string): Promise<void> {
    await this.rows("SELECT pg_advisory_xact_lock($1::int, $2::int)", advisoryLockIds(key));
  }

  /**
   * Commits. Issued together with the last statements (Promise.all) it costs no round trip of its
   * own; if one of them failed PostgreSQL answers the COMMIT with a rollback, and this throws that
   * statement's error (the cause, whichever promise settles first).
   */
  async commit(): Promise<void> {
    this.assertOpen();
    this.done = true;
    const result = await this.session.send("COMMIT");
    if (result.command !== "COMMIT") throw this.session.firstError ?? new TransactionRolledBackError();
  }
}

/** Two signed 32-bit halves of sha256(key), the two-argument form of pg_advisory_xact_lock. */
function advisoryLockIds(key: string): [number, number] {
  const digest = createHash("sha256").update(key).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

async function withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
  const client = await sqlPool().connect();
  const session = new Session(client);
  let broken: Error | undefined;
  try {
    return await fn(session);
  } finally {
    await session.settle();
    // A connection left inside a transaction (or broken) is not handed to the next caller.
    if (session.status() !== "I") broken = new Error("connection released inside a transaction");
    client.release(broken);
  }
}

/** Independent statements on one connection, sent together (reads that the next step needs at once). */
export function withConnection<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  return withSession(fn);
}

/**
 * Runs `fn` in one transaction and commits unless it throws (then rolls back and rethrows). BEGIN
 * travels with `fn`'s first statements. `fn` may commit itself with its last statements.
 */
export function transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
  return withSession(async (session) => {
    const begun = session.send("BEGIN");
    const tx = new SqlTransaction(session);
    try {
      const result = await fn(tx);
      if (!tx.finished) await tx.commit();
      return result;
    } catch (error) {
      begun.catch(() => undefined);
      await session.settle();
      if (session.status() !== "I") await session.send("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Group commit. Every order event is one transaction of about four round trips, and on this kind
// of machine a round trip costs more CPU (a socket write and a wake-up on each side) than the
// statements in it (bench/RESULTS.md). Events that arrive while another group is running wait for
// it and then share ONE transaction: their statements interleave on one connection, travel in the
// same socket writes and end in one COMMIT, so N events cost about as many round trips as one.
//
// Sharing a transaction must not change any event's outcome, which rests on two rules:
//   - Events in one group touch disjoint rows. Each declares the keys of what it touches (an
//     order, a customer); one whose key is already in the forming group runs on its own instead.
//     The advisory locks still order a group against every other transaction, as before.
//   - All or nothing, then each on its own. If any member fails (a statement error aborts the
//     shared transaction for everyone) or COMMIT fails, the group rolls back and every member runs
//     again in a transaction of its own, which gives each exactly its solo outcome. Nothing of a
//     group is visible until its COMMIT, so a crash at any point leaves no member half-done.
// Members must not use savepoints (none does) and must call commit() or return.

// As many as a worker runs at once by default (WORKER_CONCURRENCY): a failure re-runs at most these.
const GROUP_MAX_MEMBERS = 32;

interface GroupMember {
  keys: readonly string[];
  fn: (tx: SqlTransaction) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

class GroupAbortedError extends Error {
  constructor() {
    super("the group's shared transaction was rolled back; the event runs again on its own");
    this.name = "GroupAbortedError";
  }
}

/** The decision for a group: COMMIT once every member has committed or returned, else ROLLBACK. */
class GroupGate {
  private arrived = 0;
  private failed = false;
  private settle!: (error?: unknown) => void;
  readonly decision: Promise<void>;

  constructor(
    private readonly size: number,
    private readonly session: Session,
  ) {
    this.decision = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.decision.catch(() => undefined);
  }

  arrive(ok: boolean): Promise<void> {
    if (!ok) this.failed = true;
    if (++this.arrived === this.size) void this.finish();
    return this.decision;
  }

  private async finish(): Promise<void> {
    try {
      await this.session.settle();
      if (this.failed || this.session.status() === "E") {
        await this.session.send("ROLLBACK").catch(() => undefined);
        this.settle(new GroupAbortedError());
        return;
      }
      const result = await this.session.send("COMMIT");
      this.settle(result.command === "COMMIT" ? undefined : new GroupAbortedError());
    } catch {
      this.settle(new GroupAbortedError());
    }
  }
}

/** A member's view of the shared transaction: commit() waits for the group's decision. */
class GroupMemberTransaction extends SqlTransaction {
  private arrived = false;

  constructor(
    session: Session,
    private readonly gate: GroupGate,
  ) {
    super(session);
  }

  arrive(ok: boolean): Promise<void> {
    if (this.arrived) return this.gate.decision;
    this.arrived = true;
    return this.gate.arrive(ok);
  }

  override async commit(): Promise<void> {
    this.assertOpen();
    this.done = true;
    await this.arrive(true);
  }
}

let forming: { members: GroupMember[]; keys: Set<string> } | null = null;
let groupRunning = false;

async function runGroup(members: GroupMember[]): Promise<void> {
  if (members.length === 1) {
    const [only] = members;
    await transaction(only.fn).then(only.resolve, only.reject);
    return;
  }
  let committed = false;
  let outcomes: PromiseSettledResult<unknown>[] = [];
  try {
    await withSession(async (session) => {
      const begun = session.send("BEGIN");
      begun.catch(() => undefined);
      const gate = new GroupGate(members.length, session);
      outcomes = await Promise.allSettled(
        members.map(async (member) => {
          const tx = new GroupMemberTransaction(session, gate);
          try {
            const value = await member.fn(tx);
            await tx.arrive(true);
            return value;
          } catch (error) {
            void tx.arrive(false);
            throw error;
          }
        }),
      );
      committed = await gate.decision.then(() => true, () => false);
    });
  } catch {
    // No connection, or it broke: whatever was not committed runs again below.
  }
  if (committed) {
    members.forEach((member, i) => {
      const outcome = outcomes[i];
      if (outcome.status === "fulfilled") member.resolve(outcome.value);
      else member.reject(outcome.reason);
    });
    return;
  }
  // Each member again, alone, one after another: the order that any other arrival order allows.
  for (const member of members) await transaction(member.fn).then(member.resolve, member.reject);
}

function startGroup(): void {
  if (groupRunning || !forming) return;
  const { members } = forming;
  forming = null;
  groupRunning = true;
  void runGroup(members).finally(() => {
    groupRunning = false;
    startGroup();
  });
}

/**
 * `fn` in a transaction, shared with other events' when they arrive together (group commit, see
 * above). `keys` name every row group `fn` may touch (e.g. `order:<id>`, `customer:<id>`); it
 * runs in a transaction of its own when one of them is already in the forming group.
 */
export function groupTransaction<T>(keys: readonly string[], fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
  if (forming && (forming.members.length >= GROUP_MAX_MEMBERS || keys.some((key) => forming?.keys.has(key)))) return transaction(fn);
  return new Promise<T>((resolve, reject) => {
    if (!forming) {
      forming = { members: [], keys: new Set() };
      // Events that arrive in the same turn of the event loop join before it starts.
      setImmediate(startGroup);
    }
    forming.members.push({ keys, fn, resolve: resolve as (value: unknown) => void, reject });
    for (const key of keys) forming.keys.add(key);
  });
}

const autocommit: Sql = {
  rows: (text, values) => withSession((s) => s.rows(text, values)),
  execute: (text, values) => withSession((s) => s.execute(text, values)),
};

function prismaSql(tx: Prisma.TransactionClient): Sql {
  return {
    rows: <R>(text: string, values: readonly unknown[] = []) => tx.$queryRawUnsafe<R[]>(text, ...values),
    execute: (text, values = []) => tx.$executeRawUnsafe(text, ...values),
  };
}

const isSql = (db: Db): db is Sql => typeof (db as Partial<Sql>).rows === "function";

/** The executor for a caller's transaction or connection, or single statements in autocommit when there is none. */
export function sqlOf(db?: Db): Sql {
  if (!db) return autocommit;
  return isSql(db) ? db : prismaSql(db);
}

/** PostgreSQL's SQLSTATE behind an error from node-postgres or from Prisma (model or raw query). */
export function sqlState(error: unknown): string | undefined {
  if (error instanceof pg.DatabaseError) return error.code;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  if (error.code === "P2002") return "23505";
  if (error.code === "P2020") return "22003";
  const cause = (error.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined)?.driverAdapterError?.cause;
  return cause?.originalCode;
}

export async function closeSqlPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.end();
}
