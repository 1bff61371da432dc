/**
 * `npm run bench`: medians of synth, CLI, test and Terraform timings on this machine,
 * side by side with the common slow set-up (ts-node + a root import of the provider),
 * written to bench/results/ as Markdown and an SVG plot.
 *
 * BENCH_RUNS (default 7) sets the runs per measurement; slow and multi-second ones use fewer.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { cpus, tmpdir, totalmem } from "os";
import { join, resolve } from "path";
import { performance } from "perf_hooks";
import { loadConfig } from "../src/config/load";
import { SUPPORTED_REGION_NAMES } from "../src/aws/regions";
import { findProviderMirror, TerraformWorkdir } from "../scripts/terraform/workdir";

const ROOT = resolve(__dirname, "..", "..");
const BIN = join(ROOT, "node_modules", ".bin");
const RESULTS = join(ROOT, "bench", "results");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const FEW_RUNS = Math.max(3, Math.ceil(RUNS / 2));
const REGION_COUNTS = [1, 3, 9, 17];
const scratch = mkdtempSync(join(tmpdir(), "tap-bench-"));

interface Sample {
  readonly wallMs: number;
  readonly peakRssMb?: number;
}
interface Measurement {
  readonly medianMs: number;
  readonly medianPeakRssMb?: number;
  readonly runs: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Runs a command once; with `probeRss`, every node process in it reports its peak RSS. */
function runOnce(command: string, args: string[], options: { cwd?: string; env?: Record<string, string>; probeRss?: boolean } = {}): Sample {
  const rssFile = join(scratch, `rss-${process.hrtime.bigint()}`);
  writeFileSync(rssFile, "");
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", CI: "true", ...options.env };
  if (options.probeRss) {
    env.NODE_OPTIONS = `--require ${join(ROOT, "bench", "rss-probe.cjs")}`;
    env.TAP_BENCH_RSS_FILE = rssFile;
  }
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: options.cwd ?? ROOT, env, encoding: "utf8", maxBuffer: 1 << 28 });
  const wallMs = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  const rss = readFileSync(rssFile, "utf8").split("\n").filter(Boolean).map(Number);
  return { wallMs, peakRssMb: rss.length ? Math.max(...rss) / 1024 : undefined };
}

function measure(label: string, runs: number, once: () => Sample): Measurement {
  once(); // warm the file cache; not counted
  const samples = Array.from({ length: runs }, once);
  const rss = samples.map((s) => s.peakRssMb).filter((v): v is number => v !== undefined);
  const measurement = { medianMs: median(samples.map((s) => s.wallMs)), medianPeakRssMb: rss.length ? median(rss) : undefined, runs };
  console.error(`${label}: ${fmtMs(measurement.medianMs)}${measurement.medianPeakRssMb ? `, ${measurement.medianPeakRssMb.toFixed(0)} MB` : ""} (median of ${runs})`);
  return measurement;
}

/**
 * Measures two commands in alternation (A, B, A, B, ...), so drift in a noisy machine's
 * speed lands on both sides of a comparison instead of on whichever ran second.
 */
function measurePair(labels: [string, string], runs: number, onceA: () => Sample, onceB: () => Sample): [Measurement, Measurement] {
  onceA();
  onceB();
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(onceA());
    b.push(onceB());
  }
  return [a, b].map((samples, i) => {
    const measurement = { medianMs: median(samples.map((s) => s.wallMs)), runs };
    console.error(`${labels[i]}: ${fmtMs(measurement.medianMs)} (median of ${runs}, alternated)`);
    return measurement;
  }) as [Measurement, Measurement];
}

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const regionsEnv = (count: number) => ({ TAP_REGIONS: SUPPORTED_REGION_NAMES.slice(0, count).join(",") });

/** Synth of the app exactly as cdktf.json runs it. */
function appSynth(env: Record<string, string>): Sample {
  return runOnce(process.execPath, [join(ROOT, "scripts", "cdktf-app.js")], {
    env: { ...env, CDKTF_OUTDIR: mkdtempSync(join(scratch, "out-")) },
    probeRss: true,
  });
}

/** ts-node and TypeScript 5 live in their own folder so their `tsc` never shadows TypeScript 7's. */
const SLOW_SETUP = join(ROOT, "bench", "slow-setup");

function installSlowSetup(): void {
  if (!existsSync(join(SLOW_SETUP, "node_modules", "ts-node"))) {
    console.error("installing the slow set-up (ts-node, TypeScript 5) into bench/slow-setup ...");
    runOnce("npm", ["ci", "--no-audit", "--no-fund"], { cwd: SLOW_SETUP });
  }
}

/**
 * The common set-up: ts-node type-checking the app, whose entry imports the provider package
 * from its root (a starter's `import * as aws` of the package root in main.ts).
 * The entry is written under bench/.slow/ (git-ignored) so ts-node resolves the project's
 * tsconfig and modules exactly as for main.ts.
 */
function slowAppSynth(env: Record<string, string>): Sample {
  const entryDir = join(ROOT, "bench", ".slow");
  mkdirSync(entryDir, { recursive: true });
  const entry = join(entryDir, "main-with-root-import.ts");
  const rootImport = ["@cdktf", "provider-aws"].join("/");
  writeFileSync(entry, `import * as aws from "${rootImport}";\nvoid aws;\nimport "..";\n`);
  const tsNode = join(SLOW_SETUP, "node_modules", "ts-node", "dist", "bin.js");
  return runOnce(process.execPath, [tsNode, "--compiler", join(SLOW_SETUP, "node_modules", "typescript"), entry], {
    env: { ...env, CDKTF_OUTDIR: mkdtempSync(join(scratch, "out-")) },
    probeRss: true,
  });
}

/**
 * A cdktf project whose app synthesizes nothing: what `cdktf synth` costs by itself. It has
 * tap's `synth` script too, so `npm run synth` can be compared like for like.
 */
function floorProject(): string {
  const dir = mkdtempSync(join(scratch, "floor-"));
  writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node floor.js", sendCrashReports: "false" }));
  const synthScript = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.synth;
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "floor", private: true, scripts: { synth: synthScript } }));
  writeFileSync(join(dir, "floor.js"), `const { App } = require(${JSON.stringify(join(ROOT, "node_modules", "cdktf"))});\nnew App().synth();\n`);
  return dir;
}

async function terraformPhases(regions: number, mirror: string) {
  const phases = { init: [] as number[], validate: [] as number[], plan: [] as number[] };
  for (let i = 0; i < FEW_RUNS; i++) {
    const workdir = TerraformWorkdir.synthesize(loadConfig(regionsEnv(regions), { file: null }), mirror);
    try {
      for (const phase of ["init", "validate", "plan"] as const) {
        const start = performance.now();
        await workdir[phase]();
        phases[phase].push(performance.now() - start);
      }
    } finally {
      workdir.dispose();
    }
  }
  const result = { init: median(phases.init), validate: median(phases.validate), plan: median(phases.plan) };
  console.error(`terraform ${regions} region(s): init ${fmtMs(result.init)}, validate ${fmtMs(result.validate)}, plan ${fmtMs(result.plan)}`);
  return result;
}

function plot(points: { regions: number; ms: number }[]): string {
  const width = 560, height = 320, left = 60, right = 20, top = 30, bottom = 50;
  const maxMs = Math.max(1000, ...points.map((p) => p.ms)) * 1.1;
  const x = (regions: number) => left + ((regions - 1) / 16) * (width - left - right);
  const y = (ms: number) => top + (1 - ms / maxMs) * (height - top - bottom);
  const line = points.map((p) => `${x(p.regions).toFixed(1)},${y(p.ms).toFixed(1)}`).join(" ");
  const ticks = [0, 250, 500, 750, 1000].filter((t) => t <= maxMs);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
  <rect width="100%" height="100%" fill="white"/>
  <text x="${width / 2}" y="18" text-anchor="middle" font-size="14">tap synth time (median wall) against region count</text>
  ${ticks.map((t) => `<line x1="${left}" x2="${width - right}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${t} ms</text>`).join("\n  ")}
  <line x1="${left}" x2="${width - right}" y1="${y(1000)}" y2="${y(1000)}" stroke="#c33" stroke-dasharray="4 3"/><text x="${width - right}" y="${y(1000) - 4}" text-anchor="end" fill="#c33">17-region target 1 s</text>
  <line x1="${left}" x2="${x(3)}" y1="${y(500)}" y2="${y(500)}" stroke="#c33" stroke-dasharray="4 3"/><text x="${x(3) + 4}" y="${y(500) + 4}" fill="#c33">3-region target 0.5 s</text>
  <polyline points="${line}" fill="none" stroke="#2563eb" stroke-width="2"/>
  ${points.map((p) => `<circle cx="${x(p.regions)}" cy="${y(p.ms)}" r="4" fill="#2563eb"/><text x="${x(p.regions)}" y="${y(p.ms) - 8}" text-anchor="middle">${p.ms.toFixed(0)}</text><text x="${x(p.regions)}" y="${height - bottom + 18}" text-anchor="middle">${p.regions}</text>`).join("\n  ")}
  <text x="${width / 2}" y="${height - 10}" text-anchor="middle">regions</text>
</svg>
`;
}

async function main(): Promise<void> {
  console.error(`bench: ${RUNS} runs per measurement (${FEW_RUNS} for multi-second ones), results in bench/results/`);
  installSlowSetup();
  runOnce(join(BIN, "tsc"), ["-p", ROOT]); // build once; the app command then takes its no-compile path

  const synth = new Map<number, Measurement>();
  for (const count of REGION_COUNTS) synth.set(count, measure(`app synth, ${count} region(s)`, RUNS, () => appSynth(regionsEnv(count))));
  const slowSynth = measure("slow set-up synth, 3 regions (ts-node, root import)", FEW_RUNS, () => slowAppSynth(regionsEnv(3)));

  const floorDir = floorProject();
  const cdktf = (cwd: string, output: string) => runOnce(join(BIN, "cdktf"), ["synth", "--output", output], { cwd });
  const npmRunSynth = (cwd: string, output: string) =>
    runOnce("npm", ["run", "--silent", "synth", "--", "--output", output], { cwd, env: { PATH: `${BIN}:${process.env.PATH}` } });
  const [cliFloor, cliSynth] = measurePair(
    ["cdktf synth, empty app (the CLI floor)", "cdktf synth, tap"],
    RUNS,
    () => cdktf(floorDir, join(floorDir, "out")),
    () => cdktf(ROOT, mkdtempSync(join(scratch, "cli-"))),
  );
  const [npmFloor, npmSynth] = measurePair(
    ["npm run synth, empty app", "npm run synth, tap"],
    RUNS,
    () => npmRunSynth(floorDir, join(floorDir, "out")),
    () => npmRunSynth(ROOT, mkdtempSync(join(scratch, "npm-"))),
  );

  const typeCheck = measure("type check (tsc 7, full, no emit)", FEW_RUNS, () => runOnce(join(BIN, "tsc"), ["-p", ROOT, "--noEmit", "--incremental", "false"]));
  const slowTypeCheck = measure("type check (tsc 5, full, no emit)", FEW_RUNS, () =>
    runOnce(process.execPath, [join(SLOW_SETUP, "node_modules", "typescript", "bin", "tsc"), "-p", ROOT, "--noEmit", "--incremental", "false"]),
  );
  const jest = join(ROOT, "node_modules", "jest", "bin", "jest.js");
  const unitTier = measure("jest unit tier", FEW_RUNS, () => runOnce(process.execPath, [jest, "--selectProjects", "unit"]));
  const terraformTier = measure("jest terraform tier", FEW_RUNS, () => runOnce(process.execPath, [jest, "--selectProjects", "terraform"]));
  const npmTest = measure("npm test (tsc + both tiers)", FEW_RUNS, () => runOnce("npm", ["test", "--silent"]));

  const mirror = findProviderMirror();
  const tf1 = await terraformPhases(1, mirror);
  const tf3 = await terraformPhases(3, mirror);

  const ms = (m: Measurement) => fmtMs(m.medianMs);
  const mb = (m: Measurement) => (m.medianPeakRssMb ? `${m.medianPeakRssMb.toFixed(0)} MB` : "-");
  const s3 = synth.get(3)!, s1 = synth.get(1)!, s9 = synth.get(9)!, s17 = synth.get(17)!;
  const lowerSlope = (s9.medianMs - s1.medianMs) / 8;
  const upperSlope = (s17.medianMs - s9.medianMs) / 8;
  const perRegionTf = (tf3.init + tf3.validate + tf3.plan - tf1.init - tf1.validate - tf1.plan) / 2;
  const verdict = (ok: boolean) => (ok ? "yes" : "**NO**");
  // A limit of "(reported)" is context for the targets, not a target: its Met column shows "-".
  const targets: [string, string, string, boolean][] = [
    ["App synth, 3 regions: wall", "<= 0.5 s", ms(s3), s3.medianMs <= 500],
    ["App synth, 3 regions: peak memory", "<= 150 MB", mb(s3), (s3.medianPeakRssMb ?? Infinity) <= 150],
    ["App synth, 17 regions: wall", "<= 1 s", ms(s17), s17.medianMs <= 1000],
    ["Growth with regions", "linear or better", `${lowerSlope.toFixed(0)} ms/region (1-9), ${upperSlope.toFixed(0)} ms/region (9-17)`, upperSlope <= lowerSlope * 1.5 + 5],
    ["`npm run synth` above the same command on an empty app", "<= 0.5 s", `${fmtMs(npmSynth.medianMs - npmFloor.medianMs)} (${ms(npmSynth)} vs ${ms(npmFloor)})`, npmSynth.medianMs - npmFloor.medianMs <= 500],
    ["`cdktf synth` above the CLI floor", "<= 0.5 s", `${fmtMs(cliSynth.medianMs - cliFloor.medianMs)} (${ms(cliSynth)} vs ${ms(cliFloor)})`, cliSynth.medianMs - cliFloor.medianMs <= 500],
    ["Jest unit tier", "<= 10 s", ms(unitTier), unitTier.medianMs <= 10_000],
    ["`npm run synth` above the raw CLI floor (npm's own start-up included)", "(reported)", `${fmtMs(npmSynth.medianMs - cliFloor.medianMs)} (npm alone: ${fmtMs(npmFloor.medianMs - cliFloor.medianMs)})`, true],
    ["Unit tier + type check", "(reported)", fmtMs(unitTier.medianMs + typeCheck.medianMs), true],
  ];

  const md = `# tap benchmark

Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. ${RUNS} runs per measurement (${FEW_RUNS} for multi-second ones), medians, one warm-up run not counted. Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.

## Targets

| Target | Limit | Measured | Met |
| --- | --- | --- | --- |
${targets.map(([name, limit, measured, ok]) => `| ${name} | ${limit} | ${measured} | ${limit === "(reported)" ? "-" : verdict(ok)} |`).join("\n")}

## App synth against region count

| Regions | Median wall | Median peak RSS |
| --- | --- | --- |
${REGION_COUNTS.map((count) => `| ${count} | ${ms(synth.get(count)!)} | ${mb(synth.get(count)!)} |`).join("\n")}

![synth time against region count](synth-vs-regions.svg)

## Fast set-up against the common slow one

| Measurement | tap | Slow set-up | Ratio |
| --- | --- | --- | --- |
| App synth, 3 regions (wall) | ${ms(s3)} (compiled JS, per-resource imports) | ${ms(slowSynth)} (ts-node type-checking, provider root import) | ${(slowSynth.medianMs / s3.medianMs).toFixed(1)}× |
| App synth, 3 regions (peak RSS) | ${mb(s3)} | ${mb(slowSynth)} | ${((slowSynth.medianPeakRssMb ?? 0) / (s3.medianPeakRssMb ?? 1)).toFixed(1)}× |
| Full type check | ${ms(typeCheck)} (TypeScript 7) | ${ms(slowTypeCheck)} (TypeScript 5) | ${(slowTypeCheck.medianMs / typeCheck.medianMs).toFixed(1)}× |

## CLI, tests and the Terraform tier

| Measurement | Median wall |
| --- | --- |
| \`cdktf synth\`, empty app (CLI floor) | ${ms(cliFloor)} |
| \`cdktf synth\`, tap | ${ms(cliSynth)} |
| \`npm run synth\`, empty app (npm's own cost: ${fmtMs(npmFloor.medianMs - cliFloor.medianMs)}) | ${ms(npmFloor)} |
| \`npm run synth\`, tap | ${ms(npmSynth)} |
| Type check (\`tsc --noEmit\`, full) | ${ms(typeCheck)} |
| Jest unit tier | ${ms(unitTier)} |
| Jest Terraform tier (3 files, 2 workers) | ${ms(terraformTier)} |
| \`npm test\` (tsc, then both tiers) | ${ms(npmTest)} |
| Terraform, 1 region: init / validate / plan | ${fmtMs(tf1.init)} / ${fmtMs(tf1.validate)} / ${fmtMs(tf1.plan)} |
| Terraform, 3 regions: init / validate / plan | ${fmtMs(tf3.init)} / ${fmtMs(tf3.validate)} / ${fmtMs(tf3.plan)} |
| Terraform cost per added region (validate + plan) | ${fmtMs(perRegionTf)} |
`;
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "results.md"), md);
  writeFileSync(join(RESULTS, "synth-vs-regions.svg"), plot(REGION_COUNTS.map((regions) => ({ regions, ms: synth.get(regions)!.medianMs }))));
  console.log(md);
  if (targets.some(([, , , ok]) => !ok)) process.exitCode = 1;
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(scratch, { recursive: true, force: true }));
