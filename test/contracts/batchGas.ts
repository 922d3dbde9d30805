/**
 * Gas of `ProofAggregator.verifyBatch` on the Rollup (batched Groth16 check with the generated
 * BatchVerifier_T2_D8, inputs rebuilt by the Rollup, heights marked proven and finalized, bonds refunded,
 * aggregation reward), with real proofs of the CI circuit. For the tests (`batch.test.ts` prints it) and the
 * benchmark: `measureRollupBatchGas({ ethers, networkHelpers }, [1, 2, 4])`. No side effects at import.
 */
import type { ProofWords } from "../../src/client/index.js";
import { atOrigin, commitHeight, deployRealChain, proveBlocks, realBlocks, realGenesisRoot, type Conn, type RealBlocks } from "./realChain.js";

/** Gas of one verifyBatch transaction of n heights. */
export interface RollupBatchGasPoint {
  n: number;
  /** Transaction gasUsed (21,000 base + calldata + execution). */
  gas: number;
  /** gas / n. */
  perHeight: number;
  /** gasUsed of one `postProof` (the cheap part each prover pays). */
  postGas: number;
}

/**
 * Deploys a fresh chain per size, commits n real blocks, posts their proofs and verifies them in one batch.
 * With `warm` (default), height 1 is first verified alone and the measured batch is heights 2..n+1: the accounts
 * involved (poster, aggregator, sequencer) then already have non-zero balances in the books, as in steady state;
 * otherwise every first credit pays 20k gas for a fresh storage slot.
 * @param conn the Hardhat connection (`await network.connect()`)
 * @param sizes batch sizes (default 1, 2, 4)
 * @param prepared blocks and proofs already made (`realBlocks(max n, domain)` + `proveBlocks(blocks, payee)`, with
 *        the RealChain's l2Domain and its prover's address as payee); made here if absent (3 real proofs, 2-20 s each)
 */
export async function measureRollupBatchGas(
  conn: Conn,
  sizes: readonly number[] = [1, 2, 4],
  prepared?: { chain: RealBlocks; proofs: readonly ProofWords[]; payee: string },
  warm = true,
): Promise<RollupBatchGasPoint[]> {
  const first = warm ? 1 : 0;
  const max = Math.max(...sizes) + first;
  // Every deployRealChain of the process has the same Rollup address (realChainOrigin), hence the same domain.
  if (!prepared) await atOrigin(conn);
  const probe = prepared ? undefined : await deployRealChain(conn, { genesisRoot: await realGenesisRoot() });
  const chain = prepared?.chain ?? (await realBlocks(max, probe!.domain));
  const payee = prepared?.payee ?? probe!.prover.address;
  const proofs = prepared?.proofs ?? (await proveBlocks(chain.blocks, payee));
  if (chain.blocks.length < max || proofs.length < max) throw new Error(`need ${max} blocks and proofs`);
  const out: RollupBatchGasPoint[] = [];
  for (const n of sizes) {
    await atOrigin(conn);
    const c = await deployRealChain(conn, { genesisRoot: chain.genesisRoot });
    const agg = c.agg.connect(c.prover);
    let postGas = 0;
    if (c.prover.address !== payee) throw new Error(`proofs pay ${payee}, the chain's prover is ${c.prover.address}`);
    const item = (i: number) => ({ height: BigInt(i + 1), proof: proofs[i]!, payee, pubdata: chain.blocks[i]!.pubdata });
    for (let i = 0; i < n + first; i++) {
      await commitHeight(c, BigInt(i + 1), chain.blocks[i]!);
      const r = await agg.postProof(BigInt(i + 1), proofs[i]!, payee);
      postGas = Number(r.gasUsed);
      if (i === 0 && warm) await c.agg.connect(c.outsider).verifyBatch([item(0)]);
    }
    const items = Array.from({ length: n }, (_, i) => item(i + first));
    const receipt = await c.agg.connect(c.outsider).verifyBatch(items);
    const gas = Number(receipt.gasUsed);
    out.push({ n, gas, perHeight: Math.round(gas / n), postGas });
  }
  return out;
}
