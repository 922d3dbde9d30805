/**
 * Errors of the `l2` command line and their exit codes. Every failure the command line reports is a FernetError
 * with a code from EXIT_CODES (its own L2CliError codes and the key files' KeyFileError codes); `exitCodeOf` maps
 * any error to the process exit code (1 for anything unexpected). The usage text and docs/l2-cli.md list the same.
 */
import { FernetError } from "../errors.js";

/** Exit code of each error code; exit 0 is success, 1 an unexpected failure. */
export const EXIT_CODES = {
  // 2: the command line itself (nothing was read or sent)
  USAGE: 2,
  // 3: the key file
  KEY_NOT_FOUND: 3,
  KEY_EXISTS: 3,
  BAD_KEY_FILE: 3,
  KEY_FILE_PERMISSIONS: 3,
  KEY_FILE_IO: 3,
  // 4: the devnet config (where the sequencers are)
  DEVNET_NOT_FOUND: 4,
  BAD_CONFIG: 4,
  // 5: the sequencer node cannot be reached or answers nonsense
  NODE_UNREACHABLE: 5,
  BAD_NODE_ANSWER: 5,
  // 6: the request was refused (by the node, or before sending because the node's state says it would be)
  UNKNOWN_ACCOUNT: 6,
  KEY_MISMATCH: 6,
  TX_REJECTED: 6,
  UNKNOWN_TX: 6,
  // 7: a followed transaction was dropped (terminal)
  TX_DROPPED: 7,
  // 8: --follow gave up before the transaction was finalized
  FOLLOW_TIMEOUT: 8,
} as const;

export type ExitCodeName = keyof typeof EXIT_CODES;
export type L2CliErrorCode = Exclude<ExitCodeName, "KEY_NOT_FOUND" | "KEY_EXISTS" | "BAD_KEY_FILE" | "KEY_FILE_PERMISSIONS" | "KEY_FILE_IO">;

/** A failure of the `l2` command line; `code` picks the exit code (EXIT_CODES). */
export class L2CliError extends FernetError<L2CliErrorCode> {
  /** Exit code of this error. */
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** The process exit code for an error thrown by a command. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof FernetError && typeof e.code === "string" && Object.hasOwn(EXIT_CODES, e.code)) return EXIT_CODES[e.code as ExitCodeName];
  return 1;
}

export const usageError = (message: string): L2CliError => new L2CliError("USAGE", message);
