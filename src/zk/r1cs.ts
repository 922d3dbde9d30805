/** Reads the header of a circom `.r1cs` file (iden3 binfile, section 1) without loading the constraints. */
import { open } from "node:fs/promises";
import { ZkError } from "./errors.js";

export interface R1csHeader {
  nVars: number;
  nOutputs: number;
  nPubInputs: number;
  nPrvInputs: number;
  nConstraints: number;
  prime: bigint;
}

/** Reads the section table of an iden3 binfile: section id -> { offset, size } (first occurrence). */
export async function readBinSections(path: string, magic: string): Promise<Map<number, { offset: number; size: number }>> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw new ZkError("FILE_NOT_FOUND", `cannot open ${path}`, { cause: e });
  }
  try {
    const head = Buffer.alloc(12);
    await fh.read(head, 0, 12, 0);
    if (head.toString("latin1", 0, 4) !== magic) throw new ZkError("BAD_ARGUMENT", `${path} is not a .${magic} file`);
    const n = head.readUInt32LE(8);
    const { size: fileSize } = await fh.stat();
    const out = new Map<number, { offset: number; size: number }>();
    let pos = 12;
    const sh = Buffer.alloc(12);
    for (let i = 0; i < n; i++) {
      await fh.read(sh, 0, 12, pos);
      const id = sh.readUInt32LE(0);
      const size = Number(sh.readBigUInt64LE(4));
      if (pos + 12 + size > fileSize) throw new ZkError("BAD_ARGUMENT", `${path} is truncated (section ${id})`);
      if (!out.has(id)) out.set(id, { offset: pos + 12, size });
      pos += 12 + size;
    }
    return out;
  } finally {
    await fh.close();
  }
}

export async function readR1csHeader(path: string): Promise<R1csHeader> {
  const sections = await readBinSections(path, "r1cs");
  const s1 = sections.get(1);
  if (!s1) throw new ZkError("BAD_ARGUMENT", `${path}: r1cs has no header section`);
  const fh = await open(path, "r");
  try {
    const b = Buffer.alloc(s1.size);
    await fh.read(b, 0, s1.size, s1.offset);
    const n8 = b.readUInt32LE(0);
    let prime = 0n;
    for (let i = n8 - 1; i >= 0; i--) prime = (prime << 8n) | BigInt(b[4 + i]);
    let o = 4 + n8;
    const nVars = b.readUInt32LE(o);
    const nOutputs = b.readUInt32LE(o + 4);
    const nPubInputs = b.readUInt32LE(o + 8);
    const nPrvInputs = b.readUInt32LE(o + 12);
    o += 16 + 8; // nLabels (u64)
    const nConstraints = b.readUInt32LE(o);
    return { nVars, nOutputs, nPubInputs, nPrvInputs, nConstraints, prime };
  } finally {
    await fh.close();
  }
}

/** Powers-of-tau header: power and whether it is prepared for phase 2 (has Lagrange section 12). */
export async function readPtauInfo(path: string): Promise<{ power: number; prepared: boolean }> {
  const sections = await readBinSections(path, "ptau");
  const s1 = sections.get(1);
  if (!s1) throw new ZkError("BAD_ARGUMENT", `${path}: ptau has no header section`);
  const fh = await open(path, "r");
  try {
    const b = Buffer.alloc(s1.size);
    await fh.read(b, 0, s1.size, s1.offset);
    const n8 = b.readUInt32LE(0);
    return { power: b.readUInt32LE(4 + n8), prepared: sections.has(12) };
  } finally {
    await fh.close();
  }
}

/** Domain power snarkjs picks for a circuit (zkey_new.js: log2(constraints + public inputs + outputs) + 1). */
export function circuitPower(h: R1csHeader): number {
  const v = h.nConstraints + h.nPubInputs + h.nOutputs;
  return 31 - Math.clz32(Math.max(1, v)) + 1; // floor(log2(v)) + 1, as snarkjs
}
