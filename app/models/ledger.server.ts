// The points ledger: the ONLY writer of points. Every change is a new LedgerEntry row (the table is
// append-only, enforced by a trigger) written in one transaction with its lot allocations and the
// member's cached balances.
//
// Sign convention. `points` is signed from the member's side: positive moves points towards the
// member, negative moves them away. Kind and status decide which balance moves (balanceEffect):
//
//   EARN     PENDING  +n   pending +n                      (order paid, not yet spendable)
//   EARN     POSTED   +n   available +n, lifetime +n       (and pending -n when it posts a pending earn)
//   EARN     VOIDED   +n   pending -n                      (voids a pending earn; never spendable)
//   ADJUST/IMPORT/REFERRAL/CAMPAIGN  POSTED  +n  available +n, lifetime +n
//   ADJUST/EXPIRE    POSTED   -n   available -n
//   REVERSAL         POSTED   -n   available -n, lifetime -(n + shortfall)
//   REDEEM_HOLD      PENDING  -n   available -n            (points set aside for a redemption)
//   REDEEM_CAPTURE   POSTED   -n   nothing                 (the hold's points are spent for good)
//   REDEEM_VOID      VOIDED   +n   available +n            (the hold's points come back)
//   REDEEM_RETURN    POSTED   +n   available +n            (a captured redemption given back, e.g.
//                                                          its order was cancelled; not earned again)
//
// Two-phase entries follow TigerBeetle: a pending earning or a hold is PENDING, and a later entry
// whose `pendingId` names it posts/captures or voids it. A unique index on (shop, pendingId) makes
// that happen at most once. Every posted credit is a lot (app/domain/lots.ts) and every entry that
// takes points out of `available` records the lots it took them from in LedgerLotAllocation.
//
// Concurrency. Each write that decides anything (a debit, a hold, a reversal, posting or voiding a
// pending entry) locks the member row (SELECT … FOR NO KEY UPDATE) before it reads the idempotency
// key, the lots or the balance, so writes for one member are serialised and decisions are made on
// committed data. A credit decides nothing: it is one statement whose balance UPDATE takes the same
// lock. The balance UPDATE is guarded as well, and a CHECK constraint keeps every cached balance
// ≥ 0 whatever happens.
//
// Transactions. Every write accepts the caller's transaction (`{ tx }`: ours from sql.server.ts or
// Prisma's), so that one business event — an order's earning with its OrderEarning row and its
// webhook's processed mark, a redemption with its hold — commits or rolls back as one.
//
// Idempotency. Every write carries a key, unique per shop. The content hash (sha256 of the
// canonical request) decides: same key and content → the original entry is returned, unchanged;
// same key, other content → LedgerConflictError and nothing is written.
import { createHash } from "node:crypto";
import { Prisma, type LedgerEntry, type LedgerKind, type LedgerStatus } from "@prisma/client";
import prisma from "~/db.server";
import { allocateLots, releaseAllocations, type Lot, type LotAllocation } from "~/domain/lots";
import { toSafeNumber } from "~/domain/rational";
import { logger } from "~/utils/logger.server";
import { sqlOf, sqlState, transaction, type Sql, type Tx } from "./sql.server";
import {
  InsufficientPointsError,
  LedgerConflictError,
  LedgerEntryNotFoundError,
  LedgerStateError,
  LedgerValidationError,
  MemberNotFoundError,
  ReversalLimitError,
} from "./ledger-errors";

export type { LedgerEntry } from "@prisma/client";

/** Largest number of points one entry may move; keeps balances far from the int4 limit. */
export const MAX_POINTS_PER_ENTRY = 100_000_000;
const MAX_KEY_LENGTH = 255;
const MAX_TEXT_LENGTH = 1_000;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 250;

// Waiting for the member lock is normal under contention (many redemptions at once), so allow
// queueing well beyond Prisma's 2 s default before giving up.
// READ COMMITTED, PostgreSQL's default (left implicit: stating it costs a statement per write);
// the member lock, not the isolation level, serialises writes.
const WRITE_TX = {
  maxWait: 10_000,
  timeout: 15_000,
} as const;

/** Kinds whose posted, positive entries are lots. */
const LOT_KINDS: readonly LedgerKind[] = ["EARN", "ADJUST", "IMPORT", "REFERRAL", "CAMPAIGN"];

type Db = Prisma.TransactionClient | typeof prisma;

export interface Balance {
  available: number;
  pending: number;
  lifetimeEarned: number;
}

export interface LedgerWriteResult {
  entry: LedgerEntry;
  /** True when the idempotency key had already been used with this content: nothing was written. */
  replayed: boolean;
}

export interface ReversalResult extends LedgerWriteResult {
  /** Points actually taken back from the member. */
  reversed: number;
  /** Points asked for that the member had already spent: not taken back (see `reverse`). */
  shortfall: number;
}

export interface ExpireLotResult {
  /** Null when nothing was left in the lot: no entry is written for zero points. */
  entry: LedgerEntry | null;
  expired: number;
  replayed: boolean;
}

export interface LotBalance {
  lotEntryId: bigint;
  kind: LedgerKind;
  /** Points the lot was credited with. */
  points: number;
  /** Points still in the lot. */
  remaining: number;
  expiresAt: Date | null;
  createdAt: Date;
}

export interface BalanceDrift {
  memberId: string;
  cached: Balance;
  computed: Balance;
}

/** `tx`: write inside the caller's transaction (see "Transactions" above). */
export interface LedgerWriteOptions {
  tx?: Tx;
}

interface WriteMeta {
  idempotencyKey: string;
  reason?: string | null;
  actor?: string | null;
}

export interface EarnInput extends WriteMeta {
  points: number;
  /** PENDING: not spendable until postPending (e.g. until the return window closes). */
  status: "PENDING" | "POSTED";
  orderId?: bigint | null;
  expiresAt?: Date | null;
}

export interface CreditInput extends WriteMeta {
  kind: "ADJUST" | "IMPORT" | "REFERRAL" | "CAMPAIGN";
  points: number;
  expiresAt?: Date | null;
  orderId?: bigint | null;
  importRowId?: string | null;
}

export interface DebitInput extends WriteMeta {
  kind: "ADJUST" | "EXPIRE";
  points: number;
}

export interface HoldInput extends WriteMeta {
  points: number;
  redemptionId?: string | null;
  orderId?: bigint | null;
}

export interface PostPendingInput extends WriteMeta {
  /** Overrides the pending entry's expiry (e.g. counted from the day points became available). */
  expiresAt?: Date | null;
}

export interface ReverseInput extends WriteMeta {
  /** Defaults to everything that remains reversible of the credit. */
  points?: number;
  refundId?: bigint | null;
  /** Defaults to the reversed entry's order. */
  orderId?: bigint | null;
}

// ---------------------------------------------------------------------------------------------
// The sign convention as a function: how one entry moves the cached balances.

export interface EffectInput {
  kind: LedgerKind;
  status: LedgerStatus;
  points: number;
  shortfall: number;
  /** The entry posts or voids a PENDING entry (pendingId is set). */
  resolvesPending: boolean;
}

const NO_EFFECT: Balance = { available: 0, pending: 0, lifetimeEarned: 0 };

/**
 * How an entry changes a member's balances (see the table at the top of this file). Linear in
 * `points` and `shortfall` for a given kind, status, resolution flag and sign of points, which is
 * what lets reconcileBalances sum grouped entries.
 */
export function balanceEffect(e: EffectInput): Balance {
  const p = e.points;
  switch (e.kind) {
    case "EARN":
      if (e.status === "PENDING") return { available: 0, pending: p, lifetimeEarned: 0 };
      if (e.status === "VOIDED") return { available: 0, pending: -p, lifetimeEarned: 0 };
      return { available: p, pending: e.resolvesPending ? -p : 0, lifetimeEarned: p };
    case "ADJUST":
    case "IMPORT":
    case "REFERRAL":
    case "CAMPAIGN":
      return { available: p, pending: 0, lifetimeEarned: p > 0 ? p : 0 };
    case "EXPIRE":
    case "REDEEM_HOLD":
    case "REDEEM_VOID":
    case "REDEEM_RETURN":
      return { available: p, pending: 0, lifetimeEarned: 0 };
    case "REVERSAL":
      // A reversal undoes earning: lifetime drops by all that was asked back, spent or not.
      return { available: p, pending: 0, lifetimeEarned: p - e.shortfall };
    case "REDEEM_CAPTURE":
      return NO_EFFECT;
  }
}

function addBalances(a: Balance, b: Balance): Balance {
  return {
    available: a.available + b.available,
    pending: a.pending + b.pending,
    lifetimeEarned: a.lifetimeEarned + b.lifetimeEarned,
  };
}

function sameBalance(a: Balance, b: Balance) {
  return a.available === b.available && a.pending === b.pending && a.lifetimeEarned === b.lifetimeEarned;
}

// ---------------------------------------------------------------------------------------------
// Input validation and content hashing.

function assertPoints(points: number): number {
  if (!Number.isSafeInteger(points) || points <= 0 || points > MAX_POINTS_PER_ENTRY) {
    throw new LedgerValidationError(`points must be a whole number from 1 to ${MAX_POINTS_PER_ENTRY}, got ${points}`);
  }
  return points;
}

function assertMeta(meta: WriteMeta) {
  if (typeof meta.idempotencyKey !== "string" || meta.idempotencyKey.trim() === "" || meta.idempotencyKey.length > MAX_KEY_LENGTH) {
    throw new LedgerValidationError(`idempotencyKey must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
  }
  for (const field of ["reason", "actor"] as const) {
    const value = meta[field];
    if (value != null && (typeof value !== "string" || value.length > MAX_TEXT_LENGTH)) {
      throw new LedgerValidationError(`${field} must be a string of at most ${MAX_TEXT_LENGTH} characters`);
    }
  }
}

function assertDate(value: Date | null | undefined, field: string) {
  if (value != null && (!(value instanceof Date) || Number.isNaN(value.getTime()))) {
    throw new LedgerValidationError(`${field} must be a valid date`);
  }
}

function assertMember(shop: string, memberId: string) {
  if (typeof shop !== "string" || shop === "" || typeof memberId !== "string" || memberId === "") {
    throw new MemberNotFoundError(String(memberId));
  }
}

type HashValue = string | number | bigint | boolean | Date | null | undefined;

/** sha256 of the request: keys sorted, undefined ≡ null, bigint and dates as strings. */
export function contentHash(content: Record<string, HashValue>): string {
  const canonical = Object.keys(content)
    .sort()
    .map((key) => {
      const value = content[key];
      const normalized =
        value === undefined || value === null ? null
          : typeof value === "bigint" ? `${value}n`
            : value instanceof Date ? value.toISOString()
              : value;
      return [key, normalized];
    });
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Transaction plumbing. Every statement goes through an Sql executor (app/models/sql.server.ts):
// the caller's transaction when it passes one (ours or Prisma's), else one of our own.

interface LockedMember {
  id: string;
  pointsAvailable: number;
  pointsPending: number;
  lifetimeEarned: number;
}

async function lockMember(sql: Sql, shop: string, memberId: string): Promise<LockedMember> {
  // NO KEY UPDATE is enough to serialise ledger writes and, unlike FOR UPDATE, does not block
  // other tables' foreign-key checks against the member.
  const [member] = await sql.rows<LockedMember>(
    `SELECT "id", "pointsAvailable", "pointsPending", "lifetimeEarned"
     FROM "Member" WHERE "shop" = $1 AND "id" = $2
     FOR NO KEY UPDATE`,
    [shop, memberId],
  );
  if (!member) throw new MemberNotFoundError(memberId);
  return member;
}

/**
 * The start of every write that decides on the member's balance or on another entry: locks the
 * member (as lockMember) and, in the same statement, looks up the idempotency key. A replay (rare)
 * reads the stored entry; a key reused with other content is a conflict.
 */
async function lockForWrite(
  sql: Sql,
  shop: string,
  memberId: string,
  idempotencyKey: string,
  hash: string,
): Promise<{ member: LockedMember; existing: LedgerEntry | null }> {
  const [row] = await sql.rows<LockedMember & { replayId: bigint | null; replayHash: string | null }>(
    `SELECT m."id", m."pointsAvailable", m."pointsPending", m."lifetimeEarned", e."id" AS "replayId", e."contentHash" AS "replayHash"
     FROM "Member" m
     LEFT JOIN "LedgerEntry" e ON e."shop" = m."shop" AND e."idempotencyKey" = $3
     WHERE m."shop" = $1 AND m."id" = $2
     FOR NO KEY UPDATE OF m`,
    [shop, memberId, idempotencyKey],
  );
  if (!row) throw new MemberNotFoundError(memberId);
  const { replayId, replayHash, ...member } = row;
  if (replayId === null) return { member, existing: null };
  if (replayHash !== hash) throw new LedgerConflictError(idempotencyKey, replayId);
  return { member, existing: await findEntry(sql, shop, replayId) };
}

async function findEntry(sql: Sql, shop: string, entryId: bigint): Promise<LedgerEntry> {
  if (typeof entryId !== "bigint") throw new LedgerValidationError("entry ids are bigints");
  const [entry] = await sql.rows<LedgerEntry>(`SELECT * FROM "LedgerEntry" WHERE "shop" = $1 AND "id" = $2::bigint`, [shop, entryId]);
  if (!entry) throw new LedgerEntryNotFoundError(entryId);
  return entry;
}

async function entryWithKey(sql: Sql, shop: string, idempotencyKey: string): Promise<LedgerEntry | null> {
  const [entry] = await sql.rows<LedgerEntry>(`SELECT * FROM "LedgerEntry" WHERE "shop" = $1 AND "idempotencyKey" = $2`, [shop, idempotencyKey]);
  return entry ?? null;
}

/** The entry already written under this key, or null; a different request under it is a conflict. */
async function findReplay(sql: Sql, shop: string, idempotencyKey: string, hash: string): Promise<LedgerEntry | null> {
  const existing = await entryWithKey(sql, shop, idempotencyKey);
  if (!existing) return null;
  if (existing.contentHash !== hash) throw new LedgerConflictError(idempotencyKey, existing.id);
  return existing;
}

const isUniqueViolation = (error: unknown) => sqlState(error) === "23505";

/** 22003: a cached balance would leave the int4 range. */
const isOutOfRange = (error: unknown) => sqlState(error) === "22003";

/** 23503: a foreign key names no row (an entry for a member that does not exist). */
const isMissingReference = (error: unknown) => sqlState(error) === "23503";

/**
 * Runs one ledger write in the caller's transaction, or in its own. `write` must lock the member
 * and look for a replay before deciding anything. Writes for different members under the same key
 * are not serialised by the member lock; the unique index settles them, and the loser answers from
 * the winner's entry.
 */
async function runWrite<R>(
  shop: string,
  idempotencyKey: string,
  hash: string,
  write: (sql: Sql) => Promise<R>,
  fromReplay: (entry: LedgerEntry) => R,
  options: LedgerWriteOptions = {},
): Promise<R> {
  // Inside the caller's transaction a unique violation aborts that transaction: it propagates, and
  // the caller's retry finds the entry through the key like any replay.
  if (options.tx) return write(sqlOf(options.tx));
  try {
    return await transaction((tx) => write(tx));
  } catch (error) {
    if (isOutOfRange(error)) {
      throw new LedgerValidationError("This would take the member's balance beyond the largest supported number of points");
    }
    if (!isUniqueViolation(error)) throw error;
    const existing = await findReplay(sqlOf(), shop, idempotencyKey, hash);
    if (!existing) throw error;
    return fromReplay(existing);
  }
}

interface EntryDraft {
  kind: LedgerKind;
  status: LedgerStatus;
  points: number;
  orderId?: bigint | null;
  refundId?: bigint | null;
  redemptionId?: string | null;
  importRowId?: string | null;
  reversesId?: bigint | null;
  pendingId?: bigint | null;
  shortfall?: number;
  expiresAt?: Date | null;
}

function effectOf(draft: EntryDraft): Balance {
  return balanceEffect({
    kind: draft.kind,
    status: draft.status,
    points: draft.points,
    shortfall: draft.shortfall ?? 0,
    resolvesPending: (draft.pendingId ?? null) !== null,
  });
}

// The entry and the balance move are one statement: the INSERT and, when the entry moves a
// balance, an UPDATE of the member guarded so that no balance can go below zero even if the lock
// were missing. `$18` decides whether the entry is written at all: a credit answers a replay by
// writing nothing (ON CONFLICT), every other write has checked its key under the member lock.
const ENTRY_COLUMNS = `"shop", "memberId", "kind", "status", "points", "idempotencyKey", "contentHash", "orderId", "refundId",
  "redemptionId", "importRowId", "reversesId", "pendingId", "shortfall", "expiresAt", "reason", "actor"`;
const ENTRY_VALUES = `$1, $2, $3::"LedgerKind", $4::"LedgerStatus", $5::int, $6, $7, $8::bigint, $9::bigint, $10::text, $11::text,
  $12::bigint, $13::bigint, $14::int, $15::timestamp(3), $16::text, $17::text`;
const BALANCE_MOVE = `
  moved AS (
    UPDATE "Member"
    SET "pointsAvailable" = "pointsAvailable" + $18::int,
        "pointsPending" = "pointsPending" + $19::int,
        "lifetimeEarned" = "lifetimeEarned" + $20::int,
        "updatedAt" = CURRENT_TIMESTAMP
    WHERE $21::boolean AND "shop" = $1 AND "id" = $2 AND EXISTS (SELECT 1 FROM entry)
      AND "pointsAvailable" + $18::int >= 0
      AND "pointsPending" + $19::int >= 0
      AND "lifetimeEarned" + $20::int >= 0
    RETURNING 1
  )
  SELECT entry.*, (SELECT count(*) FROM moved)::int AS "memberMoved" FROM entry`;
const APPEND_ENTRY = `WITH entry AS (INSERT INTO "LedgerEntry" (${ENTRY_COLUMNS}) VALUES (${ENTRY_VALUES}) RETURNING *),${BALANCE_MOVE}`;
const APPEND_CREDIT = `WITH entry AS (
    INSERT INTO "LedgerEntry" (${ENTRY_COLUMNS}) VALUES (${ENTRY_VALUES})
    ON CONFLICT ("shop", "idempotencyKey") DO NOTHING
    RETURNING *
  ),${BALANCE_MOVE}`;

function entryParams(shop: string, memberId: string, meta: WriteMeta, hash: string, draft: EntryDraft): unknown[] {
  const d = effectOf(draft);
  const moves = d.available !== 0 || d.pending !== 0 || d.lifetimeEarned !== 0;
  return [
    shop, memberId, draft.kind, draft.status, draft.points, meta.idempotencyKey, hash, draft.orderId ?? null, draft.refundId ?? null,
    draft.redemptionId ?? null, draft.importRowId ?? null, draft.reversesId ?? null, draft.pendingId ?? null, draft.shortfall ?? 0,
    draft.expiresAt ?? null, meta.reason ?? null, meta.actor ?? null, d.available, d.pending, d.lifetimeEarned, moves,
  ];
}

function movedOrRefuse(row: LedgerEntry & { memberMoved: number }, draft: EntryDraft, available: number): LedgerEntry {
  const { memberMoved, ...entry } = row;
  const d = effectOf(draft);
  const moves = d.available !== 0 || d.pending !== 0 || d.lifetimeEarned !== 0;
  // The transaction is rolled back with the error, entry included.
  if (moves && memberMoved !== 1) throw new InsufficientPointsError(available, -d.available);
  return entry;
}

function logAppended(shop: string, entry: LedgerEntry) {
  if (!logger.isLevelEnabled("info")) return;
  logger.info(
    { shop, memberId: entry.memberId, entryId: String(entry.id), kind: entry.kind, status: entry.status, points: entry.points },
    "ledger entry appended",
  );
}

/** Appends the entry and its allocations and moves the cached balances by balanceEffect. */
async function appendEntry(
  sql: Sql,
  shop: string,
  member: LockedMember,
  meta: WriteMeta,
  hash: string,
  draft: EntryDraft,
  allocations: readonly LotAllocation[] = [],
): Promise<LedgerEntry> {
  const [row] = await sql.rows<LedgerEntry & { memberMoved: number }>(APPEND_ENTRY, entryParams(shop, member.id, meta, hash, draft));
  const entry = movedOrRefuse(row, draft, member.pointsAvailable);
  if (allocations.length > 0) {
    await sql.execute(
      `INSERT INTO "LedgerLotAllocation" ("shop", "entryId", "lotEntryId", "points")
       SELECT $1, $2::bigint, lot, points FROM unnest($3::bigint[], $4::int[]) AS a(lot, points)`,
      [shop, entry.id, allocations.map((a) => a.lotId.toString()), allocations.map((a) => a.points)],
    );
  }
  logAppended(shop, entry);
  return entry;
}

/**
 * A credit (a lot, or a pending earning): one statement, no member lock taken first, since nothing
 * about it depends on the balance; the balance UPDATE locks the member for the rest of the
 * transaction. A replay writes nothing (ON CONFLICT on the key) and is answered from the stored
 * entry, or refused as a conflict when its content differs.
 */
async function appendCredit(sql: Sql, shop: string, memberId: string, meta: WriteMeta, hash: string, draft: EntryDraft): Promise<LedgerWriteResult> {
  let rows: (LedgerEntry & { memberMoved: number })[];
  try {
    rows = await sql.rows(APPEND_CREDIT, entryParams(shop, memberId, meta, hash, draft));
  } catch (error) {
    if (isMissingReference(error)) throw new MemberNotFoundError(memberId);
    throw error;
  }
  if (rows.length === 0) {
    const existing = await findReplay(sql, shop, meta.idempotencyKey, hash);
    if (!existing) throw new Error(`ledger entry under "${meta.idempotencyKey}" was neither written nor found`);
    return replayed(existing);
  }
  const entry = movedOrRefuse(rows[0], draft, 0);
  logAppended(shop, entry);
  return written(entry);
}

type OpenLot = Lot & { kind: LedgerKind; points: number; createdAt: Date };

/** Lots of the member that still hold points, oldest first. */
async function openLots(sql: Sql, shop: string, memberId: string): Promise<OpenLot[]> {
  return sql.rows<OpenLot>(
    `SELECT e."id", e."kind", e."points", e."expiresAt", e."createdAt",
            (e."points" - COALESCE(SUM(a."points"), 0))::int AS "remaining"
     FROM "LedgerEntry" e
     LEFT JOIN "LedgerLotAllocation" a ON a."shop" = e."shop" AND a."lotEntryId" = e."id"
     WHERE e."shop" = $1 AND e."memberId" = $2
       AND e."status" = 'POSTED' AND e."points" > 0
       AND e."kind" IN ('EARN', 'ADJUST', 'IMPORT', 'REFERRAL', 'CAMPAIGN')
     GROUP BY e."id"
     HAVING e."points" - COALESCE(SUM(a."points"), 0) > 0
     ORDER BY e."id"`,
    [shop, memberId],
  );
}

function isLot(entry: LedgerEntry) {
  return entry.status === "POSTED" && entry.points > 0 && LOT_KINDS.includes(entry.kind);
}

/** Takes `points` out of the member's lots, oldest first, or refuses with what is available. */
async function allocateOrRefuse(sql: Sql, shop: string, member: LockedMember, points: number): Promise<LotAllocation[]> {
  if (member.pointsAvailable < points) throw new InsufficientPointsError(member.pointsAvailable, points);
  const plan = allocateLots(await openLots(sql, shop, member.id), points);
  // The lots always add up to `available`; if they do not, the ledger is damaged: stop, do not guess.
  if (plan.shortfall > 0) {
    throw new Error(`ledger lots of member ${member.id} hold less than the cached available balance; run reconcileBalances`);
  }
  return plan.allocations;
}

/** The entry that posts, captures or voids a pending one, if any. */
async function resolutionOf(sql: Sql, shop: string, pendingId: bigint): Promise<LedgerEntry | null> {
  const [entry] = await sql.rows<LedgerEntry>(`SELECT * FROM "LedgerEntry" WHERE "shop" = $1 AND "pendingId" = $2::bigint`, [shop, pendingId]);
  return entry ?? null;
}

const written = (entry: LedgerEntry): LedgerWriteResult => ({ entry, replayed: false });
const replayed = (entry: LedgerEntry): LedgerWriteResult => ({ entry, replayed: true });

// ---------------------------------------------------------------------------------------------
// Credits.

/**
 * Points earned for an order: POSTED makes them spendable now, PENDING holds them in `pending`
 * until postPending (or voidPending if the order is cancelled first).
 */
export async function earn(shop: string, memberId: string, input: EarnInput, options: LedgerWriteOptions = {}): Promise<LedgerWriteResult> {
  assertMember(shop, memberId);
  assertMeta(input);
  const points = assertPoints(input.points);
  if (input.status !== "PENDING" && input.status !== "POSTED") {
    throw new LedgerValidationError(`status must be PENDING or POSTED, got ${String(input.status)}`);
  }
  assertDate(input.expiresAt, "expiresAt");
  const hash = contentHash({
    op: "earn", memberId, points, status: input.status, orderId: input.orderId,
    expiresAt: input.expiresAt, reason: input.reason, actor: input.actor,
  });
  return runWrite(shop, input.idempotencyKey, hash, (sql) => appendCredit(sql, shop, memberId, input, hash, {
    kind: "EARN", status: input.status, points, orderId: input.orderId ?? null, expiresAt: input.expiresAt ?? null,
  }), replayed, options);
}

/** Posted credits that are not order earnings: manual adjustments, imports, referrals, campaigns. */
export async function credit(shop: string, memberId: string, input: CreditInput, options: LedgerWriteOptions = {}): Promise<LedgerWriteResult> {
  assertMember(shop, memberId);
  assertMeta(input);
  const points = assertPoints(input.points);
  if (!["ADJUST", "IMPORT", "REFERRAL", "CAMPAIGN"].includes(input.kind)) {
    throw new LedgerValidationError(`credit kind must be ADJUST, IMPORT, REFERRAL or CAMPAIGN, got ${String(input.kind)}`);
  }
  assertDate(input.expiresAt, "expiresAt");
  const hash = contentHash({
    op: "credit", memberId, kind: input.kind, points, expiresAt: input.expiresAt, orderId: input.orderId,
    importRowId: input.importRowId, reason: input.reason, actor: input.actor,
  });
  return runWrite(shop, input.idempotencyKey, hash, (sql) => appendCredit(sql, shop, memberId, input, hash, {
    kind: input.kind, status: "POSTED", points, expiresAt: input.expiresAt ?? null,
    orderId: input.orderId ?? null, importRowId: input.importRowId ?? null,
  }), replayed, options);
}

/** Makes a pending earning spendable: pending -n, available +n, lifetime +n. */
export async function postPending(shop: string, pendingEntryId: bigint, input: PostPendingInput, options: LedgerWriteOptions = {}): Promise<LedgerWriteResult> {
  assertMeta(input);
  assertDate(input.expiresAt, "expiresAt");
  const hash = contentHash({
    op: "postPending", pendingId: pendingEntryId, expiresAt: input.expiresAt, reason: input.reason, actor: input.actor,
  });
  return resolvePendingEarn(shop, pendingEntryId, input, hash, "POSTED", options);
}

/** Drops a pending earning that will never post (e.g. the order was cancelled first). */
export async function voidPending(shop: string, pendingEntryId: bigint, input: WriteMeta, options: LedgerWriteOptions = {}): Promise<LedgerWriteResult> {
  assertMeta(input);
  const hash = contentHash({ op: "voidPending", pendingId: pendingEntryId, reason: input.reason, actor: input.actor });
  return resolvePendingEarn(shop, pendingEntryId, input, hash, "VOIDED", options);
}

async function resolvePendingEarn(
  shop: string,
  pendingEntryId: bigint,
  input: PostPendingInput,
  hash: string,
  status: "POSTED" | "VOIDED",
  options: LedgerWriteOptions,
): Promise<LedgerWriteResult> {
  return runWrite(shop, input.idempotencyKey, hash, async (sql) => {
    const pending = await findEntry(sql, shop, pendingEntryId);
    const { member, existing } = await lockForWrite(sql, shop, pending.memberId, input.idempotencyKey, hash);
    if (existing) return replayed(existing);
    if (pending.kind !== "EARN" || pending.status !== "PENDING") {
      throw new LedgerStateError(`Ledger entry ${pending.id} is not a pending earning`, pending.id);
    }
    await assertUnresolved(sql, shop, pending, "earning");
    return written(await appendEntry(sql, shop, member, input, hash, {
      kind: "EARN",
      status,
      points: pending.points,
      pendingId: pending.id,
      orderId: pending.orderId,
      expiresAt: status === "POSTED" ? (input.expiresAt !== undefined ? input.expiresAt : pending.expiresAt) : null,
    }));
  }, replayed, options);
}

async function assertUnresolved(sql: Sql, shop: string, pending: LedgerEntry, what: "earning" | "hold") {
  const resolution = await resolutionOf(sql, shop, pending.id);
  if (!resolution) return;
  const done = resolution.status === "VOIDED" ? "voided" : what === "hold" ? "captured" : "posted";
  throw new LedgerStateError(`The ${what} ${pending.id} was already ${done} (entry ${resolution.id})`, pending.id);
}

// ---------------------------------------------------------------------------------------------
// Debits and redemptions.

/**
 * Takes points away (a manual deduction or an expiry), from the oldest lots first. Refuses with
 * InsufficientPointsError rather than going below zero.
 */
export async function debit(shop: string, memberId: string, input: DebitInput, options: LedgerWriteOptions = {}): Promise<LedgerWriteResult> {
  assertMember(shop, memberId);
  assertMeta(input);
  const points = assertPoints(input.points);
  if (input.kind !== "ADJUST" && input.kind !== "EXPIRE") {
    throw new LedgerValidationError(`debit kind must be ADJUST or EXPIRE, got ${String(input.kind)}`);
  }
  const hash = contentHash({ op: "debit", memberId, kind: input.kind, points, reason: input.reason, actor: input.actor });
  return runWrite(shop, input.idempotencyKey, hash, async (sql) => {
    const { member, existing } = await lockForWrite(sql, shop, memberId, input.idempotencyKey, hash);
    if (existing) return replayed(existing);
    const allocations = await allocateOrRefuse(sql, shop, member, points);
    return written(await appendEntry(sql, shop, member, input, hash, { kind: input.kind, status: "POSTED", points: -points }, allocations));
  }, replayed, options);
}

/**
 * Expires whatever is left of one lot whose expiry date has passed (EXPIRE, from that lot only).
 * Nothing is written when the lot is already empty; a lot refilled later by a voided hold can be
 * expired again with the same key, since no entry was recorded under it.
 */
export async function expireLot(shop: string, lotEntryId: bigint, input: WriteMeta & { now?: Date }, options: LedgerWriteOptions = {}): Promise<ExpireLotResult> {
  assertMeta(input);
  assertDate(input.now, "now");
  const now = input.now ?? new Date();
  const hash = contentHash({ op: "expireLot", lotEntryId, reason: input.reason, actor: input.actor });
  const fromEntry = (entry: LedgerEntry): ExpireLotResult => ({ entry, expired: -entry.points, replayed: true });
  return runWrite(shop, input.idempotencyKey, hash, async (sql) => {
    const lot = await findEntry(sql, shop, lotEntryId);
    const { member, existing } = await lockForWrite(sql, shop, lot.memberId, input.idempotencyKey, hash);
    if (existing) return fromEntry(existing);
    if (!isLot(lot)) throw new LedgerStateError(`Ledger entry ${lot.id} is not a lot of points`, lot.id);
    if (!lot.expiresAt || lot.expiresAt > now) {
      throw new LedgerStateError(`The lot ${lot.id} has not expired`, lot.id);
    }
    const left = (await openLots(sql, shop, member.id)).find((open) => open.id === lot.id)?.remaining ?? 0;
    if (left === 0) return { entry: null, expired: 0, replayed: false };
    const entry = await appendEntry(sql, shop, member, input, hash, {
      kind: "EXPIRE", status: "POSTED", points: -left, orderId: lot.orderId,
    }, [{ lotId: lot.id, points: left }]);
    return { entry, expired: left, replayed: false };
  }, fromEntry, options);
}

/** Sets points aside for a redemption (REDEEM_HOLD): out of `available` until captured or voided. */
export async function hold(shop: string, memberId: string, input: HoldInput, options: LedgerWriteOptions = {}): Promise<LedgerWriteResult> {
  assertMember(shop, memberId);
  assertMeta(input);
  const points = assertPoints(input.points);
  const hash = contentHash({
    op: "hold", memberId, points, redemptionId: input.redemptionId, orderId: input.orderId,
    reason: input.reason, actor: input.actor,
  });
  return runWrite(shop, input.idempotencyKey, hash, async (sql) => {
    const { member, existing } = await lockForWrite(sql, shop, memberId, input.idempotencyKey, hash);
    if (existing) return replayed(existing);
    const allocations = await allocateOrRefuse(sql, shop, member, points);
    return written(await appendEntry(sql, shop, member, input, hash, {
      kind: "REDEEM_HOLD", status: "PENDING", points: -points,
      redemptionId: input.redemptionId ?? null, orderId: input.orderId ?? null,
    }, allocations));
  }, replayed, options);
}

/**
 * The shared frame of the operations on a hold: idempotent by key and content, the hold's member
 * locked before anything is read, a replay answered with the original entry.
 */
async function writeOnHold(
  shop: string,
  holdEntryId: bigint,
  op: "capture" | "voidHold" | "returnRedemption",
  input: WriteMeta & { orderId?: bigint | null },
  options: LedgerWriteOptions,
  write: (sql: Sql, held: LedgerEntry, member: LockedMember, hash: string) => Promise<LedgerEntry>,
): Promise<LedgerWriteResult> {
  assertMeta(input);
  const hash = contentHash({ op, holdId: holdEntryId, orderId: input.orderId, reason: input.reason, actor: input.actor });
  return runWrite(shop, input.idempotencyKey, hash, async (sql) => {
    const held = await findHold(sql, shop, holdEntryId);
    const { member, existing } = await lockForWrite(sql, shop, held.memberId, input.idempotencyKey, hash);
    if (existing) return replayed(existing);
    return written(await write(sql, held, member, hash));
  }, replayed, options);
}

/**
 * Spends a hold for good (REDEEM_CAPTURE). Balances do not move: the hold already took the points.
 * `orderId` names the order that spent it (a hold is taken before its order exists).
 */
export async function capture(
  shop: string,
  holdEntryId: bigint,
  input: WriteMeta & { orderId?: bigint | null },
  options: LedgerWriteOptions = {},
): Promise<LedgerWriteResult> {
  return writeOnHold(shop, holdEntryId, "capture", input, options, async (sql, held, member, hash) => {
    await assertUnresolved(sql, shop, held, "hold");
    return appendEntry(sql, shop, member, input, hash, {
      kind: "REDEEM_CAPTURE", status: "POSTED", points: held.points, pendingId: held.id,
      redemptionId: held.redemptionId, orderId: input.orderId ?? held.orderId,
    });
  });
}

/** Cancels a hold (REDEEM_VOID): its points return to `available`, into the very lots they left. */
export async function voidHold(shop: string, holdEntryId: bigint, input: WriteMeta, options: LedgerWriteOptions = {}): Promise<LedgerWriteResult> {
  return writeOnHold(shop, holdEntryId, "voidHold", input, options, async (sql, held, member, hash) => {
    await assertUnresolved(sql, shop, held, "hold");
    return appendEntry(sql, shop, member, input, hash, {
      kind: "REDEEM_VOID", status: "VOIDED", points: -held.points, pendingId: held.id,
      redemptionId: held.redemptionId, orderId: held.orderId,
    }, await releasedHoldAllocations(sql, shop, held.id));
  });
}

/**
 * Gives back the points of a captured redemption (REDEEM_RETURN), e.g. when the order it paid for
 * is cancelled. The points return to the lots they were taken from, as for a voided hold, and do
 * not count as earned again. At most once per capture (a partial unique index).
 */
export async function returnRedemption(shop: string, holdEntryId: bigint, input: WriteMeta, options: LedgerWriteOptions = {}): Promise<LedgerWriteResult> {
  return writeOnHold(shop, holdEntryId, "returnRedemption", input, options, async (sql, held, member, hash) => {
    const captured = await resolutionOf(sql, shop, held.id);
    if (!captured || captured.kind !== "REDEEM_CAPTURE") {
      throw new LedgerStateError(`The hold ${held.id} was not captured: void it instead`, held.id);
    }
    const [returned] = await sql.rows<{ id: bigint }>(
      `SELECT "id" FROM "LedgerEntry" WHERE "shop" = $1 AND "reversesId" = $2::bigint AND "kind" = 'REDEEM_RETURN'`,
      [shop, captured.id],
    );
    if (returned) throw new LedgerStateError(`The redemption ${held.id} was already given back (entry ${returned.id})`, held.id);
    return appendEntry(sql, shop, member, input, hash, {
      kind: "REDEEM_RETURN", status: "POSTED", points: -held.points, reversesId: captured.id,
      redemptionId: held.redemptionId, orderId: captured.orderId,
    }, await releasedHoldAllocations(sql, shop, held.id));
  });
}

/** The negated allocations of a hold: its points go back into the very lots they left. */
async function releasedHoldAllocations(sql: Sql, shop: string, holdId: bigint) {
  const taken = await sql.rows<{ lotEntryId: bigint; points: number }>(
    `SELECT "lotEntryId", "points" FROM "LedgerLotAllocation" WHERE "shop" = $1 AND "entryId" = $2::bigint ORDER BY "lotEntryId"`,
    [shop, holdId],
  );
  return releaseAllocations(taken.map((a) => ({ lotId: a.lotEntryId, points: a.points })));
}

async function findHold(sql: Sql, shop: string, holdEntryId: bigint) {
  const held = await findEntry(sql, shop, holdEntryId);
  if (held.kind !== "REDEEM_HOLD") throw new LedgerStateError(`Ledger entry ${held.id} is not a redemption hold`, held.id);
  return held;
}

/**
 * Takes back (part of) an earlier posted credit, e.g. the points of a refunded order (REVERSAL).
 *
 * Limit: the reversals of one credit never ask for more than the credit, in total; asking for more
 * than what remains is a ReversalLimitError.
 *
 * Policy when the points are already spent: take back what is available now (never below zero,
 * held points are left alone) and report the rest as `shortfall`. The shortfall is written on the
 * entry and counts against what remains reversible, so a later refund cannot claim the same points
 * twice; it is forgiven, not owed. Lifetime earned drops by everything asked back. The points come
 * out of the reversed credit's own lot first, then the oldest lots.
 */
export async function reverse(shop: string, entryId: bigint, input: ReverseInput, options: LedgerWriteOptions = {}): Promise<ReversalResult> {
  assertMeta(input);
  if (input.points !== undefined) assertPoints(input.points);
  const hash = contentHash({
    op: "reverse", entryId, points: input.points, refundId: input.refundId, orderId: input.orderId,
    reason: input.reason, actor: input.actor,
  });
  const fromEntry = (entry: LedgerEntry): ReversalResult => ({ entry, replayed: true, reversed: -entry.points, shortfall: entry.shortfall });
  return runWrite(shop, input.idempotencyKey, hash, async (sql) => {
    const original = await findEntry(sql, shop, entryId);
    const { member, existing } = await lockForWrite(sql, shop, original.memberId, input.idempotencyKey, hash);
    if (existing) return fromEntry(existing);
    if (!isLot(original)) {
      throw new LedgerStateError(`Only posted credits can be reversed; ledger entry ${original.id} is ${original.kind} ${original.status}`, original.id);
    }
    const remaining = original.points - (await reversedSoFar(sql, shop, original.id));
    const requested = input.points ?? remaining;
    if (remaining <= 0 || requested > remaining) throw new ReversalLimitError(original.id, Math.max(remaining, 0), requested);

    const reversed = Math.min(requested, member.pointsAvailable);
    const plan = allocateLots(await openLots(sql, shop, member.id), reversed, { firstLotId: original.id });
    if (plan.shortfall > 0) {
      throw new Error(`ledger lots of member ${member.id} hold less than the cached available balance; run reconcileBalances`);
    }
    const entry = await appendEntry(sql, shop, member, input, hash, {
      kind: "REVERSAL", status: "POSTED", points: -reversed, shortfall: requested - reversed,
      reversesId: original.id, orderId: input.orderId !== undefined ? input.orderId : original.orderId,
      refundId: input.refundId ?? null,
    }, plan.allocations);
    return { entry, replayed: false, reversed, shortfall: requested - reversed };
  }, fromEntry, options);
}

/** Points the reversals of a credit have asked for so far: taken back, or forgiven as shortfall. */
async function reversedSoFar(sql: Sql, shop: string, entryId: bigint): Promise<number> {
  const [row] = await sql.rows<{ asked: number }>(
    `SELECT (COALESCE(-SUM("points"), 0) + COALESCE(SUM("shortfall"), 0))::int AS "asked"
     FROM "LedgerEntry" WHERE "shop" = $1 AND "reversesId" = $2::bigint AND "kind" = 'REVERSAL'`,
    [shop, entryId],
  );
  return row.asked;
}

/** What is left to reverse of a posted credit (0 when nothing is, or when it is not a posted credit). */
export async function reversibleRemainder(shop: string, entryId: bigint, tx?: Tx): Promise<number> {
  const sql = sqlOf(tx);
  const original = await findEntry(sql, shop, entryId);
  if (!isLot(original)) return 0;
  return Math.max(0, original.points - (await reversedSoFar(sql, shop, original.id)));
}

// ---------------------------------------------------------------------------------------------
// The shop's erasure (shop/redact). The only deletion the append-only triggers allow, and only in
// a transaction that says so: everything the shop had goes, its ledger with it.

/** Deletes every ledger row of the shop, in the caller's transaction (the rest of the shop goes with it). */
export async function purgeShopLedger(shop: string, tx: Tx): Promise<void> {
  const sql = sqlOf(tx);
  await sql.rows(`SELECT set_config('loyalnest.ledger_purge', 'on', true)`);
  await sql.execute(`DELETE FROM "LedgerLotAllocation" WHERE "shop" = $1`, [shop]);
  await sql.execute(`DELETE FROM "LedgerEntry" WHERE "shop" = $1`, [shop]);
  await sql.rows(`SELECT set_config('loyalnest.ledger_purge', 'off', true)`);
}

// ---------------------------------------------------------------------------------------------
// Reads.

async function assertMemberExists(shop: string, memberId: string) {
  assertMember(shop, memberId);
  const member = await prisma.member.findUnique({ where: { shop_id: { shop, id: memberId } }, select: { id: true } });
  if (!member) throw new MemberNotFoundError(memberId);
}

/** The cached balances (kept in step with the ledger in every write transaction). */
export async function getBalance(shop: string, memberId: string): Promise<Balance> {
  assertMember(shop, memberId);
  const member = await prisma.member.findUnique({
    where: { shop_id: { shop, id: memberId } },
    select: { pointsAvailable: true, pointsPending: true, lifetimeEarned: true },
  });
  if (!member) throw new MemberNotFoundError(memberId);
  return { available: member.pointsAvailable, pending: member.pointsPending, lifetimeEarned: member.lifetimeEarned };
}

/** A member's entries, newest first. Pass the returned `nextCursor` to get the next page. */
export async function listEntries(
  shop: string,
  memberId: string,
  { cursor, take = DEFAULT_PAGE_SIZE }: { cursor?: bigint | null; take?: number } = {},
): Promise<{ entries: LedgerEntry[]; nextCursor: bigint | null }> {
  if (!Number.isSafeInteger(take) || take < 1 || take > MAX_PAGE_SIZE) {
    throw new LedgerValidationError(`take must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  await assertMemberExists(shop, memberId);
  const rows = await prisma.ledgerEntry.findMany({
    where: { shop, memberId, ...(cursor != null ? { id: { lt: cursor } } : {}) },
    orderBy: { id: "desc" },
    take: take + 1,
  });
  const entries = rows.slice(0, take);
  return { entries, nextCursor: rows.length > take ? entries[entries.length - 1].id : null };
}

/**
 * The newest entries of an active member, by Shopify customer (the storefront's history): keyed by
 * the customer, so it can travel with the member read in one round trip (`db`).
 */
export async function recentEntriesOfCustomer(shop: string, customerId: bigint, take: number, db?: Sql): Promise<LedgerEntry[]> {
  if (!Number.isSafeInteger(take) || take < 1 || take > MAX_PAGE_SIZE) {
    throw new LedgerValidationError(`take must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return sqlOf(db).rows<LedgerEntry>(
    `SELECT e.* FROM "LedgerEntry" e JOIN "Member" m ON m."shop" = e."shop" AND m."id" = e."memberId"
     WHERE m."shop" = $1 AND m."shopifyCustomerId" = $2::bigint AND m."state" = 'ACTIVE'
     ORDER BY e."id" DESC LIMIT $3`,
    [shop, customerId, take],
  );
}

/** Every entry of a member, oldest first (a customer's data export). */
export async function entriesForMember(shop: string, memberId: string): Promise<LedgerEntry[]> {
  return prisma.ledgerEntry.findMany({ where: { shop, memberId }, orderBy: { id: "asc" } });
}

/** The entry written under an idempotency key, if any (to recover after a conflicting retry). */
export async function entryByIdempotencyKey(shop: string, idempotencyKey: string, tx?: Tx): Promise<LedgerEntry | null> {
  return entryWithKey(sqlOf(tx), shop, idempotencyKey);
}

/** Every entry that concerns an order (earnings, their posting, reversals, redemptions), oldest first. */
export async function entriesForOrder(shop: string, orderId: bigint, tx?: Tx): Promise<LedgerEntry[]> {
  return sqlOf(tx).rows<LedgerEntry>(`SELECT * FROM "LedgerEntry" WHERE "shop" = $1 AND "orderId" = $2::bigint ORDER BY "id"`, [shop, orderId]);
}

/** How many of the member's credits for this reason were recorded in [start, end) (e.g. reviews paid today). */
export async function creditsRecordedBetween(
  shop: string,
  memberId: string,
  { reason, start, end }: { reason: string; start: Date; end: Date },
): Promise<number> {
  return prisma.ledgerEntry.count({
    where: { shop, memberId, kind: "EARN", status: "POSTED", reason, createdAt: { gte: start, lt: end } },
  });
}

/** What is left of each of the member's lots, oldest first (the order they are consumed in). */
export async function lotsForMember(shop: string, memberId: string): Promise<LotBalance[]> {
  await assertMemberExists(shop, memberId);
  const lots = await openLots(sqlOf(), shop, memberId);
  return lots.map((lot) => ({
    lotEntryId: lot.id,
    kind: lot.kind,
    points: lot.points,
    remaining: lot.remaining,
    expiresAt: lot.expiresAt,
    createdAt: lot.createdAt,
  }));
}

// ---------------------------------------------------------------------------------------------
// Reconciliation: the cache is not the ledger.

interface EffectGroup {
  memberId: string;
  kind: LedgerKind;
  status: LedgerStatus;
  resolvesPending: boolean;
  points: bigint;
  shortfall: bigint;
}

/** Balances recomputed from entries alone, per member (members without entries are absent). */
async function computeBalances(db: Db, shop: string, memberId?: string): Promise<Map<string, Balance>> {
  const memberFilter = memberId === undefined ? Prisma.empty : Prisma.sql`AND "memberId" = ${memberId}`;
  // Grouping by the sign of points keeps each group's effect linear (ADJUST counts towards
  // lifetime only when positive).
  const groups = await db.$queryRaw<EffectGroup[]>`
    SELECT "memberId", "kind"::text AS "kind", "status"::text AS "status",
           ("pendingId" IS NOT NULL) AS "resolvesPending",
           SUM("points")::bigint AS "points", SUM("shortfall")::bigint AS "shortfall"
    FROM "LedgerEntry"
    WHERE "shop" = ${shop} ${memberFilter}
    GROUP BY "memberId", "kind", "status", ("pendingId" IS NOT NULL), ("points" > 0)`;
  const balances = new Map<string, Balance>();
  for (const g of groups) {
    const effect = balanceEffect({
      kind: g.kind,
      status: g.status,
      points: Number(g.points),
      shortfall: Number(g.shortfall),
      resolvesPending: g.resolvesPending,
    });
    balances.set(g.memberId, addBalances(balances.get(g.memberId) ?? NO_EFFECT, effect));
  }
  return balances;
}

const cachedOf = (m: { pointsAvailable: number; pointsPending: number; lifetimeEarned: number }): Balance => ({
  available: m.pointsAvailable,
  pending: m.pointsPending,
  lifetimeEarned: m.lifetimeEarned,
});

/**
 * Recomputes every member's balances from the entries and reports where the cache differs. With
 * `fix`, each drifted member is re-checked under its lock and its cache rewritten; the result is
 * then what was fixed.
 */
export async function reconcileBalances(shop: string, { fix = false }: { fix?: boolean } = {}): Promise<BalanceDrift[]> {
  // One snapshot for both reads, so a write committing in between cannot look like drift.
  const [members, computed] = await prisma.$transaction(
    async (tx) => Promise.all([
      tx.member.findMany({
        where: { shop },
        select: { id: true, pointsAvailable: true, pointsPending: true, lifetimeEarned: true },
        orderBy: { id: "asc" },
      }),
      computeBalances(tx, shop),
    ]),
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, maxWait: WRITE_TX.maxWait, timeout: 60_000 },
  );
  const drift: BalanceDrift[] = [];
  for (const member of members) {
    const cached = cachedOf(member);
    const fromLedger = computed.get(member.id) ?? NO_EFFECT;
    if (!sameBalance(cached, fromLedger)) drift.push({ memberId: member.id, cached, computed: fromLedger });
  }
  if (!fix || drift.length === 0) return drift;

  const fixed: BalanceDrift[] = [];
  for (const { memberId } of drift) {
    const repaired = await prisma.$transaction(async (tx) => {
      const member = await lockMember(sqlOf(tx), shop, memberId);
      const cached = cachedOf(member);
      const fromLedger = (await computeBalances(tx, shop, memberId)).get(memberId) ?? NO_EFFECT;
      if (sameBalance(cached, fromLedger)) return null;
      await tx.member.update({
        where: { shop_id: { shop, id: memberId } },
        data: {
          pointsAvailable: fromLedger.available,
          pointsPending: fromLedger.pending,
          lifetimeEarned: fromLedger.lifetimeEarned,
        },
      });
      return { memberId, cached, computed: fromLedger };
    }, WRITE_TX);
    if (repaired) {
      fixed.push(repaired);
      logger.warn({ shop, memberId, cached: repaired.cached, computed: repaired.computed }, "ledger balance cache repaired");
    }
  }
  return fixed;
}

// =============================================================================================
// Analytics reads (the overview). Aggregates over the journal for a shop; nothing here writes.
//
// Business time, not only recording time. `createdAt` is when an entry was recorded. Points
// issued for an order belong to the day the order was placed (OrderEarning.orderedAt, Shopify's
// processed_at): its earning, a pending earning voided by a cancellation or a refund, and a
// reversal for a refund all count on that day however late they were recorded (the demo replays
// a month of orders in minutes; a refund may come weeks after its order). Every other entry
// happens when it is recorded (action points, adjustments, imports, expiries, redemptions) and
// counts on its createdAt. Redeemed points count on the day of the hold; a code that expired
// unused (voided) or was given back later is subtracted from that same day, so a day's figures
// settle instead of going negative. Every order-linked EARN and REVERSAL has its OrderEarning row
// (written under the order's lock right after the entry).
//
// Days are the buckets between `boundaries` (shop-local midnights: app/domain/report-period.ts),
// found with width_bucket so that the database and the page agree on every day's edges. The WHERE
// clauses repeat the predicates of the partial indexes they rely on (migration
// 20261203093000_overview_member_activity) so that the planner can use them.

export interface PointsFlowDay {
  /** Points credited (earnings, action points, additions), less voided pending earnings and reversals. */
  issued: number;
  /** Points exchanged for rewards, less codes voided or given back. */
  redeemed: number;
  expired: number;
}

function timestampArray(boundaries: readonly Date[]): string[] {
  if (boundaries.length < 2) throw new LedgerValidationError("at least two boundaries are needed");
  for (let i = 1; i < boundaries.length; i++) {
    if (!(boundaries[i].getTime() > boundaries[i - 1].getTime())) throw new LedgerValidationError("boundaries must increase");
  }
  return boundaries.map((b) => b.toISOString());
}

const bucketCount = (boundaries: readonly Date[]) => boundaries.length - 1;

/** Points issued, redeemed and expired per day, one element per bucket between `boundaries`. */
export async function pointsFlowByDay(shop: string, boundaries: readonly Date[]): Promise<PointsFlowDay[]> {
  const edges = timestampArray(boundaries);
  const start = boundaries[0];
  const end = boundaries[boundaries.length - 1];
  const rows = await prisma.$queryRaw<{ bucket: number; issued: bigint; redeemed: bigint; expired: bigint }[]>`
    WITH flows AS (
      SELECT oe."orderedAt" AS "at",
             CASE WHEN e."status" = 'VOIDED' THEN -e."points" ELSE e."points" END AS "issued",
             0 AS "redeemed", 0 AS "expired"
      FROM "OrderEarning" oe
      JOIN "LedgerEntry" e ON e."shop" = oe."shop" AND e."orderId" = oe."orderId"
      WHERE oe."shop" = ${shop} AND oe."orderedAt" >= ${start}::timestamp(3) AND oe."orderedAt" < ${end}::timestamp(3)
        AND e."orderId" IS NOT NULL AND e."kind" IN ('EARN', 'REVERSAL') AND (e."pendingId" IS NULL OR e."status" = 'VOIDED')
      UNION ALL
      SELECT e."createdAt",
             CASE WHEN e."kind" = 'EARN' AND e."pendingId" IS NULL THEN e."points"
                  WHEN e."kind" = 'EARN' AND e."status" = 'VOIDED' THEN -e."points"
                  WHEN e."kind" IN ('ADJUST', 'IMPORT', 'REFERRAL', 'CAMPAIGN', 'REVERSAL') THEN e."points"
                  ELSE 0 END,
             CASE WHEN e."kind" = 'REDEEM_HOLD' THEN -e."points" ELSE 0 END,
             CASE WHEN e."kind" = 'EXPIRE' THEN -e."points" ELSE 0 END
      FROM "LedgerEntry" e
      WHERE e."shop" = ${shop} AND e."createdAt" >= ${start}::timestamp(3) AND e."createdAt" < ${end}::timestamp(3)
        AND (e."orderId" IS NULL OR e."kind" NOT IN ('EARN', 'REVERSAL'))
      UNION ALL
      -- Holds of the period voided since (a code that expired unused): their points came back, on
      -- the hold's day. Found from the voids, which come after their hold, so after the start.
      SELECT h."createdAt", 0, -v."points", 0
      FROM "LedgerEntry" v
      JOIN "LedgerEntry" h ON h."shop" = v."shop" AND h."id" = v."pendingId"
      WHERE v."shop" = ${shop} AND v."createdAt" >= ${start}::timestamp(3) AND v."kind" = 'REDEEM_VOID'
        AND (v."orderId" IS NULL OR v."kind" NOT IN ('EARN', 'REVERSAL'))
        AND h."createdAt" >= ${start}::timestamp(3) AND h."createdAt" < ${end}::timestamp(3)
      UNION ALL
      -- Captured redemptions given back since (their order was cancelled; rare): the hold's day too.
      SELECT h."createdAt", 0, -r."points", 0
      FROM "LedgerEntry" r
      JOIN "LedgerEntry" c ON c."shop" = r."shop" AND c."id" = r."reversesId"
      JOIN "LedgerEntry" h ON h."shop" = c."shop" AND h."id" = c."pendingId"
      WHERE r."shop" = ${shop} AND r."kind" = 'REDEEM_RETURN'
        AND h."createdAt" >= ${start}::timestamp(3) AND h."createdAt" < ${end}::timestamp(3)
    )
    SELECT width_bucket("at", ${edges}::timestamp(3)[]) AS "bucket",
           SUM("issued")::bigint AS "issued", SUM("redeemed")::bigint AS "redeemed", SUM("expired")::bigint AS "expired"
    FROM flows
    GROUP BY 1`;
  const days: PointsFlowDay[] = Array.from({ length: bucketCount(boundaries) }, () => ({ issued: 0, redeemed: 0, expired: 0 }));
  for (const row of rows) {
    const day = days[Number(row.bucket) - 1];
    if (!day) continue; // outside [start, end): cannot happen with the WHERE clauses above
    day.issued = toSafeNumber(row.issued, "points issued");
    day.redeemed = toSafeNumber(row.redeemed, "points redeemed");
    day.expired = toSafeNumber(row.expired, "points expired");
  }
  return days;
}

/**
 * Distinct members who placed an order (by the day it was placed) or redeemed points in each
 * period: [start, split) is the previous one, [split, end) the current one.
 */
export async function activeMemberCounts(
  shop: string,
  { start, split, end }: { start: Date; split: Date; end: Date },
): Promise<{ previous: number; current: number }> {
  // Distinct members per period by hashing ids under the "C" collation: sorting or grouping the
  // ids under the database's linguistic collation cost twice as much at 100,000 members.
  const [row] = await prisma.$queryRaw<{ previous: bigint; current: bigint }[]>`
    WITH activity AS (
      SELECT "memberId" COLLATE "C" AS "memberId", "orderedAt" AS "at" FROM "OrderEarning"
      WHERE "shop" = ${shop} AND "orderedAt" >= ${start}::timestamp(3) AND "orderedAt" < ${end}::timestamp(3) AND "memberId" IS NOT NULL
      UNION ALL
      SELECT "memberId" COLLATE "C", "createdAt" FROM "LedgerEntry"
      WHERE "shop" = ${shop} AND "createdAt" >= ${start}::timestamp(3) AND "createdAt" < ${end}::timestamp(3)
        AND "kind" = 'REDEEM_HOLD' AND ("orderId" IS NULL OR "kind" NOT IN ('EARN', 'REVERSAL'))
    )
    SELECT (SELECT count(*) FROM (SELECT DISTINCT "memberId" FROM activity WHERE "at" < ${split}::timestamp(3)) p) AS "previous",
           (SELECT count(*) FROM (SELECT DISTINCT "memberId" FROM activity WHERE "at" >= ${split}::timestamp(3)) c) AS "current"`;
  return { previous: Number(row.previous), current: Number(row.current) };
}

export interface RecentEntry {
  id: string;
  kind: LedgerKind;
  status: LedgerStatus;
  points: number;
  createdAt: string;
  orderId: string | null;
  reason: string | null;
  member: { id: string; name: string | null; customerId: string };
}

/** The shop's latest entries, newest first, with who they concern (no personal data once redacted). */
export async function recentEntries(shop: string, take = 10): Promise<RecentEntry[]> {
  const rows = await prisma.ledgerEntry.findMany({
    where: { shop },
    orderBy: { id: "desc" },
    take,
    select: {
      id: true, kind: true, status: true, points: true, createdAt: true, orderId: true, reason: true,
      member: { select: { id: true, firstName: true, lastName: true, shopifyCustomerId: true, state: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    kind: r.kind,
    status: r.status,
    points: r.points,
    createdAt: r.createdAt.toISOString(),
    orderId: r.orderId?.toString() ?? null,
    reason: r.reason,
    member: {
      id: r.member.id,
      name: r.member.state === "REDACTED" ? null : [r.member.firstName, r.member.lastName].filter(Boolean).join(" ") || null,
      customerId: r.member.shopifyCustomerId.toString(),
    },
  }));
}
