import { network } from "hardhat";
import { loadBatchFixture } from "./test/batch/fixture.js";
import { vkFlatWords, flattenInputs } from "./src/zk/batchVerify.js";
import { makeBatch } from "./test/batch/gas.js";
import { releaseSnarkjsCurve } from "./src/zk/libs.js";
const f = await loadBatchFixture();
const s = await f.prove([1n,2n,3n,4n], 5n);
const { ethers } = await network.connect();
const h: any = await ethers.deployContract("Groth16BatchHarness", [vkFlatWords(f.vkey)]);
for (const [name, tx] of [["single", await h.verifySingleTx(s.proof, s.inputs)], ["batch4", await (async () => { const b = makeBatch([s], 4); return h.verifyBatchTx(b.proofs, flattenInputs(b.inputs)); })()]] as const) {
  const rc = await tx.wait();
  const tr: any = await ethers.provider.send("debug_traceTransaction", [tx.hash, { disableStorage: true, disableMemory: true, disableStack: false }]);
  const by: Record<string, number> = {};
  const logs = tr.structLogs;
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    let c = l.gasCost;
    if (["STATICCALL","CALL","DELEGATECALL"].includes(l.op) && i + 1 < logs.length && logs[i+1].depth === l.depth) c = l.gas - logs[i+1].gas;
    const key = l.op === "STATICCALL" ? "STATICCALL->" + BigInt(l.stack[l.stack.length-2]).toString() : l.op;
    by[key] = (by[key] ?? 0) + c;
  }
  let last = logs[0].gas, lastI = 0;
  for (let i = 0; i < logs.length; i++) { const l = logs[i]; if (l.op === "STATICCALL" || l.op === "KECCAK256" || l.op === "EXTCODECOPY" || l.op==="CALLDATACOPY") { console.log(l.op, BigInt(l.stack[l.stack.length-2]).toString().slice(0,4), "pc", l.pc, "gasSinceLast", last - l.gas, "steps", i - lastI); const nx = logs[i+1]; last = nx ? nx.gas : 0; lastI = i+1; } }
  const top = Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0, 14);
  console.log(name, rc.gasUsed, "steps", logs.length, top);
}
await releaseSnarkjsCurve();
