/**
 * Expectations of a scenario, checked at the end of a run against its figures (which come from L1 events only, so
 * a replay is checked the same way).
 */
import type { ExpectationResult, HeightFigure, LedgerEntry, ScenarioFigures } from "./figures.js";
import { formatTokens, type Expectation } from "./schema.js";
import { medianLatency } from "./collect.js";

/** One line of text per expectation ("prover-1 slashed 100 tokens"). */
export function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case "finalized":
    case "reorged":
    case "skipped":
      return `height ${e.height} ${e.kind}`;
    case "finalizedAtLeast":
      return `at least ${e.count} heights finalized`;
    case "reorgsAtLeast":
      return `at least ${e.count} reorg${e.count > 1 ? "s" : ""}`;
    case "noReorgs":
      return "no reorg";
    case "slashed":
      return e.amount === undefined ? `${e.actor} slashed` : `${e.actor} slashed ${formatTokens(e.amount)} tokens`;
    case "notSlashed":
      return `${e.actor} never slashed`;
    case "rewardAtLeast":
      return `${e.actor} earned at least ${formatTokens(e.amount)} tokens in rewards`;
    case "noReward":
      return `${e.actor} earned no reward`;
    case "challenged":
      return `a proof posted by ${e.actor} was challenged`;
    case "provedAtLeast":
      return `${e.actor} proved at least ${e.count} finalized height${e.count > 1 ? "s" : ""}`;
    case "maxMedianLatency":
      return `median latency (proposal to finality) at most ${e.blocks} L1 blocks`;
    case "l2Conserved":
      return "no L2 value created or lost (finalized balances + fees = genesis total) and no transfer dropped";
    case "l1ReorgsAtLeast":
      return `at least ${e.count} L1 reorg${e.count > 1 ? "s" : ""} injected`;
    case "unitProofsAtLeast":
      return `${e.actor} had at least ${e.count} unit proof${e.count > 1 ? "s" : ""} accepted on time`;
    case "noUnitProofs":
      return `${e.actor} had no unit proof accepted${e.heights ? ` at height${e.heights.length > 1 ? "s" : ""} ${e.heights.join(", ")}` : ""}`;
    case "paidProofsAtLeast":
      return `${e.actor} was paid for at least ${e.count} unit proof${e.count > 1 ? "s" : ""}`;
    case "rescued":
      return `height ${e.height} rescued (a unit proven after the proving deadline)`;
    case "burntAtLeast":
      return e.actor === undefined ? `at least ${formatTokens(e.amount)} tokens of the prover network's reward burnt` : `at least ${formatTokens(e.amount)} tokens of ${e.actor}'s unit rewards burnt (FEE_BURN)`;
  }
}

const sum = (xs: readonly LedgerEntry[]) => xs.reduce((s, x) => s + BigInt(x.amount), 0n);

function heightOf(heights: readonly HeightFigure[], h: number): HeightFigure | undefined {
  return heights.find((x) => x.height === h);
}

/** Evaluates every expectation; `detail` says what was observed. */
export function evaluate(expect: readonly Expectation[], f: Pick<ScenarioFigures, "heights" | "ledger" | "l2" | "l1Reorgs" | "cooperative">, heightOffset = 0): ExpectationResult[] {
  return expect.map((e) => {
    const text = describeExpectation(e);
    const r = (passed: boolean, detail: string): ExpectationResult => ({ text, passed, detail });
    const of = (actor: string, kind: LedgerEntry["kind"]) => f.ledger.filter((x) => x.actor === actor && x.kind === kind);
    switch (e.kind) {
      case "finalized":
      case "reorged":
      case "skipped": {
        const abs = e.height + heightOffset;
        const h = heightOf(f.heights, abs);
        const name = heightOffset ? `height ${e.height} (Rollup height ${abs})` : `height ${e.height}`;
        return r(h?.outcome === e.kind, h ? `${name} is ${h.outcome}` : `${name} not reached`);
      }
      case "finalizedAtLeast": {
        const n = f.heights.filter((h) => h.outcome === "finalized").length;
        return r(n >= e.count, `${n} finalized`);
      }
      case "reorgsAtLeast":
      case "noReorgs": {
        const missed = f.ledger.filter((x) => x.kind === "slash" && x.height !== undefined);
        const n = new Set(f.heights.filter((h) => h.outcome === "reorged").map((h) => h.height)).size;
        return e.kind === "noReorgs" ? r(n === 0, `${n} reorged heights`) : r(n >= e.count, `${n} reorged heights, ${missed.length} slashes`);
      }
      case "slashed": {
        const s = sum(of(e.actor, "slash"));
        return r(e.amount === undefined ? s > 0n : s === e.amount, `${e.actor} slashed ${formatTokens(s)} tokens in ${of(e.actor, "slash").length} slash(es)`);
      }
      case "notSlashed": {
        const s = sum(of(e.actor, "slash"));
        return r(s === 0n, `${e.actor} slashed ${formatTokens(s)} tokens`);
      }
      case "rewardAtLeast": {
        const s = sum(of(e.actor, "reward"));
        return r(s >= e.amount, `${e.actor} earned ${formatTokens(s)} tokens`);
      }
      case "noReward": {
        const s = sum(of(e.actor, "reward"));
        return r(s === 0n, `${e.actor} earned ${formatTokens(s)} tokens`);
      }
      case "challenged": {
        // A challenged post shows in the ledger as the poster's bond slashed and paid to the challenger as a bounty.
        const n = of(e.actor, "slash").filter((x) => f.ledger.some((y) => y.kind === "bounty" && y.l1Block === x.l1Block && y.amount === x.amount && y.actor !== e.actor)).length;
        return r(n > 0, `${n} challenged post(s) by ${e.actor}`);
      }
      case "provedAtLeast": {
        // Cooperative: a height counts for every payee of its accepted unit proofs.
        const n = f.heights.filter((h) => h.outcome === "finalized" && (h.prover === e.actor || (h.provers ?? []).includes(e.actor))).length;
        return r(n >= e.count, `${e.actor} proved ${n} finalized height(s)`);
      }
      case "maxMedianLatency": {
        const m = medianLatency(f.heights as HeightFigure[]);
        return r(m > 0 && m <= e.blocks, `median ${m} L1 blocks`);
      }
      case "l2Conserved": {
        const l2 = f.l2;
        if (!l2) return r(false, "no L2 figure");
        const dropped = l2.dropped ?? 0;
        const conserved = BigInt(l2.finalizedTotal) + BigInt(l2.fees) === BigInt(l2.genesisTotal);
        return r(conserved && dropped === 0,
          `at height ${l2.finalizedHeight}: total ${l2.finalizedTotal} + fees ${l2.fees} (genesis ${l2.genesisTotal}), ${l2.finalizedTransfers} transfers finalized, ${dropped} dropped`);
      }
      case "l1ReorgsAtLeast": {
        const n = f.l1Reorgs?.length ?? 0;
        return r(n >= e.count, `${n} L1 reorg(s): ${(f.l1Reorgs ?? []).map((x) => `${x.depth} blocks at ${x.atBlock}`).join(", ") || "none"}`);
      }
      case "unitProofsAtLeast":
      case "noUnitProofs":
      case "paidProofsAtLeast":
      case "rescued":
      case "burntAtLeast": {
        const c = f.cooperative;
        if (!c) return r(false, "no cooperative figures (not a cooperative run)");
        const rel = (h: number) => h - heightOffset;
        if (e.kind === "unitProofsAtLeast") {
          const n = c.accepted.filter((x) => x.payee === e.actor && !x.late).length;
          return r(n >= e.count, `${e.actor}: ${n} unit proof(s) accepted on time`);
        }
        if (e.kind === "noUnitProofs") {
          const mine = c.accepted.filter((x) => x.payee === e.actor && (!e.heights || e.heights.includes(rel(x.height))));
          return r(mine.length === 0, `${e.actor}: ${mine.length} unit proof(s) accepted${mine.length ? ` (heights ${[...new Set(mine.map((x) => rel(x.height)))].join(", ")})` : ""}`);
        }
        if (e.kind === "paidProofsAtLeast") {
          const p = c.provers.find((x) => x.name === e.actor);
          const n = p?.paidProofs ?? 0;
          return r(n >= e.count, `${e.actor}: ${n} paid proof(s), ${formatTokens(BigInt(p?.paid ?? "0"))} tokens`);
        }
        if (e.kind === "rescued") {
          const abs = e.height + heightOffset;
          const late = c.accepted.filter((x) => x.height === abs && x.late);
          const bond = c.bonds.find((x) => x.height === abs);
          return r(late.length > 0, `${late.length} unit(s) rescued at height ${e.height}${late.length ? ` by ${[...new Set(late.map((x) => x.payee))].join(", ")}` : ""}${bond ? `; bond: ${formatTokens(BigInt(bond.returned))} returned, ${formatTokens(BigInt(bond.toRescuer))} to the rescuer, ${formatTokens(BigInt(bond.burnt))} burnt` : ""}`);
        }
        const burnt = e.actor === undefined
          ? c.settled.reduce((s, x) => s + BigInt(x.burnt), 0n)
          : BigInt(c.provers.find((x) => x.name === e.actor)?.burnt ?? "0");
        return r(burnt >= e.amount, `${e.actor ?? "the prover network"}: ${formatTokens(burnt)} tokens burnt`);
      }
    }
  });
}
