/**
 * src/protocol.ts (the contracts' TypeScript twins) and the typed decoding of contract errors, against a deployed
 * Rollup (the contract tests' fixture): what an agent computes must be what the contract computes.
 */
import { expect } from "chai";
import { TypedDataEncoder } from "ethers";
import {
  defaultFixture, endCommit, ensureSeed, ethers, networkHelpers, proposeAll, revealAll, commitAll, runHeight,
} from "./contracts/helpers.js";
import {
  BN254_BASE_MODULUS, BN254_SCALAR_MODULUS, BPS, BURN_ADDRESS, E18, PROVER_COMMITMENT_TYPES, fernetScore, heightRandomness, outranks,
  recordedSeed, rollupDomain,
} from "../src/protocol.js";
import { RollupClientError, contractErrorName, isContractError } from "../src/client/index.js";
import { FernetError, isFernetError } from "../src/errors.js";
import { AgentError } from "../src/agents/index.js";
import { ScenarioError } from "../src/scenario/schema.js";
import { RpcError } from "../src/node/index.js";

describe("protocol twins", function () {
  it("constants match the Rollup and the BN254 curve", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    expect(await d.rollup.BURN_ADDRESS()).to.equal(BURN_ADDRESS);
    expect(E18).to.equal(10n ** 18n);
    expect(BPS).to.equal(10_000n);
    expect(BN254_SCALAR_MODULUS).to.equal(21888242871839275222246405745257275088548364400416034343698204186575808495617n);
    expect(BN254_BASE_MODULUS).to.equal(21888242871839275222246405745257275088696311157297823662689037894645226208583n);
  });

  it("heightRandomness is Rollup.randomnessOf (height 1: no winner two heights back; height 3: height 1's winner output)", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    await ensureSeed(d, 1n);
    const h1 = await d.client.getHeight(1n);
    expect(h1.seedSet).to.equal(true);
    const r1 = (await d.client.recordedRandomness(1n))!;
    expect(await d.client.randomnessOf(1n)).to.equal(heightRandomness(1n, r1.seed, 0n));
    expect(r1.randomness).to.equal(h1.randomness);
    expect(r1.seed).to.equal(recordedSeed(BigInt(((await ethers.provider.send("eth_getBlockByNumber", ["0x" + r1.blockNumber.toString(16), false])) as { mixHash: string }).mixHash)));
    const { props } = await runHeight(d, 1n);
    await endCommit(d, 1n);
    const winnerAddr = (await d.client.getHeight(1n)).winner;
    const winner = props.find((p) => p.seq.address === winnerAddr);
    // Height 3's seed is recorded in height 2's commit phase (the first commitProver records it).
    await runHeight(d, 2n);
    const h3 = await d.client.getHeight(3n);
    expect(h3.seedSet).to.equal(true);
    expect(await d.client.randomnessOf(3n)).to.equal(heightRandomness(3n, (await d.client.recordedRandomness(3n))!.seed, winner!.output));
    expect(h3.randomness & 0xffffffffn, "the low 32 bits hold the height in storage: 0 in the value").to.equal(0n);
    expect(winner!.output).to.not.equal(0n);
  });

  it("fernetScore and outranks pick the Rollup's winner (FEE_SPLIT boost on)", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    // Very different fee splits, so that the boost decides against the raw VRF order at least sometimes.
    const props = await proposeAll(d, 1n, d.seqs, { feeSplitBps: [0n, 5_000n, 10_000n] });
    await revealAll(d, 1n, props);
    await commitAll(d, 1n, props);
    await endCommit(d, 1n);
    const ranked = props.map((p) => ({ score: fernetScore(p.output, p.feeSplitBps, d.config.feeSplitScore), output: p.output, addr: p.seq.address }));
    const top = ranked.reduce((a, b) => (outranks(b, a) ? b : a));
    const info = await d.client.getHeight(1n);
    expect(info.winner).to.equal(top.addr);
    for (const r of ranked) expect(await d.client.scoreOf(1n, r.addr)).to.equal(r.score);
  });

  it("outranks breaks ties like ProposeLib: higher VRF output, then the lower address", function () {
    const low = "0x00000000000000000000000000000000000000aa";
    const high = "0xBB00000000000000000000000000000000000000";
    expect(outranks({ score: 2n, output: 1n, addr: high }, { score: 1n, output: 9n, addr: low })).to.equal(true);
    expect(outranks({ score: 1n, output: 9n, addr: high }, { score: 1n, output: 1n, addr: low })).to.equal(true);
    expect(outranks({ score: 1n, output: 1n, addr: low }, { score: 1n, output: 1n, addr: high })).to.equal(true);
    expect(outranks({ score: 1n, output: 1n, addr: high }, { score: 1n, output: 1n, addr: low })).to.equal(false);
    expect(outranks({ score: 1n, output: 1n, addr: low }, { score: 1n, output: 1n, addr: low })).to.equal(false);
  });

  it("the prover-commitment EIP-712 domain and type give Rollup.proverCommitmentDigest", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const value = { height: 7n, sequencer: d.seqs[0]!.address, prover: d.prover.address, deposit: d.config.proverDeposit };
    const digest = TypedDataEncoder.hash(rollupDomain(d.chainId, d.client.address), PROVER_COMMITMENT_TYPES, value);
    expect(await d.rollup.proverCommitmentDigest(value.height, value.sequencer, value.prover)).to.equal(digest);
  });
});

describe("contract error names", function () {
  it("decodes a real NotFirstPending revert, through the client and from a raw ethers error", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const viaClient = await d.client.connect(d.outsider).triggerReorg(1n).then(() => undefined, (e: unknown) => e);
    expect(viaClient).to.be.instanceOf(RollupClientError);
    expect(contractErrorName(viaClient)).to.equal("Rollup__NotFirstPending");
    expect(isContractError(viaClient, "Rollup__NotFirstPending")).to.equal(true);
    expect(isContractError(viaClient, "Rollup__ReorgNotAllowed", "Rollup__AlreadyProven")).to.equal(false);
    const raw = await d.rollup.connect(d.outsider).triggerReorg(1n).then(() => undefined, (e: unknown) => e);
    expect(raw).to.not.be.instanceOf(RollupClientError);
    expect(contractErrorName(raw)).to.equal("Rollup__NotFirstPending");
    // Wrapped as the cause of another error (as the agents' TxSender may).
    expect(contractErrorName(new AgentError("INVALID_BLOCK", "wrapped", { cause: raw }))).to.equal("Rollup__NotFirstPending");
  });

  it("decodes ReorgNotAllowed: the sequencer's reorg duty treats it as an expected race (the height it meant)", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    await runHeight(d, 1n);
    await endCommit(d, 1n);
    // Height 1 is pending and its late window is still open: a reorg is not allowed yet.
    const err = await d.client.connect(d.outsider).triggerReorg(1n).then(() => undefined, (e: unknown) => e);
    expect(contractErrorName(err)).to.equal("Rollup__ReorgNotAllowed");
    expect(isContractError(err, "Rollup__NotFirstPending", "Rollup__ReorgNotAllowed")).to.equal(true);
  });

  it("is undefined for an error that is not a contract revert", function () {
    expect(contractErrorName(new Error("connection refused"))).to.equal(undefined);
    expect(contractErrorName(undefined)).to.equal(undefined);
    expect(isContractError("Rollup__WrongPhase", "Rollup__WrongPhase")).to.equal(false);
  });
});

describe("FernetError", function () {
  it("is the base of the typed errors: class name, stable code, cause and details", function () {
    const cause = new Error("disk full");
    const a = new AgentError("BAD_CONFIG", "no such file", { cause });
    expect(a).to.be.instanceOf(FernetError).and.instanceOf(Error);
    expect(a.name).to.equal("AgentError");
    expect(a.code).to.equal("BAD_CONFIG");
    expect(a.cause).to.equal(cause);
    expect(isFernetError(a, "BAD_CONFIG")).to.equal(true);
    expect(isFernetError(a, "NOT_RUNNING")).to.equal(false);
    const s = new ScenarioError("$.stop", "is required");
    expect([s.name, s.code, s.path, s.message]).to.deep.equal(["ScenarioError", "BAD_SCENARIO", "$.stop", "$.stop: is required"]);
    // JSON-RPC errors keep their numeric wire code.
    const r = new RpcError(-32601, "method not found");
    expect([r.name, r.code, isFernetError(r, -32601)]).to.deep.equal(["RpcError", -32601, true]);
    const withDetails = new FernetError("X", "m", { details: { height: 3n } });
    expect(withDetails.details).to.deep.equal({ height: 3n });
    expect(isFernetError(new Error("plain"))).to.equal(false);
  });
});
