/**
 * Issue 13 moved the VRF proof, the commitment, the pubdata and the signatures out of the `Proposed` and `Revealed`
 * logs into the calldata, where readers decode them (RollupClient.proposedClaim, revealedBlock). A sequencer behind a
 * contract wallet (a multisig, a smart account) calls the Rollup from inside another call: its calldata is not the
 * transaction's, and a node without call traces could not serve it. For such a call the Rollup logs the data
 * (`ProposedData`, `RevealedData`); a sequencer that sends its own transactions never pays for those logs.
 * Against the real contracts (MockBlockVerifier stand-in for the proofs).
 */
import { expect } from "chai";
import type { Provider } from "ethers";
import {
  deployFixture, dummySignatures, ensureSeed, ethers, makeBlock, networkHelpers, nextTxAt, proposeAll, revealAll, vrfFor,
} from "./helpers.js";
import { RollupClient, Role, DEFAULT_STAKING, blockCommitment } from "../../src/client/index.js";
import { popProve, publicKeyG1Of, vrfKeyFromSeed } from "../../src/vrf/index.js";

/** The node as a reader without call traces sees it: debug_traceTransaction refused. */
function withoutTraces(p: Provider): Provider {
  return new Proxy(p, {
    get(target, key, receiver) {
      if (key === "send") {
        return (method: string, params: unknown[]) => method.startsWith("debug_")
          ? Promise.reject(new Error(`${method} is not served here`))
          : (target as unknown as { send(m: string, q: unknown[]): Promise<unknown> }).send(method, params);
      }
      const v = Reflect.get(target, key, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** The default deployment (a named fixture: loadFixture passes its connection as the argument). */
async function walletFixture() {
  return deployFixture();
}

describe("a sequencer behind a contract wallet (issue 13: data in the calldata)", function () {
  this.timeout(120_000);

  it("its proposal and reveal log ProposedData and RevealedData, which readers use without call traces; a direct sender logs neither", async function () {
    const d = await networkHelpers.loadFixture(walletFixture);
    const [, , , , , , walletOwner] = await ethers.getSigners();
    const wallet = await ethers.deployContract("CallForwarder", [walletOwner!.address]);
    const w = await wallet.getAddress();
    const fwd = async (to: string, data: string) => (await (await wallet.connect(walletOwner!).forward(to, data)).wait())!;
    const stakingAddr = await d.staking.getAddress();
    // The wallet stakes and registers its VRF key, as any sequencer does.
    const { sk, pk } = vrfKeyFromSeed("contract-wallet-sequencer");
    await d.token.mint(w, 10_000n * 10n ** 18n);
    await fwd(await d.token.getAddress(), d.token.interface.encodeFunctionData("approve", [stakingAddr, DEFAULT_STAKING.minSequencerStake]));
    await fwd(stakingAddr, d.staking.interface.encodeFunctionData("stake", [Role.Sequencer, DEFAULT_STAKING.minSequencerStake]));
    const pop = popProve(sk, { chainId: d.chainId, verifier: stakingAddr, owner: w });
    await fwd(stakingAddr, d.staking.interface.encodeFunctionData("registerVrfKey", [pk, publicKeyG1Of(sk), pop]));
    // A height whose activation cutoff comes after the registration.
    let h = 1n;
    const now = BigInt(await ethers.provider.getBlockNumber());
    while ((await d.client.activationCutoff(h)) <= now) h++;
    await ensureSeed(d, h);
    const t = await d.client.timeline(h);
    await nextTxAt(t.proposalStart);
    const seq = { signer: walletOwner!, address: w, sk, pk };
    const { proof, randomness } = await vrfFor(d, seq, h);
    const parent = await d.client.chainTip();
    const block = makeBlock(77);
    const commitment = blockCommitment({ proposer: w, height: h, parent, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
    const proposed = await fwd(d.client.address, d.rollup.interface.encodeFunctionData("propose", [h, proof, commitment, 1000, 0, 0, randomness]));
    // A direct sender at the same height.
    const [direct] = await proposeAll(d, h, [d.seqs[0]!]);
    const names = (r: Parameters<RollupClient["decodeEvents"]>[0]) => d.client.decodeEvents(r).map((e) => e.name);
    expect(names(proposed)).to.include.members(["Proposed", "ProposedData"]);
    const directPropose = (await ethers.provider.getTransactionReceipt((await d.client.contract.queryFilter(d.client.contract.filters.Proposed(h, direct!.seq.address)))[0]!.transactionHash))!;
    expect(names(directPropose)).to.include("Proposed").and.not.include("ProposedData");

    await nextTxAt(t.revealStart);
    const sigs = dummySignatures(block.pubdata);
    const revealed = await fwd(d.client.address, d.rollup.interface.encodeFunctionData("reveal", [h, parent, block.newRoot, block.pubdata, block.salt, sigs]));
    expect(names(revealed)).to.include.members(["Revealed", "RevealedData"]);
    await revealAll(d, h, [direct!]);
    const directReveal = (await ethers.provider.getTransactionReceipt((await d.client.contract.queryFilter(d.client.contract.filters.Revealed(h, direct!.seq.address)))[0]!.transactionHash))!;
    expect(names(directReveal)).to.include("Revealed").and.not.include("RevealedData");

    // A reader on a node without call traces gets both from the logs (and the direct sender's from its calldata).
    const reader = new RollupClient(d.client.address, withoutTraces(ethers.provider as unknown as Provider));
    const claim = (await reader.proposedClaim(h, w))!;
    expect(claim.vrfProof).to.deep.equal(proof);
    expect(claim.commitment).to.equal(commitment);
    const rb = await reader.revealedBlock(h, w);
    expect([rb.pubdata, rb.signatures, rb.parent, rb.newRoot]).to.deep.equal([block.pubdata, sigs, parent, block.newRoot]);
    expect((await reader.proposedClaim(h, direct!.seq.address))!.vrfProof).to.deep.equal(direct!.vrfProof);
    expect((await reader.revealedBlock(h, direct!.seq.address)).pubdata).to.equal(direct!.block.pubdata);
    // No proposal at a height: nothing to decode.
    expect(await reader.proposedClaim(h + 1n, w)).to.equal(undefined);
  });
});
