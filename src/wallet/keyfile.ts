/**
 * L2 key files: the EdDSA (Baby Jubjub) seed of one L2 account, as the `l2` command line stores it.
 *
 *   { "format": "fernet-l2-key/1", "seed": "0x<64 hex>", "publicKey": ["<x>", "<y>"], "index": 3 }
 *
 * `seed` is the 32-byte private key (src/l2/crypto.ts `keyFromSeed`); `publicKey` (decimal strings) is derived from
 * it and stored so that a file can be checked and shown without the secret; `index` (optional) is the account's
 * leaf in the L2 tree, when known (the dev accounts' is; a new key gets one only in a genesis).
 *
 * Files are created with mode 0600 and never overwritten; a file that group or others can read is refused on
 * reading (as ssh does), since anyone who reads it can spend the account.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { getBytes, hexlify } from "ethers";
import { FernetError } from "../errors.js";
import { keyFromSeed, type KeyPair, type Point } from "../l2/index.js";
import { devKey } from "../l2/sample.js";

export const KEY_FILE_FORMAT = "fernet-l2-key/1";

export type KeyFileErrorCode =
  | "KEY_NOT_FOUND" // no file at the path
  | "KEY_EXISTS" // creating over an existing file
  | "BAD_KEY_FILE" // not JSON, wrong format, malformed seed / index, public key that is not the seed's
  | "KEY_FILE_PERMISSIONS" // readable or writable by group / others
  | "KEY_FILE_IO"; // any other read / write failure (missing folder, no permission)

export class KeyFileError extends FernetError<KeyFileErrorCode> {
  constructor(code: KeyFileErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A loaded key: the pair and, when the file records it, the account index. */
export interface L2Key extends KeyPair {
  index?: number;
}

interface KeyFileJSON {
  format: string;
  seed: string;
  publicKey: [string, string];
  index?: number;
}

/** A fresh key from OS entropy (call `initL2()` first). */
export function newKey(): L2Key {
  return keyFromSeed(randomBytes(32));
}

/** The deterministic development key of genesis account `index` (public labels: for the devnet only). */
export function devAccountKey(index: number): L2Key {
  return { ...devKey(index), index };
}

/** Writes `key` to a new file at `path` with mode 0600. Throws KEY_EXISTS if anything is there already. */
export function writeKeyFile(path: string, key: L2Key): void {
  const json: KeyFileJSON = { format: KEY_FILE_FORMAT, seed: hexlify(key.seed), publicKey: [key.publicKey[0].toString(), key.publicKey[1].toString()] };
  if (key.index !== undefined) json.index = key.index;
  try {
    // "wx": fail if the path exists (no overwrite, no race between a check and the write).
    writeFileSync(path, JSON.stringify(json, null, 2) + "\n", { flag: "wx", mode: 0o600 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new KeyFileError("KEY_EXISTS", `${path} exists already: a key file is never overwritten (choose another path or remove it)`);
    throw new KeyFileError("KEY_FILE_IO", `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads and checks a key file (call `initL2()` first: the public key is re-derived from the seed). */
export function readKeyFile(path: string): L2Key {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new KeyFileError("BAD_KEY_FILE", `${path} is not a file`);
    if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
      throw new KeyFileError(
        "KEY_FILE_PERMISSIONS",
        `${path} is accessible by others (mode ${(st.mode & 0o777).toString(8).padStart(3, "0")}): run \`chmod 600 ${path}\``,
      );
    }
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new KeyFileError("KEY_NOT_FOUND", `no key file at ${path} (create one with \`l2 key new --out ${path}\`)`);
    throw new KeyFileError("KEY_FILE_IO", `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const bad = (why: string): never => {
    throw new KeyFileError("BAD_KEY_FILE", `${path}: ${why}`);
  };
  let j: Partial<KeyFileJSON>;
  try {
    j = JSON.parse(text) as Partial<KeyFileJSON>;
  } catch {
    return bad("not JSON");
  }
  if (typeof j !== "object" || j === null || Array.isArray(j)) bad("not a JSON object");
  if (j.format !== KEY_FILE_FORMAT) bad(`format must be "${KEY_FILE_FORMAT}", got ${JSON.stringify(j.format)}`);
  if (typeof j.seed !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(j.seed)) bad("seed must be 0x followed by 64 hex digits (32 bytes)");
  if (j.index !== undefined && (!Number.isInteger(j.index) || j.index < 1 || j.index > 0xffffffff)) bad("index must be a positive integer (an L2 account index)");
  const key = keyFromSeed(getBytes(j.seed!));
  const pk = j.publicKey;
  if (!Array.isArray(pk) || pk.length !== 2 || pk.some((v) => typeof v !== "string" || !/^[0-9]{1,80}$/.test(v))) bad("publicKey must be two decimal strings");
  if (BigInt(pk![0]) !== key.publicKey[0] || BigInt(pk![1]) !== key.publicKey[1]) bad("publicKey is not the public key of seed (the file was altered)");
  return j.index === undefined ? key : { ...key, index: j.index };
}

/** True if two public keys are the same point. */
export function samePublicKey(a: Point, b: Point): boolean {
  return a[0] === b[0] && a[1] === b[1];
}
