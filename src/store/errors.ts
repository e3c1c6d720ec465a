/**
 * Store failures that are about the place the data lives, not about the data: the disk is full,
 * the device reports an I/O error, another process holds the write lock too long. Nothing of the
 * transaction was written, the same request may succeed later, and the API answers 503 (SPEC §4:
 * a failed commit never leaves the engine ahead of the store). Every backend maps its own errors
 * to this one type, so the service and the server do not know SQLite error codes.
 */
export type StoreUnavailableReason = 'disk_full' | 'io_error' | 'busy';

const WHAT: Record<StoreUnavailableReason, string> = {
  disk_full: 'the disk holding the data file is full',
  io_error: 'the disk holding the data file reported an I/O error',
  busy: 'another process held the data file\'s write lock for longer than the busy timeout',
};

const FIX: Record<StoreUnavailableReason, string> = {
  disk_full: 'free space on the data file\'s filesystem (see docs/operations.md, "Disk full / failed commit"), '
    + 'then send the same request again',
  io_error: 'check the disk and the kernel log (dmesg) for the data file\'s device, then send the same request again',
  busy: 'another tocsin or sqlite3 process has the data file open for writing; stop it or wait, '
    + 'then send the same request again',
};

export class StoreUnavailableError extends Error {
  readonly reason: StoreUnavailableReason;
  constructor(reason: StoreUnavailableReason, detail: string, options?: { cause?: unknown }) {
    super(`${WHAT[reason]} (${detail}); nothing of this change was stored`, options);
    this.name = 'StoreUnavailableError';
    this.reason = reason;
  }

  /** What to do about it, for API hints and log lines. */
  get hint(): string {
    return FIX[this.reason];
  }
}

/** SQLite primary result codes (the low byte of an extended code such as SQLITE_IOERR_WRITE = 778). */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;

/**
 * A node:sqlite error (`{ code: 'ERR_SQLITE_ERROR', errcode, errstr }`) about the medium becomes a
 * StoreUnavailableError; anything else (a constraint, a bug) is returned as it is.
 */
export function classifySqliteError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || typeof error !== 'object' || error === null) return error;
  const errcode = (error as { errcode?: unknown }).errcode;
  if (typeof errcode !== 'number') return error;
  const message = error instanceof Error ? error.message : String(errcode);
  switch (errcode & 0xff) {
    case SQLITE_FULL: return new StoreUnavailableError('disk_full', `SQLite: ${message}`, { cause: error });
    case SQLITE_IOERR:
      return new StoreUnavailableError('io_error', `SQLite: ${message}, code ${errcode}`, { cause: error });
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return new StoreUnavailableError('busy', `SQLite: ${message}`, { cause: error });
    default: return error;
  }
}
