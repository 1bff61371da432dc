/**
 * `npm run apply [-- <stacks>] [--parallelism N]`: applies exactly the plans `npm run plan` saved
 * (the stacks of its last run, or those named), in the manifest's dependency order, at most N
 * stacks of a wave at once (default 1). It does not synthesize: what runs is what was reviewed.
 * Before anything is applied, every plan is checked: a stack that could not be planned, a stack
 * whose cdk.tf.json or state changed since its plan is refused (exit 1), and nothing is applied.
 * Stacks with no changes are skipped. After each apply, the stack's in-sync record (see plan.ts)
 * says which inputs it now matches, so that the next npm run plan can skip it. Exit codes: 0 applied (or nothing to apply), 1 refused or
 * an apply failed.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { mainWithTarget } from "./emulator-target";
import { IN_SYNC_RECORD, PlanRecord, runWaves, staleness, stateIdentity, waves } from "./plan-review";
import { parseRunArgs, PLAN_FILE, PLAN_RECORD, PLAN_RUN, readManifest, recordInSync, RunArgs, tail, terraform } from "./plan";

export async function runApply(args: RunArgs, log: (line: string) => void = console.log): Promise<number> {
  const manifest = readManifest(args.outdir);
  const runFile = join(args.outdir, PLAN_RUN);
  if (args.stacks.length === 0 && !existsSync(runFile)) throw new Error(`no saved plans in ${args.outdir}: npm run plan first`);
  const targets = args.stacks.length > 0 ? [...new Set(args.stacks)] : (JSON.parse(readFileSync(runFile, "utf8")).stacks as string[]);
  const unknown = targets.filter((name) => !(name in manifest.stacks));
  if (unknown.length > 0) throw new Error(`no stack ${unknown.join(", ")}; the stacks are ${Object.keys(manifest.stacks).join(", ")}`);

  // Every plan checked before any is applied: a refusal leaves every stack as it was.
  const refusals: string[] = [];
  const toApply: string[] = [];
  const records = new Map<string, PlanRecord>();
  for (const stack of targets) {
    const dir = join(args.outdir, "stacks", stack);
    const recordFile = join(dir, PLAN_RECORD);
    if (!existsSync(recordFile)) {
      refusals.push(`${stack}: no saved plan; npm run plan -- ${stack}`);
      continue;
    }
    const record: PlanRecord = JSON.parse(readFileSync(recordFile, "utf8"));
    records.set(stack, record);
    if (record.status === "error") refusals.push(`${stack}: its plan failed (see ${join(dir, "plan-review.md")}); npm run plan again`);
    else if (record.appliedAt) log(`apply: ${stack}: its plan of ${record.plannedAt} was applied at ${record.appliedAt}; npm run plan for new changes`);
    else if (record.status === "no-changes") log(`apply: ${stack}: no changes, skipped`);
    else if (!existsSync(join(dir, PLAN_FILE))) refusals.push(`${stack}: its saved plan ${join(dir, PLAN_FILE)} is missing; npm run plan again`);
    else {
      const config = readFileSync(join(dir, "cdk.tf.json"), "utf8");
      const configStale = staleness(record, config, record.state); // the configuration alone, before Terraform runs
      if (configStale) refusals.push(configStale);
      else toApply.push(stack);
    }
  }
  if (refusals.length === 0) {
    for (const stack of toApply) {
      const dir = join(args.outdir, "stacks", stack);
      const init = await terraform(dir, ["init", "-input=false", "-no-color"]);
      const pulled = init.code === 0 ? await terraform(dir, ["state", "pull"]) : init;
      if (pulled.code !== 0) {
        refusals.push(`${stack}: could not read its state to check the plan (terraform ${init.code !== 0 ? "init" : "state pull"} exited with ${pulled.code})\n${tail(pulled.output, 10)}`);
        continue;
      }
      const stale = staleness(records.get(stack)!, readFileSync(join(dir, "cdk.tf.json"), "utf8"), stateIdentity(pulled.stdout));
      if (stale) refusals.push(stale);
    }
  }
  if (refusals.length > 0) {
    for (const refusal of refusals) log(`apply: refused: ${refusal}`);
    log("apply: nothing applied");
    return 1;
  }
  if (toApply.length === 0) {
    log("apply: no stack has changes to apply");
    return 0;
  }

  const applied: string[] = [];
  const ok = await runWaves(
    waves(manifest, toApply),
    args.parallelism,
    async (stack) => {
      const dir = join(args.outdir, "stacks", stack);
      log(`apply: ${stack}: applying its saved plan`);
      const result = await terraform(dir, ["apply", "-input=false", "-no-color", PLAN_FILE], (line) => log(`[${stack}] ${line}`));
      writeFileSync(join(dir, "apply.log"), result.output);
      // Whatever the outcome, the stack no longer matches its last record; a successful apply writes a new one.
      rmSync(join(dir, IN_SYNC_RECORD), { force: true });
      if (result.code !== 0) {
        log(`apply: ${stack}: terraform apply exited with ${result.code}`);
        return false;
      }
      writeFileSync(join(dir, PLAN_RECORD), `${JSON.stringify({ ...records.get(stack)!, appliedAt: new Date().toISOString() }, null, 2)}\n`);
      rmSync(join(dir, PLAN_FILE), { force: true });
      const inputs = records.get(stack)!.inputsSha256;
      const pulled = inputs === undefined ? undefined : await terraform(dir, ["state", "pull"]);
      if (inputs !== undefined && pulled?.code === 0) recordInSync(dir, stack, inputs, pulled.stdout);
      applied.push(stack);
      log(`apply: ${stack}: applied`);
      return true;
    },
    true,
  );
  if (!ok) {
    const left = toApply.filter((stack) => !applied.includes(stack));
    log(`apply: stopped; applied ${applied.join(", ") || "nothing"}; not applied: ${left.join(", ")}`);
    return 1;
  }
  log(`apply: applied ${applied.join(", ")}`);
  return 0;
}

if (require.main === module) {
  // `-- --target emulator`: the same on a local AWS emulator (emulator-target.ts).
  mainWithTarget("apply", process.argv.slice(2), async (args) => runApply(parseRunArgs("apply", args)));
}
