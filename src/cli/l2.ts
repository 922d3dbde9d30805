/**
 * The `l2` command line for L2 users (`npm run l2 -- <command>`, scripts/l2.ts, bin `fernet-l2`): key files, an
 * account's balance and nonce, a signed transfer sent to a sequencer, and its status followed up the ladder to
 * `finalized`. `runL2Cli(argv, io)` runs one command and returns the exit code (in-process for the tests);
 * docs/l2-cli.md is the user's reference.
 *
 * Modules: args.ts (argv -> a validated command, nothing read or sent before it passes), endpoint.ts (which
 * sequencer), follow.ts (the live status lines), errors.ts (codes -> exit codes), src/wallet/keyfile.ts (key files).
 */
import { hexlify } from "ethers";
import { initL2, l2Domain, packPoint, signTransfer, type Point } from "../l2/index.js";
import { L2RpcClient, RpcError, RpcTransportError, type AccountInfo, type ChainInfo } from "../node/rpc.js";
import type { TxRecord } from "../node/status.js";
import { devAccountKey, newKey, readKeyFile, samePublicKey, writeKeyFile, type L2Key } from "../wallet/keyfile.js";
import { DEFAULT_DEVNET_DIR, DEFAULT_FEE, DEFAULT_FOLLOW_TIMEOUT_S, DEFAULT_POLL_MS, parseCommand, type Command, type SignerArgs } from "./args.js";
import { resolveEndpoints, urlForAccount, type Endpoints } from "./endpoint.js";
import { EXIT_CODES, exitCodeOf, L2CliError } from "./errors.js";
import { followTransaction, stepLine } from "./follow.js";

export const USAGE = `usage: npm run l2 -- <command> [options]      (or: npx tsx scripts/l2.ts, or the fernet-l2 bin)

commands:
  key new --out FILE [--dev-account N]
      create a key file (mode 0600, never overwrites): a fresh random key, or with --dev-account N the devnet's
      deterministic dev key of genesis account N (public labels: devnet only). Prints the public key.
  key show --key FILE [--show-secret]
      the public key (and the account index, if the file has one); the secret seed only with --show-secret.
  account (--index N | --key FILE | --dev-account N) [--finalized] [--json] [NODE]
      balance, nonce and next nonce of an L2 account (pending view; --finalized: the last finalized state).
      With a key file that records no index, the account is found by its public key.
  send (--key FILE [--from N] | --dev-account N) --to N --amount A [--fee F] [--nonce N] [--json] [NODE]
       [--follow [--timeout S] [--poll MS]]
      sign a transfer (nonce and L2 domain read from the node) and submit it; prints the tx id. --follow prints a
      line per status step until finalized (exit 0), dropped (exit 7) or --timeout (exit 8).
      --fee defaults to ${DEFAULT_FEE}; amounts are whole token units in decimal digits (amount u64, fee u32).
  status TXID [--follow [--timeout S] [--poll MS]] [--json] [NODE]
      the transaction's status and history; --follow as for send.
  help
      this text.

NODE (where the sequencer's L2 JSON-RPC is; default --devnet ${DEFAULT_DEVNET_DIR}):
  --rpc URL             a sequencer's L2 JSON-RPC URL
  --config FILE         a devnet config.json (npm start writes <data-dir>/<chain>-<rollup>/config.json)
  --devnet DIR          DIR/config.json, else the newest DIR/*/config.json
  --sequencer N         with --config / --devnet: the N-th sequencer (default: account i goes to sequencer
                        (i-1) mod count, as the devnet's transfer generator does, so their nonces agree)

defaults: --timeout ${DEFAULT_FOLLOW_TIMEOUT_S} s, --poll ${DEFAULT_POLL_MS} ms.

exit codes:
  0  done (send --follow / status --follow: finalized)
  1  unexpected failure
  ${EXIT_CODES.USAGE}  bad command line: unknown command or flag, missing or malformed value, conflicting flags [USAGE]
  ${EXIT_CODES.KEY_NOT_FOUND}  key file: missing, exists already, malformed, readable by others, I/O error
     [KEY_NOT_FOUND, KEY_EXISTS, BAD_KEY_FILE, KEY_FILE_PERMISSIONS, KEY_FILE_IO]
  ${EXIT_CODES.BAD_CONFIG}  devnet config: none found, malformed, no such --sequencer [DEVNET_NOT_FOUND, BAD_CONFIG]
  ${EXIT_CODES.NODE_UNREACHABLE}  the node cannot be reached or answered something unexpected [NODE_UNREACHABLE, BAD_NODE_ANSWER]
  ${EXIT_CODES.TX_REJECTED}  refused: no such account, the key does not own the account, the node refused the transfer
     (its reason, e.g. OVERSPEND, WRONG_NONCE, NONCE_TOO_LOW, is shown), unknown tx id
     [UNKNOWN_ACCOUNT, KEY_MISMATCH, TX_REJECTED, UNKNOWN_TX]
  ${EXIT_CODES.TX_DROPPED}  the followed transaction was dropped [TX_DROPPED]
  ${EXIT_CODES.FOLLOW_TIMEOUT}  --follow timed out before finalized [FOLLOW_TIMEOUT]
errors are printed as "error [CODE]: message" on stderr; nothing is sent unless every check before it passed.`;

/** Where a command writes: result lines to `out`, errors to `err`. */
export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Most accounts searched by public key (2^D - 1 for the node's depth D) before asking for --from / --index. */
const MAX_ACCOUNT_SCAN = 4096;
/** l2_getAccount calls per batch request of the search (the server takes at most 100). */
const SCAN_BATCH = 100;

/** Runs one command; returns the process exit code. Never throws. */
export async function runL2Cli(argv: string[], io: CliIO): Promise<number> {
  try {
    const cmd = parseCommand(argv);
    await run(cmd, io);
    return 0;
  } catch (e) {
    const code = e instanceof Error && "code" in e ? String((e as { code: unknown }).code) : undefined;
    const exit = exitCodeOf(e);
    io.err(`error${exit === 1 || code === undefined ? "" : ` [${code}]`}: ${e instanceof Error ? e.message : String(e)}`);
    if (exit === EXIT_CODES.USAGE) io.err("run `npm run l2 -- help` for the usage");
    return exit;
  }
}

async function run(cmd: Command, io: CliIO): Promise<void> {
  switch (cmd.command) {
    case "help":
      return io.out(USAGE);
    case "key-new": {
      await initL2();
      const key = cmd.devAccount === undefined ? newKey() : devAccountKey(cmd.devAccount);
      writeKeyFile(cmd.out, key);
      io.out(`wrote ${cmd.out} (mode 0600)${cmd.devAccount === undefined ? "" : `: the devnet dev key of account ${cmd.devAccount}`}`);
      return showKey(key, false, io);
    }
    case "key-show": {
      await initL2();
      return showKey(readKeyFile(cmd.key), cmd.showSecret, io);
    }
    case "account":
      return account(cmd, io);
    case "send":
      return send(cmd, io);
    case "status":
      return status(cmd, io);
  }
}

function showKey(key: L2Key, secret: boolean, io: CliIO): void {
  io.out(`public key: [${key.publicKey[0]}, ${key.publicKey[1]}]`);
  io.out(`packed:     ${hexlify(packPoint(key.publicKey))}`);
  io.out(`index:      ${key.index ?? "(none recorded: the account is found by its public key)"}`);
  if (secret) io.out(`seed:       ${hexlify(key.seed)}   (SECRET: whoever has it can spend the account)`);
}

async function loadSigner(s: SignerArgs): Promise<L2Key> {
  await initL2();
  return s.kind === "dev" ? devAccountKey(s.index) : readKeyFile(s.file);
}

/** A call to the node: transport failures are NODE_UNREACHABLE, error answers BAD_NODE_ANSWER. */
async function ask<T>(client: L2RpcClient, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof RpcTransportError) throw new L2CliError("NODE_UNREACHABLE", `${what}: ${e.message}`, { cause: e });
    if (e instanceof RpcError) throw new L2CliError("BAD_NODE_ANSWER", `${what}: ${client.url} answered error ${e.code}: ${e.message}`, { cause: e });
    throw e;
  }
}

const pkOf = (a: AccountInfo): Point => [BigInt(a.publicKey[0]), BigInt(a.publicKey[1])];

/** The account index of `key`: recorded in its file, else searched by public key over the node's tree. */
async function indexOfKey(key: L2Key, eps: Endpoints): Promise<number> {
  if (key.index !== undefined) return key.index;
  const client = new L2RpcClient(eps.urls[eps.fixed ?? 0]!);
  const info = await ask(client, "l2_chainInfo", () => client.chainInfo());
  const last = 2 ** info.depth - 1;
  if (last > MAX_ACCOUNT_SCAN) throw new L2CliError("UNKNOWN_ACCOUNT", `the key file records no account index and the tree has ${last} slots: pass the index (--from / --index)`);
  for (let first = 1; first <= last; first += SCAN_BATCH) {
    const idx = Array.from({ length: Math.min(SCAN_BATCH, last - first + 1) }, (_, k) => first + k);
    const answers = await ask(client, "l2_getAccount", () => client.batch(idx.map((i) => ({ method: "l2_getAccount", params: [i] }))));
    for (const [k, a] of answers.entries()) {
      if ("result" in a && a.result && samePublicKey(pkOf(a.result as AccountInfo), key.publicKey)) return idx[k]!;
    }
  }
  throw new L2CliError("UNKNOWN_ACCOUNT", `no L2 account has this key's public key (accounts exist only from the genesis)`);
}

async function account(cmd: Extract<Command, { command: "account" }>, io: CliIO): Promise<void> {
  const key = cmd.who.kind === "index" ? undefined : await loadSigner(cmd.who);
  const eps = resolveEndpoints(cmd.endpoint);
  const index = cmd.who.kind === "index" ? cmd.who.index : await indexOfKey(key!, eps);
  const client = new L2RpcClient(urlForAccount(eps, index));
  const a = await ask(client, "l2_getAccount", () => client.getAccount(index, cmd.view));
  if (!a) throw new L2CliError("UNKNOWN_ACCOUNT", `account ${index} does not exist (${cmd.view} view of ${client.url})`);
  if (key && !samePublicKey(pkOf(a), key.publicKey)) throw new L2CliError("KEY_MISMATCH", `account ${index} belongs to another key`);
  if (cmd.json) return io.out(JSON.stringify({ ...a, sequencer: client.url }));
  io.out(`account ${a.index} (${a.view} view of ${client.url})`);
  io.out(`  balance:    ${a.balance}`);
  io.out(`  nonce:      ${a.nonce}${a.nextNonce === undefined ? "" : ` (next: ${a.nextNonce})`}`);
  io.out(`  public key: [${a.publicKey[0]}, ${a.publicKey[1]}]`);
}

async function send(cmd: Extract<Command, { command: "send" }>, io: CliIO): Promise<void> {
  const key = await loadSigner(cmd.signer);
  const eps = resolveEndpoints(cmd.endpoint);
  const from = cmd.from ?? (await indexOfKey(key, eps));
  const client = new L2RpcClient(urlForAccount(eps, from));
  const info: ChainInfo = await ask(client, "l2_chainInfo", () => client.chainInfo());
  if (!info.rollup) throw new L2CliError("BAD_NODE_ANSWER", `${client.url} does not name its rollup: the L2 domain to sign under is unknown`);
  let domain: bigint;
  try {
    domain = l2Domain(BigInt(info.chainId), info.rollup);
  } catch (e) {
    throw new L2CliError("BAD_NODE_ANSWER", `${client.url} gave no usable L2 domain: ${(e as Error).message}`, { cause: e });
  }
  const last = 2 ** info.depth - 1;
  for (const [role, i] of [["sender", from], ["recipient", cmd.to]] as const) {
    if (i > last) throw new L2CliError("UNKNOWN_ACCOUNT", `${role} ${i} is outside the tree (accounts 1..${last} at depth ${info.depth})`);
  }
  const [sender, recipient] = await ask(client, "l2_getAccount", () => Promise.all([client.getAccount(from), client.getAccount(cmd.to)]));
  if (!sender) throw new L2CliError("UNKNOWN_ACCOUNT", `sender account ${from} does not exist`);
  if (!recipient) throw new L2CliError("UNKNOWN_ACCOUNT", `recipient account ${cmd.to} does not exist (accounts exist only from the genesis)`);
  if (!samePublicKey(pkOf(sender), key.publicKey)) throw new L2CliError("KEY_MISMATCH", `account ${from} belongs to another key: this key cannot sign for it`);
  const nonce = cmd.nonce ?? sender.nextNonce ?? sender.nonce;
  const tx = signTransfer({ from, to: cmd.to, amount: cmd.amount, fee: cmd.fee, nonce }, key.seed, domain);
  let txId: string;
  try {
    txId = await client.sendTransaction(tx);
  } catch (e) {
    if (e instanceof RpcTransportError) throw new L2CliError("NODE_UNREACHABLE", `l2_sendTransaction: ${e.message} (the transfer may or may not have arrived)`, { cause: e });
    if (e instanceof RpcError) {
      throw new L2CliError("TX_REJECTED", `${client.url} refused the transfer${e.appCode ? ` [${e.appCode}]` : ""}: ${e.message}`, { cause: e, details: { rpcCode: e.code, reason: e.appCode } });
    }
    throw e;
  }
  const summary = { txId, from, to: cmd.to, amount: cmd.amount.toString(), fee: cmd.fee.toString(), nonce, sequencer: client.url };
  if (!cmd.json) {
    io.out(`sent ${cmd.amount} from account ${from} to account ${cmd.to} (fee ${cmd.fee}, nonce ${nonce}) via ${client.url}`);
    io.out(`tx id: ${txId}`);
  }
  if (!cmd.follow.follow) {
    if (cmd.json) io.out(JSON.stringify(summary));
    return;
  }
  const rec = await followTransaction(client, txId, { ...cmd.follow, print: cmd.json ? () => {} : io.out });
  if (cmd.json) io.out(JSON.stringify({ ...summary, status: rec.status, height: rec.height }));
  else io.out(`finalized at L2 height ${rec.height}`);
}

async function status(cmd: Extract<Command, { command: "status" }>, io: CliIO): Promise<void> {
  const eps = resolveEndpoints(cmd.endpoint);
  // Only the sequencer that accepted a transfer tracks it: without a fixed one, ask each in turn.
  const urls = eps.fixed === undefined ? eps.urls : [eps.urls[eps.fixed]!];
  let found: { client: L2RpcClient; rec: TxRecord } | undefined;
  let unreachable: L2CliError | undefined;
  for (const url of urls) {
    const client = new L2RpcClient(url);
    try {
      const rec = await ask(client, "l2_getTransactionStatus", () => client.getTransactionStatus(cmd.txId));
      if (rec) {
        found = { client, rec };
        break;
      }
    } catch (e) {
      if (!(e instanceof L2CliError && e.code === "NODE_UNREACHABLE")) throw e;
      unreachable = e;
    }
  }
  if (!found) {
    if (unreachable && urls.length === 1) throw unreachable;
    throw new L2CliError("UNKNOWN_TX", `no sequencer knows transaction ${cmd.txId} (${urls.join(", ")})${unreachable ? `; one did not answer: ${unreachable.message}` : ""}`);
  }
  const { client } = found;
  let rec = found.rec;
  if (!cmd.json) {
    io.out(`transaction ${rec.txId} at ${client.url}: ${rec.status}${rec.height === undefined ? "" : ` (height ${rec.height})`}`);
    for (const s of rec.history) io.out(`  ${stepLine(s)}`);
  }
  if (cmd.follow.follow && rec.status !== "finalized") {
    rec = await followTransaction(client, rec.txId, { ...cmd.follow, printed: rec.history.length, print: cmd.json ? () => {} : io.out });
    if (!cmd.json) io.out(`finalized at L2 height ${rec.height}`);
  }
  if (cmd.json) io.out(JSON.stringify({ ...rec, sequencer: client.url }));
}
