// Typed ledger errors. `status` and `code` are what the API layer answers with
// (`{error: {code, message}}`); messages never reveal whether another shop has such a row.

export abstract class LedgerError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export function isLedgerError(error: unknown): error is LedgerError {
  return error instanceof LedgerError;
}

/** The member does not exist in this shop (it may exist in another one: that is not our business). */
export class MemberNotFoundError extends LedgerError {
  readonly status = 404;
  readonly code = "member_not_found";

  constructor(readonly memberId: string) {
    super(`Member ${memberId} was not found`);
  }
}

export class LedgerEntryNotFoundError extends LedgerError {
  readonly status = 404;
  readonly code = "ledger_entry_not_found";

  constructor(readonly entryId: bigint) {
    super(`Ledger entry ${entryId} was not found`);
  }
}

/** The idempotency key was already used for a request with other content. */
export class LedgerConflictError extends LedgerError {
  readonly status = 409;
  readonly code = "idempotency_conflict";

  constructor(
    readonly idempotencyKey: string,
    readonly existingEntryId: bigint,
  ) {
    super(`Idempotency key "${idempotencyKey}" was already used for a different request (entry ${existingEntryId})`);
  }
}

export class InsufficientPointsError extends LedgerError {
  readonly status = 422;
  readonly code = "insufficient_points";

  constructor(
    readonly available: number,
    readonly requested: number,
  ) {
    super(`Insufficient points: ${requested} requested, ${available} available`);
  }
}

/** The entry is not in a state that allows the operation (e.g. capturing a voided hold). */
export class LedgerStateError extends LedgerError {
  readonly status = 409;
  readonly code = "invalid_ledger_state";

  constructor(
    message: string,
    readonly entryId: bigint,
  ) {
    super(message);
  }
}

/** A reversal asked for more than what remains reversible of the credit. */
export class ReversalLimitError extends LedgerError {
  readonly status = 422;
  readonly code = "reversal_exceeds_remaining";

  constructor(
    readonly entryId: bigint,
    readonly remaining: number,
    readonly requested: number,
  ) {
    super(
      remaining === 0
        ? `Ledger entry ${entryId} has already been fully reversed`
        : `Cannot reverse ${requested} points of ledger entry ${entryId}: only ${remaining} remain reversible`,
    );
  }
}

/** Malformed input (non-integer points, empty idempotency key…): nothing was written. */
export class LedgerValidationError extends LedgerError {
  readonly status = 400;
  readonly code = "invalid_ledger_request";
}
