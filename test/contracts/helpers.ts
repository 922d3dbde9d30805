/**
 * Shared fixture and helpers of the L1 contract tests: deploys DevToken, Staking, MockBlockVerifier and Rollup,
 * stakes three sequencers with real VRF keys (src/vrf), and drives heights through their phases.
 */
import { network } from "hardhat";
import { AbiCoder, keccak256, randomBytes, hexlify, toBeHex, zeroPadValue, concat } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { vrfKeyFromSeed, vrfProve, popProve, publicKeyG1Of, type VrfPublicKey } from "../../src/vrf/index.js";
import {
  RollupClient,
  StakingClient,
  Role,
  blockCommitment,
  defaultRollupConfig,
  DEFAULT_STAKING,
  fernetScore,
  type ProofWords,
  type RollupConfig,
} from "../../src/client/index.js";
import type { DevToken, MockBlockVerifier, Rollup, Staking } from "../../types/ethers-contracts/index.js";
import { deployRollup, deployRollupLibraries } from "../../src/client/deploy.js";

export const connection = await network.connect();
export const { ethers, networkHelpers } = connection;

export const E18 = 10n ** 18n;
export const SLOTS = 2n;
export const GENESIS_ROOT = 0x1234n;
/** Phases long enough for three transactions each (one transaction per block with automine). */
export const TEST_CONFIG: Partial<RollupConfig> = {
  proposalBlocks: 6n,
  revealBlocks: 6n,
  commitBlocks: 6n,
  provingWindow: 40n,
  lateWindow: 10n,
};

export interface Sequencer {
  signer: HardhatEthersSigner;
  address: string;
  sk: bigint;
  pk: VrfPublicKey;
}

export interface Deployment {
  token: DevToken;
  staking: Staking;
  verifier: MockBlockVerifier;
  rollup: Rollup;
  client: RollupClient;
  stakingClient: StakingClient;
  config: RollupConfig;
  owner: HardhatEthersSigner;
  seqs: Sequencer[];
  prover: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  chainId: bigint;
  /** The Rollup's L2 domain (public input 4 of every proof). */
  domain: bigint;
}

export async function deployFixture(overrides: Partial<RollupConfig> = {}): Promise<Deployment> {
  const [owner, a, b, c, prover, outsider] = await ethers.getSigners();
  const token = await ethers.deployContract("DevToken", ["Fernet Dev", "FDEV", owner.address]);
  const staking = await ethers.deployContract("Staking", [
    await token.getAddress(),
    DEFAULT_STAKING.minSequencerStake,
    DEFAULT_STAKING.minProverStake,
    DEFAULT_STAKING.exitDelay,
    owner.address,
  ]);
  const verifier = await ethers.deployContract("MockBlockVerifier");
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const stakingAddr = await staking.getAddress();
  const seqs: Sequencer[] = [];
  for (const [i, s] of [a!, b!, c!].entries()) {
    const { sk, pk } = vrfKeyFromSeed(`sequencer-${i}`);
    await token.mint(s.address, 10_000n * E18);
    await token.connect(s).approve(stakingAddr, DEFAULT_STAKING.minSequencerStake);
    await staking.connect(s).stake(Role.Sequencer, DEFAULT_STAKING.minSequencerStake);
    const pop = popProve(sk, { chainId, verifier: stakingAddr, owner: s.address });
    await staking.connect(s).registerVrfKey(pk, publicKeyG1Of(sk), pop);
    seqs.push({ signer: s, address: s.address, sk, pk });
  }
  await token.mint(prover!.address, 10_000n * E18);
  await token.mint(outsider!.address, 10_000n * E18);
  await token.mint(owner.address, 100_000n * E18);

  // The Rollup's linked libraries first, so that the blocks counted from here are as before the split.
  const rollupLibs = await deployRollupLibraries((await ethers.getSigners())[0]);
  const genesisBlock = BigInt(await ethers.provider.getBlockNumber()) + 12n;
  const config = defaultRollupConfig({ slots: SLOTS, genesisRoot: GENESIS_ROOT }, { ...TEST_CONFIG, genesisBlock, ...overrides });
  const rollup = await deployRollup((await ethers.getSigners())[0], config, stakingAddr, await verifier.getAddress(), rollupLibs);
  const rollupAddr = await rollup.getAddress();
  await staking.setRollup(rollupAddr);
  for (const s of [...seqs.map((x) => x.signer), prover!, outsider!]) {
    await token.connect(s).approve(rollupAddr, 2n ** 255n);
  }
  await token.approve(rollupAddr, 2n ** 255n);
  await rollup.fundRewards(1_000n * E18);
  return {
    token, staking, verifier, rollup, config, owner, seqs, prover: prover!, outsider: outsider!, chainId,
    domain: await rollup.l2Domain(),
    client: new RollupClient(rollupAddr, ethers.provider),
    stakingClient: new StakingClient(stakingAddr, ethers.provider),
  };
}

/** Default fixture (loadFixture needs a named function). */
export async function defaultFixture(): Promise<Deployment> {
  return deployFixture();
}

/** Mines so that the next transaction lands in L1 block `block` or later (if the chain is already past it). */
export async function nextTxAt(block: bigint): Promise<void> {
  const current = BigInt(await ethers.provider.getBlockNumber());
  if (current + 1n < block) await networkHelpers.mineUpTo(block - 1n);
}

/** A block for tests: slot 0 is a transfer with `fee`, the other slots are no-ops. */
export interface TestBlock {
  newRoot: bigint;
  pubdata: string;
  salt: string;
  fee: bigint;
}

export function makeBlock(seed: number, fee = 7n): TestBlock {
  const slot0 = concat([toBeHex(1, 4), toBeHex(2, 4), toBeHex(1000 + seed, 8), toBeHex(fee, 4)]);
  const rest = new Uint8Array(20 * (Number(SLOTS) - 1));
  return { newRoot: BigInt(keccak256(toBeHex(seed, 32))) >> 8n, pubdata: hexlify(concat([slot0, rest])), salt: hexlify(randomBytes(32)), fee };
}

/** [oldRoot, newRoot, totalFees, payee, domain, word_0..word_{T-1}] (docs/architecture.md). */
export function publicInputs(oldRoot: bigint, newRoot: bigint, pubdata: string, payee: string | bigint, domain: bigint): bigint[] {
  const bytes = Buffer.from(pubdata.slice(2), "hex");
  const words: bigint[] = [];
  let fees = 0n;
  for (let i = 0; i < bytes.length; i += 20) {
    const w = BigInt("0x" + bytes.subarray(i, i + 20).toString("hex"));
    words.push(w);
    fees += w & 0xffffffffn;
  }
  return [oldRoot, newRoot, fees, typeof payee === "bigint" ? payee : BigInt(payee), domain, ...words];
}

/** Revealed signatures the length check accepts: 64 (zero) bytes per non-empty slot (the mock verifier ignores them). */
export function dummySignatures(pubdata: string): string {
  const bytes = Buffer.from(pubdata.slice(2), "hex");
  let n = 0;
  for (let i = 0; i < bytes.length; i += 20) if (bytes.subarray(i, i + 20).some((b) => b !== 0)) n++;
  return "0x" + "00".repeat(64 * n);
}

/**
 * Makes sure `height`'s randomness seed is recorded: if not, mines into its seed window (seedWindowStart ..
 * proposalStart) and calls `recordRandomness`. Does nothing if the window is over (proposing then reverts).
 */
export async function ensureSeed(d: { client: RollupClient; outsider: HardhatEthersSigner }, height: bigint): Promise<void> {
  if ((await d.client.getHeight(height)).seedSet) return;
  const start = (await d.client.timeline(height)).proposalStart;
  const windowStart = await d.client.seedWindowStart(height);
  await nextTxAt(windowStart);
  if (BigInt(await ethers.provider.getBlockNumber()) + 1n >= start) return;
  await d.client.connect(d.outsider).recordRandomness(height);
}

/** A proof MockBlockVerifier accepts for these inputs. */
export function mockProof(inputs: bigint[]): ProofWords {
  const h = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256[]"], [inputs])));
  return [h, 0n, 0n, 0n, 0n, 0n, 0n, 0n];
}

/** A VRF proof of `seq` for `height` over the current `randomnessOf(height)`, with the randomness it signed. */
export async function vrfFor(d: Deployment, seq: Sequencer, height: bigint): Promise<{ proof: [bigint, bigint, bigint, bigint]; output: bigint; randomness: bigint }> {
  const randomness = await d.client.randomnessOf(height);
  return { ...vrfProve(seq.sk, { chainId: d.chainId, verifier: d.client.address, randomness, height }), randomness };
}

export interface Proposed {
  seq: Sequencer;
  vrfProof: [bigint, bigint, bigint, bigint];
  block: TestBlock;
  parent: bigint;
  output: bigint;
  score: bigint;
  feeSplitBps: bigint;
  proverTip: bigint;
  proverRewardShareBps: bigint;
  /** The randomness the VRF proof signed (passed to `propose`). */
  randomness: bigint;
}

/** Proposes for each sequencer in the proposal phase of `height` (on parent = the current tip). */
export async function proposeAll(
  d: Deployment,
  height: bigint,
  who: Sequencer[],
  opts: { feeSplitBps?: bigint[]; proverTip?: bigint; proverRewardShareBps?: bigint } = {},
): Promise<Proposed[]> {
  const t = await d.client.timeline(height);
  // The seed is recorded in the seed window (the commit phase of height - 1), so the randomness is final before
  // the proposal phase and the first proposal lands in the phase's first block.
  await ensureSeed(d, height);
  await nextTxAt(t.proposalStart);
  const parent = await d.client.chainTip();
  const out: Proposed[] = [];
  for (const [i, seq] of who.entries()) {
    const block = makeBlock(Number(height) * 10 + i);
    const { proof, output, randomness } = await vrfFor(d, seq, height);
    const feeSplitBps = opts.feeSplitBps?.[i] ?? 1_000n;
    const proverTip = opts.proverTip ?? 2n * E18;
    const proverRewardShareBps = opts.proverRewardShareBps ?? 2_000n;
    const commitment = blockCommitment({ proposer: seq.address, height, parent, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
    await d.client.connect(seq.signer).propose({ height, vrfProof: proof, commitment, feeSplitBps, proverTip, proverRewardShareBps, randomness });
    out.push({ seq, vrfProof: proof, block, parent, output, score: fernetScore(output, feeSplitBps), feeSplitBps, proverTip, proverRewardShareBps, randomness });
  }
  return out;
}

export async function revealAll(d: Deployment, height: bigint, props: Proposed[]): Promise<void> {
  const t = await d.client.timeline(height);
  await nextTxAt(t.revealStart);
  for (const p of props) {
    await d.client.connect(p.seq.signer).reveal({ height, parent: p.parent, newRoot: p.block.newRoot, pubdata: p.block.pubdata, salt: p.block.salt, signatures: dummySignatures(p.block.pubdata) });
  }
}

/** Each proposal names itself as prover and posts the deposit. */
export async function commitAll(d: Deployment, height: bigint, props: Proposed[]): Promise<void> {
  const t = await d.client.timeline(height);
  await nextTxAt(t.commitStart);
  for (const p of props) {
    await d.client.connect(p.seq.signer).commitProver({ height, prover: p.seq.address, vrfProof: p.vrfProof });
  }
}

/** Highest score, then higher output, then lower address (ProposeLib.outranks). */
export function best(props: Proposed[]): Proposed {
  return [...props].sort((x, y) => {
    if (x.score !== y.score) return x.score > y.score ? -1 : 1;
    if (x.output !== y.output) return x.output > y.output ? -1 : 1;
    return x.seq.address.toLowerCase() < y.seq.address.toLowerCase() ? -1 : 1;
  })[0]!;
}

/** A full height: propose, reveal, commit with all `who`; returns the proposals and the expected winner. */
export async function runHeight(d: Deployment, height: bigint, who: Sequencer[] = d.seqs): Promise<{ props: Proposed[]; winner: Proposed }> {
  const props = await proposeAll(d, height, who);
  await revealAll(d, height, props);
  await commitAll(d, height, props);
  return { props, winner: best(props) };
}

/** Mines until the last block of the commit phase of `height` is mined (views see it decided). */
export async function endCommit(d: Deployment, height: bigint): Promise<void> {
  const t = await d.client.timeline(height);
  await nextTxAt(t.commitEnd);
}

/** A mock proof of `p`'s block paying `payee` (public input 3). */
export async function proofFor(d: Deployment, height: bigint, p: Proposed, payee: string): Promise<ProofWords> {
  void height;
  const oldRoot = await d.client.rootOf(p.parent);
  return mockProof(publicInputs(oldRoot, p.block.newRoot, p.block.pubdata, payee, d.domain));
}

/** Proves `p` with a mock proof sent and paid to the outsider; the height finalizes if its parent is final. */
export async function proveAsOutsider(d: Deployment, height: bigint, p: Proposed): Promise<void> {
  await d.client.connect(d.outsider).submitProof({ height, proof: await proofFor(d, height, p, d.outsider.address), pubdata: p.block.pubdata, payee: d.outsider.address });
}

/** token.balanceOf(rollup) == escrow + claimable + pool: the books owe exactly what the contract holds. */
export async function booksBalance(d: Deployment): Promise<{ held: bigint; owed: bigint }> {
  const held = await d.token.balanceOf(d.client.address);
  const owed = (await d.rollup.totalEscrowed()) + (await d.rollup.totalClaimable()) + (await d.rollup.rewardPool());
  return { held, owed };
}

export { zeroPadValue };
