/**
 * `npm run plan [-- <stacks>] [--parallelism N]`: after synth, a saved plan per stack (the main
 * stacks, or those named) in the manifest's dependency order, its JSON, and a review for people.
 * In each stack's folder of cdktf.out (where cdktf runs Terraform):
 *
 *   tfplan            terraform plan -out (what npm run apply applies, and nothing else)
 *   plan.json         terraform show -json tfplan
 *   plan-record.json  what the plan was made from: sha256 of cdk.tf.json, the state's lineage and serial
 *   plan-review.md    the stack's review
 *   in-sync.json      the inputs, state and outputs the deployed stack was last known to match
 *                     (written by npm run apply, and here when a full plan finds no change)
 *
 * and cdktf.out/plan-review.md (every stack, what needs attention first) and plan-run.json (the
 * stacks of this run, which npm run apply applies). A stack whose inputs (its cdk.tf.json, provider
 * lock and the outputs of the stacks it reads) and state are those of its in-sync record is not
 * planned in full: a refresh-only plan, read as npm run drift reads it, checks it for drift, and only drift gets it planned. Exit codes: 0 no stack changes, 2 some stack
 * changes, 1 a stack could not be planned (or the command could not run).
 */
import { spawn } from "child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { TAP_RULE_PACK } from "../src/app/rule-pack";
import { BOOTSTRAP_STACK_NAME } from "../src/config/load";
import { refuseUnnamedStateBuckets, synthesizedStacks, DEFAULT_PARALLELISM } from "./cdktf-run";
import {
  configHash,
  IN_SYNC_RECORD,
  InSyncRecord,
  inputsHash,
  ManifestStacks,
  PlanJson,
  PlanRecord,
  regroupedRegions,
  renderReview,
  reviewPlan,
  runWaves,
  StackReview,
  stateIdentity,
  stateOutputsHash,
  stateProviderAliases,
  summaryLine,
  unchangedSince,
  waves,
} from "./plan-review";
import { DriftFinding, DriftOptions } from "../src/compliance/drift";
import { stackDrift } from "./drift";
import { mainWithTarget } from "./emulator-target";
import { projectRoot } from "./terraform/emulator";

/** The arguments of npm run plan and npm run apply: stack names, --parallelism N, --output DIR. */
export interface RunArgs {
  readonly stacks: readonly string[];
  readonly parallelism: number;
  readonly outdir: string;
}

export function parseRunArgs(command: string, args: readonly string[], root: string = projectRoot()): RunArgs {
  const stacks: string[] = [];
  let parallelism = DEFAULT_PARALLELISM;
  let outdir = "cdktf.out";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--parallelism") {
      parallelism = Number(args[++i]);
      if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error(`--parallelism takes a whole number of at least 1: npm run ${command} -- --parallelism 2`);
    } else if (args[i] === "--output" || args[i] === "-o") {
      outdir = args[++i];
      if (!outdir) throw new Error(`--output takes the synthesized folder: npm run ${command} -- --output cdktf.out`);
    } else if (args[i].startsWith("-")) {
      throw new Error(`unknown option ${args[i]}; npm run ${command} takes stack names, --parallelism N and --output DIR`);
    } else {
      stacks.push(args[i]);
    }
  }
  return { stacks, parallelism, outdir: resolve(root, outdir) };
}

/** The manifest cdktf writes: the stacks and their dependencies. */
export function readManifest(outdir: string): ManifestStacks {
  const file = join(outdir, "manifest.json");
  if (!existsSync(file)) throw new Error(`${outdir} holds no synthesized app (no manifest.json): npm run synth`);
  return JSON.parse(readFileSync(file, "utf8"));
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly output: string;
}

/** `terraform <args>` in `dir`, without prompts; `onLine` sees each line of its output as it comes. */
export function terraform(dir: string, args: readonly string[], onLine?: (line: string) => void): Promise<TerraformResult> {
  return new Promise((done) => {
    const child = spawn("terraform", args, { cwd: dir, env: { ...process.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const all: Buffer[] = [];
    let partial = "";
    const take = (chunk: Buffer) => {
      all.push(chunk);
      if (!onLine) return;
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      lines.forEach(onLine);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      out.push(chunk);
      take(chunk);
    });
    child.stderr.on("data", take);
    child.on("error", (error) => done({ code: 127, stdout: "", output: `could not run terraform (is it on PATH?): ${error.message}` }));
    child.on("close", (code) => {
      if (onLine && partial) onLine(partial);
      done({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), output: Buffer.concat(all).toString("utf8") });
    });
  });
}

/** The last lines of a failed command's output, for a message. */
export function tail(output: string, lines = 20): string {
  return output.trimEnd().split("\n").slice(-lines).join("\n");
}

export const PLAN_FILE = "tfplan";
export const PLAN_JSON = "plan.json";
export const PLAN_RECORD = "plan-record.json";
export const STACK_REVIEW = "plan-review.md";
/** In cdktf.out: the stacks of the last npm run plan, in order. */
export const PLAN_RUN = "plan-run.json";

/** The rule's CIS item, for the review. */
export function cisOf(id: string): string | undefined {
  const cis = TAP_RULE_PACK.find((rule) => rule.id === id)?.cis;
  return cis ? `CIS ${cis}` : undefined;
}

/** A stack's in-sync record, if it has one. */
export function readInSync(dir: string): InSyncRecord | undefined {
  const file = join(dir, IN_SYNC_RECORD);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

/** Records that the stack in `dir` matches `inputsSha256`, with the state it has now (`pulled`). */
export function recordInSync(dir: string, stack: string, inputsSha256: string, pulled: string): void {
  const record: InSyncRecord = { stack, at: new Date().toISOString(), inputsSha256, state: stateIdentity(pulled), outputsSha256: stateOutputsHash(pulled) };
  writeFileSync(join(dir, IN_SYNC_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Plans one stack in its folder and writes its files; a plan from an earlier run is removed first,
 * so a failed plan leaves nothing to apply. `upstreamOutputs`: the stateOutputsHash of each stack it
 * depends on, or undefined when one is unknown: then it is planned in full. Returns the review and
 * the stateOutputsHash of the stack's own state (undefined when it could not be read).
 */
export async function planStack(
  outdir: string,
  stack: string,
  upstreamOutputs?: Readonly<Record<string, string>>,
  options: DriftOptions = {},
): Promise<{ review: StackReview; outputsSha256?: string }> {
  let outputsSha256: string | undefined;
  const review = await planInFolder(outdir, stack, upstreamOutputs, (hash) => (outputsSha256 = hash), options);
  return { review, outputsSha256 };
}

async function planInFolder(
  outdir: string,
  stack: string,
  upstreamOutputs: Readonly<Record<string, string>> | undefined,
  seenOutputs: (hash: string) => void,
  options: DriftOptions,
): Promise<StackReview> {
  const dir = join(outdir, "stacks", stack);
  for (const file of [PLAN_FILE, PLAN_JSON, PLAN_RECORD, STACK_REVIEW]) rmSync(join(dir, file), { force: true });
  const configText = readFileSync(join(dir, "cdk.tf.json"), "utf8");
  const config = JSON.parse(configText);
  let inputsSha256: string | undefined;
  const record = (review: StackReview, state = { lineage: null, serial: null } as PlanRecord["state"]) => {
    const planRecord: PlanRecord = { stack, status: review.status, plannedAt: new Date().toISOString(), configSha256: configHash(configText), state, inputsSha256 };
    writeFileSync(join(dir, PLAN_RECORD), `${JSON.stringify(planRecord, null, 2)}\n`);
    writeFileSync(join(dir, STACK_REVIEW), renderReview([review], cisOf));
    return review;
  };
  const failed = (step: string, result: TerraformResult) => record(reviewPlan(stack, 1, undefined, config, undefined, `terraform ${step} exited with ${result.code}\n${tail(result.output)}`));

  const init = await terraform(dir, ["init", "-input=false", "-no-color"]);
  if (init.code !== 0) return failed("init", init);
  // The state the plan is made against, for npm run apply's staleness check.
  const pulled = await terraform(dir, ["state", "pull"]);
  if (pulled.code !== 0) return failed("state pull", pulled);
  let state: PlanRecord["state"];
  let regrouped: string | undefined;
  try {
    state = stateIdentity(pulled.stdout);
    seenOutputs(stateOutputsHash(pulled.stdout));
    regrouped = regroupedRegions(stack, config, stateProviderAliases(pulled.stdout));
  } catch (error) {
    return record(reviewPlan(stack, 1, undefined, config, undefined, `terraform state pull gave no state JSON: ${(error as Error).message}`));
  }
  if (regrouped) return record(reviewPlan(stack, 1, undefined, config, undefined, regrouped));

  const lockFile = join(dir, ".terraform.lock.hcl");
  if (upstreamOutputs) inputsSha256 = inputsHash({ config: configText, lock: existsSync(lockFile) ? readFileSync(lockFile, "utf8") : undefined, upstreamOutputs });
  const unchanged = unchangedSince(readInSync(dir), inputsSha256, state);
  let drifted = false;
  if (unchanged) {
    // npm run drift's check: a refresh-only plan read by the drift engine, which sees past what the
    // provider fills in on its first read after an apply (null becoming [] or {}): Terraform's own
    // -detailed-exitcode counts that as a change, so every stack would be planned after its apply.
    const log: string[] = [];
    let found: DriftFinding[];
    try {
      found = await stackDrift(
        stack,
        async (args) => {
          const run = await terraform(dir, args);
          log.push(run.output);
          if (run.code !== 0) throw new Error(`terraform ${args.slice(0, 2).join(" ")} exited with ${run.code}\n${tail(run.output)}`);
          return run.stdout;
        },
        options,
      );
    } catch (error) {
      return record(reviewPlan(stack, 1, undefined, config, undefined, (error as Error).message));
    } finally {
      writeFileSync(join(dir, "drift-check.log"), log.join("\n"));
    }
    if (found.length === 0) return record({ stack, status: "no-changes", changes: [], outputs: [], skipped: `${unchanged}; a refresh-only check found no drift` }, state);
    drifted = true;
  }
  const plan = await terraform(dir, ["plan", "-input=false", "-no-color", "-detailed-exitcode", `-out=${PLAN_FILE}`]);
  writeFileSync(join(dir, "plan.log"), plan.output);
  if (plan.code !== 0 && plan.code !== 2) return failed("plan", plan);
  const show = await terraform(dir, ["show", "-json", "-no-color", PLAN_FILE]);
  if (show.code !== 0) return failed("show -json", show);
  let json: PlanJson;
  try {
    json = JSON.parse(show.stdout);
  } catch (error) {
    return record(reviewPlan(stack, 1, undefined, config, undefined, `terraform show -json gave no JSON: ${(error as Error).message}`));
  }
  writeFileSync(join(dir, PLAN_JSON), show.stdout);
  const review = { ...reviewPlan(stack, plan.code, json, config), ...(drifted ? { drifted } : {}) };
  // Nothing to change: the deployed stack matches these inputs (the next plan may skip it).
  if (review.status === "no-changes" && inputsSha256 !== undefined && state.lineage !== null) recordInSync(dir, stack, inputsSha256, pulled.stdout);
  return record(review, state);
}

/**
 * The stateOutputsHash of each stack `stack` depends on: as read in this run, else from the
 * stack's in-sync record; undefined when one is unknown (a stack that could not be planned, or
 * one outside this run without a record).
 */
export function upstreamOutputsOf(outdir: string, manifest: ManifestStacks, stack: string, seen: ReadonlyMap<string, string | undefined>): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  for (const dependency of manifest.stacks[stack]?.dependencies ?? []) {
    const hash = seen.has(dependency) ? seen.get(dependency) : readInSync(join(outdir, "stacks", dependency))?.outputsSha256;
    if (hash === undefined) return undefined;
    result[dependency] = hash;
  }
  return result;
}

/** npm run plan: plans `args`' stacks, writes the reviews, prints the summary; returns the exit code. */
export async function runPlan(args: RunArgs, log: (line: string) => void = console.log, options: DriftOptions = {}): Promise<number> {
  const stacks = synthesizedStacks(args.outdir);
  const known = stacks.map((stack) => stack.name);
  const unknown = args.stacks.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`no stack ${unknown.join(", ")}; the stacks are ${known.join(", ")}`);
  const targets = args.stacks.length > 0 ? [...new Set(args.stacks)] : known.filter((name) => name !== BOOTSTRAP_STACK_NAME);
  refuseUnnamedStateBuckets(targets, stacks);
  const manifest = readManifest(args.outdir);
  const order = waves(manifest, targets);
  rmSync(join(args.outdir, PLAN_RUN), { force: true });
  const reviews = new Map<string, StackReview>();
  const outputs = new Map<string, string | undefined>();
  await runWaves(
    order,
    args.parallelism,
    async (stack) => {
      log(`plan: ${stack}: planning`);
      const { review, outputsSha256 } = await planStack(args.outdir, stack, upstreamOutputsOf(args.outdir, manifest, stack, outputs), options);
      outputs.set(stack, outputsSha256);
      reviews.set(stack, review);
      log(`plan: ${summaryLine(review)}`);
      return review.status !== "error";
    },
    false,
  );
  const ordered = order.flat().map((stack) => reviews.get(stack)!);
  const reviewFile = join(args.outdir, "plan-review.md");
  writeFileSync(reviewFile, renderReview(ordered, cisOf));
  writeFileSync(join(args.outdir, PLAN_RUN), `${JSON.stringify({ plannedAt: new Date().toISOString(), stacks: order.flat() }, null, 2)}\n`);
  const failed = ordered.filter((review) => review.status === "error");
  for (const review of failed) log(`plan: ${review.stack}: ${review.error}`);
  const changed = ordered.filter((review) => review.status === "changes");
  log(`plan: review in ${reviewFile}`);
  if (failed.length > 0) {
    log(`plan: ${failed.length} stack${failed.length === 1 ? "" : "s"} could not be planned (${failed.map((review) => review.stack).join(", ")}); npm run apply refuses until every stack plans`);
    return 1;
  }
  if (changed.length === 0) {
    log("plan: no changes in any stack; nothing to apply");
    return 0;
  }
  log(`plan: ${changed.length} stack${changed.length === 1 ? "" : "s"} with changes (${changed.map((review) => review.stack).join(", ")}); read the review, then npm run apply`);
  return 2;
}

if (require.main === module) {
  // `-- --target emulator`: the same on a local AWS emulator (emulator-target.ts).
  mainWithTarget("plan", process.argv.slice(2), async (args) => runPlan(parseRunArgs("plan", args)));
}
