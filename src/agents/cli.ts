/**
 * Runs one agent from a config file (src/agents/config.ts; `scripts/devnet.ts` writes one per deployment):
 *
 *   npx tsx src/agents/cli.ts --config .devnet/<run>/config.json --role sequencer --name seq-1 [--port 9001]
 *       [--rpc URL] [--fault no-reveal|withhold] [--verbose | --quiet]
 *
 * Stops cleanly on SIGINT / SIGTERM; its store keeps everything needed to resume. Exit 2 on bad flags or config.
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { artifactsFor } from "../zk/artifacts.js";
import { AgentError, Logger } from "./common.js";
import { genesisOf, loadConfig } from "./config.js";
import { ProverAgent } from "./prover.js";
import { PROJECT_ROOT } from "./devnet.js";
import { SequencerAgent } from "./sequencer.js";
import { CLI_DEFAULTS } from "../defaults.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: "string" }, role: { type: "string" }, name: { type: "string" }, port: { type: "string" }, rpc: { type: "string" },
      fault: { type: "string" }, verbose: { type: "boolean" }, quiet: { type: "boolean" },
    },
    strict: true,
  });
  if (!values.config) throw new AgentError("BAD_CONFIG", "--config FILE is required");
  if (values.role !== "sequencer" && values.role !== "prover") throw new AgentError("BAD_CONFIG", "--role must be sequencer or prover");
  if (!values.name) throw new AgentError("BAD_CONFIG", "--name is required (an agent of the config file)");
  const cfg = loadConfig(values.config);
  const net = cfg.network;
  const rpcUrl = values.rpc ?? net.rpcUrl;
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new AgentError("BAD_CONFIG", "--port must be a port number");
  const log = new Logger(values.name, values.quiet ? "warn" : values.verbose ? "debug" : (net.logLevel ?? "info"));
  const art = artifactsFor({ T: net.T, D: net.D }, PROJECT_ROOT);
  const common = {
    rpcUrl, rollup: net.rollup, T: net.T, D: net.D, genesis: genesisOf(net), wasmPath: art.wasmPath, zkeyPath: art.zkeyPath,
    pollMs: net.pollMs ?? CLI_DEFAULTS.pollMs, log, storePath: join(resolve(net.dataDir), `${values.name}.sqlite`),
  };
  let stop: () => Promise<void>;
  if (values.role === "sequencer") {
    const s = cfg.sequencers.find((x) => x.name === values.name);
    if (!s) throw new AgentError("BAD_CONFIG", `no sequencer named ${values.name} in ${values.config}`);
    const fault = (values.fault ?? s.fault ?? "none") as "none" | "no-reveal";
    if (fault !== "none" && fault !== "no-reveal") throw new AgentError("BAD_CONFIG", "a sequencer's --fault is none or no-reveal");
    const a = await SequencerAgent.start({
      ...common, name: s.name, privateKey: s.privateKey, vrfSeed: s.vrfSeed, rpcPort: port ?? s.rpcPort, rpcHost: s.rpcHost,
      proverUrls: s.proverUrls, sequencerPeers: s.peers, feeSplitBps: s.feeSplitBps === undefined ? undefined : BigInt(s.feeSplitBps),
      proverTip: s.proverTip === undefined ? undefined : BigInt(s.proverTip),
      proverRewardShareBps: s.proverRewardShareBps === undefined ? undefined : BigInt(s.proverRewardShareBps), quoteTimeoutMs: s.quoteTimeoutMs,
      proposeThreshold: s.proposeThreshold, proposeMiddleThreshold: s.proposeMiddleThreshold, proposeSlackBlocks: s.proposeSlackBlocks, fault,
    });
    stop = () => a.stop();
  } else {
    const p = cfg.provers.find((x) => x.name === values.name);
    if (!p) throw new AgentError("BAD_CONFIG", `no prover named ${values.name} in ${values.config}`);
    const fault = (values.fault ?? p.fault ?? "none") as "none" | "withhold";
    if (fault !== "none" && fault !== "withhold") throw new AgentError("BAD_CONFIG", "a prover's --fault is none or withhold");
    const a = await ProverAgent.start({
      ...common, name: p.name, privateKey: p.privateKey, quotePort: port ?? p.quotePort, quoteHost: p.quoteHost,
      price: p.price === undefined ? undefined : BigInt(p.price), provingTimeL1Blocks: p.provingTimeL1Blocks, maxInFlight: p.maxInFlight,
      batchSize: p.batchSize, batchDeadlineMarginBlocks: p.batchDeadlineMarginBlocks, batchPeers: p.batchPeers, sequencerRpcUrls: p.sequencerRpcUrls, fault,
    });
    stop = () => a.stop();
  }
  const quit = (code: number) => () => void stop().then(() => process.exit(code));
  process.once("SIGINT", quit(0));
  process.once("SIGTERM", quit(0));
}

main().catch((e) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(e instanceof AgentError && e.code === "BAD_CONFIG" ? 2 : 1);
});
