/**
 * `npm run plan [-- <stacks>] [--parallelism N]`: after synth, a saved plan per stack (the main
 * stacks, or those named) in the manifest's dependency order, its JSON, and a review for people.
 * In each stack's folder of cdktf.out (where cdktf runs Terraform):
 *
 *   tfplan            terraform plan -out (what npm run apply applies, and nothing else)
 *   plan.json         terraform show -json tfplan
 *   plan-record.json  what the plan was made from: sha256 of cdk.tf.json, the state's lineage and serial
 *   plan-review.md    the stack's review
 *
 * and cdktf.out/plan-review.md (every stack, what needs attention first) and plan-run.json (the
 * stacks of this run, which npm run apply applies). Exit codes: 0 no stack changes, 2 some stack
 * changes, 1 a stack could not be planned (or the command could not run).
 */
import { spawn } from "child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { TAP_RULE_PACK } from "../src/app/rule-pack";
import { BOOTSTRAP_STACK_NAME } from "../src/config/load";
import { refuseUnnamedStateBuckets, synthesizedStacks, DEFAULT_PARALLELISM } from "./cdktf-run";
import { configHash, ManifestStacks, PlanJson, PlanRecord, regroupedRegions, renderReview, reviewPlan, runWaves, StackReview, stateIdentity, stateProviderAliases, summaryLine, waves } from "./plan-review";
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

/** Plans one stack in its folder and writes its files; a plan from an earlier run is removed first, so a failed plan leaves nothing to apply. */
export async function planStack(outdir: string, stack: string): Promise<StackReview> {
  const dir = join(outdir, "stacks", stack);
  for (const file of [PLAN_FILE, PLAN_JSON, PLAN_RECORD, STACK_REVIEW]) rmSync(join(dir, file), { force: true });
  const configText = readFileSync(join(dir, "cdk.tf.json"), "utf8");
  const config = JSON.parse(configText);
  const record = (review: StackReview, state = { lineage: null, serial: null } as PlanRecord["state"]) => {
    const planRecord: PlanRecord = { stack, status: review.status, plannedAt: new Date().toISOString(), configSha256: configHash(configText), state };
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
    regrouped = regroupedRegions(stack, config, stateProviderAliases(pulled.stdout));
  } catch (error) {
    return record(reviewPlan(stack, 1, undefined, config, undefined, `terraform state pull gave no state JSON: ${(error as Error).message}`));
  }
  if (regrouped) return record(reviewPlan(stack, 1, undefined, config, undefined, regrouped));
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
  return record(reviewPlan(stack, plan.code, json, config), state);
}

/** npm run plan: plans `args`' stacks, writes the reviews, prints the summary; returns the exit code. */
export async function runPlan(args: RunArgs, log: (line: string) => void = console.log): Promise<number> {
  const stacks = synthesizedStacks(args.outdir);
  const known = stacks.map((stack) => stack.name);
  const unknown = args.stacks.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`no stack ${unknown.join(", ")}; the stacks are ${known.join(", ")}`);
  const targets = args.stacks.length > 0 ? [...new Set(args.stacks)] : known.filter((name) => name !== BOOTSTRAP_STACK_NAME);
  refuseUnnamedStateBuckets(targets, stacks);
  const order = waves(readManifest(args.outdir), targets);
  rmSync(join(args.outdir, PLAN_RUN), { force: true });
  const reviews = new Map<string, StackReview>();
  await runWaves(
    order,
    args.parallelism,
    async (stack) => {
      log(`plan: ${stack}: planning`);
      const review = await planStack(args.outdir, stack);
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
  (async () => runPlan(parseRunArgs("plan", process.argv.slice(2))))().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`tap: plan: ${error.message}`);
      process.exit(1);
    },
  );
}
