/**
 * `--target emulator` for npm run plan, apply, drift and destroy: the whole flow on a local AWS
 * emulator (moto), without an AWS account, the same way the apply tier drives it.
 *
 *   npm run plan -- --target emulator      starts the emulator (or reuses the running one), synthesizes
 *                                          the configuration for the emulator's account into
 *                                          cdktf.out/emulator, bootstraps the state bucket there, plans
 *   npm run apply -- --target emulator     applies those saved plans
 *   npm run drift -- --target emulator     refresh-only drift check of the stacks on the emulator
 *   npm run destroy -- --target emulator   destroys the main stacks, then stops the emulator
 *
 * The emulator is one long-running moto server: its state lives in its memory, so it outlives each
 * command (plan, then apply, then drift) and is recorded in cdktf.out/emulator/emulator.json (pid,
 * URL); its log is cdktf.out/emulator/emulator.log. Everything the emulator target writes stays in
 * cdktf.out/emulator, apart from the real target's cdktf.out/stacks (a real deployment's local
 * state, the bootstrap stack's, is never touched). A fresh emulator starts with an empty folder: the
 * previous one's deployment is gone with it. Without a target (or with `--target aws`) every
 * command runs against AWS as before.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { TAP_RULE_PACK } from "../src/app/rule-pack";
import { evaluate } from "../src/compliance/audit";
import { SynthesizedStack, SynthesizedStackView } from "../src/compliance/stack-view";
import { BOOTSTRAP_STACK_NAME } from "../src/config/load";
import { synthesizedStacks } from "./cdktf-run";
import { runApply } from "./apply";
import { parseDriftArgs, runDrift, terraformIn } from "./drift";
import { parseRunArgs, readManifest, runPlan, tail, terraform } from "./plan";
import { waves } from "./plan-review";
import {
  destroyOnEmulator,
  EMULATOR_ACCOUNT_ID,
  EMULATOR_UNSUPPORTED,
  emulatorAnswers,
  emulatorMissingMessage,
  emulatorS3,
  findEmulator,
  isRunning,
  liftStateBucketPolicy,
  normalizeDeviations,
  projectRoot,
  startEmulator,
  stopEmulatorProcess,
  withoutUnsupported,
} from "./terraform/emulator";
import { cliConfig, emulatorOverride, findProviderSource } from "./terraform/workdir";

/** Where a command runs: AWS (the default) or the local emulator. */
export const TARGETS = {
  aws: "the default: the AWS account your credentials reach",
  emulator: "a local moto emulator that tap starts, no AWS account needed",
} as const;
export type Target = keyof typeof TARGETS;

/** The commands that take `--target emulator`. */
export type TargetedCommand = "plan" | "apply" | "drift" | "destroy";

/** `--target NAME` (or `--target=NAME`) taken out of `args`; an unknown or missing name is an error naming the targets. */
export function parseTarget(command: string, args: readonly string[]): { target: Target; args: string[] } {
  let target: Target = "aws";
  const rest: string[] = [];
  const known = Object.keys(TARGETS).map((name) => `${name} (${TARGETS[name as Target]})`).join(" and ");
  for (let i = 0; i < args.length; i++) {
    const inline = /^--target=(.*)$/.exec(args[i]);
    if (args[i] !== "--target" && !inline) {
      rest.push(args[i]);
      continue;
    }
    const name = inline ? inline[1] : args[++i];
    if (!name) throw new Error(`--target takes a target: npm run ${command} -- --target emulator; the targets are ${known}`);
    if (!(name in TARGETS)) throw new Error(`unknown target "${name}"; the targets are ${known}: npm run ${command} -- --target emulator`);
    target = name as Target;
  }
  return { target, args: rest };
}

/** The emulator target's folder inside the synthesized folder `outdir`. */
export function emulatorFolder(outdir: string): string {
  return join(outdir, "emulator");
}

/** cdktf.out/emulator/emulator.json: the long-running emulator this folder's deployment lives in. */
export interface EmulatorRecord {
  readonly pid: number;
  readonly url: string;
  readonly version: string;
  /** Where it was found (PATH, TAP_MOTO_SERVER, ../shared/tools/moto). */
  readonly source: string;
  readonly startedAt: string;
}

export const EMULATOR_RECORD = "emulator.json";
/** cdktf.out/emulator/left-out.json: per stack, the resources the emulator cannot apply, left out of it. */
export const LEFT_OUT_RECORD = "left-out.json";

export function readEmulatorRecord(folder: string): EmulatorRecord | undefined {
  const file = join(folder, EMULATOR_RECORD);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

/** The recorded emulator, when its process still runs and answers as moto at its URL (so a reused pid is never taken for it). */
export async function runningEmulator(folder: string): Promise<EmulatorRecord | undefined> {
  const record = readEmulatorRecord(folder);
  if (!record || !isRunning(record.pid)) return undefined;
  return (await emulatorAnswers(record.url)) ? record : undefined;
}

/**
 * The folder's running emulator, or a new one: found as the apply tier finds it (TAP_MOTO_SERVER,
 * moto_server on PATH, ../shared/tools/moto/moto-server), started on a free loopback port, left
 * running. A new emulator holds nothing, so whatever the folder recorded of a previous one (stacks,
 * state, plans) is removed first. No emulator installed: an error with the install hint.
 */
export async function ensureEmulator(folder: string, log: (line: string) => void): Promise<{ record: EmulatorRecord; started: boolean }> {
  const running = await runningEmulator(folder);
  if (running) {
    log(`emulator: reusing moto ${running.version} at ${running.url} (pid ${running.pid}, started ${running.startedAt})`);
    return { record: running, started: false };
  }
  const command = findEmulator();
  if (!command) throw new Error(emulatorMissingMessage());
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const emulator = await startEmulator(command, { keepIn: folder });
  const record: EmulatorRecord = { pid: emulator.pid, url: emulator.url, version: emulator.version, source: command.source, startedAt: new Date().toISOString() };
  writeFileSync(join(folder, EMULATOR_RECORD), `${JSON.stringify(record, null, 2)}\n`);
  log(`emulator: started moto ${record.version} (from ${record.source}) at ${record.url}, pid ${record.pid}, log ${join(folder, "emulator.log")}; it keeps running for npm run apply and npm run drift, and npm run destroy -- --target emulator stops it`);
  return { record, started: true };
}

/** Stops the folder's emulator, if it runs, and removes what the folder held of its deployment (gone with it). */
export async function stopEmulator(folder: string, log: (line: string) => void): Promise<void> {
  const running = await runningEmulator(folder);
  if (running) {
    await stopEmulatorProcess(running.pid);
    log(`emulator: stopped moto at ${running.url} (pid ${running.pid}); its deployment is gone with it`);
  } else {
    log("emulator: none running");
  }
  rmSync(folder, { recursive: true, force: true });
}

/**
 * Synthesizes the configuration (the file and TAP_* variables of `env`, as npm run synth reads
 * them) for the emulator's account into `folder`, with npm run synth itself.
 */
export function synthesizeForEmulator(folder: string, env: NodeJS.ProcessEnv, log: (line: string) => void): void {
  const synth = spawnSync(process.execPath, [join(projectRoot(), "scripts", "synth.js"), "--output", folder], {
    cwd: projectRoot(),
    env: { ...env, TAP_ACCOUNT_ID: EMULATOR_ACCOUNT_ID },
    encoding: "utf8",
    timeout: 300_000,
  });
  if (synth.status !== 0) throw new Error(`synth for the emulator's account ${EMULATOR_ACCOUNT_ID} failed:\n${tail(`${synth.stdout ?? ""}${synth.stderr ?? ""}`, 30)}`);
  log(`emulator: synthesized for the emulator's account ${EMULATOR_ACCOUNT_ID} into ${folder}`);
}

/** What pointStacksAtEmulator prepared. */
export interface EmulatorStacks {
  /** Every stack of the folder's manifest. */
  readonly stacks: readonly string[];
  /** The state bucket all stacks keep their state in (the bootstrap stack's). */
  readonly stateBucket: string;
  /** What the emulator cannot apply, left out. */
  readonly leftOut: LeftOut;
}

/** What the emulator target leaves out of the deployment (cdktf.out/emulator/left-out.json). */
export interface LeftOut {
  /** Per stack, the addresses of the types the emulator cannot apply (EMULATOR_UNSUPPORTED). */
  readonly resources: Readonly<Record<string, readonly string[]>>;
  /** The rules of the pack that pass on the synthesized stacks and fail without those resources: the controls not deployed on the emulator. */
  readonly controls: readonly string[];
}

/** The rules of the pack that fail on a synthesized stack document (without its suppressions: the caller compares two). */
function failingRules(stack: string, document: SynthesizedStack): Set<string> {
  const report = evaluate(new SynthesizedStackView(document, new Set(), stack), TAP_RULE_PACK, []);
  return new Set(report.failures.map((finding) => finding.rule.id));
}

type StackDocument = {
  terraform?: { backend?: { s3?: Record<string, unknown> } };
  provider: { aws: { alias: string; allowed_account_ids?: string[]; assume_role?: unknown }[] };
  data?: { terraform_remote_state?: Record<string, { backend: string; config: Record<string, unknown> }> };
};

/**
 * Points every synthesized stack of `folder` at the emulator at `url`, as the apply tier does:
 * the types the emulator cannot apply are left out of cdk.tf.json (withoutUnsupported), and a
 * tap_override.tf.json beside it (Terraform merges *_override files) sets every provider's
 * endpoints to the emulator and keeps state in the bootstrapped bucket in the emulator's S3 (the
 * bootstrap stack: a local file in its folder). Terraform gets hashicorp/aws as the tiers do
 * (a local mirror, else the registry through the plugin cache). A configuration for other accounts
 * (an organization, a fleet) is refused: the emulator answers as one account.
 */
export function pointStacksAtEmulator(folder: string, url: string): EmulatorStacks {
  const stacks = Object.keys(readManifest(folder).stacks);
  const resources: Record<string, string[]> = {};
  const controls = new Set<string>();
  let stateBucket: string | undefined;
  for (const stack of stacks) {
    const dir = join(folder, "stacks", stack);
    const text = readFileSync(join(dir, "cdk.tf.json"), "utf8");
    const document: StackDocument = JSON.parse(text);
    const elsewhere = document.provider.aws.find((provider) => provider.assume_role || (provider.allowed_account_ids ?? [EMULATOR_ACCOUNT_ID]).some((id) => id !== EMULATOR_ACCOUNT_ID));
    if (elsewhere) {
      throw new Error(
        `stack ${stack} deploys to another account (${elsewhere.allowed_account_ids?.join(", ") ?? "a role it assumes"}): the emulator target runs a single-account deployment, as the emulator answers as one account (${EMULATOR_ACCOUNT_ID}); organizations are shown on the emulator by the apply tier (docs/tests.md)`,
      );
    }
    const s3Backend = document.terraform?.backend?.s3;
    if (s3Backend && typeof s3Backend.bucket === "string") stateBucket = s3Backend.bucket;
    const trimmed = withoutUnsupported(text);
    writeFileSync(join(dir, "cdk.tf.json"), trimmed.stackJson);
    resources[stack] = trimmed.removed;
    if (trimmed.removed.length > 0) {
      const before = failingRules(stack, JSON.parse(text));
      for (const rule of failingRules(stack, JSON.parse(trimmed.stackJson))) if (!before.has(rule)) controls.add(rule);
    }
    const override = emulatorOverride(
      document.provider.aws.map((provider) => provider.alias),
      url,
      s3Backend,
      document.data?.terraform_remote_state,
    );
    writeFileSync(join(dir, "tap_override.tf.json"), `${JSON.stringify(override, null, 2)}\n`);
  }
  if (!stacks.includes(BOOTSTRAP_STACK_NAME) || !stateBucket) {
    throw new Error(`the emulator target keeps state as a real deployment does, in the bucket npm run bootstrap makes: set backend to s3 without backend.bucket (the default), so that synth writes the ${BOOTSTRAP_STACK_NAME} stack`);
  }
  writeFileSync(join(folder, "terraform.rc"), cliConfig(findProviderSource()));
  const leftOut: LeftOut = { resources, controls: [...controls].sort() };
  writeFileSync(join(folder, LEFT_OUT_RECORD), `${JSON.stringify(leftOut, null, 2)}\n`);
  return { stacks, stateBucket, leftOut };
}

/**
 * The environment Terraform runs in on the emulator: hashicorp/aws from the tiers' provider
 * source, and fake keys, so that no real credentials or profile reach the provider.
 */
export function emulatorTerraformEnv(folder: string): Record<string, string> {
  return {
    TF_CLI_CONFIG_FILE: join(folder, "terraform.rc"),
    AWS_PROFILE: "",
    AWS_ACCESS_KEY_ID: "AKIAFAKEFORTESTS0000",
    AWS_SECRET_ACCESS_KEY: "fake-secret-for-the-emulator",
    AWS_SESSION_TOKEN: "",
  };
}

/** Sets `emulatorTerraformEnv` in this process (Terraform runs inherit it); returns what puts the old values back. */
export function useEmulatorTerraformEnv(folder: string): () => void {
  const saved = Object.entries(emulatorTerraformEnv(folder)).map(([name]) => [name, process.env[name]] as const);
  Object.assign(process.env, emulatorTerraformEnv(folder));
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** terraform in a stack's folder, rejecting with its output on a non-zero exit. */
function stackTerraform(dir: string) {
  return async (args: string[]) => {
    const result = await terraform(dir, args);
    if (result.code !== 0) throw new Error(`terraform ${args.join(" ")} in ${dir} exited with ${result.code}\n${tail(result.output, 30)}`);
    return result;
  };
}

/**
 * npm run bootstrap on the emulator, once: the bootstrap stack applied with its local state,
 * then its bucket's TLS-only policy lifted (EMULATOR_PLAIN_HTTP). Skipped when the bucket is there.
 */
export async function bootstrapOnEmulator(folder: string, url: string, bucket: string, log: (line: string) => void): Promise<void> {
  const head = await emulatorS3(url, "HEAD", bucket);
  if (head.status === 200) {
    log(`emulator: bootstrap: the state bucket ${bucket} is there`);
    return;
  }
  log(`emulator: bootstrap: applying the ${BOOTSTRAP_STACK_NAME} stack (the state bucket ${bucket}), as npm run bootstrap does`);
  const run = stackTerraform(join(folder, "stacks", BOOTSTRAP_STACK_NAME));
  await run(["init", "-input=false", "-no-color"]);
  await run(["apply", "-input=false", "-no-color", "-auto-approve"]);
  await liftStateBucketPolicy(url, bucket);
}

/** cdktf.out/emulator/waiting.json: the stacks the last plan left for the next, each with the stacks it waited on. */
export const WAITING_RECORD = "waiting.json";

/**
 * The stacks of `stacks` that cannot be planned yet, each with the stacks it waits on: a stack
 * reads the outputs of the stacks it depends on (terraform_remote_state) from their state, and
 * before their first apply there is none. A stack waits when a dependency has no state object in
 * the emulator's state bucket, or waits itself.
 */
export async function waitingStacks(folder: string, url: string, bucket: string, stacks: readonly string[]): Promise<Map<string, string[]>> {
  const manifest = readManifest(folder);
  const applied = new Map<string, boolean>();
  const hasState = async (stack: string) => {
    if (!applied.has(stack)) {
      const key = (JSON.parse(readFileSync(join(folder, "stacks", stack, "cdk.tf.json"), "utf8")) as StackDocument).terraform?.backend?.s3?.key;
      applied.set(stack, typeof key === "string" && (await emulatorS3(url, "HEAD", `${bucket}/${key}`)).status === 200);
    }
    return applied.get(stack)!;
  };
  const waiting = new Map<string, string[]>();
  for (const stack of waves(manifest, stacks).flat()) {
    const on: string[] = [];
    for (const dependency of manifest.stacks[stack]?.dependencies ?? []) if (waiting.has(dependency) || !(await hasState(dependency))) on.push(dependency);
    if (on.length > 0) waiting.set(stack, on);
  }
  return waiting;
}

/** The report of what the emulator cannot apply: the controls (rules of the pack), then per type how many resources and why. */
export function leftOutReport(leftOut: LeftOut): string[] {
  const byType = new Map<string, { count: number; stacks: Set<string> }>();
  for (const [stack, addresses] of Object.entries(leftOut.resources ?? {})) {
    for (const address of addresses) {
      const type = address.split(".")[0];
      const entry = byType.get(type) ?? { count: 0, stacks: new Set<string>() };
      entry.count++;
      entry.stacks.add(stack);
      byType.set(type, entry);
    }
  }
  if (byType.size === 0) return ["emulator: every resource of the deployment is applied on the emulator"];
  const total = [...byType.values()].reduce((sum, entry) => sum + entry.count, 0);
  return [
    `emulator: controls the emulator cannot apply: ${leftOut.controls.length > 0 ? leftOut.controls.join(", ") : "none of the rule pack's"}`,
    `emulator: ${total} resources of ${byType.size} types are left out on the emulator (moto cannot apply them); against AWS they are planned and applied with the rest:`,
    ...[...byType.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, { count, stacks }]) => `  ${type} x${count} (${stacks.size} stack${stacks.size === 1 ? "" : "s"}): ${EMULATOR_UNSUPPORTED[type]}`),
  ];
}

function readRecord<T extends object>(folder: string, name: string): T {
  const file = join(folder, name);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : ({} as T);
}

/** The emulator the folder's deployment lives in, or an error saying how to start one. */
async function requireEmulator(folder: string, command: TargetedCommand): Promise<EmulatorRecord> {
  const running = await runningEmulator(folder);
  if (!running) throw new Error(`no emulator is running for ${folder}: npm run plan -- --target emulator starts one and plans, before npm run ${command} -- --target emulator`);
  return running;
}

/**
 * npm run plan / apply / drift / destroy `-- --target emulator`, with the command's other
 * arguments; returns the exit code (each command's own: see plan.ts, apply.ts, drift.ts).
 */
export async function runOnEmulator(command: TargetedCommand, args: readonly string[], log: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (command === "drift") {
    const options = parseDriftArgs(args);
    const folder = emulatorFolder(join(projectRoot(), "cdktf.out"));
    await requireEmulator(folder, command);
    const main = Object.keys(readManifest(folder).stacks).filter((stack) => stack !== BOOTSTRAP_STACK_NAME);
    const restore = useEmulatorTerraformEnv(folder);
    try {
      // The bootstrap stack's bucket policy is lifted on the emulator on purpose (EMULATOR_PLAIN_HTTP): only the main stacks are checked.
      return await runDrift(main, options, (stack) => terraformIn(join(folder, "stacks", stack)), log, { normalize: normalizeDeviations });
    } finally {
      restore();
    }
  }
  const parsed = parseRunArgs(command, args);
  const folder = emulatorFolder(parsed.outdir);
  if (command === "plan") {
    const { record } = await ensureEmulator(folder, log);
    synthesizeForEmulator(folder, env, log);
    let prepared = pointStacksAtEmulator(folder, record.url);
    const restore = useEmulatorTerraformEnv(folder);
    try {
      await bootstrapOnEmulator(folder, record.url, prepared.stateBucket, log);
      // The main stacks' backend names the state key synth reads from the bootstrap stack's state,
      // which a first bootstrap has only just written: synthesized again, they know it.
      if (synthesizedStacks(folder).some((stack) => stack.missingStateKey)) {
        synthesizeForEmulator(folder, env, log);
        prepared = pointStacksAtEmulator(folder, record.url);
      }
      const main = prepared.stacks.filter((stack) => stack !== BOOTSTRAP_STACK_NAME);
      const unknown = parsed.stacks.filter((stack) => !prepared.stacks.includes(stack));
      if (unknown.length > 0) throw new Error(`no stack ${unknown.join(", ")}; the stacks are ${prepared.stacks.join(", ")}`);
      const asked = parsed.stacks.length > 0 ? parsed.stacks : main;
      // A first deploy: the stacks that read outputs of stacks not applied yet wait for the next plan.
      const waiting = await waitingStacks(folder, record.url, prepared.stateBucket, asked);
      for (const [stack, on] of waiting) log(`emulator: ${stack}: waits for ${on.join(", ")} to be applied (it reads ${on.length === 1 ? "its" : "their"} outputs from the state); the next npm run plan -- --target emulator plans it`);
      writeFileSync(join(folder, WAITING_RECORD), `${JSON.stringify(Object.fromEntries(waiting), null, 2)}\n`);
      const ready = asked.filter((stack) => !waiting.has(stack));
      if (ready.length === 0) {
        log("emulator: no stack can be planned until the stacks it waits for are applied");
        return 1;
      }
      // The emulator's named deviations (EMULATOR_DEVIATIONS) are not drift, as for npm run drift.
      const code = await runPlan({ ...parsed, stacks: ready, outdir: folder }, log, { normalize: normalizeDeviations });
      for (const line of leftOutReport(prepared.leftOut)) log(line);
      if (code === 2) log(`emulator: next: npm run apply -- --target emulator${waiting.size > 0 ? ", then npm run plan -- --target emulator again for the stacks that wait" : ""}`);
      return code;
    } finally {
      restore();
    }
  }
  if (command === "apply") {
    await requireEmulator(folder, command);
    const restore = useEmulatorTerraformEnv(folder);
    try {
      const code = await runApply({ ...parsed, outdir: folder }, log);
      for (const line of leftOutReport(readRecord<LeftOut>(folder, LEFT_OUT_RECORD))) log(line);
      const waiting = Object.keys(readRecord<Record<string, string[]>>(folder, WAITING_RECORD));
      if (code === 0 && waiting.length > 0) log(`emulator: next: npm run plan -- --target emulator plans ${waiting.join(", ")}, which waited for this apply`);
      return code;
    } finally {
      restore();
    }
  }
  // destroy: the main stacks in reverse dependency order, then the emulator itself (with the bootstrap stack's bucket in it).
  if (parsed.stacks.length > 0) throw new Error("npm run destroy -- --target emulator takes no stack names: it destroys the whole deployment on the emulator and stops it");
  if (!(await runningEmulator(folder))) {
    log("emulator: none running; nothing to destroy");
    rmSync(folder, { recursive: true, force: true });
    return 0;
  }
  const manifest = readManifest(folder);
  const main = Object.keys(manifest.stacks).filter((stack) => stack !== BOOTSTRAP_STACK_NAME);
  const restore = useEmulatorTerraformEnv(folder);
  let failed = false;
  try {
    for (const stack of waves(manifest, main).flat().reverse()) {
      const run = stackTerraform(join(folder, "stacks", stack));
      try {
        log(`destroy: ${stack}: destroying`);
        await run(["init", "-input=false", "-no-color"]);
        const left = await destroyOnEmulator(run, (line) => log(`destroy: ${stack}: ${line}`));
        log(`destroy: ${stack}: destroyed${left.length > 0 ? ` (${left.length} resources moto cannot delete removed from state instead)` : ""}`);
      } catch (error) {
        failed = true;
        log(`destroy: ${stack}: failed: ${(error as Error).message}`);
      }
    }
  } finally {
    restore();
  }
  await stopEmulator(folder, log);
  return failed ? 1 : 0;
}

/**
 * A command's entry point: `--target emulator` runs it on the emulator, anything else as
 * `onAws` does. An argument error or a failure prints `tap: <command>: <message>` and exits with `failure`.
 */
export function mainWithTarget(command: TargetedCommand, argv: readonly string[], onAws: (args: string[]) => Promise<number>, failure = 1): void {
  (async () => {
    const { target, args } = parseTarget(command, argv);
    return target === "emulator" ? runOnEmulator(command, args) : onAws(args);
  })().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`tap: ${command}: ${error.message}`);
      process.exit(failure);
    },
  );
}
