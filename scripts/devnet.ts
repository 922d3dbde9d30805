/**
 * Local devnet: a Hardhat node, the contracts with the generated Groth16 verifier, N sequencers and M provers
 * running the protocol with real proofs, and an L2 transaction generator. See docs/devnet.md.
 *
 *   npx tsx scripts/devnet.ts [--blocks K] [--summary FILE] [--sequencers 3] [--provers 2] [--block-time 1000]
 *                             [--tx-rate 1] [--rpc URL] [--port 0] [--withhold-prover] [--quiet | --verbose]
 *
 * Exit codes: 0 done (K heights finalized, or stopped with Ctrl-C), 1 failure or timeout, 2 bad flags.
 */
import { parseArgs } from "node:util";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
// Plain constants (no generated types): safe to import before the compile below.
import { DEVNET_DEFAULTS, DEVNET_OVERRIDES } from "../src/defaults.js";

const USAGE = `usage: npx tsx scripts/devnet.ts [options]
  --blocks K            stop after K finalized heights (default: run until Ctrl-C)
  --summary FILE        write the run summary (JSON) there
  --sequencers N        sequencers (default ${DEVNET_DEFAULTS.sequencers})
  --provers M           provers (default ${DEVNET_DEFAULTS.provers})
  --accounts A          L2 genesis accounts (default ${DEVNET_DEFAULTS.accounts})
  --block-time MS       L1 block interval in ms (default ${DEVNET_DEFAULTS.blockTimeMs})
  --tx-rate R           L2 transfers per second sent by the generator (default ${DEVNET_DEFAULTS.txRate})
  --phase-blocks P      proposal/reveal/commit phase length in L1 blocks (default ${DEVNET_DEFAULTS.phaseBlocks})
  --proving-window W    proving window in L1 blocks (default ${DEVNET_OVERRIDES.provingWindow})
  --rpc URL             use this L1 node instead of spawning a Hardhat node (must allow evm_* mining calls)
  --port PORT           port of the spawned Hardhat node (default: a free one)
  --data-dir DIR        agent stores and the generated config (default .devnet)
  --withhold-prover     the first prover commits but never proves (its deposit gets slashed, heights reorged)
  --aggregator          batch path: provers post proofs unverified, an aggregator agent verifies them in batches
  --timeout MIN         give up after MIN minutes (default ${DEVNET_DEFAULTS.timeoutMinutes})
  --no-compile          do not compile the contracts (the artifacts and types must exist)
  --quiet | --verbose   less / more logging
  --json-logs           logs as JSON lines`;

function bad(msg: string): never {
  console.error(`error: ${msg}\n${USAGE}`);
  process.exit(2);
}

function int(name: string, v: string | undefined, def: number, min: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) bad(`--${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        blocks: { type: "string" }, summary: { type: "string" }, sequencers: { type: "string" }, provers: { type: "string" },
        accounts: { type: "string" }, "block-time": { type: "string" }, "tx-rate": { type: "string" }, "phase-blocks": { type: "string" },
        "proving-window": { type: "string" }, rpc: { type: "string" }, port: { type: "string" }, "data-dir": { type: "string" },
        "withhold-prover": { type: "boolean" }, timeout: { type: "string" }, quiet: { type: "boolean" }, verbose: { type: "boolean" },
        "json-logs": { type: "boolean" }, "no-compile": { type: "boolean" }, aggregator: { type: "boolean" }, help: { type: "boolean", short: "h" }, T: { type: "string" }, D: { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    bad((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const blocks = values.blocks === undefined ? Infinity : int("blocks", values.blocks as string, 0, 1);
  const N = int("sequencers", values.sequencers as string, DEVNET_DEFAULTS.sequencers, 1);
  const M = int("provers", values.provers as string, DEVNET_DEFAULTS.provers, 0);
  const accounts = int("accounts", values.accounts as string, DEVNET_DEFAULTS.accounts, 2);
  const blockTime = int("block-time", values["block-time"] as string, DEVNET_DEFAULTS.blockTimeMs, 100);
  const phaseBlocks = int("phase-blocks", values["phase-blocks"] as string, DEVNET_DEFAULTS.phaseBlocks, 2);
  const provingWindow = int("proving-window", values["proving-window"] as string, DEVNET_OVERRIDES.provingWindow, 2);
  const timeoutMin = int("timeout", values.timeout as string, DEVNET_DEFAULTS.timeoutMinutes, 1);
  const port = int("port", values.port as string, 0, 0);
  const T = int("T", values.T as string, DEVNET_DEFAULTS.T, 1);
  const D = int("D", values.D as string, DEVNET_DEFAULTS.D, 2);
  const txRate = values["tx-rate"] === undefined ? DEVNET_DEFAULTS.txRate : Number(values["tx-rate"]);
  if (!Number.isFinite(txRate) || txRate < 0) bad(`--tx-rate must be a number >= 0`);
  if (values.quiet && values.verbose) bad("--quiet and --verbose exclude each other");
  if (accounts >= 2 ** D) bad(`--accounts must be below 2^D = ${2 ** D}`);
  if (values["withhold-prover"] && M === 0) bad("--withhold-prover needs at least one prover");
  const quiet = values.quiet === true;
  const verbose = values.verbose === true;
  const dataRoot = resolve((values["data-dir"] as string | undefined) ?? ".devnet");
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  const say = (m: string) => {
    if (!quiet) console.log(`[${elapsed()} s] ${m}`);
  };

  // 1. Circuit and contracts first: the agents import the typed client, generated by the compile.
  say(`building the block circuit T=${T} D=${D} (cached after the first run)`);
  const { buildCircuit } = await import("../src/zk/build.js");
  const build = await buildCircuit({ T, D, onProgress: verbose ? (m) => say(`  ${m}`) : undefined });
  if (!values["no-compile"]) {
    say("compiling the contracts");
    const hre = (await import("hardhat")).default;
    await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  }
  const A = await import("../src/agents/index.js");

  const sink = values["json-logs"]
    ? (r: import("../src/agents/index.js").LogRecord) => process.stderr.write(A.stringify(r) + "\n")
    : (r: import("../src/agents/index.js").LogRecord) => process.stderr.write(A.formatLog(r) + "\n");
  const log = new A.Logger("devnet", quiet ? "warn" : verbose ? "debug" : "info", sink);

  // 2. L1.
  let node: Awaited<ReturnType<typeof A.startHardhatNode>> | undefined;
  let rpcUrl = values.rpc as string | undefined;
  const cleanup: (() => Promise<void>)[] = [];
  const shutdown = async () => {
    for (const f of cleanup.reverse()) await f().catch(() => {});
    await node?.stop();
  };
  const timer = setTimeout(async () => {
    log.error(`timeout: fewer than ${blocks} heights finalized after ${timeoutMin} min`);
    await shutdown();
    process.exit(1);
  }, timeoutMin * 60_000);
  timer.unref();
  process.once("SIGINT", () => void shutdown().then(() => process.exit(0)));
  process.once("SIGTERM", () => void shutdown().then(() => process.exit(1)));

  try {
    if (!rpcUrl) {
      say("starting a Hardhat node");
      node = await A.startHardhatNode({ port, log });
      rpcUrl = node.url;
    }
    const provider = await A.connectL1(rpcUrl, 100);
    cleanup.push(async () => provider.destroy());
    const chainId = (await provider.getNetwork()).chainId;
    const deployer = A.devWallet(0, undefined, provider);
    const actors = {
      deployer,
      sequencers: Array.from({ length: N }, (_, i) => ({ name: `seq-${i + 1}`, wallet: A.devWallet(1 + i, undefined, provider), vrfSeed: `devnet-sequencer-${i + 1}` })),
      provers: Array.from({ length: M }, (_, i) => ({ name: `prover-${i + 1}`, wallet: A.devWallet(1 + N + i, undefined, provider) })),
    };
    if ((await provider.getBalance(deployer.address)) === 0n) throw new A.AgentError("BAD_CONFIG", `deployer ${deployer.address} has no ETH on ${rpcUrl}`);
    say(`deploying on chain ${chainId}: ${N} sequencers, ${M} provers, ${accounts} L2 accounts`);
    await provider.send("evm_setAutomine", [true]).catch(() => {});
    const d = await A.deployDevnet({
      provider, actors, T, D, accounts, log,
      overrides: { proposalBlocks: BigInt(phaseBlocks), revealBlocks: BigInt(phaseBlocks), commitBlocks: BigInt(phaseBlocks), provingWindow: BigInt(provingWindow) },
      aggregator: values.aggregator === true,
    });
    await A.startIntervalMining(provider, blockTime);
    say(`rollup ${d.rollup}; height 1 opens at L1 block ${d.config.genesisBlock}; one L1 block every ${blockTime} ms`);

    // 3. Agents (fresh stores per deployment) and the config file describing them.
    const dataDir = join(dataRoot, `${chainId}-${d.rollup.slice(2, 10).toLowerCase()}`);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const seqPorts = await Promise.all(actors.sequencers.map(() => A.freePort()));
    const seqUrls = seqPorts.map((p) => `http://127.0.0.1:${p}`);
    const txRecords: import("../src/agents/index.js").L1TxRecord[] = [];
    const onTx = (r: import("../src/agents/index.js").L1TxRecord) => txRecords.push(r);
    const postProofs = values.aggregator === true;
    const common = { rpcUrl, rollup: d.rollup, T, D, genesis: d.genesis, wasmPath: resolve(A.PROJECT_ROOT, build.wasmPath), zkeyPath: resolve(A.PROJECT_ROOT, build.setup.zkeyPath), pollMs: DEVNET_DEFAULTS.agentPollMs, onTx, postProofs };
    const provers: import("../src/agents/index.js").ProverAgent[] = [];
    for (const [i, p] of actors.provers.entries()) {
      const fault = i === 0 && values["withhold-prover"] ? ("withhold" as const) : ("none" as const);
      const a = await A.ProverAgent.start({ ...common, name: p.name, privateKey: p.wallet.privateKey, storePath: join(dataDir, `${p.name}.sqlite`), sequencerRpcUrls: seqUrls, fault, log: log.child(p.name),
        // Different prices so that the market has something to rank; a busy prover declines (maxInFlight 1).
        price: DEVNET_DEFAULTS.proverPriceBase + BigInt(i) * DEVNET_DEFAULTS.proverPriceStep });
      provers.push(a);
      cleanup.push(() => a.stop());
    }
    const sequencers: import("../src/agents/index.js").SequencerAgent[] = [];
    for (const [i, s] of actors.sequencers.entries()) {
      const a = await A.SequencerAgent.start({
        ...common, name: s.name, privateKey: s.wallet.privateKey, vrfSeed: s.vrfSeed, storePath: join(dataDir, `${s.name}.sqlite`),
        rpcPort: seqPorts[i], proverUrls: provers.map((p) => p.quoteUrl), log: log.child(s.name),
      });
      sequencers.push(a);
      cleanup.push(() => a.stop());
    }
    let aggregator: import("../src/agents/index.js").AggregatorAgent | undefined;
    if (postProofs) {
      const agg = await A.AggregatorAgent.start({
        name: "aggregator", rpcUrl, rollup: d.rollup, privateKey: A.devWallet(1 + N + M).privateKey, vkey: build.setup.vkey,
        fromBlock: BigInt(d.deployBlock), pollMs: DEVNET_DEFAULTS.agentPollMs, onTx, log: log.child("aggregator"),
      });
      aggregator = agg;
      cleanup.push(() => agg.stop());
    }
    const fileConfig = {
      network: { rpcUrl, rollup: d.rollup, T, D, genesis: d.genesis, dataDir, pollMs: DEVNET_DEFAULTS.configPollMs },
      sequencers: actors.sequencers.map((s, i) => ({ name: s.name, privateKey: s.wallet.privateKey, vrfSeed: s.vrfSeed, rpcPort: seqPorts[i], proverUrls: provers.map((p) => p.quoteUrl) })),
      provers: actors.provers.map((p, i) => ({ name: p.name, privateKey: p.wallet.privateKey, quotePort: Number(new URL(provers[i]!.quoteUrl).port), sequencerRpcUrls: seqUrls })),
    };
    writeFileSync(join(dataDir, "config.json"), JSON.stringify(fileConfig, null, 2));
    say(`agents up; L2 JSON-RPC at ${seqUrls.join(", ")}; config ${join(dataDir, "config.json")}`);

    const gen = new A.TxGenerator(seqUrls, accounts, log.child("txgen"));
    gen.start(txRate);
    cleanup.push(async () => gen.stop());

    // 4. Progress until K heights are final.
    const client = new (await import("../src/client/index.js")).RollupClient(d.rollup, provider);
    let lastHead = -1;
    let finalizedN = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const head = await provider.getBlockNumber();
      if (head === lastHead) continue;
      lastHead = head;
      finalizedN = await A.finalizedCount(provider, d);
      if (!quiet) {
        const { height, phase } = await client.clockAt(BigInt(head));
        const [tip, fin] = await Promise.all([client.chainTip(), client.lastFinalized()]);
        const inFlight = provers.reduce((s, p) => s + p.proofsInFlight, 0) + sequencers.reduce((s, q) => s + q.proofsInFlight, 0);
        const pools = sequencers.map((s) => s.mempoolSize).join("/");
        console.log(
          `[${elapsed()} s] L1 ${head} | height ${height} ${phaseName(Number(phase))} | tip ${tip} | finalized ${fin} (${finalizedN}${Number.isFinite(blocks) ? `/${blocks}` : ""} heights)` +
            ` | proofs in flight ${inFlight} | mempools ${pools} | txs sent ${gen.stats.sent}`,
        );
      }
      if (finalizedN >= blocks) break;
    }

    // 5. Summary.
    gen.stop();
    const names = new Map<string, { name: string; role: "sequencer" | "prover" | "deployer" }>();
    names.set(deployer.address.toLowerCase(), { name: "deployer", role: "deployer" });
    for (const s of actors.sequencers) names.set(s.wallet.address.toLowerCase(), { name: s.name, role: "sequencer" });
    for (const p of actors.provers) names.set(p.wallet.address.toLowerCase(), { name: p.name, role: "prover" });
    if (aggregator) names.set(aggregator.address.toLowerCase(), { name: "aggregator", role: "prover" });
    const summary = await A.computeSummary({ provider, deployment: d, names, txRecords, txsSent: gen.stats.sent, startedAt: started });
    const text = JSON.stringify(summary, null, 2);
    if (values.summary) writeFileSync(values.summary as string, text + "\n");
    if (!quiet) {
      console.log(`done: ${summary.finalizedBlocks} heights finalized, ${summary.txsFinalized} transfers final, ${summary.l1GasPerBlock} L1 gas per block, median latency ${summary.latencyL1Blocks} L1 blocks, ${summary.wallSeconds} s`);
      if (values.summary) console.log(`summary written to ${values.summary}`);
    } else if (!values.summary) console.log(text);
    await shutdown();
    process.exit(0);
  } catch (e) {
    log.error("devnet failed", { error: A.errText(e) });
    if (verbose && e instanceof Error) console.error(e.stack);
    await shutdown();
    process.exit(1);
  }
}

function phaseName(p: number): string {
  return ["NotStarted", "Proposal", "Reveal", "Commit", "Proving", "LateProving", "Expired"][p] ?? String(p);
}

main().catch((e) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
