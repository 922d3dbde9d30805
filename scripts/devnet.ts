/**
 * Local devnet: a Hardhat node, the contracts with the generated Groth16 verifier, N sequencers and M provers
 * running the protocol with real proofs, and an L2 transaction generator. See docs/devnet.md.
 *
 *   npx tsx scripts/devnet.ts [--T 8 --D 16] [--blocks K] [--summary FILE] [--sequencers 3] [--provers 2]
 *                             [--block-time 1000] [--tx-rate 1] [--rpc URL] [--port 0] [--withhold-prover] [--propose-threshold U]
 *                             [--quiet | --verbose]
 *
 * Phase lengths and the proving window not given are derived from one proof timed at startup (src/network/sizing.ts).
 *
 * Exit codes: 0 done (K heights finalized, or stopped with Ctrl-C), 1 failure or timeout, 2 bad flags.
 */
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
// Plain constants (no generated types): safe to import before the compile below.
import { AGENT_DEFAULTS, DEVNET_DEFAULTS, DEVNET_SIZING } from "../src/defaults.js";
import { muteSqliteExperimentalWarning } from "../src/warnings.js";

muteSqliteExperimentalWarning();

const USAGE = `usage: npx tsx scripts/devnet.ts [options]
  --T SLOTS             transfers per L2 block (default ${DEVNET_DEFAULTS.T}; CI runs 2)
  --D DEPTH             depth of the L2 state tree (default ${DEVNET_DEFAULTS.D}; CI runs 8)
                        any size: its circuit is built and cached under build/ the first time
  --blocks K            stop after K finalized heights (default: run until Ctrl-C)
  --summary FILE        write the run summary (JSON) there
  --sequencers N        sequencers (default ${DEVNET_DEFAULTS.sequencers})
  --provers M           provers (default ${DEVNET_DEFAULTS.provers})
  --accounts A          L2 genesis accounts (default ${DEVNET_DEFAULTS.accounts})
  --block-time MS       L1 block interval in ms (default ${DEVNET_DEFAULTS.blockTimeMs})
  --tx-rate R           L2 transfers per second offered by the generator (default ${DEVNET_SIZING.OFFERED_OVER_CAPACITY} x T per
                        period: every block full); may exceed what the network takes: the backlog then grows
  --phase-blocks P      proposal/reveal/commit phase length in L1 blocks, or P,R,C for each (default: derived from a
                        proof timed at startup; pin them with --proving-window to compare runs on a loaded machine)
  --proving-window W    proving window in L1 blocks (default: derived from a proof timed at startup)
  --rpc URL             use this L1 node instead of spawning a Hardhat node: a Hardhat node, anvil, or a node that
                        allows no evm_*/hardhat_* call but mines on its own (what it offers is probed)
  --keystore FILE       deployer key from this JSON keystore (password in FERNET_KEYSTORE_PASSWORD); without it
                        FERNET_DEPLOYER_KEY, else the dev accounts. Agent keys are derived from it and funded by it
  --stall-blocks N      fail when no height is proposed or finalized in N L1 blocks (default 2 x (period + proving
                        + late window)); no L1 block at all in max(60 s, 20 block times) fails too
  --port PORT           port of the spawned Hardhat node (default: a free one)
  --data-dir DIR        agent stores and the generated config (default .devnet)
  --withhold-prover     the first prover commits but never proves (its deposit gets slashed, heights reorged)
  --propose-threshold U the sequencers' proposeThreshold, 0..1 (0: every sequencer proposes at once; default: the
                        level at which one of the N - 1 others beats it with chance 1/2, docs/agents.md)
  --design D            proving design: sidecar (default) or cooperative (seed 002: provers elected per unit,
                        three paid per unit, the sequencer's bond; docs/cooperative.md)
  --units K             cooperative: units per block (default ${DEVNET_DEFAULTS.cooperativeUnits}; must divide T)
  --fee-burn BPS        cooperative: the provers' FEE_BURN in basis points, 0..10000 (default 0)
  --aggregator          batch path: provers post proofs unverified, an aggregator agent verifies them in batches
  --batch-size N        proofs each prover sends together in one ProofAggregator.submitBatch (default
                        ${DEVNET_DEFAULTS.proofBatchSize}; 1 = each alone through Rollup.submitProof); above 1 the ProofAggregator is deployed
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
        "json-logs": { type: "boolean" }, "no-compile": { type: "boolean" }, aggregator: { type: "boolean" }, "batch-size": { type: "string" }, keystore: { type: "string" }, "stall-blocks": { type: "string" }, "propose-threshold": { type: "string" }, design: { type: "string" }, units: { type: "string" }, "fee-burn": { type: "string" }, help: { type: "boolean", short: "h" }, T: { type: "string" }, D: { type: "string" },
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
  // One length for the three phases, or proposal,reveal,commit.
  const phaseParts = values["phase-blocks"] === undefined ? undefined : (values["phase-blocks"] as string).split(",");
  if (phaseParts !== undefined && phaseParts.length !== 1 && phaseParts.length !== 3) bad("--phase-blocks is P or P,R,C");
  const givenPhases = phaseParts?.map((x) => int("phase-blocks", x, 0, 2));
  const givenPhaseBlocks = givenPhases?.[0];
  const givenProvingWindow = values["proving-window"] === undefined ? undefined : int("proving-window", values["proving-window"] as string, 0, 2);
  const timeoutMin = int("timeout", values.timeout as string, DEVNET_DEFAULTS.timeoutMinutes, 1);
  const port = int("port", values.port as string, 0, 0);
  const stallBlocksFlag = values["stall-blocks"] === undefined ? undefined : int("stall-blocks", values["stall-blocks"] as string, 0, 1);
  const T = int("T", values.T as string, DEVNET_DEFAULTS.T, 1);
  const batchSize = int("batch-size", values["batch-size"] as string, DEVNET_DEFAULTS.proofBatchSize, 1);
  const D = int("D", values.D as string, DEVNET_DEFAULTS.D, 2);
  const givenTxRate = values["tx-rate"] === undefined ? undefined : Number(values["tx-rate"]);
  const proposeThreshold = values["propose-threshold"] === undefined ? undefined : Number(values["propose-threshold"]);
  if (proposeThreshold !== undefined && !(proposeThreshold >= 0 && proposeThreshold <= 1)) bad("--propose-threshold must be a number 0..1");
  if (givenTxRate !== undefined && (!Number.isFinite(givenTxRate) || givenTxRate < 0)) bad(`--tx-rate must be a number >= 0`);
  if (values.quiet && values.verbose) bad("--quiet and --verbose exclude each other");
  if (accounts >= 2 ** D) bad(`--accounts must be below 2^D = ${2 ** D}`);
  if (values["withhold-prover"] && M === 0) bad("--withhold-prover needs at least one prover");
  const design = (values.design as string | undefined) ?? "sidecar";
  if (design !== "sidecar" && design !== "cooperative") bad(`--design must be sidecar or cooperative, got "${design}"`);
  const cooperative = design === "cooperative";
  if (!cooperative && (values.units !== undefined || values["fee-burn"] !== undefined)) bad("--units and --fee-burn are the cooperative design's");
  const K = cooperative ? int("units", values.units as string, DEVNET_DEFAULTS.cooperativeUnits, 1) : 1;
  if (T % K !== 0 || K > 32) bad(`--units must divide T = ${T} and be at most 32, got ${K}`);
  const feeBurnBps = int("fee-burn", values["fee-burn"] as string, 0, 0);
  if (feeBurnBps > 10_000) bad("--fee-burn is at most 10000 bps");
  if (cooperative && (values.aggregator || values["batch-size"] !== undefined || values["withhold-prover"])) bad("--aggregator, --batch-size and --withhold-prover are Sidecar's");
  const quiet = values.quiet === true;
  const verbose = values.verbose === true;
  const dataRoot = resolve((values["data-dir"] as string | undefined) ?? ".devnet");
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  const say = (m: string) => {
    if (!quiet) console.log(`[${elapsed()} s] ${m}`);
  };

  // 1. Circuit and contracts first: the agents import the typed client, generated by the compile.
  const S = T / K;
  say(cooperative ? `building the unit circuit S=${S} D=${D} (T=${T} in ${K} units; cached after the first run)` : `building the block circuit T=${T} D=${D} (cached after the first run)`);
  const { buildCircuit } = await import("../src/zk/build.js");
  const build = await buildCircuit({ T: cooperative ? S : T, D, kind: cooperative ? "unit" : "block", onProgress: verbose ? (m) => say(`  ${m}`) : undefined });
  if (!values["no-compile"]) {
    say("compiling the contracts");
    const hre = (await import("hardhat")).default;
    await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  }
  const A = await import("../src/agents/index.js");
  const { timeOneProof, timeOneUnitProof, cooperativeLoad, deriveTiming, describeTiming, pendingHeightsFor, proverThreads, ThroughputMeter } = await import("../src/network/index.js");
  // Each prover proves on its share of the cores (the benchmark's best route: one single-threaded native prover per core).
  const threadsPerProver = proverThreads(M);

  // Phase lengths and proving window: what is not given follows from one real proof of this size on this machine.
  let timing;
  let measure;
  {
    const given = { phaseBlocks: givenPhaseBlocks, provingWindow: givenProvingWindow };
    if (given.phaseBlocks !== undefined && given.provingWindow !== undefined) {
      const [p, r, c] = givenPhases!.length === 3 ? givenPhases! : [given.phaseBlocks, given.phaseBlocks, given.phaseBlocks];
      timing = { proposalBlocks: p!, revealBlocks: r!, commitBlocks: c!, provingWindow: given.provingWindow };
      say(`phases ${p}/${r}/${c} L1 blocks, proving window ${given.provingWindow} L1 blocks (given)`);
    } else {
      const paths = { wasmPath: build.wasmPath, zkeyPath: build.setup.zkeyPath };
      if (cooperative) {
        // Every prover may prove every unit (each is paid per unit): K unit proofs per prover and height, no quotes.
        say(`timing one unit proof S=${S} D=${D} (phase lengths and proving window follow from it)`);
        measure = cooperativeLoad(await timeOneUnitProof(S, D, paths, threadsPerProver), T, K, M);
        timing = deriveTiming({ proof: measure, blockTimeMs: blockTime, provers: 1, quoteTimeoutMs: 0, proofBatchSize: 1, ...given });
      } else {
        say(`timing one T=${T} D=${D} proof (phase lengths and proving window follow from it)`);
        measure = await timeOneProof(T, D, paths, threadsPerProver);
        timing = deriveTiming({ proof: measure, blockTimeMs: blockTime, provers: M, quoteTimeoutMs: DEVNET_DEFAULTS.quoteTimeoutMs, proofBatchSize: batchSize, ...given });
      }
      if (givenPhases?.length === 3) timing = { ...timing, proposalBlocks: givenPhases[0]!, revealBlocks: givenPhases[1]!, commitBlocks: givenPhases[2]! };
      say(describeTiming(measure, timing, blockTime));
    }
  }
  // Without --tx-rate: more than the clock lets through (T per period), so that blocks are full and the backlog shows.
  const periodSeconds = ((timing.proposalBlocks + timing.revealBlocks + timing.commitBlocks) * blockTime) / 1000;
  const txRate = givenTxRate ?? Math.round(((DEVNET_SIZING.OFFERED_OVER_CAPACITY * T) / periodSeconds) * 100) / 100;
  if (givenTxRate === undefined) say(`offering ${txRate} transfers/s (${DEVNET_SIZING.OFFERED_OVER_CAPACITY} x ${T} per ${periodSeconds} s period; --tx-rate to change)`);

  const sink = values["json-logs"]
    ? (r: import("../src/agents/index.js").LogRecord) => process.stderr.write(A.stringify(r) + "\n")
    : (r: import("../src/agents/index.js").LogRecord) => process.stderr.write(A.formatLog(r) + "\n");
  const log = new A.Logger("devnet", quiet ? "warn" : verbose ? "debug" : "info", sink);

  // 2. The network: L1, contracts, agents (fresh stores per deployment) and the transfer generator.
  const { createNetwork } = await import("../src/network/index.js");
  const rpcUrl = values.rpc as string | undefined;
  const postProofs = values.aggregator === true;
  const { loadDeployerKey } = await import("../src/l1/keys.js");
  const deployerKey = await loadDeployerKey({ keystore: values.keystore as string | undefined });
  // No block for this long is an error (a node that neither mines on its own nor allows interval mining).
  const noBlockMs = Math.max(60_000, 20 * blockTime);
  const run = createNetwork({
    circuit: { T, D, build },
    design: cooperative ? "cooperative" : "sidecar",
    units: cooperative ? K : undefined,
    l1: { rpc: rpcUrl, port: rpcUrl ? undefined : port, deployerKey, noBlockMs },
    contracts: {
      params: {
        proposalBlocks: BigInt(timing.proposalBlocks), revealBlocks: BigInt(timing.revealBlocks), commitBlocks: BigInt(timing.commitBlocks), provingWindow: BigInt(timing.provingWindow),
        // Room for a batch's heights pending at once (32, the default, up to batches of 16).
        ...(cooperative ? {} : { maxPendingHeights: BigInt(pendingHeightsFor(batchSize)) }),
      },
    },
    accounts,
    // A sequencer that proves its own block (no prover took it) proves like a prover: its share of the cores, below the agents.
    sequencers: Array.from({ length: N }, (_, i) => ({
      name: `seq-${i + 1}`, vrfSeed: `devnet-sequencer-${i + 1}`, options: { quoteTimeoutMs: DEVNET_DEFAULTS.quoteTimeoutMs, proverThreads: threadsPerProver, proverNiceness: DEVNET_SIZING.PROVER_NICENESS,
        maxInFlight: DEVNET_SIZING.PROVER_QUEUE, proposeThreshold },
    })),
    // Provers quote different prices (DEVNET_DEFAULTS.proverPriceBase + i * proverPriceStep, the network's default) so that the market has something to rank.
    provers: Array.from({ length: M }, (_, i) => ({
      name: `prover-${i + 1}`,
      // Each prover accepts DEVNET_SIZING.PROVER_QUEUE heights and proves them one after the other: with the agents'
      // default of 1 a prover still proving declined ("busy"), and when both were, the sequencer proved on their cores.
      options: { fault: i === 0 && values["withhold-prover"] ? ("withhold" as const) : ("none" as const), proverThreads: threadsPerProver, proverNiceness: DEVNET_SIZING.PROVER_NICENESS, maxInFlight: DEVNET_SIZING.PROVER_QUEUE },
      vrfSeed: `devnet-prover-${i + 1}`,
      cooperative: { feeBurnBps: BigInt(feeBurnBps), proverThreads: threadsPerProver, proverNiceness: DEVNET_SIZING.PROVER_NICENESS },
    })),
    aggregator: postProofs ? { pollMs: AGENT_DEFAULTS.aggregatorPollMs } : undefined,
    proofBatchSize: cooperative ? undefined : batchSize,
    blockTimeMs: blockTime,
    pollMs: DEVNET_DEFAULTS.agentPollMs,
    dataDir: (d) => join(dataRoot, `${d.chainId}-${d.rollup.slice(2, 10).toLowerCase()}`),
    txGenerator: { ratePerSecond: txRate },
    log,
    onStage: (e) => {
      if (e.stage === "spawning") say("starting a Hardhat node");
      else if (e.stage === "deploying") say(`deploying on chain ${e.chainId}: ${N} sequencers, ${M} provers, ${accounts} L2 accounts`);
      else say(`rollup ${e.deployment.rollup}; height 1 opens at L1 block ${e.deployment.config.genesisBlock}; one L1 block every ${blockTime} ms`);
    },
  });
  const shutdown = () => run.stop();
  const timer = setTimeout(async () => {
    log.error(`timeout: fewer than ${blocks} heights finalized after ${timeoutMin} min`);
    await shutdown();
    process.exit(1);
  }, timeoutMin * 60_000);
  timer.unref();
  process.once("SIGINT", () => void shutdown().then(() => process.exit(0)));
  process.once("SIGTERM", () => void shutdown().then(() => process.exit(1)));

  try {
    const net = await run.start();
    const { provider, deployment: d, actors, provers, cooperativeProvers, sequencers, aggregator, sequencerUrls: seqUrls, dataDir } = net;
    const gen = net.txGenerator;

    // 3. The config file describing the agents (src/agents/cli.ts runs any of them from it).
    const fileConfig = {
      network: { rpcUrl: net.l1Url, rollup: d.rollup, T, D, genesis: d.genesis, dataDir, pollMs: DEVNET_DEFAULTS.configPollMs },
      sequencers: actors.sequencers.map((s, i) => ({ name: s.name, privateKey: s.wallet.privateKey, vrfSeed: s.vrfSeed, rpcPort: Number(new URL(seqUrls[i]!).port), proverUrls: provers.map((p) => p.quoteUrl),
        peers: seqUrls.filter((_, j) => j !== i) })),
      // Cooperative provers run their own agent (the config file's runner knows Sidecar's only: listed, not runnable).
      provers: cooperative
        ? actors.provers.map((p) => ({ name: p.name, privateKey: p.wallet.privateKey, vrfSeed: p.vrfSeed, design: "cooperative" }))
        : actors.provers.map((p, i) => ({ name: p.name, privateKey: p.wallet.privateKey, quotePort: Number(new URL(provers[i]!.quoteUrl).port), sequencerRpcUrls: seqUrls, batchSize,
          batchPeers: provers.filter((_, j) => j !== i).map((x) => x.quoteUrl) })),
    };
    if (deployerKey === undefined) {
      writeFileSync(join(dataDir, "config.json"), JSON.stringify(fileConfig, null, 2));
      say(`agents up; L2 JSON-RPC at ${seqUrls.join(", ")}; config ${join(dataDir, "config.json")}`);
    } else {
      // Keys from a keystore or the environment are not written anywhere.
      say(`agents up; L2 JSON-RPC at ${seqUrls.join(", ")}; no config file written (the agents' keys derive from the deployer key)`);
    }
    const l1Info = net.l1Node.describe();
    say(`L1 node: ${l1Info.kind} (${l1Info.client}), chain ${l1Info.chainId}; control calls: ${l1Info.controls}`);

    // 4. Progress until K heights are final; the meter counts finalized transfers and samples the backlog.
    const client = net.client;
    const meter = new ThroughputMeter(client, d.deployBlock);
    let lastHead = -1;
    let finalizedN = 0;
    const cfg = d.config;
    const stallBlocks = stallBlocksFlag ?? Number(2n * (cfg.proposalBlocks + cfg.revealBlocks + cfg.commitBlocks + cfg.provingWindow + cfg.lateWindow));
    const { ProgressWatch } = await import("../src/l1/stall.js");
    const watch = new ProgressWatch({ stallBlocks, noBlockMs });
    // Until height 1 opens the agents wait for the genesis block: that wait is announced, not a stall.
    say(`waiting for L1 block ${cfg.genesisBlock} (height 1 opens); a stall of ${stallBlocks} L1 blocks or ${noBlockMs / 1000} s without a block is an error`);
    let tipNow = 0n;
    let finNow = 0n;
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const head = await provider.getBlockNumber();
      const inFlightNow = provers.reduce((s, p) => s + p.proofsInFlight, 0) + sequencers.reduce((s, q) => s + q.proofsInFlight, 0);
      watch.observe(head, BigInt(head) < cfg.genesisBlock ? `genesis ${head}` : `${tipNow}/${finNow}`,
        `chain tip ${tipNow}, finalized ${finNow}, proofs in flight ${inFlightNow}, mempools ${sequencers.map((q) => q.mempoolSize).join("/")}`);
      if (head === lastHead) continue;
      lastHead = head;
      await meter.observe(head);
      finalizedN = meter.finalizedHeights;
      const backlog = sequencers.reduce((s, q) => s + q.mempoolSize, 0);
      meter.sample(head, backlog, gen.stats.sent);
      [tipNow, finNow] = await Promise.all([client.chainTip(), client.lastFinalized()]);
      if (!quiet) {
        const { height, phase } = await client.clockAt(BigInt(head));
        const [tip, fin] = await Promise.all([client.chainTip(), client.lastFinalized()]);
        const inFlight = provers.reduce((s, p) => s + p.proofsInFlight, 0) + sequencers.reduce((s, q) => s + q.proofsInFlight, 0);
        const pools = sequencers.map((s) => s.mempoolSize).join("/");
        console.log(
          `[${elapsed()} s] L1 ${head} | height ${height} ${phaseName(Number(phase))} | tip ${tip} | finalized ${fin} (${finalizedN}${Number.isFinite(blocks) ? `/${blocks}` : ""} heights,` +
            ` ${meter.finalizedTransfers} transfers, ${meter.finalizedTps.toFixed(2)}/s) | proofs in flight ${inFlight} | backlog ${backlog} (${pools}) | txs sent ${gen.stats.sent}`,
        );
      }
      if (finalizedN >= blocks) break;
    }

    // 5. Summary.
    gen.stop();
    const names = new Map<string, { name: string; role: "sequencer" | "prover" | "deployer" }>();
    names.set(actors.deployer.address.toLowerCase(), { name: "deployer", role: "deployer" });
    for (const s of actors.sequencers) names.set(s.wallet.address.toLowerCase(), { name: s.name, role: "sequencer" });
    for (const p of actors.provers) names.set(p.wallet.address.toLowerCase(), { name: p.name, role: "prover" });
    if (aggregator) names.set(aggregator.address.toLowerCase(), { name: "aggregator", role: "prover" });
    const base = await A.computeSummary({ provider, deployment: d, names, txRecords: net.txRecords, txsSent: gen.stats.sent, startedAt: started });
    const throughput = meter.report({ ratePerSecond: txRate, sent: gen.stats.sent, refused: gen.stats.refused });
    const summary = {
      ...base,
      // The headline number: finalized transfers per second after the first finalized height (real proofs).
      finalizedTransfersPerSecond: throughput.finalizedTransfersPerSecond,
      finalizedTransfersPerL1Block: throughput.finalizedTransfersPerL1Block,
      throughput,
      proving: { measured: measure ?? null, ...timing },
      ...(base.cooperative ? {
        cooperative: {
          ...base.cooperative,
          // What only the agents know: proofs made and not paid (refused on chain, or not sent because they no longer placed).
          provers: base.cooperative.provers.map((p) => {
            const i = actors.provers.findIndex((a) => a.wallet.address.toLowerCase() === p.address.toLowerCase());
            return i < 0 ? p : { ...p, wasted: cooperativeProvers[i]!.stats().wasted };
          }),
        },
      } : {}),
      config: { ...base.config, D, design, units: K, feeBurnBps, blockTimeMs: blockTime, sequencers: N, provers: M, txRate, txRateDerived: givenTxRate === undefined, proofBatchSize: batchSize, proposeThreshold: proposeThreshold ?? "default" },
    };
    if (process.env.GAS_PROFILE) {
      // Where the gas of the latest successful transaction of each method went (opcode classes, storage writes and
      // cold reads), from the node's debug_traceTransaction: finds what a change to the contracts can save.
      const { profile, profileByFrame, storageDetail } = await import("../bench/gasProfile.js");
      const names: Record<string, string> = {};
      for (const [k, v] of Object.entries(d as unknown as Record<string, unknown>)) if (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)) names[v.toLowerCase()] = k;
      const latest = new Map<string, (typeof net.txRecords)[number]>();
      for (const t of net.txRecords) if (t.ok && t.hash) latest.set(t.method, t);
      const profiles: Record<string, unknown> = {};
      for (const [m, t] of latest) profiles[m] = { height: t.height?.toString(), gasUsed: Number(t.gasUsed), ...(await profile(provider as never, t.hash!)), byFrame: await profileByFrame(provider as never, t.hash!, names), storage: await storageDetail(provider as never, t.hash!) };
      (summary as Record<string, unknown>).gasProfile = profiles;
    }
    const text = JSON.stringify(summary, null, 2);
    if (values.summary) writeFileSync(values.summary as string, text + "\n");
    if (!quiet) {
      console.log(
        `done: ${summary.finalizedBlocks} heights finalized, ${summary.txsFinalized} transfers final, ${summary.l1GasPerFinalizedHeight} L1 gas per finalized height` +
          ` (${summary.l1GasPerBlock} counting heights in flight), ${summary.emptyHeightsPer100} empty heights per 100, median latency ${summary.latencyL1Blocks} L1 blocks, ${summary.wallSeconds} s`,
      );
      console.log(
        `throughput: ${throughput.finalizedTransfersPerSecond} finalized transfers/s (${throughput.finalizedTransfersPerL1Block} per L1 block) over ${throughput.windowSeconds} s after the first finalized height;` +
          ` offered ${txRate}/s, peak backlog ${throughput.maxMempool}; load average ${throughput.loadAverage1m} on ${throughput.cores} cores`,
      );
      if (summary.cooperative) {
        const c = summary.cooperative;
        console.log(`cooperative: K=${c.units}, ${c.heightsSettled} heights settled, ${c.paidProofsPerHeight} paid proofs per height, network paid ${c.networkPaid} wei, burnt ${c.networkBurnt} wei, bonds burnt ${c.bondsBurnt} wei`);
        for (const p of c.provers) {
          console.log(`  ${p.name}: ${p.proofsAccepted} accepted, ${p.proofsPaid} paid (${p.paid} wei, ${p.burnt} wei burnt), ${p.proofsDisplaced} displaced, ${p.wasted ?? 0} wasted, ${p.rescues} rescues`);
        }
      }
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
