/**
 * The one base of the project's typed errors: every module's error class (AgentError, L2Error, ZkError, ...)
 * extends FernetError, so a caller can branch on `code` (stable) whatever module threw, and `name` is the class.
 *
 * Contract reverts are decoded by src/client (`contractErrorName`, `isContractError`, typed by the ABIs).
 */

/** Options of a FernetError: the underlying error and structured details (e.g. the offending value). */
export interface FernetErrorOptions {
  cause?: unknown;
  details?: unknown;
}

/**
 * Base of the typed errors. `code` is a stable string (a JSON-RPC error keeps its numeric wire code), `message`
 * explains, `details` carries what the code refers to when there is something to carry.
 */
export class FernetError<C extends string | number = string> extends Error {
  readonly code: C;
  readonly details?: unknown;
  constructor(code: C, message: string, options: FernetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // The subclass name (AgentError, ZkError, ...): what logs and `String(err)` show.
    this.name = new.target.name;
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
  }
}

/** Whether `e` is one of the project's typed errors (optionally with this `code`). */
export function isFernetError(e: unknown, code?: string | number): e is FernetError<string | number> {
  return e instanceof FernetError && (code === undefined || e.code === code);
}
