/**
 * A Rollup + ProofAggregator deployment driven with REAL L2 blocks (src/l2 `executeBlock` on a genesis whose root
 * is the rollup's genesis root) and REAL Groth16 proofs of the CI circuit (T=2, D=8), for the batch-verification
 * tests (`batch.test.ts`) and the gas measurement (`batchGas.ts`). No side effects at import: every function takes
 * the Hardhat connection (`ethers`, `networkHelpers`) it should use.
 */
import { readFile } from "node:fs/promises";
import { hexlify, randomBytes } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { vrfKeyFromSeed, vrfProve, popProve, publicKeyG1Of, type VrfPublicKey } from "../../src/vrf/index.js";
import {
  AggregatorClient,
  DEFAULT_STAKING,
  RollupClient,
  Role,
  blockCommitment,
  defaultRollupConfig,
  type ProofWords,
  type RollupConfig,
} from "../../src/client/index.js";
import { DEV_DOMAIN, devGenesis, sampleTransfers } from "../../src/l2/sample.js";
import { initL2 } from "../../src/l2/crypto.js";
import { stateFromGenesis, type L2State } from "../../src/l2/state.js";
import { executeBlock, withPayee, type BlockResult } from "../../src/l2/block.js";
import { encodeBlockSignatures } from "../../src/l2/signatures.js";
import { proveBlock } from "../../src/zk/prover.js";
import { rerandomizeProof } from "../../src/zk/batchVerify.js";
import type { VerificationKey } from "../../src/zk/libs.js";
import type { BatchVerifier_T2_D8, DevToken, ProofAggregator, Rollup, Staking } from "../../types/ethers-contracts/index.js";
import { deployRollup, deployRollupLibraries } from "../../src/client/deploy.js";

export const T = 2;
export const D = 8;
export const E18 = 10n ** 18n;
export const WASM = `build/circuits/T${T}_D${D}/main_js/main.wasm`;
export const ZKEY = `build/setup/block_T${T}_D${D}/circuit.zkey`;
export const VKEY = `build/setup/block_T${T}_D${D}/vkey.json`;

/** The Hardhat connection pieces the helpers use. */
export interface Conn {
  ethers: HardhatEthers;
  networkHelpers: NetworkHelpers;
}

/** One real L2 block: what is revealed on L1 and what the circuit proves. */
export interface RealBlock {
  oldRoot: bigint;
  newRoot: bigint;
  pubdata: string;
  publicInputs: bigint[];
  result: BlockResult;
}

/** A chain of real blocks from a development genesis. */
export interface RealBlocks {
  genesisRoot: bigint;
  blocks: RealBlock[];
}

const ACCOUNTS = 3;
const BALANCE = 1_000_000_000n;

/** The root of the development genesis `realBlocks` builds on (what the Rollup must be deployed with). */
export async function realGenesisRoot(): Promise<bigint> {
  await initL2();
  return stateFromGenesis(devGenesis(ACCOUNTS, BALANCE), D).root;
}

/**
 * `n` consecutive real blocks on a development genesis (depth D): the first two carry T signed transfers each,
 * the rest are empty (no-op slots: the root does not change), so every empty block after the first has the same
 * statement as the one before and a re-randomized proof of it is a distinct valid proof (3 real proofs cover
 * any n). The transfers are signed under `domain` (the L2 domain of the Rollup that will take the blocks;
 * DEV_DOMAIN by default). `publicInputs` and the proofs have payee 0 (`withPayee` for another).
 */
export async function realBlocks(n: number, domain: bigint = DEV_DOMAIN): Promise<RealBlocks> {
  await initL2();
  const accounts = ACCOUNTS;
  const genesis = devGenesis(accounts, BALANCE);
  let state: L2State = stateFromGenesis(genesis, D);
  const genesisRoot = state.root;
  const blocks: RealBlock[] = [];
  for (let i = 0; i < n; i++) {
    const txs = i < 2 ? sampleTransfers(state, accounts, T, domain) : [];
    const r = executeBlock(state, txs, T, domain);
    blocks.push({ oldRoot: r.oldRoot, newRoot: r.newRoot, pubdata: hexlify(r.pubdata), publicInputs: r.publicInputs, result: r });
    state = r.state;
  }
  return { genesisRoot, blocks };
}

/** The circuit's verification key (build/setup). */
export async function loadVkey(): Promise<VerificationKey> {
  return JSON.parse(await readFile(VKEY, "utf8")) as VerificationKey;
}

/** The public inputs of `block`'s proof paying `payee`: [oldRoot, newRoot, totalFees, payee, domain, words]. */
export function inputsFor(block: RealBlock, payee: string): bigint[] {
  return withPayee(block.result.circuitInput, payee).publicInputs;
}

/**
 * A proof per block, paying `payee` (public input 3): blocks with a statement seen before reuse that proof
 * re-randomized (k = 2, 3, ...), so at most 3 real proofs are made for `realBlocks(n)`.
 */
export async function proveBlocks(blocks: readonly RealBlock[], payee: string, log?: (m: string) => void): Promise<ProofWords[]> {
  const byStatement = new Map<string, bigint[]>();
  const out: ProofWords[] = [];
  let k = 2n;
  for (const [i, b] of blocks.entries()) {
    const key = inputsFor(b, payee).join(",");
    const seen = byStatement.get(key);
    if (seen) {
      out.push(rerandomizeProof(seen, k++) as ProofWords);
      continue;
    }
    const started = performance.now();
    const input = withPayee(b.result.circuitInput, payee).circuitInput;
    const r = await proveBlock({ wasmPath: WASM, zkeyPath: ZKEY, input: input as unknown as Record<string, unknown> });
    log?.(`proved block ${i + 1} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    byStatement.set(key, r.proof);
    out.push(r.proof as ProofWords);
  }
  return out;
}

/** Parameters of the aggregator in the tests. */
export const TEST_AGGREGATOR = { postBond: 5n * E18, verifyWindow: 60n, batchReward: 2n * E18, batchRewardPerHeight: E18 };

/** Phases long enough for a few transactions each (automine: one transaction per block). */
export const REAL_TEST_CONFIG: Partial<RollupConfig> = { proposalBlocks: 6n, revealBlocks: 6n, commitBlocks: 6n, provingWindow: 40n, lateWindow: 10n };

export interface RealChain {
  conn: Conn;
  token: DevToken;
  staking: Staking;
  rollup: Rollup;
  aggregator: ProofAggregator;
  batchVerifier: BatchVerifier_T2_D8;
  client: RollupClient;
  agg: AggregatorClient;
  config: RollupConfig;
  owner: HardhatEthersSigner;
  seq: { signer: HardhatEthersSigner; sk: bigint; pk: VrfPublicKey };
  prover: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  chainId: bigint;
  /** The Rollup's l2Domain: the same for every `deployRealChain` of a process (see `realChainOrigin`). */
  domain: bigint;
}

/**
 * The chain state every `deployRealChain` should start from (a `loadFixture` snapshot taken at the first call of
 * `atOrigin`): the deployment then replays the same transactions from the same nonces, so the Rollup has the same
 * address, hence the same l2Domain, in every deployment of the process, and blocks signed (and proofs made) once
 * for that domain serve them all.
 */
export async function realChainOrigin(): Promise<number> {
  return 0;
}

/**
 * Restores the chain to `realChainOrigin` (dropping every later fixture snapshot). Call it at the top level of a
 * test, never inside a fixture (network-helpers cannot nest `loadFixture`).
 */
export async function atOrigin(conn: Conn): Promise<void> {
  await conn.networkHelpers.loadFixture(realChainOrigin);
}

/**
 * Deploys DevToken, Staking (one staked sequencer with a VRF key), the Rollup with `genesisRoot` and the mock or
 * the real generated block verifier (BlockVerifier_T2_D8), the generated BatchVerifier_T2_D8 and a ProofAggregator
 * set on the Rollup; funds the reward pool and approves the Rollup and the aggregator for every signer. Call it
 * after `atOrigin` so that the Rollup's l2Domain is the one the blocks were signed for.
 */
export async function deployRealChain(conn: Conn, opts: { genesisRoot: bigint; realBlockVerifier?: boolean; aggregator?: Partial<typeof TEST_AGGREGATOR>; config?: Partial<RollupConfig> }): Promise<RealChain> {
  const { ethers } = conn;
  const [owner, s, prover, outsider] = await ethers.getSigners();
  const token = (await ethers.deployContract("DevToken", ["Fernet Dev", "FDEV", owner!.address])) as unknown as DevToken;
  const staking = (await ethers.deployContract("Staking", [
    await token.getAddress(), DEFAULT_STAKING.minSequencerStake, DEFAULT_STAKING.minProverStake, DEFAULT_STAKING.exitDelay, owner!.address,
  ])) as unknown as Staking;
  const stakingAddr = await staking.getAddress();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const { sk, pk } = vrfKeyFromSeed("batch-sequencer");
  for (const a of [s!, prover!, outsider!]) await token.mint(a.address, 10_000n * E18);
  await token.mint(owner!.address, 100_000n * E18);
  await token.connect(s!).approve(stakingAddr, DEFAULT_STAKING.minSequencerStake);
  await staking.connect(s!).stake(Role.Sequencer, DEFAULT_STAKING.minSequencerStake);
  await staking.connect(s!).registerVrfKey(pk, publicKeyG1Of(sk), popProve(sk, { chainId, verifier: stakingAddr, owner: s!.address }));

  const blockVerifier = await ethers.deployContract(opts.realBlockVerifier ? "BlockVerifier_T2_D8" : "MockBlockVerifier");
  // The Rollup's linked libraries first, so that the blocks counted from here are as before the split.
  const rollupLibs = await deployRollupLibraries((await ethers.getSigners())[0]);
  const genesisBlock = BigInt(await ethers.provider.getBlockNumber()) + 20n;
  const config = defaultRollupConfig({ slots: BigInt(T), genesisRoot: opts.genesisRoot }, { ...REAL_TEST_CONFIG, ...opts.config, genesisBlock });
  const rollup = (await deployRollup((await ethers.getSigners())[0], config, stakingAddr, await blockVerifier.getAddress(), rollupLibs)) as unknown as Rollup;
  const rollupAddr = await rollup.getAddress();
  await staking.setRollup(rollupAddr);
  const batchVerifier = (await ethers.deployContract("BatchVerifier_T2_D8")) as unknown as BatchVerifier_T2_D8;
  const a = { ...TEST_AGGREGATOR, ...opts.aggregator };
  const aggregator = (await ethers.deployContract("ProofAggregator", [rollupAddr, await batchVerifier.getAddress(), a])) as unknown as ProofAggregator;
  const aggAddr = await aggregator.getAddress();
  await rollup.setAggregator(aggAddr);
  for (const signer of [owner!, s!, prover!, outsider!]) {
    await token.connect(signer).approve(rollupAddr, 2n ** 255n);
    await token.connect(signer).approve(aggAddr, 2n ** 255n);
  }
  await rollup.fundRewards(1_000n * E18);
  return {
    conn, token, staking, rollup, aggregator, batchVerifier, config, owner: owner!, prover: prover!, outsider: outsider!, chainId,
    domain: await rollup.l2Domain(),
    seq: { signer: s!, sk, pk },
    client: new RollupClient(rollupAddr, ethers.provider),
    agg: new AggregatorClient(aggAddr, ethers.provider),
  };
}

/** Mines so that the next transaction lands in L1 block `block` or later. */
export async function nextTxAt(conn: Conn, block: bigint): Promise<void> {
  const current = BigInt(await conn.ethers.provider.getBlockNumber());
  if (current + 1n < block) await conn.networkHelpers.mineUpTo(block - 1n);
}

/** Records `height`'s seed in its window (seedWindowStart .. proposalStart) if nobody did. */
export async function ensureSeed(c: RealChain, height: bigint): Promise<void> {
  if ((await c.client.getHeight(height)).seedSet) return;
  await nextTxAt(c.conn, await c.client.seedWindowStart(height));
  await c.client.connect(c.outsider).recordRandomness(height);
}

/**
 * The sequencer proposes, reveals and commits (itself as prover) `block` at `height` on the current tip, then
 * mines to the end of the commit phase so the height is decided. `newRoot` may be overridden (a block whose
 * revealed root differs from what the circuit proves: a wrong public input).
 */
export async function commitHeight(c: RealChain, height: bigint, block: RealBlock, newRoot = block.newRoot): Promise<void> {
  if (block.result.domain !== c.domain) throw new Error(`block signed for domain ${block.result.domain}, the Rollup's is ${c.domain}`);
  const t = await c.client.timeline(height);
  await ensureSeed(c, height);
  await nextTxAt(c.conn, t.proposalStart);
  const parent = await c.client.chainTip();
  const randomness = await c.client.randomnessOf(height);
  const { proof: vrfProof } = vrfProve(c.seq.sk, { chainId: c.chainId, verifier: c.client.address, randomness, height });
  const salt = hexlify(randomBytes(32));
  const s = c.client.connect(c.seq.signer);
  const commitment = blockCommitment({ proposer: c.seq.signer.address, height, parent, newRoot, pubdata: block.pubdata, salt });
  await s.propose({ height, vrfProof, commitment, feeSplitBps: 1_000n, proverTip: E18, proverRewardShareBps: 2_000n, randomness });
  await nextTxAt(c.conn, t.revealStart);
  await s.reveal({ height, parent, newRoot, pubdata: block.pubdata, salt, signatures: encodeBlockSignatures(block.result.txs, T) });
  await nextTxAt(c.conn, t.commitStart);
  await s.commitProver({ height, prover: c.seq.signer.address, vrfProof });
  await nextTxAt(c.conn, t.commitEnd);
}

/** Escrow + claimable + pool of the Rollup, and bonds + claimable of the aggregator, against their balances. */
export async function books(c: RealChain): Promise<{ rollupHeld: bigint; rollupOwed: bigint; aggHeld: bigint; aggOwed: bigint }> {
  const rollupHeld = await c.token.balanceOf(c.client.address);
  const rollupOwed = (await c.rollup.totalEscrowed()) + (await c.rollup.totalClaimable()) + (await c.rollup.rewardPool());
  const aggHeld = await c.token.balanceOf(c.agg.address);
  const aggOwed = (await c.aggregator.totalBonds()) + (await c.aggregator.totalClaimable());
  return { rollupHeld, rollupOwed, aggHeld, aggOwed };
}
