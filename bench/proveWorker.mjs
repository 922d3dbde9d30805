// Benchmark prover process: witness and/or Groth16 proof with snarkjs, with a timestamping logger so that the
// proving time can be split into its phases (FFTs vs MSMs). A child process (not a worker thread) because
// ffjavascript only starts its thread pool from a main thread. Plain .mjs: it is forked without a TS loader.
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";

const zkeys = new Map();
async function zkeyMem(path) {
  // Keep proving keys in memory between proofs, as src/zk/proverWorker.mjs does (reading is not proving).
  let data = zkeys.get(path);
  if (!data) {
    data = new Uint8Array(await readFile(path));
    zkeys.set(path, data);
  }
  return { type: "mem", data };
}

// snarkjs/ffjavascript debug lines -> phase. The time between two lines is charged to the phase of the first.
function phaseOf(line) {
  if (/^Reading (Wtns|Coeffs)/.test(line)) return "read";
  if (/^(Building ABC|QAP)/.test(line)) return "buildABC";
  if (/fft/i.test(line)) return "fft";
  if (/^(Join ABC|JoinABC)/.test(line)) return "joinABC";
  if (/^Reading . Points|^Reading B[12] Points/.test(line)) return "msm";
  if (/[Mm]ultiexp/.test(line)) return "msm";
  return "other";
}

function traceLogger() {
  const events = [];
  const push = (m) => events.push([performance.now(), String(m)]);
  return { events, logger: { debug: push, info: push, warn: push, error: push } };
}

function aggregate(events, t0, t1) {
  const phases = { setup: 0, read: 0, buildABC: 0, fft: 0, joinABC: 0, msm: 0, other: 0 };
  if (events.length === 0) {
    phases.other = t1 - t0;
  } else {
    phases.setup += events[0][0] - t0; // curve + zkey header, before the first log line
    for (let i = 0; i < events.length; i++) {
      const end = i + 1 < events.length ? events[i + 1][0] : t1;
      phases[phaseOf(events[i][1])] += end - events[i][0];
    }
  }
  for (const k of Object.keys(phases)) phases[k] = phases[k] / 1000;
  return phases;
}

async function witness(wasmPath, input) {
  const t = performance.now();
  const wtns = { type: "mem" };
  await snarkjs.wtns.calculate(input, wasmPath, wtns);
  return { wtns: wtns.data, seconds: (performance.now() - t) / 1000 };
}

async function prove(zkeyPath, wtnsData, singleThread, trace) {
  const zkey = await zkeyMem(zkeyPath);
  const { events, logger } = traceLogger();
  const t0 = performance.now();
  const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, { type: "mem", data: wtnsData }, trace ? logger : undefined, {
    singleThread: !!singleThread,
  });
  const t1 = performance.now();
  return { proof, publicSignals, seconds: (t1 - t0) / 1000, phases: trace ? aggregate(events, t0, t1) : undefined };
}

async function handle(msg) {
  if (msg.cmd === "warm") {
    await zkeyMem(msg.zkeyPath);
    return {};
  }
  if (msg.cmd === "witness" && msg.wtnsPath) {
    // For the native prover (bench/prover.ts NativeBenchProver): the witness goes to a file it reads.
    const t = performance.now();
    await snarkjs.wtns.calculate(msg.input, msg.wasmPath, msg.wtnsPath);
    return { witnessSeconds: (performance.now() - t) / 1000 };
  }
  if (msg.cmd === "witness") {
    const w = await witness(msg.wasmPath, msg.input);
    return { wtns: w.wtns, witnessSeconds: w.seconds };
  }
  if (msg.cmd === "prove") {
    const p = await prove(msg.zkeyPath, msg.wtns, msg.singleThread, msg.trace);
    return { proof: p.proof, publicSignals: p.publicSignals, proveSeconds: p.seconds, phases: p.phases };
  }
  if (msg.cmd === "full") {
    const w = await witness(msg.wasmPath, msg.input);
    const p = await prove(msg.zkeyPath, w.wtns, msg.singleThread, msg.trace);
    return { proof: p.proof, publicSignals: p.publicSignals, witnessSeconds: w.seconds, proveSeconds: p.seconds, phases: p.phases };
  }
  throw new Error(`unknown command ${msg.cmd}`);
}

process.on("message", async (msg) => {
  if (msg && msg.cmd === "exit") {
    const c = globalThis.curve_bn128;
    if (c) await c.terminate();
    process.exit(0);
  }
  try {
    // CPU seconds of this process (all its threads, snarkjs's pool included): unlike wall time, hardly affected by
    // other work on a shared machine.
    const c0 = process.cpuUsage();
    const out = await handle(msg);
    const c = process.cpuUsage(c0);
    process.send({ id: msg.id, ...out, cpuSeconds: (c.user + c.system) / 1e6 });
  } catch (e) {
    process.send({ id: msg && msg.id, error: e && e.stack ? e.stack : String(e) });
  }
});
