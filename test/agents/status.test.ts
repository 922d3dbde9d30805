/** Transaction status ladder: allowed and refused transitions, history with L1 points, per-height moves, JSON. */
import { expect } from "chai";
import { LADDER, StatusError, StatusTracker, canTransition, type TxStatus } from "../../src/node/index.js";

const id = (n: number): string => "0x" + n.toString(16).padStart(64, "0");
const at = (l1Block: number): { l1Block: number; timestamp: number } => ({ l1Block, timestamp: 1_700_000_000 + 12 * l1Block });

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof StatusError) return e.code;
    throw e;
  }
  throw new Error("expected a throw");
}

describe("agents/status", function () {
  it("climbs the whole ladder and records each step's L1 block, timestamp and height", function () {
    const t = new StatusTracker();
    t.track(id(1), at(10));
    LADDER.slice(1).forEach((s, i) => t.transition(id(1), s, at(11 + i), { height: 3 }));
    const r = t.get(id(1))!;
    expect(r.status).to.equal("finalized");
    expect(r.height).to.equal(3);
    expect(r.history.map((h) => h.status)).to.deep.equal([...LADDER]);
    expect(r.history.map((h) => h.l1Block)).to.deep.equal([10, 11, 12, 13, 14, 15, 16]);
    expect(t.stepOf(id(1), "proven")).to.deep.equal({ status: "proven", l1Block: 14, timestamp: 1_700_000_000 + 12 * 14, height: 3 });
    expect(t.stepOf(id(1), "reorged")).to.equal(undefined);
  });

  it("allows skipping forward but never going back (except via reorged)", function () {
    const t = new StatusTracker();
    t.track(id(1), at(1));
    expect(code(() => t.transition(id(1), "revealed", at(2)))).to.equal("BAD_INPUT"); // needs a height
    t.transition(id(1), "revealed", at(2), { height: 7 }); // skipped in_proposed_block
    expect(code(() => t.transition(id(1), "in_proposed_block", at(3)))).to.equal("BAD_TRANSITION");
    expect(code(() => t.transition(id(1), "in_mempool", at(3)))).to.equal("BAD_TRANSITION");
    expect(code(() => t.transition(id(1), "revealed", at(3)))).to.equal("BAD_TRANSITION"); // not a step
    expect(code(() => t.transition(id(1), "dropped", at(3)))).to.equal("BAD_TRANSITION");
    expect(code(() => t.transition(id(1), "proven", at(3), { height: 8 }))).to.equal("BAD_TRANSITION"); // other height
    expect(code(() => t.transition(id(1), "proven", at(1)))).to.equal("BAD_TRANSITION"); // time going back
    t.transition(id(1), "verified_on_l1", at(4)); // proof posted and verified in one L1 tx
    expect(t.get(id(1))!.status).to.equal("verified_on_l1");
    expect(code(() => t.transition(id(9), "proven", at(5)))).to.equal("UNKNOWN_TX");
    expect(code(() => t.track("0x12", at(5)))).to.equal("BAD_INPUT");
  });

  it("reorg sends a tx back to the mempool, then to a new height; finalized is final", function () {
    const t = new StatusTracker();
    t.track(id(1), at(1));
    t.transition(id(1), "in_proposed_block", at(2), { height: 5 });
    t.transition(id(1), "prover_committed", at(4));
    t.transition(id(1), "reorged", at(50), { reason: "proof missed" });
    let r = t.get(id(1))!;
    expect(r.status).to.equal("reorged");
    expect(r.height).to.equal(undefined);
    expect(r.history.at(-1)).to.deep.equal({ status: "reorged", l1Block: 50, timestamp: at(50).timestamp, height: 5, reason: "proof missed" });
    expect(t.txsAtHeight(5)).to.deep.equal([]);
    expect(code(() => t.transition(id(1), "proven", at(51), { height: 5 }))).to.equal("BAD_TRANSITION");
    t.track(id(1), at(51));
    t.transition(id(1), "in_proposed_block", at(52), { height: 5 }); // height 5 again, after the reorg
    t.transition(id(1), "finalized", at(60));
    for (const s of ["reorged", "dropped", "in_mempool", "proven"] as TxStatus[]) {
      expect(code(() => t.transition(id(1), s, at(61), { height: 5 }))).to.equal("BAD_TRANSITION");
    }
    r = t.get(id(1))!;
    expect(r.history.map((h) => h.status)).to.deep.equal([
      "in_mempool", "in_proposed_block", "prover_committed", "reorged", "in_mempool", "in_proposed_block", "finalized",
    ]);
  });

  it("an L1 reorg can undo verified_on_l1 (and rewind the L1 block)", function () {
    expect(canTransition("verified_on_l1", "reorged")).to.equal(true);
    expect(canTransition("in_mempool", "reorged")).to.equal(false);
    const t = new StatusTracker();
    t.track(id(1), at(1));
    t.transition(id(1), "verified_on_l1", at(20), { height: 1 });
    t.transition(id(1), "reorged", at(18));
    t.transition(id(1), "dropped", at(19), { reason: "invalid after reorg" });
    t.track(id(1), at(25)); // resubmitted
    expect(t.get(id(1))!.status).to.equal("in_mempool");
  });

  it("moves a whole height at once, all or nothing, idempotently", function () {
    const t = new StatusTracker();
    for (const n of [1, 2, 3]) {
      t.track(id(n), at(1));
      t.transition(id(n), "in_proposed_block", at(2), { height: 4 });
    }
    t.transition(id(3), "proven", at(3));
    expect(code(() => t.transitionHeight(4, "revealed", at(3)))).to.equal("BAD_TRANSITION");
    // id(3) is already proven: revealed would go back, so nothing moved.
    expect(t.get(id(1))!.status).to.equal("in_proposed_block");
    expect(t.transitionHeight(4, "proven", at(5)).sort()).to.deep.equal([id(1), id(2)]);
    expect(t.transitionHeight(4, "proven", at(5))).to.deep.equal([]); // repeated event
    expect(t.byStatus("proven").sort()).to.deep.equal([id(1), id(2), id(3)]);
    expect(t.transitionHeight(4, "reorged", at(6)).length).to.equal(3);
    expect(t.txsAtHeight(4)).to.deep.equal([]);
    expect(t.byStatus("reorged", 2).length).to.equal(2);
  });

  it("serialises to JSON and back", function () {
    const t = new StatusTracker();
    t.track(id(1), at(1));
    t.transition(id(1), "in_proposed_block", at(2), { height: 9 });
    t.track(id(2), at(3));
    const back = StatusTracker.fromJSON(JSON.parse(JSON.stringify(t.toJSON())));
    expect(back.toJSON()).to.deep.equal(t.toJSON());
    expect(back.txsAtHeight(9)).to.deep.equal([id(1)]);
    back.transition(id(1), "revealed", at(4));
    expect(() => StatusTracker.fromJSON([{ txId: "x", status: "in_mempool", history: [] } as never])).to.throw(StatusError);
  });
});
