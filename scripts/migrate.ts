/**
 * `npm run migrate [-- --output DIR]`: after synth, carries out a change of `regionsPerStack` or
 * `layout` made after a deploy. Each region's guardrails live in the state of the stack that held
 * the region; the new grouping gives the region to another stack (of the same account). For every
 * region that changed stack, its resources move from the old stack's state to the new one's, so
 * nothing is destroyed and nothing is created a second time:
 *
 *   1. the states of the app's stacks, and of the region stacks the app no longer has (the names
 *      any grouping of the account's regions could have given, `<account stack>-guardrails-<n>`,
 *      with the state key or workspace the account stack's backend gives them), are pulled with
 *      `terraform state pull` (so the backend does not matter: S3 or HCP Terraform);
 *   2. every resource whose region (its provider alias) its stack no longer declares is mapped,
 *      explicitly, to the stack that declares that region and the address it has there; data
 *      sources of such regions are left behind (they hold nothing, and are read again);
 *   3. when any resource cannot be mapped (its region is held by no stack any more, its address
 *      has no counterpart, or the new stack's state already holds it) nothing is written and the
 *      command says why and what to do (exit 1);
 *   4. otherwise each state it will change is saved to cdktf.out/migrate-backups/<time>/<stack>.tfstate,
 *      the receiving states are pushed first and the emptied ones after (`terraform state push`),
 *      so an interrupted run leaves a resource in two states, which `npm run plan` refuses, and
 *      never in none.
 *
 * Exit codes: 0 migrated, or nothing to migrate; 1 refused or failed.
 */
import { spawn } from "child_process";
import { randomUUID } from "crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { PROVIDER_LOCK_FILE } from "../src/app/app";
import { regionGroups, SUPPORTED_REGION_NAMES } from "../src/network/regions";
import { BOOTSTRAP_STACK_NAME } from "../src/config/load";
import { projectRoot } from "./terraform/emulator";

/** A resource entry of Terraform's state (format version 4). */
export interface StateEntry {
  readonly module?: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly provider: string;
  readonly instances: readonly unknown[];
}

/** The parts of a state (format version 4) the migration reads and writes; the rest is kept as is. */
export interface TerraformState {
  readonly version: number;
  readonly terraform_version?: string;
  readonly serial: number;
  readonly lineage: string;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly resources: readonly StateEntry[];
  readonly [other: string]: unknown;
}

/** A synthesized stack (cdk.tf.json) as far as the migration reads it. */
export interface StackJson {
  readonly provider?: { readonly aws?: readonly { readonly alias?: string }[] };
  readonly resource?: Readonly<Record<string, Readonly<Record<string, { readonly provider?: string }>>>>;
  readonly terraform?: { readonly backend?: Readonly<Record<string, Readonly<Record<string, unknown>>>>; readonly cloud?: Readonly<Record<string, unknown>> };
}

/** What a stack of the new app declares: its regions (AWS provider aliases) and each managed resource's region, by address. */
export interface DeclaredStack {
  readonly regions: readonly string[];
  readonly resources: ReadonlyMap<string, string>;
}

/** A stack the migration looks at: in the new app (`declared`) or no longer (a region stack of another grouping), with its pulled state. */
export interface StackStates {
  readonly name: string;
  /** What the new app declares for it; undefined: the stack is no longer in the app. */
  readonly declared?: DeclaredStack;
  /** Its state; undefined: it has none. */
  readonly state?: TerraformState;
}

/** One resource moved from one stack's state to another's. */
export interface Move {
  readonly from: string;
  readonly to: string;
  /** Its address in the old stack (`type.name`). */
  readonly address: string;
  /** Its address in the new stack. */
  readonly newAddress: string;
  readonly region: string;
}

export interface MigrationPlan {
  readonly moves: readonly Move[];
  /** Data sources of regions their stack no longer declares: removed from that state (they are read, not owned). */
  readonly dropped: readonly { readonly stack: string; readonly address: string }[];
  /** Why the migration cannot be made safe; when any, nothing may be written. */
  readonly problems: readonly string[];
}

const AWS_PROVIDER = /^provider\["registry\.terraform\.io\/hashicorp\/aws"\]\.([\w-]+)$/;
const REGION_STACK = /-guardrails-(\d+)$/;

/** The region (provider alias) a state entry was created through, if it is one of tap's aliased AWS providers. */
export function regionOfEntry(entry: Pick<StateEntry, "provider">): string | undefined {
  return AWS_PROVIDER.exec(entry.provider)?.[1];
}

/** An entry's address as Terraform writes it (`type.name`, `data.type.name`). */
export function addressOfEntry(entry: Pick<StateEntry, "mode" | "type" | "name" | "module">): string {
  return `${entry.module ? `${entry.module}.` : ""}${entry.mode === "data" ? "data." : ""}${entry.type}.${entry.name}`;
}

/** The account a stack belongs to: the account stack's name (a region stack is `<account stack>-guardrails-<n>`). */
export function familyOf(stack: string): string {
  return stack.replace(REGION_STACK, "");
}

/** The regions and managed resources (address -> region of its provider) a synthesized stack declares. */
export function declaredStack(config: StackJson): DeclaredStack {
  const regions = (config.provider?.aws ?? []).map((provider) => provider.alias).filter((alias): alias is string => alias !== undefined);
  const resources = new Map<string, string>();
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const region = /^aws\.([\w-]+)$/.exec(body.provider ?? "")?.[1];
      if (region) resources.set(`${type}.${name}`, region);
    }
  }
  return { regions, resources };
}

/**
 * Which resources move where: every managed resource whose region its stack does not declare (or
 * whose stack left the app) goes to the one stack of the same account that declares the region
 * and a resource of the same address through that region's provider. Anything that cannot be
 * mapped so is a problem, and a plan with problems must not be carried out.
 */
export function planMigration(stacks: readonly StackStates[]): MigrationPlan {
  const moves: Move[] = [];
  const dropped: { stack: string; address: string }[] = [];
  const problems: string[] = [];
  for (const source of stacks) {
    const declaredRegions = new Set(source.declared?.regions ?? []);
    for (const entry of source.state?.resources ?? []) {
      const region = regionOfEntry(entry);
      const address = addressOfEntry(entry);
      if (region !== undefined && declaredRegions.has(region)) continue;
      if (region === undefined) {
        // A stack no longer in the app keeps only what tap's region providers created; anything else is not tap's to move.
        if (!source.declared && entry.mode === "data") dropped.push({ stack: source.name, address });
        else if (!source.declared) problems.push(`${source.name}: ${address} was not created through a region's AWS provider (${entry.provider}); tap cannot tell which stack it belongs to now`);
        continue;
      }
      if (entry.mode === "data") {
        dropped.push({ stack: source.name, address });
        continue;
      }
      if (entry.module) {
        problems.push(`${source.name}: ${address} is in a module; tap's stacks have none, so this state is not one tap wrote`);
        continue;
      }
      const family = familyOf(source.name);
      const holders = stacks.filter((stack) => stack.declared && familyOf(stack.name) === family && stack.declared.regions.includes(region));
      const targets = holders.filter((stack) => stack.declared!.resources.get(address) === region);
      if (holders.length === 0) {
        problems.push(
          `${source.name}: ${address} is in ${region}, which no stack of ${family} holds now: the region left the guarded regions (put a workload region in retiringRegions, or guard the region again), it did not change stack`,
        );
      } else if (targets.length === 0) {
        problems.push(`${source.name}: ${address} (${region}) has no counterpart in ${holders.map((stack) => stack.name).join(", ")}, which holds ${region} now; its address or its configuration changed too`);
      } else if (targets.length > 1) {
        problems.push(`${source.name}: ${address} (${region}) is declared by ${targets.map((stack) => stack.name).join(" and ")}; tap cannot tell which one it moves to`);
      } else {
        moves.push({ from: source.name, to: targets[0].name, address, newAddress: address, region });
      }
    }
  }
  const sources = new Map<string, string[]>();
  for (const move of moves) {
    const key = `${move.to} ${move.newAddress}`;
    sources.set(key, [...(sources.get(key) ?? []), move.from]);
    const target = stacks.find((stack) => stack.name === move.to)!;
    if (target.state?.resources.some((entry) => addressOfEntry(entry) === move.newAddress)) {
      problems.push(
        `${move.to}: its state already holds ${move.newAddress} (${move.region}), which ${move.from}'s state holds too (the new grouping was applied before the migration): compare the two (terraform state show); if they are the same object remove it from one state (terraform state rm), if not destroy the copy ${move.region} should not have, then migrate again`,
      );
    }
  }
  for (const [key, from] of sources) {
    if (from.length > 1) problems.push(`${key.replace(" ", ": ")} would come from ${from.join(" and ")}: the same region's guardrails are held twice`);
  }
  return { moves, dropped, problems };
}

/**
 * The states after `plan` (which must have no problems): for each stack it changes, its new state.
 * Each keeps its lineage with the serial one higher (`terraform state push` accepts that); a stack
 * without state gets a new one; a state left without resources loses its outputs, which described them.
 */
export function migratedStates(stacks: readonly StackStates[], plan: MigrationPlan, newLineage: () => string = randomUUID): Map<string, TerraformState> {
  if (plan.problems.length > 0) throw new Error(`the migration has problems and must not be carried out:\n${plan.problems.join("\n")}`);
  const byName = new Map(stacks.map((stack) => [stack.name, stack]));
  const leaving = new Map<string, Set<string>>();
  const arriving = new Map<string, StateEntry[]>();
  const take = (stack: string, address: string) => (leaving.get(stack) ?? leaving.set(stack, new Set()).get(stack)!).add(address);
  for (const { stack, address } of plan.dropped) take(stack, address);
  for (const move of plan.moves) {
    take(move.from, move.address);
    const entry = byName.get(move.from)!.state!.resources.find((candidate) => addressOfEntry(candidate) === move.address)!;
    (arriving.get(move.to) ?? arriving.set(move.to, []).get(move.to)!).push(entry);
  }
  const template = stacks.find((stack) => stack.state)?.state;
  const result = new Map<string, TerraformState>();
  for (const name of new Set([...leaving.keys(), ...arriving.keys()])) {
    const state = byName.get(name)!.state;
    const kept = (state?.resources ?? []).filter((entry) => !leaving.get(name)?.has(addressOfEntry(entry)));
    const resources = [...kept, ...(arriving.get(name) ?? [])];
    result.set(
      name,
      state
        ? { ...state, serial: state.serial + 1, resources, outputs: resources.length === 0 ? {} : state.outputs }
        : { version: 4, terraform_version: template?.terraform_version, serial: 1, lineage: newLineage(), outputs: {}, resources, check_results: null },
    );
  }
  return result;
}

/**
 * The region stacks another grouping could have given the account stack `family` holding
 * `regions`: `<family>-guardrails-<n>` for every group, of every size, that holds one of them.
 */
export function formerRegionStacks(family: string, regions: readonly string[]): string[] {
  const indices = new Set<number>();
  for (let size = 1; size <= SUPPORTED_REGION_NAMES.length; size++) {
    regionGroups(size).forEach((group, index) => {
      if (group.some((region) => regions.includes(region))) indices.add(index + 1);
    });
  }
  return [...indices].sort((a, b) => a - b).map((index) => `${family}-guardrails-${index}`);
}

/**
 * The backend of the account stack's region stack `suffix` (`guardrails-<n>`), as synth gives it
 * (regionStackBackend): S3, the state object `<key dir>/<suffix>/terraform.tfstate`; HCP Terraform,
 * the workspace `<workspace>-<suffix>`. Undefined for any other backend.
 */
export function regionStackTerraformBlock(account: StackJson["terraform"], suffix: string): Record<string, unknown> | undefined {
  const s3 = account?.backend?.s3;
  if (s3 && typeof s3.key === "string") {
    const slash = s3.key.lastIndexOf("/");
    return { backend: { s3: { ...s3, key: `${s3.key.slice(0, slash + 1)}${suffix}/${s3.key.slice(slash + 1)}` } } };
  }
  const cloud = account?.cloud as { workspaces?: { name?: string } } | undefined;
  if (cloud?.workspaces?.name) return { cloud: { ...cloud, workspaces: { ...cloud.workspaces, name: `${cloud.workspaces.name}-${suffix}` } } };
  return undefined;
}

/** Where a stack's state is read and written. */
export interface StateStore {
  /** The stack's state (`terraform state pull`), empty when it has none. */
  pull(stack: string, terraformBlock: Record<string, unknown>): Promise<string>;
  /** Replaces the stack's state (`terraform state push`). */
  push(stack: string, state: TerraformState): Promise<void>;
}

/** A command's result. */
interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly output: string;
}

function terraformIn(dir: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<Run> {
  return new Promise((done) => {
    const child = spawn("terraform", args, { cwd: dir, env: { ...process.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const all: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => (out.push(chunk), all.push(chunk)));
    child.stderr.on("data", (chunk: Buffer) => all.push(chunk));
    child.on("error", (error) => done({ code: 127, stdout: "", output: `could not run terraform (is it on PATH?): ${error.message}` }));
    child.on("close", (code) => done({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), output: Buffer.concat(all).toString("utf8") }));
  });
}

/**
 * Each stack's state through Terraform in a folder of its own (`<root>/<stack>`) holding only the
 * stack's backend, so the backend does not matter; init installs only the providers its state
 * names (none for a stack without state), pinned by the committed lock file. `adjust` rewrites a
 * terraform block before use (the apply tier points the S3 backend at its emulator); `env` is added
 * to Terraform's environment.
 */
export class TerraformStateStore implements StateStore {
  private readonly ready = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly options: {
      readonly adjust?: (block: Record<string, unknown>) => Record<string, unknown>;
      readonly env?: Readonly<Record<string, string>>;
      /** @default the repository's .terraform.lock.hcl */
      readonly lockFile?: string;
    } = {},
  ) {}

  async pull(stack: string, terraformBlock: Record<string, unknown>): Promise<string> {
    const dir = join(this.root, stack);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "backend.tf.json"), JSON.stringify({ terraform: this.options.adjust ? this.options.adjust(terraformBlock) : terraformBlock }, null, 2));
    // init installs the providers a state names: the committed lock pins hashicorp/aws and its checksums, as in every stack's folder.
    copyFileSync(this.options.lockFile ?? PROVIDER_LOCK_FILE, join(dir, ".terraform.lock.hcl"));
    await this.run(stack, ["init", "-input=false", "-no-color", "-reconfigure"], "init");
    this.ready.add(stack);
    return (await this.run(stack, ["state", "pull"], "state pull")).stdout;
  }

  async push(stack: string, state: TerraformState): Promise<void> {
    if (!this.ready.has(stack)) throw new Error(`${stack}: its state was never pulled, so it is not pushed`);
    writeFileSync(join(this.root, stack, "migrated.tfstate"), `${JSON.stringify(state, null, 2)}\n`);
    await this.run(stack, ["state", "push", "-no-color", "migrated.tfstate"], "state push");
  }

  private async run(stack: string, args: readonly string[], step: string): Promise<Run> {
    // One download of hashicorp/aws for all the folders (Terraform's own cache, unless one is set already).
    const pluginCache = process.env.TF_PLUGIN_CACHE_DIR || join(this.root, "plugin-cache");
    mkdirSync(pluginCache, { recursive: true });
    const result = await terraformIn(join(this.root, stack), args, { TF_PLUGIN_CACHE_DIR: pluginCache, ...this.options.env });
    if (result.code !== 0) throw new Error(`${stack}: terraform ${step} exited with ${result.code}\n${result.output.trimEnd().split("\n").slice(-15).join("\n")}`);
    return result;
  }
}

/** What a migration did. */
export interface MigrationResult {
  readonly plan: MigrationPlan;
  /** The stacks whose state was pushed, in order. */
  readonly pushed: readonly string[];
  /** Where the states were saved before any push. */
  readonly backups?: string;
}

/** The app's stacks of cdktf.out with their synthesized configuration (the bootstrap stack aside: it holds no region's guardrails). */
export function synthesizedConfigs(outdir: string): Map<string, StackJson> {
  const manifestFile = join(outdir, "manifest.json");
  if (!existsSync(manifestFile)) throw new Error(`${outdir} holds no synthesized app (no manifest.json): npm run synth`);
  const names = Object.keys(JSON.parse(readFileSync(manifestFile, "utf8")).stacks).filter((name) => name !== BOOTSTRAP_STACK_NAME);
  return new Map(names.map((name) => [name, JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as StackJson]));
}

/**
 * Migrates the states of the app synthesized in `outdir`: pulls every state concerned through
 * `store`, plans the moves, and when they are safe backs the states up under `outdir` and pushes
 * the changed ones (receivers first). A plan with problems writes nothing.
 */
export async function migrate(outdir: string, store: StateStore, log: (line: string) => void = console.log, now: Date = new Date()): Promise<MigrationResult> {
  const configs = synthesizedConfigs(outdir);
  const pulled = new Map<string, string>();
  const stacks: StackStates[] = [];
  const read = async (name: string, declared: DeclaredStack | undefined, block: Record<string, unknown>) => {
    const text = await store.pull(name, block);
    const state = text.trim() === "" ? undefined : (JSON.parse(text) as TerraformState);
    if (state) pulled.set(name, text);
    stacks.push({ name, declared, state });
  };
  for (const [name, config] of configs) {
    const block = config.terraform?.backend ? { backend: config.terraform.backend } : config.terraform?.cloud ? { cloud: config.terraform.cloud } : undefined;
    if (!block) throw new Error(`${name}: its cdk.tf.json names no backend; tap's stacks keep state in S3 or HCP Terraform`);
    await read(name, declaredStack(config), block);
  }
  // Region stacks another grouping gave the account: their state is found where that grouping put it.
  for (const [family, config] of configs) {
    if (REGION_STACK.test(family)) continue;
    const guarded = new Set<string>();
    for (const [name, other] of configs) {
      if (familyOf(name) !== family) continue;
      for (const [address, region] of declaredStack(other).resources) if (address.split(".")[1].startsWith(`guardrails-${region}_`)) guarded.add(region);
    }
    for (const former of formerRegionStacks(family, [...guarded]).filter((name) => !configs.has(name))) {
      const block = regionStackTerraformBlock(config.terraform, former.slice(family.length + 1));
      if (!block) throw new Error(`${family}: its backend is neither S3 nor HCP Terraform, so the state of ${former} cannot be found`);
      await read(former, undefined, block);
    }
  }
  const plan = planMigration(stacks);
  if (plan.problems.length > 0) {
    log(`migrate: nothing was changed; ${plan.problems.length} resource${plan.problems.length === 1 ? "" : "s"} cannot be moved safely:`);
    for (const problem of plan.problems) log(`  ${problem}`);
    return { plan, pushed: [] };
  }
  if (plan.moves.length === 0 && plan.dropped.length === 0) {
    log("migrate: every region's resources are in the state of the stack that holds the region; nothing to migrate");
    return { plan, pushed: [] };
  }
  const states = migratedStates(stacks, plan);
  const backups = join(outdir, "migrate-backups", now.toISOString().replace(/[:.]/g, "-"));
  mkdirSync(backups, { recursive: true });
  for (const name of states.keys()) if (pulled.has(name)) writeFileSync(join(backups, `${name}.tfstate`), pulled.get(name)!);
  log(`migrate: the states it changes are saved in ${backups}`);
  const receivers = [...states.keys()].filter((name) => plan.moves.some((move) => move.to === name));
  const order = [...receivers, ...[...states.keys()].filter((name) => !receivers.includes(name))];
  const pushed: string[] = [];
  for (const name of order) {
    try {
      await store.push(name, states.get(name)!);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\nmigrate stopped: pushed ${pushed.join(", ") || "nothing"} before it; a resource may now be in two states (npm run plan refuses such a stack), none is lost. The states as they were are in ${backups}`,
      );
    }
    pushed.push(name);
    const arrived = plan.moves.filter((move) => move.to === name);
    const left = plan.moves.filter((move) => move.from === name);
    const regions = (moves: readonly Move[]) => [...new Set(moves.map((move) => move.region))].join(", ");
    log(`migrate: ${name}: ${arrived.length > 0 ? `received ${arrived.length} resources of ${regions(arrived)}` : ""}${arrived.length > 0 && left.length > 0 ? "; " : ""}${left.length > 0 ? `gave ${left.length} resources of ${regions(left)}` : ""}${arrived.length + left.length === 0 ? "dropped the data sources of regions it no longer holds" : ""}`);
  }
  const emptied = [...states.entries()].filter(([name, state]) => state.resources.length === 0 && !configs.has(name)).map(([name]) => name);
  if (emptied.length > 0) log(`migrate: ${emptied.join(", ")} ${emptied.length === 1 ? "is" : "are"} no longer in the app and now hold nothing; their empty state may be deleted`);
  log(`migrate: done; npm run plan should now show no change to the moved resources`);
  return { plan, pushed, backups };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const output = args.findIndex((arg) => arg === "--output" || arg === "-o");
  const unknown = args.filter((_, index) => output < 0 || (index !== output && index !== output + 1));
  if (unknown.length > 0 || (output >= 0 && output + 1 >= args.length)) {
    console.error(`tap: migrate: ${unknown.length > 0 ? `unknown argument ${unknown.join(" ")}` : "--output takes the synthesized folder"}; npm run migrate takes only --output DIR (default cdktf.out)`);
    process.exit(1);
  }
  const outdir = resolve(projectRoot(), output >= 0 && output + 1 < args.length ? args[output + 1] : "cdktf.out");
  migrate(outdir, new TerraformStateStore(join(outdir, "migrate")))
    .then((result) => process.exit(result.plan.problems.length > 0 ? 1 : 0))
    .catch((error: Error) => {
      console.error(`tap: migrate: ${error.message}`);
      process.exit(1);
    });
}
