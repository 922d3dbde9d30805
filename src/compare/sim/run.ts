/**
 * One simulation run: the real contracts (Rollup with its libraries, Staking, an ERC-20) on an in-process chain
 * with the verifier stand-in, the workload's actors stepping block by block, and the run's record built from the
 * chain's events and balances. Deterministic for a seed: keys, salts, block randomness and the actors' order in
 * each block all derive from it.
 */
import { AbiCoder, keccak256, Wallet, type Interface } from "ethers";
import { DevToken__factory, SimBlockVerifier__factory, Staking__factory } from "../../../types/ethers-contracts/index.js";
import { defaultRollupConfig, DEFAULT_STAKING, RollupClient, Role, StakingClient, type RollupConfig } from "../../client/index.js";
import { deployRollup } from "../../client/deploy.js";
import { designStrategy } from "../../agents/designs/index.js";
import { publicKeyOf, vrfKeyFromSeed } from "../../vrf/index.js";
import { DESIGNS } from "../designs.js";
import { costModel, proofL1Blocks, proofSeconds, type CostModel } from "../model.js";
import { expand, offlineAt, tokenWei, type VariantSpec, type Workload } from "../spec.js";
import type { ActorRecord, HeightRecord, ProofRecord, RunRecord } from "../types.js";
import { Capacity, CooperativeProver, vrfCache, SidecarProver, SimSequencer, type SimActor, type SimContext } from "./actors.js";
import { SimChain } from "./chain.js";
import { World } from "./world.js";

const E18 = 10n ** 18n;
const lc = (a: string) => a.toLowerCase();

/** The stand-ins a simulation run uses, as every output of it states them. */
export function simStandIns(m: CostModel): string[] {
  return [
    `verifier stand-in: SimBlockVerifier accepts keccak-tagged "proofs" and burns the generated Groth16 verifier's measured gas (${m.verifierGas.toLocaleString("en-US")} at ${m.basePublicInputs} public inputs, +${m.gasPerPublicInput} each); no proof is made`,
    `proving time: modelled from ${m.source}, divided by each prover's speed`,
    "blocks: synthetic transfers in the real pubdata encoding (fees and calldata real, state roots not from a state tree)",
    "market: quotes asked in-process (signed, EIP-712 consent real) instead of over HTTP",
    "chain: Hardhat's in-process EDR, one block per step; VRF and signatures real",
  ];
}

function key(seed: number, name: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256", "string"], ["fernet-rollup/compare-key", seed, name]));
}

/** A seeded permutation (xorshift over the seed and block): the order actors act in a block. */
function order<T>(xs: readonly T[], seed: number, block: bigint): T[] {
  let s = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [seed, block])));
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Number(s % BigInt(i + 1));
    s = s / BigInt(i + 1) + 1n;
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Rollup parameters from the workload and the variant (token amounts given in tokens). */
export function rollupOverrides(w: Workload, v: VariantSpec): Partial<RollupConfig> {
  const merged = { ...DESIGNS[v.design].defaults, ...w.rollup, ...v.rollup };
  const out: Record<string, bigint | boolean> = {};
  const tokenKeys = new Set(["proverDeposit", "blockReward", "submissionReward"]);
  for (const [k, x] of Object.entries(merged)) {
    if (typeof x === "boolean") out[k] = x;
    else if (tokenKeys.has(k)) out[k] = tokenWei(x, `rollup.${k}`);
    else out[k] = BigInt(x);
  }
  return { ...out, provingDesign: BigInt(DESIGNS[v.design].provingDesign) } as Partial<RollupConfig>;
}

export interface SimRunOptions {
  workload: Workload;
  variant: VariantSpec;
  seed: number;
  model?: CostModel;
  progress?: (msg: string) => void;
}

export async function runSimulation(o: SimRunOptions): Promise<RunRecord> {
  const started = Date.now();
  const { workload: w, variant: v, seed } = o;
  const model = o.model ?? costModel();
  const seqSpecs = expand(w.sequencers);
  const proverSpecs = expand(w.provers);
  const owner = new Wallet(key(seed, "owner"));
  const wallets = new Map<string, Wallet>([...seqSpecs, ...proverSpecs].map((a) => [a.name, new Wallet(key(seed, a.name))]));
  const chain = await SimChain.create(seed, [owner.privateKey, ...[...wallets.values()].map((x) => x.privateKey)]);
  try {
    const { ethers } = chain;
    const signer = async (addr: string) => ethers.getSigner(addr);
    const ownerS = await signer(owner.address);
    // ---- deployment (automine)
    const token = await new DevToken__factory(ownerS).deploy("Fernet Dev", "FDEV", owner.address);
    const staking = await new Staking__factory(ownerS).deploy(await token.getAddress(), DEFAULT_STAKING.minSequencerStake, DEFAULT_STAKING.minProverStake, DEFAULT_STAKING.exitDelay, owner.address);
    const verifier = await new SimBlockVerifier__factory(ownerS).deploy(model.verifierGas, model.basePublicInputs, model.gasPerPublicInput);
    const actorsN = seqSpecs.length + proverSpecs.length;
    const genesisBlock = BigInt(await chain.blockNumber()) + 30n + 6n * BigInt(actorsN);
    const config = defaultRollupConfig({ slots: BigInt(w.T), genesisRoot: 0x1234n }, { genesisBlock, ...rollupOverrides(w, v) });
    const rollup = await deployRollup(ownerS, config, await staking.getAddress(), await verifier.getAddress());
    const rollupAddr = await rollup.getAddress();
    await (await staking.setRollup(rollupAddr)).wait();
    const pool = 20n * (config.blockReward + config.submissionReward) * BigInt(w.heights) + 1_000n * E18;
    await (await token.mint(owner.address, pool)).wait();
    await (await token.approve(rollupAddr, pool)).wait();
    await (await rollup.fundRewards(pool)).wait();
    const funding = 50_000n * E18;
    const keys = new Map<string, ReturnType<typeof vrfKeyFromSeed>>();
    for (const [name, wal] of wallets) {
      const isSeq = seqSpecs.some((s) => s.name === name);
      const stake = isSeq ? DEFAULT_STAKING.minSequencerStake : DEFAULT_STAKING.minProverStake;
      const k = vrfKeyFromSeed(`${seed}:${name}`);
      keys.set(name, k);
      await (await token.mint(wal.address, funding + stake)).wait();
      const s = await signer(wal.address);
      await new StakingClient(await staking.getAddress(), s).register(isSeq ? Role.Sequencer : Role.Prover, stake, k.sk);
      await (await token.connect(s).approve(rollupAddr, 2n ** 255n)).wait();
      await (await rollup.connect(s).fundBalance(funding / 2n)).wait();
    }
    const client = new RollupClient(rollupAddr, ethers.provider);
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const head0 = BigInt(await chain.blockNumber());
    const seedWindow = genesisBlock - config.commitBlocks - 1n;
    if (head0 < seedWindow) await chain.conn.provider.request({ method: "hardhat_mine", params: ["0x" + (seedWindow - head0).toString(16)] });
    if (BigInt(await chain.blockNumber()) >= genesisBlock - config.commitBlocks) throw new Error("simulation set-up ran past the first seed window");

    // ---- actors
    const iface = rollup.interface as unknown as Interface;
    chain.decode(rollupAddr, iface);
    const world = new World(client, config);
    const ctx: SimContext = {
      chain, world, rollup: rollupAddr, iface, chainId, config, domain: await rollup.l2Domain(), seed, T: w.T,
      transfersPerBlock: w.transfersPerBlock, feePerTransfer: w.feePerTransfer, lastHeight: BigInt(w.heights), sequencers: seqSpecs.length,
      verdicts: new Map(), keys: new Map([...wallets].map(([n, x]) => [lc(x.address), publicKeyOf(keys.get(n)!.sk)])),
      design: designStrategy(DESIGNS[v.design].provingDesign), vrf: vrfCache(chainId, rollupAddr),
    };
    const K = Number(config.units);
    const work = DESIGNS[v.design].work === "unit" ? w.T / K : w.T;
    const blocksFor = (speed: number) => BigInt(proofL1Blocks(proofSeconds(model, work, w.D, speed), w.l1BlockSeconds));
    const sidecarProvers: SidecarProver[] = [];
    const provers: SimActor[] = proverSpecs.map((p) => {
      const params = {
        name: p.name, wallet: wallets.get(p.name)!, vrfSk: keys.get(p.name)!.sk, price: p.price, withhold: p.strategy === "withhold",
        offline: (h: number) => offlineAt(p.offline, h), capacity: new Capacity(p.parallel, blocksFor(p.speed)),
        feeBurnBps: p.feeBurnBps, feeBurnStrategy: p.feeBurnStrategy, rescue: p.rescue, minPlaceChance: p.minPlaceChance, provers: proverSpecs.length,
      };
      if (ctx.design.commit === "units") return new CooperativeProver(ctx, params);
      const sp = new SidecarProver(ctx, params);
      sidecarProvers.push(sp);
      return sp;
    });
    const sequencers = seqSpecs.map((s) => new SimSequencer(ctx, {
      name: s.name, wallet: wallets.get(s.name)!, vrfSk: keys.get(s.name)!.sk, feeSplitBps: s.feeSplitBps, proverTip: s.proverTip,
      proverRewardShareBps: s.proverRewardShareBps, noReveal: s.strategy === "noReveal", offline: (h: number) => offlineAt(s.offline, h),
      selfProofBlocks: blocksFor(1), market: () => sidecarProvers, matching: v.matching,
    }));
    const actors: SimActor[] = [...sequencers, ...provers];
    const costOf = new Map<string, bigint>(proverSpecs.map((p) => [p.name, p.costPerProof]));
    const selfCost = proverSpecs.reduce((m, p) => (p.costPerProof < m ? p.costPerProof : m), proverSpecs[0]!.costPerProof);
    for (const s of seqSpecs) costOf.set(s.name, selfCost);

    // ---- balances before
    const worth = async (addr: string) => (await token.balanceOf(addr)) + (await rollup.claimable(addr)) + (await staking.stakeOf(addr));
    const before = new Map<string, bigint>();
    for (const a of actors) before.set(a.name, await worth(a.address));
    const burntBefore = await rollup.totalBurnt();

    // ---- the run
    await chain.manualMining();
    const endBlock = (await world.timeline(BigInt(w.heights))).lateDeadline + 30n;
    const gas = new Map<string, number>();
    const hashState = new Map<string, boolean>();
    let lastReport = 0;
    for (;;) {
      const next = BigInt(await chain.blockNumber()) + 1n;
      if (next > endBlock) break;
      world.beginBlock(next);
      const clock = await world.clock();
      for (const a of order(actors, seed, next)) await a.act(next);
      const receipts = await chain.mine();
      for (const r of receipts) {
        gas.set(r.actor, (gas.get(r.actor) ?? 0) + r.gasUsed);
        hashState.set(r.hash, r.ok);
      }
      world.apply(receipts);
      if (process.env.FERNET_SIM_DEBUG) for (const r of receipts) console.error(`block ${r.block} h${clock.height}/${clock.phase} ${r.actor} ${r.method}(${r.height}) ${r.ok ? "ok" : "REVERTED"} ${r.gasUsed}`);
      // Sent proofs: accepted or refused, from their receipts.
      for (const a of actors) for (const at of a.attempts) {
        if (at.state === "sent" && at.hash !== undefined && hashState.has(at.hash)) at.state = hashState.get(at.hash) ? "unpaid" : "refused";
      }
      if (o.progress && Number(clock.height) >= lastReport + 50) {
        lastReport = Number(clock.height);
        o.progress(`${v.label} seed ${seed}: height ${Math.min(lastReport, w.heights)}/${w.heights}, ${world.finalized.size} finalized, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    }

    // ---- the record
    const nameOf = new Map<string, string>([...actors].map((a) => [lc(a.address), a.name]));
    const name = (addr: string) => nameOf.get(lc(addr)) ?? addr;
    const proofs: ProofRecord[] = [];
    const paidByHeight = new Map<bigint, bigint>();
    for (const a of actors) for (const at of a.attempts) {
      if (at.state === "queued") continue; // still proving at the end: not counted as made
      let outcome = at.state as ProofRecord["outcome"];
      let paid = 0n;
      if (outcome === "unpaid") {
        if (at.unit === undefined) {
          const f = world.finalized.get(at.height);
          if (f && lc(f.submitter) === lc(a.address)) {
            outcome = "paid";
            paid = f.submissionReward + (lc(f.prover) === lc(a.address) ? f.proverReward : 0n) + (world.lateSettled.get(at.height)?.toRescuer ?? 0n);
          }
        } else {
          const k = `${at.height}:${at.unit}:${lc(a.address)}`;
          const late = (world.unitAccepted.get(at.height) ?? []).some((e) => e.unit === at.unit && lc(e.payee) === lc(a.address) && e.late);
          if (world.unitPaid.has(k)) {
            outcome = "paid";
            paid = world.unitPaid.get(k)!;
          } else if (late) {
            outcome = "rescue";
            paid = world.rescuePaid.get(k) ?? 0n;
          }
        }
      }
      paidByHeight.set(at.height, (paidByHeight.get(at.height) ?? 0n) + paid);
      proofs.push({ prover: a.name, height: Number(at.height), unit: at.unit === undefined ? undefined : Number(at.unit), l1Block: at.l1Block, outcome, paid: paid.toString() });
    }
    const heights: HeightRecord[] = [];
    const blockValue = config.blockReward + w.feePerTransfer * BigInt(w.transfersPerBlock);
    const mevOf = new Map<string, bigint>();
    for (let h = 1n; h <= BigInt(w.heights); h++) {
      const t = await world.timeline(h);
      const f = world.finalized.get(h);
      const leader = world.leader.get(h);
      const outcome = f ? "finalized" : world.reorged.has(h) ? "reorged" : !leader ? "skipped" : "pending";
      if (f) mevOf.set(name(f.sequencer), (mevOf.get(name(f.sequencer)) ?? 0n) + w.mevPerBlock);
      const proversOf = f && DESIGNS[v.design].work === "block" ? [name(f.submitter)]
        : [...new Set((world.unitAccepted.get(h) ?? []).map((e) => name(e.payee)))].sort();
      heights.push({
        height: Number(h), outcome, sequencer: leader ? name(leader) : undefined, provers: outcome === "finalized" ? proversOf : [],
        transfers: w.transfersPerBlock, fees: f ? blockValue.toString() : "0", mev: f ? w.mevPerBlock.toString() : "0",
        proverPaid: (paidByHeight.get(h) ?? 0n).toString(), sequencerPaid: (f?.sequencerReward ?? 0n).toString(),
        proposedAt: Number(t.proposalStart), finalizedAt: f?.block, reorgedAt: world.reorged.get(h),
      });
    }
    const actorRecords: ActorRecord[] = [];
    for (const a of actors) {
      const made = a.attempts.filter((x) => x.state !== "queued").length;
      actorRecords.push({
        name: a.name, role: a.role, address: a.address, gasUsed: gas.get(a.name) ?? 0,
        tokenDelta: ((await worth(a.address)) - before.get(a.name)!).toString(),
        provingCost: (BigInt(made) * (costOf.get(a.name) ?? 0n)).toString(), mev: (mevOf.get(a.name) ?? 0n).toString(),
      });
    }
    return {
      mode: "sim", design: v.design, variant: v.label, seed, standIns: simStandIns(model), l1BlockSeconds: w.l1BlockSeconds,
      startBlock: Number(genesisBlock), endBlock: Number(endBlock), actors: actorRecords, heights, proofs,
      burnt: ((await rollup.totalBurnt()) - burntBefore).toString(), slashed: world.slashed.toString(),
      prices: { gasPriceWei: BigInt(Math.round(w.gasPriceGwei * 1e9)).toString(), tokensPerEthE18: BigInt(Math.round(w.tokensPerEth * 1e6)) * 10n ** 12n + "" },
      wallSeconds: (Date.now() - started) / 1000,
    };
  } finally {
    await chain.close();
  }
}
