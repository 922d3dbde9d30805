/**
 * Keeps the specification trees (test/trees/*.tree) honest: every tree's root names a function of the compiled
 * contract, every external state-changing function of the contract has a tree, every leaf names the test that
 * covers it as [file :: title] and that file holds a test with that title, and every custom error named in
 * backticks exists in the compiled ABI. Reads the Hardhat artifacts (artifacts/contracts), so it needs a compile
 * first (`npx hardhat test` compiles).
 *
 * Tree syntax (Bulloak): `Contract::function` roots, then `├── ` / `└── ` nodes indented by `│   ` or four
 * spaces per level; `when ...` / `given ...` nodes branch, `it ...` nodes are leaves; `//` lines are comments
 * (references in them are checked too).
 */
import { expect } from "chai";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TREES = join(ROOT, "test", "trees");
const ARTIFACTS = join(ROOT, "artifacts", "contracts");

interface AbiItem {
  type: string;
  name?: string;
  stateMutability?: string;
}

interface Artifact {
  abi: AbiItem[];
  /** Directory under artifacts/contracts. */
  dir: string;
  /** Names of the libraries the contract links (external library functions). */
  links: string[];
}

type LinkReferences = Record<string, Record<string, unknown>>;

/** Every compiled contract under artifacts/contracts, by name. */
function loadArtifacts(): Map<string, Artifact> {
  const out = new Map<string, Artifact>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith(".json") && !entry.endsWith(".dbg.json")) {
        const json = JSON.parse(readFileSync(path, "utf8")) as { contractName?: string; abi?: AbiItem[]; linkReferences?: LinkReferences; deployedLinkReferences?: LinkReferences };
        if (json.contractName === undefined || !Array.isArray(json.abi)) continue;
        const links = [json.linkReferences, json.deployedLinkReferences].flatMap((refs) => Object.values(refs ?? {}).flatMap((bySource) => Object.keys(bySource)));
        out.set(json.contractName, { abi: json.abi, dir: relative(ARTIFACTS, dir), links: [...new Set(links)] });
      }
    }
  };
  walk(ARTIFACTS);
  return out;
}

const errorNames = (abi: AbiItem[]): Set<string> => new Set(abi.filter((x) => x.type === "error").map((x) => x.name!));

/**
 * The custom errors a contract can revert with: its ABI's, plus those of the libraries it links and of every
 * library under contracts/libraries (an error raised inside an external library function is in the library's ABI,
 * not the caller's).
 */
function contractErrors(artifacts: Map<string, Artifact>, name: string): Set<string> {
  const art = artifacts.get(name);
  const out = new Set<string>();
  if (!art) return out;
  const sources = [art, ...art.links.map((l) => artifacts.get(l)), ...[...artifacts.values()].filter((a) => a.dir.startsWith("libraries"))];
  for (const a of sources) if (a) for (const e of errorNames(a.abi)) out.add(e);
  return out;
}

interface Node {
  line: number;
  depth: number;
  text: string;
}

interface Tree {
  file: string;
  line: number;
  contract: string;
  fn: string;
  nodes: Node[];
}

const ROOT_RE = /^([A-Za-z_]\w*)::([A-Za-z_]\w*)\s*$/;
const NODE_RE = /^((?:│ {3}| {4})*)(?:├── |└── )(.*)$/;
const REF_RE = /\[([^[\]]+?) :: ([^[\]]+)\]/g;
const ERROR_RE = /`([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)`/g;

/** Parses one .tree file; syntax problems go to `problems`. */
function parseTrees(file: string, text: string, problems: string[]): { trees: Tree[]; comments: { line: number; text: string }[] } {
  const trees: Tree[] = [];
  const comments: { line: number; text: string }[] = [];
  let current: Tree | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const s = raw.replace(/\s+$/, "");
    if (s === "") {
      current = undefined;
      return;
    }
    if (s.startsWith("//")) {
      comments.push({ line, text: s });
      return;
    }
    const root = ROOT_RE.exec(s);
    if (root) {
      current = { file, line, contract: root[1]!, fn: root[2]!, nodes: [] };
      trees.push(current);
      return;
    }
    const node = NODE_RE.exec(s);
    if (node && current) {
      current.nodes.push({ line, depth: node[1]!.length / 4, text: node[2]! });
      return;
    }
    problems.push(`${file}:${line}: not a root (Contract::function), a node or a comment: ${s.slice(0, 80)}`);
  });
  return { trees, comments };
}

/** The test file holds a test (or fuzz/invariant function) whose title starts with `title`. */
function titleOccurs(source: string, title: string): boolean {
  return ['"', "'", "`"].some((q) => source.includes(q + title)) || source.includes(`function ${title}(`);
}

function checkRefs(where: string, text: string, problems: string[]): number {
  let n = 0;
  for (const m of text.matchAll(REF_RE)) {
    n++;
    const [file, title] = [m[1]!.trim(), m[2]!.trim()];
    const path = join(ROOT, file);
    if (!existsSync(path)) problems.push(`${where}: referenced test file does not exist: ${file}`);
    else if (!titleOccurs(readFileSync(path, "utf8"), title)) problems.push(`${where}: no test titled "${title}" in ${file}`);
  }
  return n;
}

describe("Specification trees (test/trees/*.tree)", function () {
  const files = existsSync(TREES) ? readdirSync(TREES).filter((f) => f.endsWith(".tree")).sort() : [];

  it("there is a tree file for each of Rollup, Staking and ProofAggregator", function () {
    expect(files).to.include.members(["Rollup.tree", "Staking.tree", "ProofAggregator.tree"]);
  });

  it("every tree is well formed, every leaf names an existing test, every custom error named exists in the ABI, every external state-changing function has a tree", function () {
    const artifacts = loadArtifacts();
    expect(artifacts.size, "no artifacts: compile first (npx hardhat compile)").to.be.greaterThan(0);

    const problems: string[] = [];
    const rootsByContract = new Map<string, Set<string>>();
    let leaves = 0;
    for (const f of files) {
      const file = `test/trees/${f}`;
      const { trees, comments } = parseTrees(file, readFileSync(join(TREES, f), "utf8"), problems);
      for (const c of comments) checkRefs(`${file}:${c.line}`, c.text, problems);
      if (trees.length === 0) problems.push(`${file}: no tree`);
      for (const t of trees) {
        const where = `${file}:${t.line} ${t.contract}::${t.fn}`;
        const art = artifacts.get(t.contract);
        if (!art) {
          problems.push(`${where}: no compiled contract ${t.contract}`);
          continue;
        }
        const roots = rootsByContract.get(t.contract) ?? new Set<string>();
        if (roots.has(t.fn)) problems.push(`${where}: a second tree for the same function`);
        roots.add(t.fn);
        rootsByContract.set(t.contract, roots);
        const exists = t.fn === "constructor" ? art.abi.some((x) => x.type === "constructor") : art.abi.some((x) => x.type === "function" && x.name === t.fn);
        if (!exists) problems.push(`${where}: ${t.contract} has no function ${t.fn}`);

        if (t.nodes.length === 0) problems.push(`${where}: empty tree`);
        t.nodes.forEach((n, i) => {
          const at = `${file}:${n.line}`;
          const next = t.nodes[i + 1];
          const prevDepth = i === 0 ? -1 : t.nodes[i - 1]!.depth;
          if (n.depth > prevDepth + 1) problems.push(`${at}: indented more than one level below its parent`);
          const hasChildren = next !== undefined && next.depth > n.depth;
          if (/^it\b/.test(n.text)) {
            leaves++;
            if (hasChildren) problems.push(`${at}: a leaf ("it ...") has children`);
            if (checkRefs(at, n.text, problems) === 0) problems.push(`${at}: leaf with no [file :: test title] reference`);
            const named = [...n.text.matchAll(ERROR_RE)].map((m) => m[1]!);
            if (/should revert with/.test(n.text) && named.length === 0) problems.push(`${at}: a revert leaf names no custom error in backticks`);
            for (const e of named) {
              const [owner, name] = e.includes(".") ? (e.split(".") as [string, string]) : [t.contract, e];
              if (!contractErrors(artifacts, owner).has(name)) problems.push(`${at}: custom error ${e} is not in the ABI of ${owner} (or of its libraries)`);
            }
          } else if (/^(when|given)\b/.test(n.text)) {
            if (!hasChildren) problems.push(`${at}: a condition ("${n.text.slice(0, 40)}") with no child`);
          } else {
            problems.push(`${at}: a node must start with "when", "given" or "it"`);
          }
        });
      }
    }
    // Every external function that changes state has a tree (views only where they revert: listed by choice).
    for (const contract of ["Rollup", "Staking", "ProofAggregator"]) {
      const abi = artifacts.get(contract)?.abi ?? [];
      const roots = rootsByContract.get(contract) ?? new Set<string>();
      for (const fn of abi.filter((x) => x.type === "function" && (x.stateMutability === "nonpayable" || x.stateMutability === "payable"))) {
        if (!roots.has(fn.name!)) problems.push(`${contract}.${fn.name} changes state but has no tree in test/trees`);
      }
      if (!roots.has("constructor")) problems.push(`${contract} has no constructor tree`);
    }
    expect(problems, problems.join("\n")).to.deep.equal([]);
    expect(leaves).to.be.greaterThan(100);
  });
});
