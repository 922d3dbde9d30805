/**
 * Comparison of proving designs (docs/comparisons.md):
 *
 *   npm run compare -- FILE [--mode sim|real] [--out DIR] [--seeds 1,2] [--variants a,b] [--workers N] [--check]
 *
 * Exit codes: 0 the report was written; 1 a run failed; 2 bad flags or an invalid comparison file (nothing started).
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { runComparison } from "../src/compare/index.js";
import { CompareError, loadComparison } from "../src/compare/spec.js";

const USAGE = `usage: npm run compare -- FILE [options]
  FILE              a comparison (JSON, see docs/comparisons.md and comparisons/)
  --mode sim|real   sim (default): the real contracts on an in-process chain with stand-ins (verifier, proving time),
                    at the file's scale, every seed; real: the real agents with real proofs on a small network
                    (the file's "real" section), one seed
  --out DIR         output folder (default compare-out/<name>-<mode>)
  --seeds LIST      only these seeds (comma separated)
  --variants LIST   only these variants (labels, comma separated)
  --workers N       simulation runs at once (default 2)
  --sim FILE        real mode: a simulation's figures.json of the same file to check directions against
                    (default compare-out/<name>-sim/figures.json if it exists)
  --check           validate FILE and exit (0 valid, 2 invalid)`;

function bad(msg: string): never {
  console.error(`error: ${msg}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      options: { mode: { type: "string" }, out: { type: "string" }, seeds: { type: "string" }, variants: { type: "string" }, workers: { type: "string" }, sim: { type: "string" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true, strict: true,
    }));
  } catch (e) {
    bad((e as Error).message);
  }
  if (values.help) return void console.log(USAGE);
  if (positionals.length !== 1) bad("give exactly one comparison file");
  const mode = (values.mode ?? "sim") as string;
  if (mode !== "sim" && mode !== "real") bad(`--mode must be sim or real, got "${mode}"`);
  const seeds = values.seeds === undefined ? undefined : (values.seeds as string).split(",").map((s) => (/^\d+$/.test(s) ? Number(s) : bad(`--seeds: not a seed: "${s}"`)));
  const workers = values.workers === undefined ? 2 : /^[1-9]\d*$/.test(values.workers as string) ? Number(values.workers) : bad(`--workers must be a positive integer`);
  let spec;
  try {
    spec = loadComparison(positionals[0]!);
  } catch (e) {
    if (e instanceof CompareError) {
      console.error(`error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const variants = values.variants === undefined ? undefined : (values.variants as string).split(",");
  for (const v of variants ?? []) if (!spec.variants.some((x) => x.label === v)) bad(`--variants: no variant "${v}" (have ${spec.variants.map((x) => x.label).join(", ")})`);
  if (values.check) return void console.log(`${positionals[0]}: valid (${spec.variants.length} variants, ${spec.seeds.length} seeds)`);
  const outDir = (values.out as string | undefined) ?? join("compare-out", `${spec.name}-${mode}`);
  if (values.sim !== undefined && mode !== "real") bad("--sim is for --mode real");
  if (values.sim !== undefined && !existsSync(values.sim as string)) bad(`--sim: no file ${values.sim}`);
  const defaultSim = join("compare-out", `${spec.name}-sim`, "figures.json");
  const simFigures = mode === "real" ? ((values.sim as string | undefined) ?? (existsSync(defaultSim) ? defaultSim : undefined)) : undefined;
  const t0 = Date.now();
  const { result, files } = await runComparison({
    spec, file: positionals[0]!, mode: mode as "sim" | "real", outDir, workers, seeds, variants, simFigures,
    progress: (l) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${l}`),
  });
  console.log(`\n${result.variants.length} variants x ${result.seeds.length} seeds in ${((Date.now() - t0) / 60000).toFixed(1)} min`);
  if (result.standIns.length) console.log(`stand-ins (every number of this report is from them):\n  - ${result.standIns.join("\n  - ")}`);
  console.log(`report: ${files.html}\n        ${files.md}\n        ${files.figures}`);
}

main().then(() => process.exit(0), (e) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(e instanceof CompareError && e.code === "BAD_COMPARISON" ? 2 : 1);
});
