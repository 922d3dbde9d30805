/**
 * Writes test/vrf/vectors.json from fixed seeds. Run: `npx tsx src/vrf/makeVectors.ts`.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { buildVectors } from "./vectors.js";

const out = resolve(dirname(fileURLToPath(import.meta.url)), "../../test/vrf/vectors.json");
const vectors = buildVectors();
writeFileSync(out, JSON.stringify(vectors, null, 2) + "\n");
console.log(
  `wrote ${out}: ${vectors.hashToG1.length} hash-to-G1, ${vectors.keys.length} keys, ${vectors.proofs.length} proofs`,
);
