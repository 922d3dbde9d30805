/**
 * Where a transaction's gas goes, from the node's `debug_traceTransaction` (Hardhat's EDR and anvil both serve it):
 * by opcode class (SSTORE, SLOAD, logs, each precompile) and the list of storage writes and cold reads with their
 * slots. Opt-in in `npm run bench -- --only l1` with GAS_PROFILE=1: it finds the storage a change can save.
 * The intrinsic cost (21,000 + calldata) is not an opcode: `gasUsed` minus the classes' sum.
 */
interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  pc: number;
  stack?: string[];
}
interface Tracer {
  send: (method: string, params: unknown[]) => Promise<unknown>;
}

// The last trace, kept: the three views below of one transaction trace it once (a batch's trace is large).
let lastTrace: { hash: string; logs: StructLog[] } | undefined;

async function trace(provider: Tracer, hash: string): Promise<StructLog[]> {
  if (lastTrace?.hash === hash) return lastTrace.logs;
  const t = (await provider.send("debug_traceTransaction", [hash, { disableStack: false, disableMemory: true, disableStorage: true }])) as { structLogs: StructLog[] };
  lastTrace = { hash, logs: t.structLogs };
  return t.structLogs;
}

const KEPT = new Set(["SSTORE", "SLOAD", "TLOAD", "TSTORE", "KECCAK256", "LOG0", "LOG1", "LOG2", "LOG3", "LOG4", "CALLDATACOPY", "MSTORE", "MLOAD"]);

/** Gas by opcode class; a call to a precompile (address 1..19) counts what it consumed as `precompile<N>`. */
export async function profile(provider: Tracer, hash: string): Promise<{ sstores: number; coldSloads: number; by: Record<string, number> }> {
  const logs = await trace(provider, hash);
  const by: Record<string, number> = {};
  let sstores = 0;
  let coldSloads = 0;
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!;
    let key = l.op;
    let cost = l.gasCost;
    if ((l.op === "CALL" || l.op === "STATICCALL" || l.op === "DELEGATECALL") && l.stack) {
      const to = BigInt(l.stack[l.stack.length - 2] ?? "0");
      const next = logs[i + 1];
      if (to > 0n && to < 20n) {
        key = `precompile${to}`;
        cost = next ? l.gas - next.gas : l.gasCost; // the precompile runs inside the step: what it left behind
      } else {
        key = "call frames"; // the callee's opcodes are counted on their own
        cost = 0;
      }
    } else if (!KEPT.has(l.op)) {
      key = /^(PUSH|DUP|SWAP)/.test(l.op) ? "stack" : "other";
    }
    if (l.op === "SSTORE") sstores++;
    if (l.op === "SLOAD" && l.gasCost >= 2100) coldSloads++;
    by[key] = (by[key] ?? 0) + cost;
  }
  return { sstores, coldSloads, by: Object.fromEntries(Object.entries(by).sort((a, b) => b[1] - a[1])) };
}

/**
 * Gas by call frame: each opcode's cost goes to the code it ran in (the callee of the CALL, STATICCALL or DELEGATECALL
 * that opened the frame; "tx" for the called contract), precompiles to `precompile<N>`. `names` maps lower-case
 * addresses to contract names. Finds the cost of a cross-contract boundary (ABI encoding, copies) that the opcode
 * classes hide under "other" and "stack".
 */
export async function profileByFrame(provider: Tracer, hash: string, names: Record<string, string> = {}): Promise<Record<string, number>> {
  const logs = await trace(provider, hash);
  const by: Record<string, number> = {};
  const charge = (k: string, g: number) => (by[k] = (by[k] ?? 0) + g);
  // Open frames: the code's name, the caller's gas before the call and the gas charged inside (callees included).
  const frames: { name: string; gasBefore: number; inside: number }[] = [{ name: "tx", gasBefore: 0, inside: 0 }];
  const chargeHere = (g: number) => {
    charge(frames[frames.length - 1]!.name, g);
    for (const f of frames) f.inside += g;
  };
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!;
    while (frames.length > l.depth) {
      // Back in the caller: the call itself cost what the caller lost minus what ran inside (cold access, memory).
      const f = frames.pop()!;
      const callCost = f.gasBefore - l.gas - f.inside;
      charge(frames[frames.length - 1]!.name, callCost);
      for (const g of frames) g.inside += callCost; // f.inside was added to them as it was charged
    }
    if ((l.op === "CALL" || l.op === "STATICCALL" || l.op === "DELEGATECALL") && l.stack) {
      const to = BigInt(l.stack[l.stack.length - 2] ?? "0");
      const next = logs[i + 1];
      if (next && next.depth > l.depth) {
        const addr = "0x" + to.toString(16).padStart(40, "0");
        frames.push({ name: `${names[addr] ?? addr}${l.op === "DELEGATECALL" ? " (delegate)" : ""}`, gasBefore: l.gas, inside: 0 });
        continue;
      }
      if (to > 0n && to < 20n) {
        // A precompile runs inside the step: what it consumed is the gas left behind.
        const g = next ? l.gas - next.gas : l.gasCost;
        charge(`precompile${to}`, g);
        for (const f of frames) f.inside += g;
        continue;
      }
    }
    chargeHere(l.gasCost);
  }
  return Object.fromEntries(Object.entries(by).sort((a, b) => b[1] - a[1]));
}

/** Every storage write and every cold read: depth, pc, slot (shortened), cost. */
export async function storageDetail(provider: Tracer, hash: string): Promise<string[]> {
  const out: string[] = [];
  for (const l of await trace(provider, hash)) {
    if (l.op === "SSTORE" || (l.op === "SLOAD" && l.gasCost >= 2100)) {
      const slot = (l.stack?.[l.stack.length - 1] ?? "0").replace(/^0x0*/, "") || "0";
      out.push(`${l.op} depth ${l.depth} pc ${l.pc} slot ${slot.slice(0, 12)}${slot.length > 12 ? "…" : ""} ${l.gasCost}`);
    }
  }
  return out;
}
