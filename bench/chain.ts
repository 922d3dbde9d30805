/**
 * Gas benchmarks on Hardhat's in-process chain, all from real transactions (receipt.gasUsed: exact, includes the
 * 21,000 base and calldata): single verification with the generated snarkjs verifier, batched verification
 * (test/batch/gas.ts's measureBatchGas), and the Rollup's L1 phases with the generated verifier and a real proof.
 */
import hre from "hardhat";
import { existsSync } from "node:fs";
import { hexlify, randomBytes, type Contract, type TransactionReceipt } from "ethers";
import type { ProvedSample, Log } from "./circuits.js";
import { deployRollup, deployRollupLibraries } from "../src/client/deploy.js";

type Connection = Awaited<ReturnType<typeof hre.network.create>>;
let conn: Promise<Connection> | undefined;

/** Compiles contracts/ (after the verifiers were exported) and connects once. */
export function chain(): Promise<Connection> {
  conn ??= (async () => {
    await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    return hre.network.create();
  })();
  return conn;
}

function calldataGas(data: string): number {
  let g = 0;
  for (let i = 2; i < data.length; i += 2) g += data.slice(i, i + 2) === "00" ? 4 : 16;
  return g;
}

/**
 * Deploys the generated snarkjs verifier and its IBlockVerifier adapter. The adapter either deploys its own
 * verifier (constructor without arguments, exposing `groth16()`) or takes its address: both shapes are handled.
 */
async function deployVerifierPair(names: { verifierContract: string; adapterContract: string }): Promise<{ groth16: Contract; adapter: Contract }> {
  const { ethers } = await chain();
  const f = await ethers.getContractFactory(names.adapterContract);
  if (f.interface.deploy.inputs.length === 0) {
    const adapter = (await ethers.deployContract(names.adapterContract)) as unknown as Contract;
    const addr = (await adapter.getFunction("groth16")()) as string;
    const groth16 = (await ethers.getContractAt(names.verifierContract, addr)) as unknown as Contract;
    return { groth16, adapter };
  }
  const groth16 = (await ethers.deployContract(names.verifierContract)) as unknown as Contract;
  const adapter = (await ethers.deployContract(names.adapterContract, [await groth16.getAddress()])) as unknown as Contract;
  return { groth16, adapter };
}

// ------------------------------------------------------------------ single verification

export interface VerifyGasRow {
  T: number;
  D: number;
  nPublic: number;
  /**
   * snarkjs Groth16 verifier's verifyProof as a transaction, compiled in-process with solc-js from snarkjs's
   * template (the same source and optimizer settings as the generated contracts/verifiers/ ones): the same way for
   * every configuration, so that rows compare.
   */
  verifierTxGas: number;
  verifierCalldataGas: number;
  /** Generated contracts/verifiers/Groth16Verifier_T{T}_D{D}.verifyProof (Hardhat build) as a transaction, if exported. */
  generatedVerifierTxGas?: number;
  /** BlockVerifier_T{T}_D{D}.verifyBlockProof (the IBlockVerifier adapter the Rollup calls) as a transaction, if exported. */
  adapterTxGas?: number;
  /** eth_estimateGas of the adapter's view call (what demo.ts prints), if exported. */
  adapterEstimateGas?: number;
}

async function batchHelpers() {
  const spec: string = "../test/batch/gas.js";
  const gas = (await import(spec)) as typeof import("../test/batch/gas.js");
  const solcSpec: string = "../test/batch/solc.js";
  const solc = (await import(solcSpec)) as typeof import("../test/batch/solc.js");
  return { ...gas, ...solc };
}

async function verifyTx(groth16: Contract, s: ProvedSample, what: string): Promise<{ gas: number; calldata: number }> {
  const p = s.proof;
  const args = [[p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], s.publicInputs];
  const verifyProof = groth16.getFunction("verifyProof");
  if (!(await verifyProof.staticCall(...args))) throw new Error(`${what} rejected a valid proof`);
  const tx = await verifyProof.send(...args);
  const rc = (await tx.wait())!;
  return { gas: Number(rc.gasUsed), calldata: calldataGas(tx.data) };
}

export async function benchVerifyGas(s: ProvedSample, log: Log): Promise<VerifyGasRow> {
  const { ethers } = await chain();
  const a = s.build.artifacts;
  const h = await batchHelpers();
  log(`verify gas T=${s.T} D=${s.D}: snarkjs verifier (${s.publicInputs.length} public inputs), compiled with solc-js`);
  const compiled = h.compileSolidity({ "Groth16Verifier.sol": await h.snarkjsVerifierSource(s.build.setup.vkey) }, "Groth16Verifier.sol", "Groth16Verifier");
  const [signer] = await ethers.getSigners();
  const snark = (await new ethers.ContractFactory(compiled.abi as never, compiled.bytecode, signer).deploy()) as unknown as Contract;
  await snark.waitForDeployment();
  const inproc = await verifyTx(snark, s, "snarkjs verifier");
  const row: VerifyGasRow = { T: s.T, D: s.D, nPublic: s.publicInputs.length, verifierTxGas: inproc.gas, verifierCalldataGas: inproc.calldata };
  if (s.build.exported && existsSync(a.verifierPath) && existsSync(a.adapterPath)) {
    log(`verify gas T=${s.T} D=${s.D}: generated ${a.verifierContract} + ${a.adapterContract} (Hardhat build)`);
    const { groth16, adapter } = await deployVerifierPair(a);
    row.generatedVerifierTxGas = (await verifyTx(groth16, s, a.verifierContract)).gas;
    const vbp = adapter.getFunction("verifyBlockProof");
    if (!(await vbp.staticCall(s.proof, s.publicInputs))) throw new Error(`${a.adapterContract} rejected a valid proof`);
    row.adapterTxGas = Number((await (await vbp.send(s.proof, s.publicInputs)).wait())!.gasUsed);
    row.adapterEstimateGas = Number(await vbp.estimateGas(s.proof, s.publicInputs));
  }
  log(`  verifyProof: ${row.verifierTxGas} gas${row.generatedVerifierTxGas ? ` (generated contract ${row.generatedVerifierTxGas}, adapter ${row.adapterTxGas})` : ""}`);
  return row;
}

/** Cost of one more public input, from two configurations (total and without calldata). */
export function perPublicInput(rows: VerifyGasRow[]): { gas: number; execGas: number } | undefined {
  if (rows.length < 2) return undefined;
  const [a, b] = [...rows].sort((x, y) => x.nPublic - y.nPublic);
  const dn = b!.nPublic - a!.nPublic;
  if (dn <= 0) return undefined;
  return {
    gas: Math.round((b!.verifierTxGas - a!.verifierTxGas) / dn),
    execGas: Math.round((b!.verifierTxGas - b!.verifierCalldataGas - (a!.verifierTxGas - a!.verifierCalldataGas)) / dn),
  };
}

// ------------------------------------------------------------------ batched verification

export interface BatchSection {
  available: boolean;
  batchVerifyGas?: { n: number; gas: number; calldataGas: number; perProof: number; vsSingle: number }[];
  marginalPerProof?: number;
  marginalExecPerProof?: number;
  snarkjsSingleGas?: number;
  libSingleGas?: number;
  note?: string;
}

export async function benchBatch(samples: ProvedSample[], sizes: number[], log: Log): Promise<BatchSection> {
  // The helper lives in test/batch/gas.ts (another part of the project): use it when it is there.
  if (!existsSync("test/batch/gas.ts")) return { available: false, note: "test/batch/gas.ts not present: not measured" };
  const mod = await batchHelpers();
  const { ethers } = await chain();
  log(`batch verify gas: n = ${sizes.join(", ")} with the block_T${samples[0]!.T}_D${samples[0]!.D} key (real proofs, re-randomized)`);
  const r = await mod.measureBatchGas({
    ethers,
    vkey: samples[0]!.build.setup.vkey,
    samples: samples.map((s) => ({ proof: s.proof, inputs: s.publicInputs })),
    sizes,
  });
  return {
    available: true,
    batchVerifyGas: r.batch.map((b) => ({
      n: b.n,
      gas: b.gas,
      calldataGas: b.calldataGas,
      perProof: Math.round(b.gas / b.n),
      vsSingle: Math.round(((b.n * r.snarkjsSingleGas) / b.gas) * 100) / 100,
    })),
    marginalPerProof: r.marginalPerProof,
    marginalExecPerProof: r.marginalExecPerProof,
    snarkjsSingleGas: r.snarkjsSingleGas,
    libSingleGas: r.libSingleGas,
  };
}

// ------------------------------------------------------------------ L1 phases

export interface L1Section {
  available: boolean;
  verifier?: string;
  l1GasPerPhase?: { recordRandomness: number; propose: number; reveal: number; commitProver: number; submitProof: number; claim: number };
  detail?: Record<string, number[]>;
  note?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : Math.round((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
};

/**
 * One height with three competing sequencers, as test/contracts/helpers.ts's fixture does it, but with the
 * generated verifier and a real proof of a real block (genesis root = the sample block's old root).
 */
export async function benchL1(s: ProvedSample, log: Log): Promise<L1Section> {
  if (!existsSync("contracts/Rollup.sol") || !existsSync("src/client/index.ts")) return { available: false, note: "Rollup or client not present: not measured" };
  const spec: string = "../src/client/index.js";
  const client = (await import(spec)) as typeof import("../src/client/index.js");
  const vrfSpec: string = "../src/vrf/index.js";
  const vrf = (await import(vrfSpec)) as typeof import("../src/vrf/index.js");
  const { ethers, networkHelpers } = await chain();
  const E18 = 10n ** 18n;
  // GAS_PROFILE=1: also log where each transaction's gas went (bench/gasProfile.ts).
  const traced: { name: string; hash: string; gasUsed: number }[] = [];
  const gas = (rc: TransactionReceipt, name: string) => {
    traced.push({ name, hash: rc.hash, gasUsed: Number(rc.gasUsed) });
    return Number(rc.gasUsed);
  };
  const detail: Record<string, number[]> = { recordRandomness: [], propose: [], reveal: [], commitProver: [], submitProof: [], claim: [] };

  log(`L1 phases: deploy DevToken, Staking, ${s.build.artifacts.verifierContract} + adapter, Rollup (slots ${s.T})`);
  const [owner, a, b, c, outsider] = await ethers.getSigners();
  const token = (await ethers.deployContract("DevToken", ["Fernet Dev", "FDEV", owner!.address])) as unknown as Contract;
  const st = client.DEFAULT_STAKING;
  const staking = (await ethers.deployContract("Staking", [await token.getAddress(), st.minSequencerStake, st.minProverStake, st.exitDelay, owner!.address])) as unknown as Contract;
  const { adapter: verifier } = await deployVerifierPair(s.build.artifacts);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const stakingAddr = await staking.getAddress();
  const seqs: { signer: (typeof a) & object; sk: bigint }[] = [];
  for (const [i, sg] of [a!, b!, c!].entries()) {
    const { sk, pk, pkG1 } = vrf.vrfKeyFromSeed(`bench-sequencer-${i}`);
    await (await token.getFunction("mint")(sg.address, 10_000n * E18)).wait();
    await (await (token.connect(sg) as Contract).getFunction("approve")(stakingAddr, st.minSequencerStake)).wait();
    await (await (staking.connect(sg) as Contract).getFunction("stake")(client.Role.Sequencer, st.minSequencerStake)).wait();
    const pop = vrf.popProve(sk, { chainId, verifier: stakingAddr, owner: sg.address });
    await (await (staking.connect(sg) as Contract).getFunction("registerVrfKey")(pk, pkG1, pop)).wait();
    seqs.push({ signer: sg, sk });
  }
  await (await token.getFunction("mint")(outsider!.address, 10_000n * E18)).wait();
  await (await token.getFunction("mint")(owner!.address, 100_000n * E18)).wait();
  // Keys registered above count for height 1 only if active before its seed window [genesis - commitBlocks, genesis);
  // the setup below takes about 9 blocks, then height 1's seed is recorded inside that window.
  // The Rollup's linked libraries first, so that the blocks counted from here are as before the split.
  const rollupLibs = await deployRollupLibraries((await ethers.getSigners())[0]);
  const genesisBlock = BigInt(await ethers.provider.getBlockNumber()) + 20n;
  const config = client.defaultRollupConfig(
    { slots: BigInt(s.T), genesisRoot: s.block.oldRoot },
    { proposalBlocks: 6n, revealBlocks: 6n, commitBlocks: 6n, provingWindow: 40n, lateWindow: 10n, genesisBlock },
  );
  const rollup = (await deployRollup((await ethers.getSigners())[0], config, stakingAddr, await verifier.getAddress(), rollupLibs)) as unknown as Contract;
  const rollupAddr = await rollup.getAddress();
  await (await staking.getFunction("setRollup")(rollupAddr)).wait();
  for (const sg of [...seqs.map((x) => x.signer), outsider!, owner!]) {
    await (await (token.connect(sg) as Contract).getFunction("approve")(rollupAddr, 2n ** 255n)).wait();
  }
  await (await rollup.getFunction("fundRewards")(1_000n * E18)).wait();
  // As the devnet's agents do: each sequencer funds its balance in the Rollup once; the commit draws the tip and
  // the deposit from it (no token transfer per height).
  for (const seq of seqs) await (await (rollup.connect(seq.signer) as Contract).getFunction("fundBalance")(1_000n * E18)).wait();
  const rc = new client.RollupClient(rollupAddr, ethers.provider);
  const nextTxAt = async (block: bigint) => {
    const cur = BigInt(await ethers.provider.getBlockNumber());
    if (cur + 1n < block) await networkHelpers.mineUpTo(block - 1n);
  };

  const height = 1n;
  // The sample block and proof are re-made for this Rollup: transfers sign its L2 domain, the proof binds the payee.
  const l2Spec: string = "../src/l2/index.js";
  const l2 = (await import(l2Spec)) as typeof import("../src/l2/index.js");
  const sampleSpec: string = "../src/l2/sample.js";
  const { sampleBlock } = (await import(sampleSpec)) as typeof import("../src/l2/sample.js");
  const proverSpec: string = "../src/zk/prover.js";
  const { Prover } = (await import(proverSpec)) as typeof import("../src/zk/prover.js");
  const domain = await rc.l2Domain();
  const { block } = await sampleBlock(s.T, s.D, domain);
  if (block.oldRoot !== s.block.oldRoot) throw new Error("sample genesis differs");
  const payee = outsider!.address;
  const inputs = l2.withPayee(block.circuitInput, payee);
  const zk = new Prover();
  let proved: Awaited<ReturnType<InstanceType<typeof Prover>["prove"]>>;
  try {
    log("L1 phases: proving the sample block for this Rollup's domain and payee");
    proved = await zk.prove({ wasmPath: s.build.wasmPath, zkeyPath: s.build.setup.zkeyPath, input: inputs.circuitInput as unknown as Record<string, unknown> });
  } finally {
    await zk.close();
  }
  const pubdata = hexlify(block.pubdata);
  const signatures = l2.encodeBlockSignatures(block.txs, s.T);
  const t = await rc.timeline(height);
  await nextTxAt(await rc.seedWindowStart(height));
  detail.recordRandomness!.push(gas(await rc.connect(outsider!).recordRandomness(height), "recordRandomness"));
  await nextTxAt(t.proposalStart);
  const parent = await rc.chainTip();
  // Every sequencer proposes the same real block (own salt), so whoever wins, the real proof proves it.
  const props: { seq: (typeof seqs)[number]; vrfProof: [bigint, bigint, bigint, bigint]; salt: string }[] = [];
  for (const seq of seqs) {
    const randomness = await rc.randomnessOf(height);
    const { proof } = vrf.vrfProve(seq.sk, { chainId, verifier: rollupAddr, randomness, height });
    const salt = hexlify(randomBytes(32));
    const commitment = client.blockCommitment({ proposer: seq.signer.address, height, parent, newRoot: block.newRoot, pubdata, salt });
    const r = await rc.connect(seq.signer).propose({ height, vrfProof: proof, commitment, feeSplitBps: 1_000n, proverTip: 2n * E18, proverRewardShareBps: 2_000n, randomness });
    detail.propose!.push(gas(r, "propose"));
    props.push({ seq, vrfProof: proof, salt });
  }
  await nextTxAt(t.revealStart);
  for (const p of props) {
    detail.reveal!.push(gas(await rc.connect(p.seq.signer).reveal({ height, parent, newRoot: block.newRoot, pubdata, salt: p.salt, signatures }), "reveal"));
  }
  await nextTxAt(t.commitStart);
  for (const p of props) {
    detail.commitProver!.push(gas(await rc.connect(p.seq.signer).commitProver({ height, prover: p.seq.signer.address, vrfProof: p.vrfProof }), "commitProver"));
  }
  await nextTxAt(t.commitEnd + 1n);
  const onChainInputs = await rc.publicInputsOf(height, pubdata, payee);
  if (onChainInputs.some((x, i) => x !== inputs.publicInputs[i] || x !== proved.publicSignals[i])) throw new Error("the Rollup's public inputs differ from the proof's");
  log("L1 phases: submitProof with the real Groth16 proof");
  const proof = proved.proof as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  detail.submitProof!.push(gas(await rc.connect(outsider!).submitProof({ height, proof, pubdata, payee }), "submitProof"));
  const winner = (await rc.getHeight(height)).winner;
  const w = seqs.find((x) => x.signer.address === winner)!;
  detail.claim!.push(gas(await rc.connect(w.signer).claim(), "claim"));
  detail.claim!.push(gas(await rc.connect(outsider!).claim(), "claim"));
  const l1GasPerPhase = {
    recordRandomness: detail.recordRandomness![0]!,
    propose: median(detail.propose!),
    reveal: median(detail.reveal!),
    commitProver: median(detail.commitProver!),
    submitProof: detail.submitProof![0]!,
    claim: detail.claim![0]!,
  };
  log(`  ${JSON.stringify(l1GasPerPhase)}`);
  if (process.env.GAS_PROFILE) {
    const { profile, storageDetail } = await import("./gasProfile.js");
    for (const t of traced) {
      log(`  profile ${t.name} ${t.gasUsed}: ${JSON.stringify(await profile(ethers.provider, t.hash))}`);
      log(`    ${(await storageDetail(ethers.provider, t.hash)).join("\n    ")}`);
    }
  }
  return { available: true, verifier: s.build.artifacts.adapterContract, l1GasPerPhase, detail };
}
