import { createRequire } from "node:module";
import type { HardhatUserConfig } from "hardhat/config";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";

// solc comes from the `solc` npm package (soljson.js) so that nothing is downloaded at build time.
// `solc` is pinned exactly in package.json; Hardhat does not check that `version` matches the file.
const require = createRequire(import.meta.url);
const SOLC_VERSION: string = require("solc/package.json").version;
const SOLJSON_PATH: string = require.resolve("solc/soljson.js");

// The Rollup facade is compiled through the IR pipeline (via-IR): 3.7k bytes smaller than the legacy pipeline
// (20.4k instead of 24.1k, EIP-170's limit is 24,576), which leaves room for the designs still to come behind the
// seam, and its hot calls cost 1-2.6k gas less (bench/report.md, "Contract sizes"). The rest stays on the legacy
// pipeline, which compiles about four times faster here (solc-js). The Solidity tests (test/solidity) deploy
// `new Rollup(...)` compiled in their own jobs, on the legacy pipeline: that copy must also stay under EIP-170
// (24,330 bytes, bench/report.md), or those test files need this override too.
const SOLC = { version: SOLC_VERSION, path: SOLJSON_PATH, settings: { optimizer: { enabled: true, runs: 200 }, viaIR: false } };
const SOLC_IR = { version: SOLC_VERSION, path: SOLJSON_PATH, settings: { optimizer: { enabled: true, runs: 200 }, viaIR: true } };

const config: HardhatUserConfig = {
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      default: { compilers: [SOLC], overrides: { "contracts/Rollup.sol": SOLC_IR } },
      production: { compilers: [SOLC], overrides: { "contracts/Rollup.sol": SOLC_IR } },
    },
  },
  paths: {
    ignition: "deploy",
  },
  // Forking a local chain (id 31337) needs a hardfork history for that chain id.
  chainDescriptors: {
    31337: {
      name: "local",
      hardforkHistory: { cancun: { blockNumber: 0 } },
    },
  },
  networks: {
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    // The devnet's L1 (src/agents/devnet.ts connects with `override: { url, accounts }` for the spawned node).
    devnet: { type: "http", chainType: "l1", url: process.env.FERNET_L1_RPC ?? "http://127.0.0.1:8545" },
    // The node a scenario log is replayed on (`hardhat --network replay node [--fork URL]`, src/scenario/replay.ts):
    // the default node network, but the mempool mines transactions in arrival order (a recorded block's transactions
    // land in their recorded order), and a fresh node's genesis gets the recorded genesis time
    // (FERNET_REPLAY_GENESIS_TIME, unix seconds) so that the recorded block timestamps come after it.
    replay: {
      type: "edr-simulated",
      mining: { mempool: { order: "fifo" } },
      allowBlocksWithSameTimestamp: true,
      ...(process.env.FERNET_REPLAY_GENESIS_TIME ? { initialDate: new Date(Number(process.env.FERNET_REPLAY_GENESIS_TIME) * 1000) } : {}),
    },
  },
  // Proving tests take seconds to minutes on 2 cores.
  test: { mocha: { timeout: 600_000 } },
};

export default config;
