/**
 * npm run drift: what changed in the account outside Terraform since the last apply, per
 * control. For each synthesized stack (all, or the ones named) it runs a refresh-only plan
 * against the stack's real backend and account, and names each changed attribute by the rule
 * whose control it carries (src/app/drift-controls.ts).
 *
 *   npm run drift                           every stack of cdktf.out (synthesized first)
 *   npm run drift -- tap-prod               one stack
 *   npm run drift -- --json drift.json      also write the findings as JSON, for a pipeline
 *
 * Exit codes: 0 no drift, 1 drift found, 2 the command could not run (Terraform failed, an unknown
 * stack, a stack whose backend names no state bucket).
 */
import { spawn } from "child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { TAP_DRIFT_CONTROLS } from "../src/app/drift-controls";
import { TAP_RULE_PACK } from "../src/app/rule-pack";
import { describeDrift, DriftFinding, driftFindings, DriftOptions, RefreshOnlyPlan } from "../src/compliance/drift";
import { refuseUnnamedStateBuckets, synthesizedStacks } from "./cdktf-run";
import { mainWithTarget } from "./emulator-target";
import { projectRoot } from "./terraform/emulator";

/** Runs `terraform <args>` for one stack and resolves with its standard output; rejects on a non-zero exit. */
export type TerraformRunner = (args: string[]) => Promise<string>;

/** A refresh-only plan of one stack through `terraform`, and its drift. The state is not changed. */
export async function stackDrift(stack: string, terraform: TerraformRunner, options: DriftOptions = {}): Promise<DriftFinding[]> {
  const dir = mkdtempSync(join(tmpdir(), "tap-drift-"));
  const planFile = join(dir, "refresh-only.tfplan");
  try {
    await terraform(["plan", "-refresh-only", "-input=false", "-no-color", "-lock=false", `-out=${planFile}`]);
    const plan: RefreshOnlyPlan = JSON.parse(await terraform(["show", "-json", "-no-color", planFile]));
    return driftFindings(stack, plan, TAP_DRIFT_CONTROLS, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rule's CIS item, for a finding's line. */
function cisOf(id: string): string | undefined {
  const cis = TAP_RULE_PACK.find((rule) => rule.id === id)?.cis;
  return cis ? `CIS ${cis}` : undefined;
}

export interface DriftRun {
  /** Stacks to check; every stack of the manifest when empty. */
  readonly stacks: readonly string[];
  /** Write the findings there as JSON. */
  readonly jsonFile?: string;
}

/** `--json FILE` and stack names; anything else is an error naming it. */
export function parseDriftArgs(args: readonly string[]): DriftRun {
  const stacks: string[] = [];
  let jsonFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--json") {
      jsonFile = args[++i];
      if (!jsonFile) throw new Error("--json needs a file name: npm run drift -- --json drift.json");
    } else if (args[i].startsWith("-")) {
      throw new Error(`unknown option ${args[i]}; expected --json FILE and stack names`);
    } else {
      stacks.push(args[i]);
    }
  }
  return { stacks, jsonFile };
}

/**
 * Checks each stack with `terraformFor(stack)`, prints what drifted and writes the JSON; returns
 * the exit code (0 none, 1 drift, 2 a stack that does not exist).
 */
export async function runDrift(
  known: readonly string[],
  options: DriftRun,
  terraformFor: (stack: string) => TerraformRunner,
  log: (line: string) => void = console.log,
  driftOptions: DriftOptions = {},
): Promise<number> {
  const unknown = options.stacks.filter((stack) => !known.includes(stack));
  if (unknown.length > 0) {
    log(`tap: drift: no stack ${unknown.join(", ")}; the stacks are ${known.join(", ")}`);
    return 2;
  }
  const stacks = options.stacks.length > 0 ? options.stacks : known;
  const findings: DriftFinding[] = [];
  for (const stack of stacks) {
    const found = await stackDrift(stack, terraformFor(stack), driftOptions);
    log(found.length === 0 ? `drift: ${stack}: none` : `drift: ${stack}: ${found.length} change${found.length === 1 ? "" : "s"} outside Terraform`);
    for (const line of describeDrift(found, cisOf)) log(line);
    findings.push(...found);
  }
  if (options.jsonFile) writeFileSync(options.jsonFile, `${JSON.stringify({ drift: findings.length > 0, stacks, findings }, null, 2)}\n`);
  return findings.length > 0 ? 1 : 0;
}

/** `terraform` in a stack's folder of cdktf.out, with its real backend and the caller's credentials. */
export function terraformIn(dir: string): TerraformRunner {
  let initialized = false;
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn("terraform", args, { cwd: dir, env: { ...process.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", (error) => reject(new Error(`could not run terraform (is it on PATH?): ${error.message}`)));
      child.on("close", (code) =>
        code === 0 ? resolve(Buffer.concat(out).toString("utf8")) : reject(new Error(`terraform ${args[0]} in ${dir} exited with ${code}\n${Buffer.concat(out)}${Buffer.concat(err)}`)),
      );
    });
  return async (args) => {
    if (!initialized) {
      await run(["init", "-input=false", "-no-color"]);
      initialized = true;
    }
    return run(args);
  };
}

if (require.main === module) {
  const outdir = join(projectRoot(), "cdktf.out");
  // `-- --target emulator`: the stacks deployed on the local AWS emulator (emulator-target.ts).
  mainWithTarget(
    "drift",
    process.argv.slice(2),
    async (args) => {
      const options = parseDriftArgs(args);
      if (!existsSync(join(outdir, "manifest.json"))) throw new Error(`${outdir} holds no synthesized app: npm run drift synthesizes first`);
      const stacks = synthesizedStacks(outdir);
      const known = stacks.map((stack) => stack.name);
      refuseUnnamedStateBuckets(options.stacks.length > 0 ? options.stacks : known, stacks);
      return runDrift(known, options, (stack) => terraformIn(join(outdir, "stacks", stack)));
    },
    2,
  );
}
