import { existsSync, readdirSync, readFileSync } from "fs";
import { join } from "path";
import { SINGLETON_KEYS, type SingletonKey } from "../aws/singletons";
import { GUARDDUTY_PROTECTION_PLAN_KEYS, SECURITY_HUB_STANDARDS, SecurityHubStandard, standardOfArn } from "../guardrails/guardrail-facts";
import { ORGANIZATION_MANAGED_SINGLETONS } from "../config/load";
import type { OrganizationConfig, RoleBaselines, StackConfig, TapConfig } from "../config/model";

/**
 * What synth says of each stack it wrote, on a few lines: the decisions an operator checks before
 * a deploy. Where it goes and how many resources it manages; where its state lives; its home
 * region and why; who owns each of the account's settings (managed here, adopted, left to the
 * organization or to others, or off); data protection and replication; who may reach SSH and HTTPS.
 * `resourceCounts` are the synthesized stacks' managed resources, by stack name; `previous` the
 * Security Hub subscriptions of the synth before this one (previousSubscriptions), whose
 * standards this deploy would unsubscribe are a WARN naming the setting value that keeps them.
 */
export function describeStacks(config: TapConfig, resourceCounts: ReadonlyMap<string, number> = new Map(), previous: PreviousSubscriptions = new Map()): string[] {
  const lines = config.organization ? describeOrganization(config.organization, resourceCounts, config.roleBaselines ?? {}) : [];
  lines.push(...config.stacks.flatMap((stack) => [
    ...describeStack(stack, resourceCounts.get(stack.stackName), config.organization, config.bootstrap !== undefined),
    ...unsubscribed(stack, previous),
    ...stack.regionStacks.map((regionStack) => {
      const count = resourceCounts.get(regionStack.stackName);
      return `tap: stack ${regionStack.stackName} (after ${stack.stackName}): ${count === undefined ? "" : `${count} resources: `}the guardrails of ${regionStack.regions.join(", ")}; ${regionStackState(regionStack.backend)}`;
    }),
  ]));
  const bootstrap = config.bootstrap;
  if (bootstrap) {
    const count = resourceCounts.get(bootstrap.stackName);
    lines.push(
      `tap: stack ${bootstrap.stackName} (npm run bootstrap, account ${bootstrap.accountId}): ${count === undefined ? "" : `${count} resources: `}the state bucket s3://${bootstrap.bucket} in ${bootstrap.region}; its own state stays local, in cdktf.out/stacks/${bootstrap.stackName}`,
    );
  }
  return lines;
}

/** The security account's detectors by mode: adopted where delegation enabled GuardDuty (a plan finding none says to set create), created, or external. */
function securityGuardDuty(organization: OrganizationConfig): string {
  const words: Record<string, string> = { adopt: "the detector delegation enabled adopted in", create: "a detector created in", external: "left to another tool in" };
  const regions = Object.entries(organization.securityServices.guardDuty);
  return Object.keys(words)
    .map((mode) => [mode, regions.filter(([, chosen]) => chosen === mode).map(([region]) => region)] as const)
    .filter(([, chosen]) => chosen.length > 0)
    .map(([mode, chosen]) => `${words[mode]} ${chosen.join(", ")}`)
    .join("; ");
}

/** The units by what tap does about each: "3 units (1 adopted: Security)". */
function describeUnits(units: OrganizationConfig["units"]): string {
  const of = (mode: string, label: string) => {
    const named = units.filter((unit) => unit.mode === mode).map((unit) => unit.name);
    return named.length > 0 ? [`${named.length} ${label}: ${named.join(", ")}`] : [];
  };
  const kept = [...of("adopt", "adopted"), ...of("external", "external, used as they are")];
  return `${units.length} units${kept.length > 0 ? ` (${kept.join("; ")})` : ""}`;
}

/** The organization's three stacks, in deploy order, before its members; each with its account's baseline. */
function describeOrganization(organization: OrganizationConfig, resourceCounts: ReadonlyMap<string, number>, baselines: RoleBaselines): string[] {
  const count = (name: string) => (resourceCounts.has(name) ? `${resourceCounts.get(name)} resources: ` : "");
  const { logArchive, management, security } = organization;
  const disabled = Object.keys(organization.disabledGuardrails);
  const lines = [
    `tap: organization ${organization.id}: home region ${organization.homeRegion}; allowed regions ${organization.allowedRegions.join(", ")}; deployed in this order, members last`,
    `tap: stack ${logArchive.name} (1, account ${logArchive.id} via ${logArchive.roleArn}): ${count(logArchive.name)}the log archive, ${organization.protectArchive ? "protected (Object Lock, prevent_destroy)" : "DISPOSABLE (organization.disposableArchive: no Object Lock, no prevent_destroy, emptied on destroy; for a test organization only)"}; ${regionStackState(logArchive.backend)}`,
    `tap: stack ${management.stackName} (2, account ${management.id}${management.roleArn ? ` via ${management.roleArn}` : ", ambient credentials"}): ${count(management.stackName)}the organization adopted, ${describeUnits(organization.units)}, ${organization.units.reduce((sum, unit) => sum + unit.accounts.length, 0)} accounts placed, the guardrail SCPs on ${organization.guardrailTargets.join(", ")}${disabled.length > 0 ? ` (off: ${disabled.join(", ")})` : ""}${exemptBesides(organization)}, the log archive's RCP, ${organization.trail === "create" ? "the organization trail" : "no organization trail (organization.trail external: the existing one, such as Control Tower's, records every account; no CIS alarms here)"}; ${regionStackState(management.backend)}`,
    `tap: stack ${security.name} (3, account ${security.id} via ${security.roleArn}): ${count(security.name)}GuardDuty (${securityGuardDuty(organization)}), Security Hub (${organization.securityServices.securityHub === "external" ? "external: its organization configuration left to another tool" : `${organization.securityHubStandards.map(standardLabel).join(", ")} in every member account and region`}), the Config aggregator and analyzers for every member; ${regionStackState(security.backend)}`,
  ];
  // After the organization line, each role stack's line with its baseline.
  const roles = [undefined, baselines.logArchive, baselines.management, baselines.security];
  return lines.flatMap((line, index) => [line, ...(roles[index] ? [describeBaseline(roles[index]!)] : [])]);
}

/** A role account's baseline, which its role stack also holds: what a member gets of its own, and what the organization runs for it. */
function describeBaseline(baseline: StackConfig): string {
  const ours = (key: SingletonKey) => baseline.singletons[key] !== "external";
  const recording = baseline.guardrails.awsConfig && ours("awsConfig");
  const built = [
    ours("passwordPolicy") && "password policy",
    "support role",
    ours("s3PublicAccessBlock") && "account S3 block",
    baseline.guardrails.securityContact && "security contact",
    ours("ebsEncryption") && "EBS encryption",
    "public sharing blocks",
    baseline.guardrails.defaultVpcLockdown && "default VPC lockdown",
    ours("accessAnalyzer") && "an account analyzer",
    recording && "AWS Config to the archive",
  ].filter((part): part is string => typeof part === "string");
  const external = SINGLETON_KEYS.filter((key) => !ours(key) && key !== "apiGatewayAccount" && !(key === "configServiceRole" && !recording));
  return `  baseline: the account's guardrails in ${baseline.guardrailRegions.length} regions (${baseline.guardrailRegions.join(", ")}): ${built.join(", ")}; left to the organization or others: ${external.join(", ") || "none"}`;
}

function describeStack(stack: StackConfig, resources: number | undefined, organization: OrganizationConfig | undefined, bootstrapped: boolean): string[] {
  const target = stack.account ? `account ${stack.account.id} via ${stack.account.roleArn}` : stack.accountId ? `account ${stack.accountId}, ambient credentials` : "ambient credentials";
  const regions = stack.regions.map((r) => r.region).join(", ");
  const retiring = stack.retiringRegions.length > 0 ? `; retiring ${stack.retiringRegions.join(", ")} (providers only)` : "";
  const count = resources === undefined ? "" : `${resources} resources in `;
  return [
    `tap: stack ${stack.stackName} (${stack.environment}, ${target}): ${count}${regions}${retiring}`,
    `  state: ${stateLocation(stack, bootstrapped)}`,
    `  home region: ${stack.homeRegion.region} (${stack.homeRegion.reason})`,
    `  guarded regions: ${guardedRegions(stack)}`,
    `  account settings: ${accountSettings(stack, organization)}`,
    ...paidGuardrails(stack),
    `  data: protection ${stack.protectData.enabled ? "on" : "off"} (${stack.protectData.reason}); replication ${replication(stack)}`,
    `  reach: SSH from ${sources(stack.allowedSshCidrs)}; HTTPS from ${sources(stack.allowedHttpsCidrs)}`,
  ];
}

function guardedRegions(stack: StackConfig): string {
  if (!stack.manageAccountSettings) return "none here (the owner deployment guards the account)";
  const inRegionStacks = stack.regionStacks.length;
  const here = stack.guardrailRegions.length - stack.regionStacks.reduce((sum, regionStack) => sum + regionStack.regions.length, 0);
  return `${stack.guardrailRegions.length} (${here} in this stack${inRegionStacks > 0 ? `, the others in ${inRegionStacks} region stack${inRegionStacks === 1 ? "" : "s"} (layout split)` : ""})`;
}

/** A stack's state beside the others' (the account stack's line names the bucket). */
function regionStackState(backend: StackConfig["backend"]): string {
  return backend.type === "hcp" ? `workspace ${backend.workspace}` : `state key ${backend.key}, same bucket`;
}

/** Where a stack's state is; `bootstrapped`: the bucket is bootstrap's, which refuses writes not under its state key. */
function stateLocation(stack: StackConfig, bootstrapped: boolean): string {
  const backend = stack.backend;
  if (backend.type === "hcp") return `HCP Terraform workspace ${backend.workspace} of ${backend.organization} at ${backend.hostname}`;
  const unknownKey = bootstrapped
    ? "under the state key once known: npm run bootstrap here, or backend.kmsKeyId (TERRAFORM_STATE_KMS_KEY_ID); deploy refuses until then"
    : "encrypted (SSE-S3)";
  const encryption = backend.kmsKeyId ? `encrypted with ${backend.kmsKeyId}` : unknownKey;
  const where = `${backend.key} (${backend.region}, ${encryption}, locked with a lock file)`;
  if (backend.bucket === undefined) return `S3 bucket not named: set accountId (TAP_ACCOUNT_ID), then npm run bootstrap; or backend.bucket. Key ${where}`;
  return `s3://${backend.bucket}/${where}`;
}

/**
 * Each account or region singleton (its key in `singletons`) in exactly one group: managed here
 * (created), adopted, left to the organization (a member's trail and security services, which the
 * organization's stacks run), left outside this deployment (external), or off (a paid guardrail
 * switched off). The Config service role goes with AWS Config when tap does not record with it.
 * With accountSettings skip, all of it is the owner deployment's.
 */
function accountSettings(stack: StackConfig, organization: OrganizationConfig | undefined): string {
  if (!stack.manageAccountSettings) return `left to another deployment (the account's owner, covering ${stack.ownerRegions?.join(", ") ?? "?"})`;
  const member = organization?.memberStacks.includes(stack.stackName) ?? false;
  const paid: Partial<Record<SingletonKey, boolean>> = { guardDuty: stack.guardrails.guardDuty, securityHub: stack.guardrails.securityHub, awsConfig: stack.guardrails.awsConfig };
  const groupOf = (key: SingletonKey): string => {
    if (paid[key] === false) return "off";
    const mode = stack.singletons[key];
    if (mode === "create") return "managed here";
    if (mode === "adopt") return "adopted";
    return member && ORGANIZATION_MANAGED_SINGLETONS.includes(key) ? "left to the organization" : "left outside this deployment";
  };
  const recordsHere = stack.guardrails.awsConfig && stack.singletons.awsConfig !== "external";
  const groups = new Map<string, SingletonKey[]>(["managed here", "adopted", "left to the organization", "left outside this deployment", "off"].map((group) => [group, []]));
  for (const key of SINGLETON_KEYS) groups.get(key === "configServiceRole" && !recordsHere ? groupOf("awsConfig") : groupOf(key))!.push(key);
  return [...groups].filter(([, keys]) => keys.length > 0).map(([group, keys]) => `${group}: ${keys.join(", ")}`).join("; ");
}

function replication(stack: StackConfig): string {
  if (stack.replication) return [...stack.regions, stack.regions[0]].map((r) => r.region).join(" -> ");
  return stack.regions.length === 1 ? "none (single region)" : "off (accepted risk)";
}

/** `undefined` is each region's own VPC CIDR; `[]` is no rule at all. */
function sources(cidrs: readonly string[] | undefined): string {
  if (cidrs === undefined) return "each region's own VPC CIDR";
  return cidrs.length === 0 ? "nowhere (no rule)" : cidrs.join(", ");
}

/** The subscriptions of a previous synth: standard to how many regions subscribe it, by account stack. */
export type PreviousSubscriptions = ReadonlyMap<string, ReadonlyMap<SecurityHubStandard, number>>;

/**
 * The Security Hub standards each stack of the synth still in `outdir` subscribes, read before
 * this synth overwrites it; a region stack's count toward its account stack (`<name>-guardrails-<n>`).
 * Nothing when there was no synth.
 */
export function previousSubscriptions(outdir: string): PreviousSubscriptions {
  const stacksDir = join(outdir, "stacks");
  const result = new Map<string, Map<SecurityHubStandard, number>>();
  if (!existsSync(stacksDir)) return result;
  for (const name of readdirSync(stacksDir)) {
    const file = join(stacksDir, name, "cdk.tf.json");
    if (!existsSync(file)) continue;
    const written = JSON.parse(readFileSync(file, "utf8"));
    const subscriptions = Object.values<{ standards_arn?: unknown }>(written.resource?.aws_securityhub_standards_subscription ?? {});
    const owner = name.replace(/-guardrails-\d+$/, "");
    const counts = result.get(owner) ?? new Map<SecurityHubStandard, number>();
    for (const subscription of subscriptions) {
      const standard = standardOfArn(subscription.standards_arn);
      if (standard) counts.set(standard, (counts.get(standard) ?? 0) + 1);
    }
    if (counts.size > 0) result.set(owner, counts);
  }
  return result;
}

function standardLabel(standard: SecurityHubStandard): string {
  return `${standard} (${SECURITY_HUB_STANDARDS[standard].name})`;
}

/** The standards the stack's guarded regions subscribe: none where Security Hub is off or left to others. */
function subscribedStandards(stack: StackConfig): readonly SecurityHubStandard[] {
  return stack.manageAccountSettings && stack.guardrails.securityHub && stack.singletons.securityHub !== "external" ? stack.guardrails.securityHubStandards : [];
}

/** The detectors and their protection plans, with what bills them (docs/security.md: GuardDuty protection plans). */
function guardDutyLine(stack: StackConfig, regions: number): string {
  if (!stack.guardrails.guardDuty) return "off";
  if (stack.singletons.guardDuty === "external") return "left outside this deployment";
  const plans = stack.guardrails.guardDutyProtection;
  const left = GUARDDUTY_PROTECTION_PLAN_KEYS.filter((plan) => !plans.includes(plan));
  const listed = left.length === 0 ? "every protection plan" : plans.length === 0 ? "no protection plan" : `protection plans ${plans.join(", ")} (off: ${left.join(", ")})`;
  const s3 = plans.includes("s3") ? ", S3 Protection per S3 data event analysed" : "";
  return `a detector in ${regions} regions with ${listed}; billed per event and GB analysed, each plan only where its workloads run${s3}, per account and region`;
}

/**
 * What the paid guardrails add, per account: the billing unit of Security Hub and AWS Config,
 * and how many regions multiply it. No prices: they change, see docs/security.md: What the standards and the recorder add to the bill.
 */
function paidGuardrails(stack: StackConfig): string[] {
  if (!stack.manageAccountSettings) return [];
  const regions = stack.guardrailRegions.length;
  const standards = subscribedStandards(stack);
  const hub = standards.length > 0
    ? `subscribes ${standards.map(standardLabel).join(", ")} in ${regions} regions; billed per security check (each control, each resource it evaluates), per account and region`
    : stack.guardrails.securityHub ? "left outside this deployment" : "off";
  const recording = stack.guardrails.configRecording;
  const excluded = recording.excludedResourceTypes;
  const recorder = !stack.guardrails.awsConfig
    ? "off"
    : stack.singletons.awsConfig === "external"
      ? "left outside this deployment"
      : `a recorder in ${regions} regions, ${recording.frequency ?? "CONTINUOUS"} (${recording.frequency === "DAILY" ? "one configuration item per changed resource a day" : "every change a configuration item"}), ${excluded.length > 0 ? `all supported types but ${excluded.join(", ")}` : "all supported types"}; billed per configuration item recorded, per account and region`;
  return [`  GuardDuty: ${guardDutyLine(stack, regions)}`, `  Security Hub: ${hub}`, `  AWS Config: ${recorder}`];
}

/**
 * A standard the previous synth subscribed that this one does not: the deploy unsubscribes it,
 * losing its findings and score. Said as a WARN with the value that keeps it.
 */
function unsubscribed(stack: StackConfig, previous: PreviousSubscriptions): string[] {
  const before = previous.get(stack.stackName);
  if (!before) return [];
  const now = subscribedStandards(stack);
  const dropped = [...before.keys()].filter((standard) => !now.includes(standard));
  if (dropped.length === 0) return [];
  const keep = [...(now.length > 0 ? now : stack.guardrails.securityHubStandards), ...dropped.filter((standard) => !stack.guardrails.securityHubStandards.includes(standard))];
  return dropped.map(
    (standard) =>
      `WARN [${stack.stackName}]: this deploy UNSUBSCRIBES ${SECURITY_HUB_STANDARDS[standard].name} in ${before.get(standard)} regions (the previous synth in cdktf.out subscribed it): its findings and score go. To keep it: securityHubStandards ${JSON.stringify(keep)} (TAP_SECURITY_HUB_STANDARDS=${keep.join(",")})${now.length === 0 ? ", with securityHub on and not external" : ""}; docs/security.md: Moving from CIS v3.0.0`,
  );
}

/** Who the guardrails exempt besides the deployment roles, when anyone is. */
function exemptBesides(organization: { readonly breakGlassRoleArn?: string; readonly controlTower: boolean }): string {
  const exempt = [...(organization.breakGlassRoleArn ? [`break-glass ${organization.breakGlassRoleArn}`] : []), ...(organization.controlTower ? ["AWSControlTowerExecution for what Control Tower manages"] : [])];
  return exempt.length > 0 ? ` (exempt besides the deployment roles: ${exempt.join(", ")})` : "";
}
