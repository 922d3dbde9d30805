/**
 * The `l2` command line, in process, against a real L2RpcServer on 127.0.0.1 (dev genesis, depth 4): every bad
 * input gives its typed error code and exit code and sends nothing; key files; routing over a devnet config; a
 * send followed up the ladder (the test moves the status) to finalized, dropped, or the timeout.
 */
import { expect } from "chai";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initL2, stateFromGenesis, type L2State } from "../../src/l2/index.js";
import { DEV_DOMAIN, devGenesis, devKey } from "../../src/l2/sample.js";
import { L2RpcServer, Mempool, StatusTracker, rootHex, type L2NodeBackend, type TxStatus } from "../../src/node/index.js";
import { parseCommand } from "../../src/cli/args.js";
import { EXIT_CODES, L2CliError } from "../../src/cli/errors.js";
import { runL2Cli } from "../../src/cli/l2.js";
import { KEY_FILE_FORMAT, KeyFileError, newKey, readKeyFile, writeKeyFile } from "../../src/wallet/keyfile.js";

const DEPTH = 4;
const ROLLUP = "0x5FbDB2315678afecb367f032d93F642f64180aa3"; // DEV_DOMAIN's

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function cli(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runL2Cli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** The error code the CLI printed ("error [CODE]: ..."). */
const printedCode = (r: Run): string | undefined => /^error \[([A-Z_]+)\]/.exec(r.err[0] ?? "")?.[1];

describe("cli/l2: the L2 command line", function () {
  this.timeout(60_000);
  let dir: string;
  let state: L2State;
  let backend: L2NodeBackend;
  let server: L2RpcServer;
  let url: string;
  let requests = 0;
  let l1Block = 100;
  /** Called with each accepted tx id (the tests move its status from there). */
  let onAccepted: (id: string) => void = () => {};

  before(async function () {
    await initL2();
    dir = mkdtempSync(join(tmpdir(), "l2-cli-"));
    state = stateFromGenesis(devGenesis(4, 1000n), DEPTH);
    const mempool = new Mempool(state, { domain: DEV_DOMAIN });
    const tracker = new StatusTracker();
    backend = {
      mempool,
      tracker,
      pendingState: () => state,
      finalizedState: () => state,
      chainInfo: () => ({
        chainId: 31337, rollup: ROLLUP, depth: DEPTH, blockSize: 2, pendingHeight: 0, finalizedHeight: 0,
        pendingRoot: rootHex(state.root), finalizedRoot: rootHex(state.root), l1Block,
      }),
      l1Now: () => ({ l1Block, timestamp: 1_700_000_000 + l1Block * 12 }),
      onTransaction: (id) => onAccepted(id),
    };
    server = new L2RpcServer(backend);
    // Count every request that reaches the node: a refused command line must not reach it at all.
    const handle = server.handle.bind(server);
    server.handle = (body: string) => {
      requests++;
      return handle(body);
    };
    url = await server.listen(0);
  });

  after(async function () {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const port = () => Number(new URL(url).port);

  /** A config.json as the devnet writes it (only the sequencers' fields the CLI reads matter). */
  function devnetConfig(name: string, rpcPorts: number[]): string {
    const d = join(dir, name, "31337-5fbdb231");
    mkdirSync(d, { recursive: true });
    const file = join(d, "config.json");
    writeFileSync(file, JSON.stringify({ network: { rollup: ROLLUP }, sequencers: rpcPorts.map((p, i) => ({ name: `seq-${i + 1}`, rpcPort: p })), provers: [] }));
    return file;
  }

  /** Moves `id` up the ladder, one step every `ms`, ending in `end`. */
  function climb(id: string, end: "finalized" | "dropped", ms = 30): void {
    const steps: TxStatus[] = end === "dropped" ? ["dropped"] : ["in_proposed_block", "revealed", "prover_committed", "verified_on_l1", "finalized"];
    let k = 0;
    const timer = setInterval(() => {
      l1Block++;
      const s = steps[k++]!;
      backend.tracker.transition(id, s, backend.l1Now(), s === "dropped" ? { reason: "evicted by a test" } : { height: 3 });
      if (k === steps.length) clearInterval(timer);
    }, ms);
  }

  describe("bad inputs: typed code, exit code, nothing sent", function () {
    const NODE = () => ["--rpc", url];
    const cases: { what: string; argv: () => string[]; code: string }[] = [
      { what: "unknown command", argv: () => ["frob"], code: "USAGE" },
      { what: "unknown flag", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amout", "5"], code: "USAGE" },
      { what: "missing --amount", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2"], code: "USAGE" },
      { what: "fractional amount", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "1.5"], code: "USAGE" },
      { what: "negative amount", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "-3"], code: "USAGE" },
      { what: "exponent amount", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "1e3"], code: "USAGE" },
      { what: "hex amount", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "0x10"], code: "USAGE" },
      { what: "amount over u64", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "18446744073709551616"], code: "USAGE" },
      { what: "fee over u32", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "5", "--fee", "4294967296"], code: "USAGE" },
      { what: "zero amount and fee", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "0", "--fee", "0"], code: "USAGE" },
      { what: "recipient 0 (the null account)", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "0", "--amount", "5"], code: "USAGE" },
      { what: "recipient not a number", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "bob", "--amount", "5"], code: "USAGE" },
      { what: "negative nonce", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "5", "--nonce", "-1"], code: "USAGE" },
      { what: "two signers", argv: () => ["send", ...NODE(), "--dev-account", "1", "--key", "k.json", "--to", "2", "--amount", "5"], code: "USAGE" },
      { what: "no signer", argv: () => ["send", ...NODE(), "--to", "2", "--amount", "5"], code: "USAGE" },
      { what: "--from contradicting --dev-account", argv: () => ["send", ...NODE(), "--dev-account", "1", "--from", "2", "--to", "3", "--amount", "5"], code: "USAGE" },
      { what: "dev account 0", argv: () => ["send", ...NODE(), "--dev-account", "0", "--to", "2", "--amount", "5"], code: "USAGE" },
      { what: "non-http --rpc", argv: () => ["send", "--rpc", "ftp://127.0.0.1/", "--dev-account", "1", "--to", "2", "--amount", "5"], code: "USAGE" },
      { what: "--rpc and --devnet", argv: () => ["send", ...NODE(), "--devnet", dir, "--dev-account", "1", "--to", "2", "--amount", "5"], code: "USAGE" },
      { what: "--sequencer with --rpc", argv: () => ["send", ...NODE(), "--sequencer", "1", "--dev-account", "1", "--to", "2", "--amount", "5"], code: "USAGE" },
      { what: "--timeout without --follow", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "5", "--timeout", "5"], code: "USAGE" },
      { what: "--timeout 0", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "2", "--amount", "5", "--follow", "--timeout", "0"], code: "USAGE" },
      { what: "status without TXID", argv: () => ["status", ...NODE()], code: "USAGE" },
      { what: "malformed TXID", argv: () => ["status", ...NODE(), "0x1234"], code: "USAGE" },
      { what: "two TXIDs", argv: () => ["status", ...NODE(), "0x" + "ab".repeat(32), "0x" + "cd".repeat(32)], code: "USAGE" },
      { what: "key without subcommand", argv: () => ["key"], code: "USAGE" },
      { what: "key new without --out", argv: () => ["key", "new"], code: "USAGE" },
      { what: "account with --index and --key", argv: () => ["account", ...NODE(), "--index", "1", "--key", "k.json"], code: "USAGE" },
      { what: "account without who", argv: () => ["account", ...NODE()], code: "USAGE" },
      { what: "missing key file", argv: () => ["send", ...NODE(), "--key", join(dir, "nope.json"), "--to", "2", "--amount", "5"], code: "KEY_NOT_FOUND" },
      { what: "key show of a missing file", argv: () => ["key", "show", "--key", join(dir, "nope.json")], code: "KEY_NOT_FOUND" },
      { what: "key new in a missing folder", argv: () => ["key", "new", "--out", join(dir, "no", "such", "k.json")], code: "KEY_FILE_IO" },
      { what: "empty devnet folder", argv: () => ["send", "--devnet", join(dir, "empty"), "--dev-account", "1", "--to", "2", "--amount", "5"], code: "DEVNET_NOT_FOUND" },
      { what: "missing config file", argv: () => ["send", "--config", join(dir, "nope.json"), "--dev-account", "1", "--to", "2", "--amount", "5"], code: "DEVNET_NOT_FOUND" },
      { what: "node not running", argv: () => ["send", "--rpc", "http://127.0.0.1:1", "--dev-account", "1", "--to", "2", "--amount", "5"], code: "NODE_UNREACHABLE" },
      { what: "sender without account", argv: () => ["send", ...NODE(), "--dev-account", "9", "--to", "2", "--amount", "5"], code: "UNKNOWN_ACCOUNT" },
      { what: "recipient without account", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "7", "--amount", "5"], code: "UNKNOWN_ACCOUNT" },
      { what: "recipient outside the tree", argv: () => ["send", ...NODE(), "--dev-account", "1", "--to", "16", "--amount", "5"], code: "UNKNOWN_ACCOUNT" },
      { what: "sender outside the tree", argv: () => ["send", ...NODE(), "--dev-account", "99", "--to", "2", "--amount", "5"], code: "UNKNOWN_ACCOUNT" },
      { what: "account that does not exist", argv: () => ["account", ...NODE(), "--index", "9"], code: "UNKNOWN_ACCOUNT" },
      { what: "status of an unknown tx", argv: () => ["status", ...NODE(), "0x" + "ab".repeat(32)], code: "UNKNOWN_TX" },
    ];
    for (const c of cases) {
      it(`${c.what} -> ${c.code} (exit ${EXIT_CODES[c.code as keyof typeof EXIT_CODES]})`, async function () {
        mkdirSync(join(dir, "empty"), { recursive: true });
        const pooled = backend.mempool.size;
        const before = requests;
        const r = await cli(...c.argv());
        expect(printedCode(r), r.err.join("\n")).to.equal(c.code);
        expect(r.code).to.equal(EXIT_CODES[c.code as keyof typeof EXIT_CODES]);
        expect(r.out, "nothing on stdout").to.deep.equal([]);
        expect(backend.mempool.size, "nothing pooled").to.equal(pooled);
        // Refused before any request: everything up to the key file and the config; the rest only read the node.
        if (["USAGE", "KEY_NOT_FOUND", "KEY_FILE_IO", "DEVNET_NOT_FOUND"].includes(c.code)) expect(requests, "no request to the node").to.equal(before);
        if (c.code === "USAGE") expect(r.err.at(-1)).to.match(/help/);
      });
    }

    it("a parse error is an L2CliError with code USAGE (exit 2)", function () {
      expect(() => parseCommand(["send", "--to", "2"])).to.throw(L2CliError).with.property("code", "USAGE");
      let err: unknown;
      try {
        parseCommand(["send", "--dev-account", "1", "--to", "2", "--amount", "x"]);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(L2CliError);
      expect((err as L2CliError).exitCode).to.equal(2);
      expect((err as L2CliError).name).to.equal("L2CliError");
    });

    it("the node's refusal (OVERSPEND) -> TX_REJECTED (exit 6) with the node's reason, nothing pooled", async function () {
      const pooled = backend.mempool.size;
      const r = await cli("send", "--rpc", url, "--dev-account", "1", "--to", "2", "--amount", "5000");
      expect(printedCode(r)).to.equal("TX_REJECTED");
      expect(r.code).to.equal(6);
      expect(r.err[0]).to.include("[OVERSPEND]");
      expect(backend.mempool.size).to.equal(pooled);
    });

    it("a key that does not own the account -> KEY_MISMATCH (exit 6), nothing sent", async function () {
      const file = join(dir, "stranger.json");
      writeKeyFile(file, newKey());
      const pooled = backend.mempool.size;
      const r = await cli("send", "--rpc", url, "--key", file, "--from", "1", "--to", "2", "--amount", "5");
      expect([printedCode(r), r.code]).to.deep.equal(["KEY_MISMATCH", 6]);
      expect(backend.mempool.size).to.equal(pooled);
      // Without --from the account is searched by public key over the whole tree: none has it.
      const s = await cli("account", "--rpc", url, "--key", file);
      expect([printedCode(s), s.code]).to.deep.equal(["UNKNOWN_ACCOUNT", 6]);
    });
  });

  describe("key files", function () {
    it("key new writes a 0600 file, refuses to overwrite it, and never prints the seed unless asked", async function () {
      const file = join(dir, "new.json");
      const r = await cli("key", "new", "--out", file);
      expect(r.code).to.equal(0);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const seed = JSON.parse(readFileSync(file, "utf8")).seed as string;
      expect(r.out.join("\n")).to.not.include(seed.slice(2));
      const again = await cli("key", "new", "--out", file);
      expect([printedCode(again), again.code]).to.deep.equal(["KEY_EXISTS", 3]);
      expect(JSON.parse(readFileSync(file, "utf8")).seed, "not overwritten").to.equal(seed);
      const shown = await cli("key", "show", "--key", file);
      expect(shown.out.join("\n")).to.not.include(seed.slice(2));
      const secret = await cli("key", "show", "--key", file, "--show-secret");
      expect(secret.out.join("\n")).to.include(seed);
    });

    it("refuses a key file that others can read, or that is malformed or altered (exit 3)", async function () {
      const good = JSON.parse(JSON.stringify({ format: KEY_FILE_FORMAT, seed: "0x" + "11".repeat(32), publicKey: devKey(1).publicKey.map(String), index: 1 }));
      const variants: { name: string; text: string; mode?: number; code: string }[] = [
        { name: "loose-mode", text: "{}", mode: 0o644, code: "KEY_FILE_PERMISSIONS" },
        { name: "not-json", text: "seed=1", code: "BAD_KEY_FILE" },
        { name: "array", text: "[]", code: "BAD_KEY_FILE" },
        { name: "format", text: JSON.stringify({ ...good, format: "other" }), code: "BAD_KEY_FILE" },
        { name: "short-seed", text: JSON.stringify({ ...good, seed: "0x1234" }), code: "BAD_KEY_FILE" },
        { name: "bad-index", text: JSON.stringify({ ...good, index: 0 }), code: "BAD_KEY_FILE" },
        // The public key of dev account 1 with another seed: altered.
        { name: "altered", text: JSON.stringify(good), code: "BAD_KEY_FILE" },
      ];
      for (const v of variants) {
        const file = join(dir, `bad-${v.name}.json`);
        writeFileSync(file, v.text, { mode: 0o600 });
        if (v.mode !== undefined) chmodSync(file, v.mode);
        expect(() => readKeyFile(file), v.name).to.throw(KeyFileError).with.property("code", v.code);
        const pooled = backend.mempool.size;
        const r = await cli("send", "--rpc", url, "--key", file, "--to", "2", "--amount", "5");
        expect([printedCode(r), r.code], v.name).to.deep.equal([v.code, 3]);
        expect(backend.mempool.size).to.equal(pooled);
      }
    });

    it("key new --dev-account N stores the dev key with its index; account --key reads it", async function () {
      const file = join(dir, "dev2.json");
      expect((await cli("key", "new", "--out", file, "--dev-account", "2")).code).to.equal(0);
      const k = readKeyFile(file);
      expect(k.index).to.equal(2);
      expect(k.publicKey).to.deep.equal(devKey(2).publicKey);
      const r = await cli("account", "--rpc", url, "--key", file, "--json");
      expect(r.code, r.err.join("\n")).to.equal(0);
      expect(JSON.parse(r.out[0]!)).to.deep.include({ index: 2, balance: "1000", nonce: 0 });
    });

    it("a key file without an index finds its account by public key", async function () {
      const file = join(dir, "dev3-noindex.json");
      writeKeyFile(file, devKey(3));
      const r = await cli("account", "--rpc", url, "--key", file);
      expect(r.code, r.err.join("\n")).to.equal(0);
      expect(r.out[0]).to.match(/^account 3 /);
      expect(r.out.join("\n")).to.include("balance:    1000");
    });
  });

  describe("devnet config", function () {
    it("routes account i to sequencer (i-1) mod N, and --sequencer picks one", async function () {
      // Sequencer 1 is the test node, sequencer 2 a closed port.
      const file = devnetConfig("net-a", [port(), 1]);
      expect((await cli("account", "--config", file, "--index", "1")).code).to.equal(0);
      expect((await cli("account", "--config", file, "--index", "3")).code).to.equal(0);
      const two = await cli("account", "--config", file, "--index", "2");
      expect([printedCode(two), two.code]).to.deep.equal(["NODE_UNREACHABLE", 5]);
      expect((await cli("account", "--config", file, "--index", "2", "--sequencer", "1")).code).to.equal(0);
      // --devnet DIR finds DIR/<run>/config.json.
      expect((await cli("account", "--devnet", join(dir, "net-a"), "--index", "1")).code).to.equal(0);
    });

    it("refuses malformed configs and a --sequencer that is not there (exit 4)", async function () {
      const bad: [string, string][] = [
        ["not-json", "{"],
        ["no-sequencers", JSON.stringify({ network: {} })],
        ["empty", JSON.stringify({ sequencers: [] })],
        ["port-0", JSON.stringify({ sequencers: [{ rpcPort: 0 }] })],
      ];
      for (const [name, text] of bad) {
        const file = join(dir, `cfg-${name}.json`);
        writeFileSync(file, text);
        const r = await cli("account", "--config", file, "--index", "1");
        expect([printedCode(r), r.code], name).to.deep.equal(["BAD_CONFIG", 4]);
      }
      const one = devnetConfig("net-b", [port()]);
      const r = await cli("account", "--config", one, "--index", "1", "--sequencer", "2");
      expect([printedCode(r), r.code]).to.deep.equal(["BAD_CONFIG", 4]);
    });
  });

  describe("send and follow", function () {
    it("sends with a dev account, follows every step to finalized (exit 0), and status shows the history", async function () {
      onAccepted = (id) => climb(id, "finalized");
      const r = await cli("send", "--rpc", url, "--dev-account", "1", "--to", "2", "--amount", "7", "--fee", "2", "--follow", "--poll", "50", "--timeout", "30");
      onAccepted = () => {};
      expect(r.code, r.err.join("\n")).to.equal(0);
      const txId = /^tx id: (0x[0-9a-f]{64})$/.exec(r.out[1]!)?.[1];
      expect(txId, r.out.join("\n")).to.be.a("string");
      expect(r.out[0]).to.match(/^sent 7 from account 1 to account 2 \(fee 2, nonce 0\)/);
      const steps = r.out.slice(2, -1).map((l) => /\] (\S+)/.exec(l)?.[1]);
      expect(steps).to.deep.equal(["in_mempool", "in_proposed_block", "revealed", "prover_committed", "verified_on_l1", "finalized"]);
      expect(r.out.at(-1)).to.equal("finalized at L2 height 3");
      const s = await cli("status", "--rpc", url, txId!, "--json");
      expect(JSON.parse(s.out[0]!)).to.deep.include({ txId, status: "finalized", height: 3 });
      // --follow on a finalized tx returns at once.
      const f = await cli("status", "--rpc", url, txId!, "--follow");
      expect(f.code).to.equal(0);
      expect(f.out[0]).to.include(": finalized (height 3)");
    });

    it("reads the next nonce from the node (pooled transfers counted)", async function () {
      const a = await cli("send", "--rpc", url, "--dev-account", "2", "--to", "1", "--amount", "1", "--json");
      const b = await cli("send", "--rpc", url, "--dev-account", "2", "--to", "1", "--amount", "1", "--json");
      expect([a.code, b.code]).to.deep.equal([0, 0]);
      expect([JSON.parse(a.out[0]!).nonce, JSON.parse(b.out[0]!).nonce]).to.deep.equal([0, 1]);
    });

    it("a followed transfer that is dropped -> TX_DROPPED (exit 7)", async function () {
      onAccepted = (id) => climb(id, "dropped");
      const r = await cli("send", "--rpc", url, "--dev-account", "3", "--to", "1", "--amount", "1", "--follow", "--poll", "50");
      onAccepted = () => {};
      expect([printedCode(r), r.code]).to.deep.equal(["TX_DROPPED", 7]);
      expect(r.err[0]).to.include("evicted by a test");
    });

    it("a follow that outlives --timeout -> FOLLOW_TIMEOUT (exit 8), the tx stays pooled", async function () {
      const r = await cli("send", "--rpc", url, "--dev-account", "4", "--to", "1", "--amount", "1", "--follow", "--poll", "100", "--timeout", "1");
      expect([printedCode(r), r.code]).to.deep.equal(["FOLLOW_TIMEOUT", 8]);
      expect(r.err[0]).to.include("still in_mempool");
      expect(r.out.some((l) => l.includes("in_mempool"))).to.equal(true);
    });
  });
});
