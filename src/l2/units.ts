/**
 * Units of a block (the Cooperative design, seed 002, adapted to Groth16 without recursion): a block of T slots is
 * K units of S = T / K consecutive slots (K a deployment parameter, K = 1 allowed), each proven on its own by the
 * unit circuit `Unit(S, D)` (circuits/unit.circom is the twin): rootIn -> rootOut over its S slots, its pubdata
 * words and fee sum public. The revealed block carries the K - 1 intermediate roots, so that different provers can
 * prove the units in parallel.
 *
 * Unit proof public inputs, in circuit order:
 *   [rootIn, rootOut, unitFees, payee, domain, word_0 .. word_{S-1}, feeBurnBps]   (6 + S)
 * payee (uint160 of the address the proof pays) and feeBurnBps (FEE_BURN in basis points, 0..10000: the share of
 * the prover's reward it burns, which boosts its election score) are bound into the proof, so a copied or
 * re-randomized proof pays its author or nobody, and nobody can resubmit someone's proof with another FEE_BURN.
 * The circuit does not range-check feeBurnBps (the contract does); `unitPublicInputs` refuses values outside
 * 0..10000 (BAD_FEE_BURN) so that an honest prover never proves one the contract would refuse.
 *
 * A unit's witness is a slice of the block's witness (`executeBlock(...).circuitInput`), and the block's witness
 * follows from L1 data alone (`transfersFromL1`, src/l2/signatures.ts), so every unit is provable from L1 data.
 */
import { BPS } from "../protocol.js";
import type { BlockResult, CircuitInput } from "./block.js";
import { executeBlock } from "./block.js";
import { FIELD_MODULUS } from "./crypto.js";
import { L2Error } from "./errors.js";
import { SLOT_BYTES } from "./pubdata.js";
import { payeeInput } from "./publicInputs.js";
import { accountLeaf, type L2State } from "./state.js";
import type { Transfer } from "./transaction.js";
import { checkDomain } from "./transaction.js";
import { rootFromPath } from "./tree.js";

/** Largest FEE_BURN in basis points (100 %): protocol.ts BPS, which the contract checks against too. */
export const FEE_BURN_MAX_BPS = BPS;

/** Index of each named public input of a unit proof (the words start at WORDS; feeBurnBps is last, at 5 + S). */
export const UNIT_PUBLIC_INPUT_INDEX = { rootIn: 0, rootOut: 1, unitFees: 2, payee: 3, domain: 4, words: 5 } as const;

/** The private per-slot part of a circuit input (the same arrays in `Block(T, D)` and `Unit(S, D)`). */
export type SlotInputs = Omit<CircuitInput, "oldRoot" | "newRoot" | "totalFees" | "payee" | "domain" | "words">;

/** Witness input of circuits/unit.circom `Unit(S, D)` (all values field elements). */
export interface UnitCircuitInput extends SlotInputs {
  rootIn: bigint;
  rootOut: bigint;
  unitFees: bigint;
  /** uint160 of the address the proof pays (public; 0 after splitting: see `unitWithPayee`). */
  payee: bigint;
  domain: bigint;
  /** The unit's S pubdata words (public). */
  words: bigint[];
  /** FEE_BURN of the proof in basis points (public; 0 after splitting: see `unitWithPayee`). */
  feeBurnBps: bigint;
}

/** One unit of a block. */
export interface BlockUnit {
  /** 0..K-1: the unit covers slots index * S .. index * S + S - 1 of the block. */
  index: number;
  rootIn: bigint;
  rootOut: bigint;
  /** Sum of the unit's fees. */
  unitFees: bigint;
  /** The unit's S pubdata words (the block's words index * S .. index * S + S - 1). */
  words: bigint[];
  /** The unit circuit's input, payee 0 and feeBurnBps 0 (a prover sets its own with `unitWithPayee`). */
  circuitInput: UnitCircuitInput;
}

/** A block split into units. */
export interface BlockUnits {
  T: number;
  K: number;
  /** Slots per unit, T / K. */
  S: number;
  /** The block's parent root (units[0].rootIn) and new root (units[K-1].rootOut). */
  oldRoot: bigint;
  newRoot: bigint;
  /** The K - 1 roots between units, in order: intermediateRoots[k] = units[k].rootOut = units[k + 1].rootIn. */
  intermediateRoots: bigint[];
  units: BlockUnit[];
}

/** S = T / K; BAD_UNIT_COUNT unless K is a positive integer dividing the positive integer T. */
export function unitSize(T: number, K: number): number {
  if (!Number.isInteger(T) || T < 1) throw new L2Error("BAD_PARAMETER", `block size T must be a positive integer, got ${T}`);
  if (!Number.isInteger(K) || K < 1 || T % K !== 0) {
    throw new L2Error("BAD_UNIT_COUNT", `the unit count K must be a positive integer dividing T = ${T}, got ${K}`);
  }
  return T / K;
}

const SLOT_FIELDS = [
  "from", "to", "amount", "fee", "sAx", "sAy", "sBalance", "sNonce", "sSiblings", "sigR8x", "sigR8y", "sigS",
  "rAx", "rAy", "rBalance", "rNonce", "rSiblings",
] as const satisfies readonly (keyof SlotInputs)[];

/**
 * Roots after each slot of a block's witness, checked the way the circuit checks them (the sender's leaf opens
 * against the current root, the receiver's against the root after the sender's update). BAD_WITNESS if the witness
 * does not chain from oldRoot to newRoot (it was not made by `executeBlock`, or was altered).
 */
function slotRoots(ci: CircuitInput): bigint[] {
  const T = ci.words.length;
  const mod = (x: bigint) => ((x % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS; // the circuit's arithmetic
  const fail = (i: number, msg: string): never => {
    throw new L2Error("BAD_WITNESS", `slot ${i}: ${msg}`, i);
  };
  const roots: bigint[] = [];
  let root = ci.oldRoot;
  for (let i = 0; i < T; i++) {
    if (ci.from[i] !== 0n) {
      const from = Number(ci.from[i]);
      const to = Number(ci.to[i]);
      const sender = { index: from, publicKey: [ci.sAx[i], ci.sAy[i]] as [bigint, bigint], balance: ci.sBalance[i], nonce: Number(ci.sNonce[i]) };
      if (rootFromPath(accountLeaf(sender), from, ci.sSiblings[i]) !== root) fail(i, "the sender's leaf does not open against the root before the slot");
      const afterSender = rootFromPath(
        accountLeaf({ ...sender, balance: mod(sender.balance - ci.amount[i] - ci.fee[i]), nonce: sender.nonce + 1 }), from, ci.sSiblings[i],
      );
      const receiver = { index: to, publicKey: [ci.rAx[i], ci.rAy[i]] as [bigint, bigint], balance: ci.rBalance[i], nonce: Number(ci.rNonce[i]) };
      if (rootFromPath(accountLeaf(receiver), to, ci.rSiblings[i]) !== afterSender) fail(i, "the receiver's leaf does not open after the sender's update");
      root = rootFromPath(accountLeaf({ ...receiver, balance: mod(receiver.balance + ci.amount[i]) }), to, ci.rSiblings[i]);
    }
    roots.push(root);
  }
  if (root !== ci.newRoot) fail(T - 1, "the slots do not end at the block's newRoot");
  return roots;
}

/**
 * Splits a block (the result of `executeBlock`/`buildBlock`, or its circuit input) into K units of S = T / K slots
 * (T = the block's slot count). Each unit carries its roots, words, fee sum and its `Unit(S, D)` circuit input (a
 * slice of the block's witness, payee 0, feeBurnBps 0). BAD_UNIT_COUNT unless K divides T; BAD_WITNESS if the
 * block's witness does not chain its roots. The input is not modified.
 */
export function splitBlock(block: BlockResult | CircuitInput, K: number): BlockUnits {
  const ci: CircuitInput = "circuitInput" in block ? block.circuitInput : block;
  const T = ci.words.length;
  const S = unitSize(T, K);
  const roots = slotRoots(ci);
  const units: BlockUnit[] = [];
  for (let k = 0; k < K; k++) {
    const lo = k * S;
    const hi = lo + S;
    const rootIn = k === 0 ? ci.oldRoot : roots[lo - 1];
    const rootOut = roots[hi - 1];
    const words = ci.words.slice(lo, hi);
    const unitFees = ci.fee.slice(lo, hi).reduce((a, b) => a + b, 0n);
    const slots = Object.fromEntries(SLOT_FIELDS.map((f) => [f, structuredClone(ci[f].slice(lo, hi))])) as unknown as SlotInputs;
    const circuitInput: UnitCircuitInput = {
      rootIn, rootOut, unitFees, payee: 0n, domain: ci.domain, words: words.slice(), feeBurnBps: 0n, ...slots,
    };
    units.push({ index: k, rootIn, rootOut, unitFees, words, circuitInput });
  }
  return {
    T, K, S,
    oldRoot: ci.oldRoot,
    newRoot: ci.newRoot,
    intermediateRoots: units.slice(0, -1).map((u) => u.rootOut),
    units,
  };
}

/**
 * Executes `txs` on `state` as a block of T slots under `domain` (`executeBlock`, every rule checked) and splits it
 * into K units. Returns the block too.
 */
export function executeBlockUnits(state: L2State, txs: Transfer[], T: number, K: number, domain: bigint): { block: BlockResult; units: BlockUnits } {
  unitSize(T, K); // before executing
  const block = executeBlock(state, txs, T, domain);
  return { block, units: splitBlock(block, K) };
}

/** FEE_BURN in basis points as a public input: an integer in 0..10000 (BAD_FEE_BURN otherwise). */
export function feeBurnInput(feeBurnBps: bigint | number): bigint {
  const v = typeof feeBurnBps === "number" && Number.isInteger(feeBurnBps) ? BigInt(feeBurnBps) : feeBurnBps;
  if (typeof v !== "bigint" || v < 0n || v > FEE_BURN_MAX_BPS) {
    throw new L2Error("BAD_FEE_BURN", `FEE_BURN must be an integer number of basis points in 0..${FEE_BURN_MAX_BPS}, got ${String(feeBurnBps)}`);
  }
  return v;
}

/**
 * The unit proof's public inputs, in circuit order: [rootIn, rootOut, unitFees, payee, domain, words[S], feeBurnBps].
 * BAD_PAYEE / BAD_DOMAIN / BAD_FEE_BURN on an out-of-range payee, domain or FEE_BURN.
 */
export function unitPublicInputs(unit: BlockUnit, payee: bigint | string, domain: bigint, feeBurnBps: bigint | number): bigint[] {
  checkDomain(domain);
  return [unit.rootIn, unit.rootOut, unit.unitFees, payeeInput(payee), domain, ...unit.words, feeBurnInput(feeBurnBps)];
}

/** What a unit prover feeds the prover and the verifier: the circuit input with payee and FEE_BURN, its public inputs. */
export interface UnitProofInputs {
  circuitInput: UnitCircuitInput;
  /** [rootIn, rootOut, unitFees, payee, domain, word_0..word_{S-1}, feeBurnBps] */
  publicInputs: bigint[];
}

/**
 * A copy of the unit's circuit input that pays `payee` (an address or its uint160) at `feeBurnBps`, and the public
 * inputs of the proof made from it (`unitPublicInputs` under the unit's domain). The unit is not modified.
 */
export function unitWithPayee(unit: BlockUnit, payee: bigint | string, feeBurnBps: bigint | number): UnitProofInputs {
  const publicInputs = unitPublicInputs(unit, payee, unit.circuitInput.domain, feeBurnBps);
  const circuitInput: UnitCircuitInput = {
    ...unit.circuitInput,
    payee: publicInputs[UNIT_PUBLIC_INPUT_INDEX.payee],
    feeBurnBps: publicInputs[publicInputs.length - 1],
  };
  return { circuitInput, publicInputs };
}

/**
 * The unit's slice of a block's pubdata (SLOT_BYTES = 20 bytes per slot): bytes [unit * S * 20, (unit + 1) * S * 20)
 * with T = pubdata.length / 20 and S = T / K. BAD_PUBDATA on a length that is not whole slots, BAD_UNIT_COUNT
 * unless K divides T and 0 <= unit < K. A copy.
 */
export function unitPubdata(pubdata: Uint8Array, K: number, unit: number): Uint8Array {
  if (!(pubdata instanceof Uint8Array) || pubdata.length === 0 || pubdata.length % SLOT_BYTES !== 0) {
    throw new L2Error("BAD_PUBDATA", `pubdata length must be a positive multiple of ${SLOT_BYTES} bytes`);
  }
  const S = unitSize(pubdata.length / SLOT_BYTES, K);
  if (!Number.isInteger(unit) || unit < 0 || unit >= K) throw new L2Error("BAD_UNIT_COUNT", `unit index ${unit} outside 0..${K - 1}`);
  return pubdata.slice(unit * S * SLOT_BYTES, (unit + 1) * S * SLOT_BYTES);
}
