// Prover process/thread: witness (circom wasm) + snarkjs groth16.prove, off the caller's event loop. With the native
// engine (a message with wtnsPath) it only computes the witness into that file; prover.ts then runs the native prover.
//
// Plain .mjs on purpose: it loads the same way under `npx tsx` and `npx hardhat test mocha`.
// It runs either as a worker thread (parentPort) or as a child process (process.send). In a worker thread,
// ffjavascript cannot start its own thread pool (its `web-worker` dependency only works from the main thread), so
// snarkjs runs single-threaded there; in a child process it uses its thread pool. See prover.ts for the choice.
import { parentPort, isMainThread } from "node:worker_threads";
import { readFile, stat } from "node:fs/promises";
import * as snarkjs from "snarkjs";

const inThread = !isMainThread;
const send = (msg) => (inThread ? parentPort.postMessage(msg) : process.send(msg));

// Proving keys stay in memory between proofs (reading a zkey is part of every prove otherwise).
const zkeys = new Map();
async function loadZkey(path) {
  const st = await stat(path);
  const key = `${path}:${st.size}:${st.mtimeMs}`;
  let z = zkeys.get(path);
  if (!z || z.key !== key) {
    z = { key, data: new Uint8Array(await readFile(path)) };
    zkeys.set(path, z);
  }
  return { type: "mem", data: z.data };
}

async function prove({ id, wasmPath, zkeyPath, input, singleThread, wtnsPath }) {
  const progress = (phase) => send({ id, progress: phase });
  const options = { singleThread: inThread || !!singleThread };
  progress("witness");
  let t = performance.now();
  if (wtnsPath) {
    // Native engine (src/zk/native.ts): only the witness here, written to wtnsPath; the caller runs the native prover.
    await snarkjs.wtns.calculate(input, wasmPath, wtnsPath);
    return { id, witnessSeconds: (performance.now() - t) / 1000 };
  }
  const wtns = { type: "mem" };
  await snarkjs.wtns.calculate(input, wasmPath, wtns);
  const witnessSeconds = (performance.now() - t) / 1000;
  progress("prove");
  t = performance.now();
  const zkey = await loadZkey(zkeyPath);
  const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, wtns, undefined, options);
  const proveSeconds = (performance.now() - t) / 1000;
  progress("done");
  return { id, proof, publicSignals, witnessSeconds, proveSeconds };
}

async function onMessage(msg) {
  if (msg && msg.cmd === "exit") {
    const c = globalThis.curve_bn128;
    if (c) await c.terminate();
    if (!inThread) process.exit(0);
    return;
  }
  try {
    send(await prove(msg));
  } catch (e) {
    send({ id: msg && msg.id, error: e && e.message ? e.message : String(e) });
  }
}

if (inThread) parentPort.on("message", onMessage);
else process.on("message", onMessage);
