/**
 * `npm run deploy | diff | destroy | bootstrap` after synth: which stacks cdktf runs, checked
 * before it starts. The main stacks by default (the bootstrap stack only through `npm run
 * bootstrap`), and never a stack whose S3 backend has no bucket yet: Terraform would stop at
 * init, after prompting, for a reason known now.
 *
 *   npm run bootstrap                        the state bucket's stack (accountId set)
 *   npm run deploy [-- <stacks>] [-- flags]  the main stacks, or those named; flags go to cdktf
 */
import { spawnSync } from "child_process";
import { readFileSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { BOOTSTRAP_STACK_NAME } from "../src/config/load";
import { BOOTSTRAP_STATE_PATH } from "../src/storage/storage-settings";
import { mainWithTarget } from "./emulator-target";
import { projectRoot } from "./terraform/emulator";

export type RunCommand = "deploy" | "diff" | "destroy" | "bootstrap";

/** A synthesized stack, as the runner sees it. */
export interface SynthesizedStack {
  readonly name: string;
  /** Its S3 backend names no bucket (no accountId or backend.bucket). */
  readonly missingStateBucket: boolean;
  /**
   * Its S3 backend names no key while the app has a bootstrap stack, whose state bucket refuses
   * every write not under the state key (Terraform would ask for SSE-S3 and fail at its first lock).
   * @default false
   */
  readonly missingStateKey?: boolean;
}

/** cdktf options that take the next argument as their value (`--parallelism 2`). */
const OPTIONS_WITH_VALUE = new Set(["--parallelism", "--var", "--var-file", "--outputs-file", "--outputs-file-include-sensitive-outputs", "--output", "-o"]);

/** The user's arguments split into stack names and cdktf options (with their values). */
function splitArgs(args: readonly string[]): { named: string[]; flags: string[] } {
  const named: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith("-")) named.push(args[i]);
    else if (OPTIONS_WITH_VALUE.has(args[i]) && i + 1 < args.length) flags.push(args[i], args[++i]);
    else flags.push(args[i]);
  }
  return { named, flags };
}

/**
 * The cdktf invocations for `command` with the user's `args` (stack names, `*` for every main
 * stack, and cdktf options), or an error saying what to set.
 */
export function cdktfRuns(command: RunCommand, args: readonly string[], stacks: readonly SynthesizedStack[]): string[][] {
  const { flags, named: given } = splitArgs(args);
  const known = stacks.map((stack) => stack.name);
  const main = known.filter((name) => name !== BOOTSTRAP_STACK_NAME);
  const named = given.flatMap((name) => (name === "*" ? main : [name]));
  const unknown = named.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`no stack ${unknown.join(", ")}; the stacks are ${known.join(", ")}`);
  if (command === "bootstrap") {
    if (named.length > 0) throw new Error(`npm run bootstrap takes no stack names (it applies ${BOOTSTRAP_STACK_NAME}); pass cdktf flags only`);
    if (!known.includes(BOOTSTRAP_STACK_NAME)) {
      throw new Error("there is no bootstrap stack: set accountId (TAP_ACCOUNT_ID) to the account that holds the state, with the S3 backend");
    }
    return [["deploy", "--skip-synth", BOOTSTRAP_STACK_NAME, ...flags]];
  }
  const targets = named.length > 0 ? [...new Set(named)] : main;
  refuseUnnamedStateBuckets(targets, stacks);
  // cdktf diff takes one stack at a time; deploy and destroy take them all and order them.
  if (command === "diff") return targets.map((name) => ["diff", "--skip-synth", name, ...flags]);
  // cdktf runs every stack whose dependencies are done at once unless told otherwise: each is a
  // Terraform run of a few GB (one provider process per region), so one at a time unless asked.
  const parallelism = flags.includes("--parallelism") ? [] : ["--parallelism", String(DEFAULT_PARALLELISM)];
  return [[command, "--skip-synth", ...targets, ...flags, ...parallelism]];
}

/** Stacks deploy and destroy run at once unless `--parallelism` says otherwise: the memory of one Terraform run at a time. */
export const DEFAULT_PARALLELISM = 1;

/**
 * Throws, saying what to set, when one of `targets` has an S3 backend that names no bucket, or
 * no state key while bootstrap's bucket (which requires it) holds the state: Terraform would stop
 * at init or at its first lock for a reason known now (deploy, diff, destroy and drift all need state).
 */
export function refuseUnnamedStateBuckets(targets: readonly string[], stacks: readonly SynthesizedStack[]): void {
  const unnamed = stacks.filter((stack) => targets.includes(stack.name) && stack.missingStateBucket).map((stack) => stack.name);
  if (unnamed.length > 0) {
    throw new Error(
      `stack ${unnamed.join(", ")} has no state bucket: set accountId (TAP_ACCOUNT_ID) and run npm run bootstrap once, which creates <project>-tfstate-<account>-<region>; or name an existing bucket with backend.bucket (TERRAFORM_STATE_BUCKET)`,
    );
  }
  const keyless = stacks.filter((stack) => targets.includes(stack.name) && stack.missingStateKey).map((stack) => stack.name);
  if (keyless.length > 0) {
    throw new Error(
      `stack ${keyless.join(", ")} does not know the state key, which the state bucket requires of every write: run npm run bootstrap (synth then reads the key from ${BOOTSTRAP_STATE_PATH} in the output folder), or, where that file is not (a CI runner), set backend.kmsKeyId (TERRAFORM_STATE_KMS_KEY_ID) to the bootstrap stack's state_kms_key_arn output`,
    );
  }
}

/** The stacks of a synthesized app (cdktf.out). */
export function synthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  const bootstrapped = BOOTSTRAP_STACK_NAME in manifest.stacks;
  return Object.keys(manifest.stacks).map((name) => {
    const backend = JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")).terraform?.backend;
    return { name, missingStateBucket: backend?.s3 !== undefined && !backend.s3.bucket, missingStateKey: bootstrapped && backend?.s3 !== undefined && !backend.s3.kms_key_id };
  });
}

/**
 * Runs `run` with the manifest's annotations emptied, then puts the manifest back. synth.js has
 * printed them (and stopped on an error); cdktf prints them again on every --skip-synth run, which
 * `npm run deploy` doubled and `npm run diff` repeated once per stack.
 */
export function withoutAnnotations<T>(outdir: string, run: () => T): T {
  const file = join(outdir, "manifest.json");
  const original = readFileSync(file, "utf8");
  const manifest = JSON.parse(original);
  for (const stack of Object.values<{ annotations?: unknown[] }>(manifest.stacks)) stack.annotations = [];
  writeFileSync(file, JSON.stringify(manifest, undefined, 2));
  try {
    return run();
  } finally {
    writeFileSync(file, original);
  }
}

/**
 * `--target emulator` is npm run destroy's only (emulator-target.ts): the other cdktf commands run
 * against AWS alone, and saying so beats cdktf's own error about an unknown option.
 */
export function refuseTarget(command: RunCommand, args: readonly string[]): void {
  if (command !== "destroy" && args.some((arg) => arg === "--target" || arg.startsWith("--target="))) {
    throw new Error(`npm run ${command} has no --target: on the emulator, run npm run plan -- --target emulator, then npm run apply -- --target emulator (docs/deploying.md: Try it without an AWS account)`);
  }
}

function main(command: RunCommand, args: readonly string[]): void {
  // cdktf reads the folder --output names (as synth.js writes it); the checks read the same one.
  const output = args.findIndex((arg) => arg === "--output" || arg === "-o");
  const outdir = resolve(projectRoot(), output >= 0 && output + 1 < args.length ? args[output + 1] : "cdktf.out");
  let runs: string[][];
  try {
    refuseTarget(command, args);
    runs = cdktfRuns(command, args, synthesizedStacks(outdir));
  } catch (error) {
    console.error(`tap: ${command}: ${(error as Error).message}`);
    process.exit(1);
  }
  const status = withoutAnnotations(outdir, () => {
    for (const run of runs) {
      const result = spawnSync("cdktf", run, { cwd: projectRoot(), stdio: "inherit", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
      if (result.status !== 0) return result.status ?? 1;
    }
    return 0;
  });
  process.exit(status);
}

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2) as [RunCommand, ...string[]];
  if (command === "destroy") mainWithTarget("destroy", args, async (rest) => (main(command, rest), 0));
  else main(command, args);
}
