/**
 * What `npm run plan` and `npm run apply` decide, as plain data in and out (no terraform, no
 * files): the review of a saved plan (`terraform show -json tfplan`) for people, whether a saved
 * plan is stale, and the order stacks run in, read from the dependencies cdktf writes into
 * cdktf.out/manifest.json. scripts/plan.ts and scripts/apply.ts run terraform around it.
 */
import { createHash } from "crypto";
import { TAP_DRIFT_CONTROLS } from "../src/app/drift-controls";
import { TAP_RULE_PACK } from "../src/app/rule-pack";
import { SINGLETONS, SingletonFacts } from "../src/aws/singletons";
import { planFailureHints } from "../src/organization/organization-facts";
import { differences, DriftControl } from "../src/compliance/drift";

/** One entry of a plan JSON's `resource_changes` (the fields the review reads). */
export interface ResourceChange {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly module_address?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
    readonly importing?: unknown;
  };
}

/** What the review reads of `terraform show -json tfplan`. */
export interface PlanJson {
  readonly resource_changes?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
}

/** A stack's synthesized configuration (cdk.tf.json), as far as the review reads it. */
export interface StackConfig {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, { readonly lifecycle?: { readonly prevent_destroy?: boolean }; readonly [attribute: string]: unknown }>>>>;
}

export type ChangeKind = "replace" | "delete" | "update" | "create" | "import" | "forget";

/** One resource the plan changes, as the review lists it. */
export interface ReviewedChange {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** `lifecycle.prevent_destroy` in the stack's cdk.tf.json. */
  readonly protected: boolean;
  /** The singleton's description when the type is one AWS allows once per account or region. */
  readonly singleton?: string;
  /** Top-level attributes that change (update) or force the replacement (replace). */
  readonly attributes: readonly string[];
  /** Ids of the rules of the pack whose controls the change touches. */
  readonly rules: readonly string[];
  /** It is imported by this plan (an adopted singleton), then changed as `kind` says. */
  readonly imported: boolean;
}

export type PlanStatus = "no-changes" | "changes" | "error";

export interface StackReview {
  readonly stack: string;
  readonly status: PlanStatus;
  /** Critical changes first (see `isCritical`), then replace, delete, update, create, import, forget. */
  readonly changes: readonly ReviewedChange[];
  /** Outputs the plan changes. */
  readonly outputs: readonly string[];
  /** Why terraform could not plan (the end of its output). */
  readonly error?: string;
  /** Why the full plan was skipped: the stack's inputs are those of its last apply, and a refresh-only check found no drift. */
  readonly skipped?: string;
  /** A refresh-only check found drift in a stack whose inputs had not changed: that is why it was planned. */
  readonly drifted?: boolean;
}

/** What the review knows of the rule pack: controls per attribute, rules per type, the singletons. */
export interface ReviewCatalog {
  readonly controls: readonly DriftControl[];
  readonly rules: readonly { readonly id: string; readonly appliesTo: readonly string[] }[];
  readonly singletonTypes: Readonly<Record<string, string>>;
}

/** tap's: the drift engine's controls, the rule pack, and the singletons catalog. */
export const TAP_REVIEW_CATALOG: ReviewCatalog = {
  controls: TAP_DRIFT_CONTROLS,
  rules: TAP_RULE_PACK,
  singletonTypes: Object.fromEntries(
    Object.values(SINGLETONS as Record<string, SingletonFacts>).flatMap((facts) => Object.keys(facts.singletonTypes).map((type) => [type, `${facts.description}, once per ${facts.scope}`])),
  ),
};

/** `type.name` of every resource whose lifecycle has prevent_destroy. */
export function protectedResources(config: StackConfig): Set<string> {
  const names = new Set<string>();
  for (const [type, resources] of Object.entries(config.resource ?? {})) {
    for (const [name, resource] of Object.entries(resources)) if (resource.lifecycle?.prevent_destroy === true) names.add(`${type}.${name}`);
  }
  return names;
}

function kindOf(actions: readonly string[], importing: boolean): ChangeKind | undefined {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("create")) return "create";
  if (actions.includes("update")) return "update";
  if (actions.includes("forget")) return "forget";
  return importing ? "import" : undefined;
}

/** A replacement or destruction of a protected resource or a singleton: listed before everything else. */
export function isCritical(change: ReviewedChange): boolean {
  return (change.kind === "replace" || change.kind === "delete") && (change.protected || change.singleton !== undefined);
}

const KIND_ORDER: readonly ChangeKind[] = ["replace", "delete", "update", "create", "import", "forget"];

const top = (path: string) => /^[^.[]+/.exec(path)?.[0] ?? path;

/** The top-level attributes whose value changes, counting those only known after apply. */
function changedAttributes(before: unknown, after: unknown, afterUnknown: unknown): string[] {
  const changed = new Set(differences(before ?? {}, after ?? {}).map((difference) => top(difference.path)));
  if (afterUnknown && typeof afterUnknown === "object") {
    for (const [attribute, unknown] of Object.entries(afterUnknown)) if (unknown !== false && JSON.stringify(unknown) !== "{}" && JSON.stringify(unknown) !== "[]") changed.add(attribute);
  }
  return [...changed].filter((attribute) => attribute !== "(whole value)").sort();
}

/**
 * The review of one stack's plan. `exitCode` is `terraform plan -detailed-exitcode`'s: 0 no
 * changes, 2 changes (a plan that changes only outputs counts), anything else could not plan.
 * Rules per change: for a create, delete or replace, every rule of the pack that judges the type
 * and every control the drift engine lists for it; for an update, the controls of the attributes
 * that change (tags carry Tags.Required).
 */
export function reviewPlan(stack: string, exitCode: number, plan: PlanJson | undefined, config: StackConfig, catalog: ReviewCatalog = TAP_REVIEW_CATALOG, error?: string): StackReview {
  if (exitCode !== 0 && exitCode !== 2) {
    const output = error ?? `terraform plan exited with ${exitCode}`;
    return { stack, status: "error", changes: [], outputs: [], error: [output, ...planFailureHints(output)].join("\n") };
  }
  const guarded = protectedResources(config);
  const changes: ReviewedChange[] = [];
  for (const resource of plan?.resource_changes ?? []) {
    if (resource.mode !== "managed") continue;
    const imported = resource.change.importing !== undefined && resource.change.importing !== null;
    const kind = kindOf(resource.change.actions, imported);
    if (!kind) continue;
    const own = catalog.controls.filter((control) => control.type === resource.type);
    let attributes: string[] = [];
    let rules: string[];
    if (kind === "update") {
      attributes = changedAttributes(resource.change.before, resource.change.after, resource.change.after_unknown);
      const ofType = [...own, ...catalog.controls.filter((control) => control.type === "*")];
      rules = ofType.filter((control) => control.attributes.some((attribute) => attributes.includes(attribute))).map((control) => control.rule);
    } else {
      if (kind === "replace") attributes = [...new Set((resource.change.replace_paths ?? []).map((path) => String(path[0])))].sort();
      rules = [...catalog.rules.filter((rule) => rule.appliesTo.includes(resource.type)).map((rule) => rule.id), ...own.map((control) => control.rule)];
    }
    // Only a root-module resource has its lifecycle in cdk.tf.json under its own name.
    const declared = resource.module_address ? undefined : `${resource.type}.${resource.name}`;
    changes.push({
      address: resource.address,
      type: resource.type,
      kind,
      protected: declared !== undefined && guarded.has(declared),
      singleton: catalog.singletonTypes[resource.type],
      attributes,
      rules: [...new Set(rules)].sort(),
      imported,
    });
  }
  const rank = (change: ReviewedChange) => (isCritical(change) ? -1 : KIND_ORDER.indexOf(change.kind));
  changes.sort((a, b) => rank(a) - rank(b) || a.address.localeCompare(b.address));
  const outputs = Object.entries(plan?.output_changes ?? {})
    .filter(([, change]) => !change.actions.every((action) => action === "no-op"))
    .map(([name]) => name)
    .sort();
  return { stack, status: exitCode === 0 ? "no-changes" : "changes", changes, outputs };
}

const VERB: Record<ChangeKind, string> = { replace: "replaced", delete: "destroyed", update: "updated", create: "created", import: "imported", forget: "removed from state (not destroyed)" };

/** How many of each kind: "2 replaced, 1 created". */
export function countLine(review: StackReview): string {
  const counts = KIND_ORDER.map((kind) => [kind, review.changes.filter((change) => change.kind === kind).length] as const).filter(([, count]) => count > 0);
  const parts = counts.map(([kind, count]) => `${count} ${VERB[kind]}`);
  if (review.outputs.length > 0) parts.push(`${review.outputs.length} output${review.outputs.length === 1 ? "" : "s"} changed`);
  return parts.join(", ");
}

/** One line of a change: `replaced, protected: aws_s3_bucket.data (forced by bucket) [S3.Versioning]`. */
export function changeLine(change: ReviewedChange, describeRule: (id: string) => string | undefined = () => undefined): string {
  const labels = [VERB[change.kind]];
  if (change.protected) labels.push("protected");
  if (change.singleton) labels.push(`account singleton: ${change.singleton}`);
  if (change.imported && change.kind !== "import") labels.push("imported first");
  const detail = change.attributes.length === 0 ? "" : change.kind === "replace" ? ` (forced by ${change.attributes.join(", ")})` : ` (${change.attributes.join(", ")})`;
  const rules = change.rules.length === 0 ? "no control of the rule pack" : change.rules.map((id) => (describeRule(id) ? `${id} (${describeRule(id)})` : id)).join(", ");
  return `${labels.join(", ")}: ${change.address}${detail} [${rules}]`;
}

/** The stack's one-line verdict, as the summary prints it. */
export function summaryLine(review: StackReview): string {
  if (review.status === "error") return `${review.stack}: could not plan`;
  if (review.skipped) return `${review.stack}: skipped, ${review.skipped} (needs no approval)`;
  if (review.status === "no-changes") return `${review.stack}: no changes (needs no approval)`;
  const critical = review.changes.filter(isCritical).length;
  return `${review.stack}: ${countLine(review) || "changes"}${critical > 0 ? `; ${critical} protected or singleton resource${critical === 1 ? "" : "s"} replaced or destroyed` : ""} (needs approval)`;
}

/** The review for people, in Markdown: what needs attention first across all stacks, then each stack. */
export function renderReview(reviews: readonly StackReview[], describeRule?: (id: string) => string | undefined): string {
  const lines = ["# Plan review", ""];
  for (const review of reviews) lines.push(`- ${summaryLine(review)}`);
  const critical = reviews.flatMap((review) => review.changes.filter(isCritical).map((change) => `- ${review.stack}: ${changeLine(change, describeRule)}`));
  const failed = reviews.filter((review) => review.status === "error");
  if (critical.length > 0 || failed.length > 0) {
    lines.push("", "## Read first", "");
    lines.push(...failed.map((review) => `- ${review.stack}: could not plan; npm run apply refuses until it plans`));
    lines.push(...critical);
  }
  for (const review of reviews) {
    lines.push("", `## ${review.stack}`, "");
    if (review.status === "error") lines.push("Could not plan:", "", "```", (review.error ?? "").trimEnd(), "```");
    else if (review.skipped) lines.push(`Not planned: ${review.skipped}. Needs no approval; npm run apply skips it.`);
    else if (review.status === "no-changes") lines.push("No changes. Needs no approval; npm run apply skips it.");
    else {
      if (review.drifted) lines.push("Its inputs are those of its last apply, but a refresh-only check found drift (a change made outside tap), so it was planned in full.", "");
      lines.push(`${countLine(review)}. Needs approval.`, "");
      lines.push(...review.changes.map((change) => `- ${changeLine(change, describeRule)}`));
      if (review.outputs.length > 0) lines.push(`- outputs changed: ${review.outputs.join(", ")}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** sha256 of a stack's synthesized configuration, as the plan records it. */
export function configHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Which state a plan was made against: `terraform state pull`'s lineage and serial (null: no state yet). */
export interface StateIdentity {
  readonly lineage: string | null;
  readonly serial: number | null;
}

/** The lineage and serial of `terraform state pull`'s output (empty when the stack has no state). */
export function stateIdentity(pulled: string): StateIdentity {
  if (pulled.trim() === "") return { lineage: null, serial: null };
  const state = JSON.parse(pulled);
  return { lineage: typeof state.lineage === "string" ? state.lineage : null, serial: typeof state.serial === "number" ? state.serial : null };
}

/**
 * The AWS provider aliases (tap's are region names) that the resources of a pulled state were
 * created through: `provider["registry.terraform.io/hashicorp/aws"].us-west-1` -> us-west-1.
 */
export function stateProviderAliases(pulled: string): string[] {
  if (pulled.trim() === "") return [];
  const resources: { provider?: string }[] = JSON.parse(pulled).resources ?? [];
  const aliases = resources.map((resource) => /^provider\["registry\.terraform\.io\/hashicorp\/aws"\]\.([\w-]+)$/.exec(resource.provider ?? "")?.[1]);
  return [...new Set(aliases.filter((alias): alias is string => alias !== undefined))].sort();
}

/**
 * Why a stack whose state holds resources in regions it no longer declares may not be planned:
 * its regions moved to another stack (`regionsPerStack` or `layout` changed after a deploy) or
 * left without `retiringRegions`. Terraform would stop on "Provider configuration not present";
 * nothing in one stack's plan can move state to another, so the procedure is said instead.
 */
export function regroupedRegions(stack: string, config: { provider?: { aws?: { alias?: string }[] } }, stateAliases: readonly string[]): string | undefined {
  const declared = new Set((config.provider?.aws ?? []).map((provider) => provider.alias).filter((alias): alias is string => alias !== undefined));
  const gone = stateAliases.filter((alias) => !declared.has(alias));
  if (gone.length === 0) return undefined;
  const regions = gone.join(", ");
  return (
    `${stack}: its state holds resources in ${regions}, which it no longer declares: regionsPerStack or layout changed after a deploy (those regions now belong to another stack), ` +
    `or a workload region was removed without retiringRegions. Nothing was planned: Terraform cannot plan resources whose provider is gone. ` +
    `After a change of regionsPerStack or layout, npm run migrate moves each region's resources to the state of its new stack; a removed workload region goes in retiringRegions (docs/deploying.md: Changing the grouping after a deploy)`
  );
}

/** What `npm run plan` records beside each stack's tfplan, and `npm run apply` checks. */
export interface PlanRecord {
  readonly stack: string;
  readonly status: PlanStatus;
  readonly plannedAt: string;
  /** configHash of the cdk.tf.json the plan was made from. */
  readonly configSha256: string;
  /** The state the plan was made against. */
  readonly state: StateIdentity;
  /** Set by npm run apply once the plan is applied. */
  readonly appliedAt?: string;
  /** inputsHash of the stack when planned; absent when a stack it reads had no in-sync record. */
  readonly inputsSha256?: string;
}

/** In a stack's folder: what the stack was last known to be in step with (see InSyncRecord). */
export const IN_SYNC_RECORD = "in-sync.json";

/**
 * Written by npm run apply after it applies a stack's plan, and by npm run plan when a full plan
 * of the stack finds nothing to change: the inputs the deployed stack matches, and the state and
 * outputs it left. The next npm run plan skips the full plan of a stack whose inputs and state are
 * still these (it runs a refresh-only drift check instead).
 */
export interface InSyncRecord {
  readonly stack: string;
  readonly at: string;
  readonly inputsSha256: string;
  readonly state: StateIdentity;
  /** stateOutputsHash of its state then: what the stacks that read its outputs saw. */
  readonly outputsSha256: string;
}

/**
 * sha256 of the outputs in a pulled state (name, value and type, in name order), which is what
 * another stack's terraform_remote_state reads; a stack without state has none.
 */
export function stateOutputsHash(pulled: string): string {
  const outputs: Record<string, { value?: unknown; type?: unknown }> = pulled.trim() === "" ? {} : (JSON.parse(pulled).outputs ?? {});
  return configHash(JSON.stringify(Object.keys(outputs).sort().map((name) => [name, outputs[name].value ?? null, outputs[name].type ?? null])));
}

/** What a stack's deployment follows from: the inputs its skip is decided on. */
export interface StackInputs {
  /** Its cdk.tf.json (which names its account, regions, backend and every resource). */
  readonly config: string;
  /** Its .terraform.lock.hcl after init (the provider build), if any. */
  readonly lock?: string;
  /** For each stack it depends on (the manifest's dependencies, whose outputs it reads): the stateOutputsHash of that stack's state now. */
  readonly upstreamOutputs: Readonly<Record<string, string>>;
}

/** sha256 over a stack's inputs; the same inputs give the same hash whatever the order of upstream stacks. */
export function inputsHash(inputs: StackInputs): string {
  const upstream = Object.keys(inputs.upstreamOutputs).sort().map((stack) => [stack, inputs.upstreamOutputs[stack]]);
  return configHash(JSON.stringify({ config: configHash(inputs.config), lock: inputs.lock === undefined ? null : configHash(inputs.lock), upstream }));
}

/**
 * Why the stack's full plan may be skipped (its inputs and state are those of its last in-sync
 * record), or undefined when it must be planned: no record, other inputs, or a state written since.
 */
export function unchangedSince(record: InSyncRecord | undefined, inputsSha256: string | undefined, state: StateIdentity): string | undefined {
  if (!record || inputsSha256 === undefined || record.inputsSha256 !== inputsSha256) return undefined;
  if (record.state.lineage === null || state.lineage !== record.state.lineage || state.serial !== record.state.serial) return undefined;
  return `inputs unchanged since ${record.at} (configuration, provider lock, outputs it reads), state serial ${state.serial}`;
}

const stateText = (state: StateIdentity) => (state.lineage === null ? "no state" : `lineage ${state.lineage}, serial ${state.serial}`);

/**
 * Why `record`'s plan may not be applied now, or undefined when it may: the stack's cdk.tf.json
 * or its state is no longer what the plan was made from.
 */
export function staleness(record: PlanRecord, config: string, state: StateIdentity): string | undefined {
  const now = configHash(config);
  if (now !== record.configSha256) {
    return `${record.stack}: its cdk.tf.json changed since the plan (sha256 ${record.configSha256.slice(0, 12)} planned, ${now.slice(0, 12)} now); npm run plan again and review it`;
  }
  if (state.lineage !== record.state.lineage || state.serial !== record.state.serial) {
    return `${record.stack}: its state changed since the plan (${stateText(record.state)} planned, ${stateText(state)} now); npm run plan again and review it`;
  }
  return undefined;
}

/** The stacks of cdktf.out/manifest.json with their dependencies, in the manifest's order. */
export interface ManifestStacks {
  readonly stacks: Readonly<Record<string, { readonly dependencies?: readonly string[] }>>;
}

/**
 * `targets` in waves: each wave's stacks depend only on stacks of earlier waves (of the whole
 * manifest, so an ordering through a stack that is not a target holds too). Manifest order within
 * a wave. Throws on a cycle.
 */
export function waves(manifest: ManifestStacks, targets: readonly string[]): string[][] {
  const names = Object.keys(manifest.stacks);
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) throw new Error(`the manifest's stack dependencies have a cycle through ${name}`);
    visiting.add(name);
    const deps = (manifest.stacks[name]?.dependencies ?? []).filter((dep) => dep in manifest.stacks);
    const result = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(levelOf));
    visiting.delete(name);
    level.set(name, result);
    return result;
  };
  const result: string[][] = [];
  for (const name of names.filter((name) => targets.includes(name))) (result[levelOf(name)] ??= []).push(name);
  return result.filter((wave) => wave !== undefined && wave.length > 0);
}

/** Runs `task` on each wave's items, at most `parallelism` at once, a wave after the one before; stops after a wave where `task` returned false. */
export async function runWaves(groups: readonly (readonly string[])[], parallelism: number, task: (item: string) => Promise<boolean>, stopOnFailure: boolean): Promise<boolean> {
  let ok = true;
  for (const wave of groups) {
    const queue = [...wave];
    const worker = async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) if (!(await task(item))) ok = false;
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallelism, wave.length)) }, worker));
    if (!ok && stopOnFailure) return false;
  }
  return ok;
}
