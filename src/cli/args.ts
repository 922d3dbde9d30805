/**
 * Argument parsing of the `l2` command line: argv -> one validated command, or an L2CliError USAGE naming the bad
 * input. Pure (no files, no network): every value is checked here before anything is read or sent.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { U32_MAX, U64_MAX } from "../l2/index.js";
import { usageError } from "./errors.js";

/** Where the sequencer's L2 JSON-RPC is: a URL, or a devnet config file (or the newest one under a folder). */
export type EndpointArgs =
  | { kind: "rpc"; url: string }
  | { kind: "config"; file: string; sequencer?: number }
  | { kind: "devnet"; dir: string; sequencer?: number };

/** Who signs: a key file or a devnet dev account. */
export type SignerArgs = { kind: "key"; file: string } | { kind: "dev"; index: number };

export interface FollowArgs {
  follow: boolean;
  /** Give up after this many seconds. */
  timeoutSeconds: number;
  /** Status polling period, ms. */
  pollMs: number;
}

export type Command =
  | { command: "help" }
  | { command: "key-new"; out: string; devAccount?: number }
  | { command: "key-show"; key: string; showSecret: boolean }
  | { command: "account"; endpoint: EndpointArgs; who: { kind: "index"; index: number } | SignerArgs; view: "pending" | "finalized"; json: boolean }
  | { command: "send"; endpoint: EndpointArgs; signer: SignerArgs; from?: number; to: number; amount: bigint; fee: bigint; nonce?: number; follow: FollowArgs; json: boolean }
  | { command: "status"; endpoint: EndpointArgs; txId: string; follow: FollowArgs; json: boolean };

export const DEFAULT_DEVNET_DIR = ".devnet";
export const DEFAULT_FEE = 1n;
export const DEFAULT_FOLLOW_TIMEOUT_S = 900;
export const DEFAULT_POLL_MS = 1000;

type Values = Record<string, string | boolean | undefined>;

const ENDPOINT_OPTIONS = { rpc: { type: "string" }, config: { type: "string" }, devnet: { type: "string" }, sequencer: { type: "string" } } as const;
const FOLLOW_OPTIONS = { follow: { type: "boolean" }, timeout: { type: "string" }, poll: { type: "string" } } as const;

/** Parses with node:util parseArgs; its own errors (unknown flag, missing value) become USAGE. */
function parse(args: string[], options: NonNullable<ParseArgsConfig["options"]>, positionals: number): { values: Values; positionals: string[] } {
  let r: { values: Values; positionals: string[] };
  try {
    r = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: true }) as typeof r;
  } catch (e) {
    throw usageError((e as Error).message);
  }
  if (r.positionals.length > positionals) throw usageError(`unexpected argument ${JSON.stringify(r.positionals[positionals])}`);
  return r;
}

/** A decimal integer in [min, max] (no sign, exponent, fraction or hex: a typo must not become another amount). */
export function decimal(flag: string, v: string | undefined, min: bigint, max: bigint): bigint {
  if (v === undefined) throw usageError(`--${flag} is required`);
  if (!/^[0-9]+$/.test(v)) throw usageError(`--${flag} must be a whole number in decimal digits, got ${JSON.stringify(v)}`);
  const n = BigInt(v);
  if (n < min || n > max) throw usageError(`--${flag} must be in ${min}..${max}, got ${v}`);
  return n;
}

const int = (flag: string, v: string | undefined, min: number, max: number): number => Number(decimal(flag, v, BigInt(min), BigInt(max)));
const optInt = (flag: string, v: unknown, min: number, max: number): number | undefined => (v === undefined ? undefined : int(flag, v as string, min, max));

function str(values: Values, flag: string): string | undefined {
  const v = values[flag];
  if (v === "") throw usageError(`--${flag} needs a value`);
  return v as string | undefined;
}

/** At most one of the flags; returns the one given. */
function oneOf(values: Values, flags: string[], required: boolean): string | undefined {
  const given = flags.filter((f) => values[f] !== undefined);
  if (given.length > 1) throw usageError(`${given.map((f) => `--${f}`).join(" and ")} exclude each other`);
  if (required && given.length === 0) throw usageError(`one of ${flags.map((f) => `--${f}`).join(", ")} is required`);
  return given[0];
}

function endpoint(values: Values): EndpointArgs {
  const which = oneOf(values, ["rpc", "config", "devnet"], false);
  const sequencer = optInt("sequencer", values.sequencer, 1, 1000);
  if (which === "rpc") {
    if (sequencer !== undefined) throw usageError("--sequencer picks a sequencer of a devnet config: not with --rpc");
    const url = str(values, "rpc")!;
    let ok = false;
    try {
      ok = ["http:", "https:"].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw usageError(`--rpc must be an http(s) URL, got ${JSON.stringify(url)}`);
    return { kind: "rpc", url };
  }
  const base = which === "config" ? { kind: "config" as const, file: str(values, "config")! } : { kind: "devnet" as const, dir: str(values, "devnet") ?? DEFAULT_DEVNET_DIR };
  return sequencer === undefined ? base : { ...base, sequencer };
}

function signer(values: Values, required: boolean): SignerArgs | undefined {
  const which = oneOf(values, ["key", "dev-account"], required);
  if (which === "key") return { kind: "key", file: str(values, "key")! };
  if (which === "dev-account") return { kind: "dev", index: int("dev-account", values["dev-account"] as string, 1, Number(U32_MAX)) };
  return undefined;
}

function follow(values: Values): FollowArgs {
  const f = values.follow === true;
  if (!f && (values.timeout !== undefined || values.poll !== undefined)) throw usageError("--timeout and --poll only apply with --follow");
  return {
    follow: f,
    timeoutSeconds: optInt("timeout", values.timeout, 1, 86_400) ?? DEFAULT_FOLLOW_TIMEOUT_S,
    pollMs: optInt("poll", values.poll, 50, 60_000) ?? DEFAULT_POLL_MS,
  };
}

/** argv (without node and the script) -> the command. Throws L2CliError USAGE. */
export function parseCommand(argv: string[]): Command {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h" || rest.includes("--help") || rest.includes("-h")) return { command: "help" };
  switch (cmd) {
    case "key": {
      const [sub, ...args] = rest;
      if (sub === "new") {
        const { values } = parse(args, { out: { type: "string" }, "dev-account": { type: "string" } }, 0);
        const out = str(values, "out");
        if (!out) throw usageError("key new: --out FILE is required");
        const devAccount = optInt("dev-account", values["dev-account"], 1, Number(U32_MAX));
        return devAccount === undefined ? { command: "key-new", out } : { command: "key-new", out, devAccount };
      }
      if (sub === "show") {
        const { values } = parse(args, { key: { type: "string" }, "show-secret": { type: "boolean" } }, 0);
        const key = str(values, "key");
        if (!key) throw usageError("key show: --key FILE is required");
        return { command: "key-show", key, showSecret: values["show-secret"] === true };
      }
      throw usageError(sub === undefined ? "key: a subcommand is required (new or show)" : `key: unknown subcommand ${JSON.stringify(sub)} (new or show)`);
    }
    case "account": {
      const { values } = parse(rest, { ...ENDPOINT_OPTIONS, index: { type: "string" }, key: { type: "string" }, "dev-account": { type: "string" }, finalized: { type: "boolean" }, json: { type: "boolean" } }, 0);
      const which = oneOf(values, ["index", "key", "dev-account"], true);
      const who = which === "index" ? { kind: "index" as const, index: int("index", values.index as string, 1, Number(U32_MAX)) } : signer(values, true)!;
      return { command: "account", endpoint: endpoint(values), who, view: values.finalized ? "finalized" : "pending", json: values.json === true };
    }
    case "send": {
      const { values } = parse(
        rest,
        { ...ENDPOINT_OPTIONS, ...FOLLOW_OPTIONS, key: { type: "string" }, "dev-account": { type: "string" }, from: { type: "string" }, to: { type: "string" }, amount: { type: "string" }, fee: { type: "string" }, nonce: { type: "string" }, json: { type: "boolean" } },
        0,
      );
      const s = signer(values, true)!;
      const from = optInt("from", values.from, 1, Number(U32_MAX));
      if (s.kind === "dev" && from !== undefined && from !== s.index) throw usageError(`--from ${from} contradicts --dev-account ${s.index} (a dev account signs for its own index)`);
      const to = int("to", values.to as string | undefined, 1, Number(U32_MAX));
      const amount = decimal("amount", values.amount as string | undefined, 0n, U64_MAX);
      const fee = values.fee === undefined ? DEFAULT_FEE : decimal("fee", values.fee as string, 0n, U32_MAX);
      if (amount === 0n && fee === 0n) throw usageError("--amount and --fee are both 0: the transfer would do nothing");
      const nonce = optInt("nonce", values.nonce, 0, Number(U32_MAX) - 1);
      const cmdOut: Command = { command: "send", endpoint: endpoint(values), signer: s, to, amount, fee, follow: follow(values), json: values.json === true };
      if (from !== undefined) cmdOut.from = from;
      if (nonce !== undefined) cmdOut.nonce = nonce;
      return cmdOut;
    }
    case "status": {
      const { values, positionals } = parse(rest, { ...ENDPOINT_OPTIONS, ...FOLLOW_OPTIONS, json: { type: "boolean" } }, 1);
      const txId = positionals[0];
      if (txId === undefined) throw usageError("status: the transaction id (TXID) is required");
      if (!/^0x[0-9a-fA-F]{64}$/.test(txId)) throw usageError(`TXID must be 0x followed by 64 hex digits, got ${JSON.stringify(txId)}`);
      return { command: "status", endpoint: endpoint(values), txId: txId.toLowerCase(), follow: follow(values), json: values.json === true };
    }
    default:
      throw usageError(`unknown command ${JSON.stringify(cmd)} (key, account, send, status, help)`);
  }
}
