import { Construct } from "constructs";
import { Fn, TerraformBackend, TerraformDataSource, TerraformOutput, TerraformResource, Token } from "cdktf";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AuditTrail, ConfigDeliveryTarget } from "../audit/audit-trail";
import { ComplianceValidation } from "../compliance/audit";
import { suppressRule } from "../compliance/suppressions";
import type { OrganizationConfig, StackConfig, StateBackend } from "../config/model";
import { GlobalIdentity } from "../identity/global-identity";
import { LogArchive } from "../organization/log-archive";
import { ARCHIVE_CONFIG_PREFIX, organizationArchiveNames, ORGANIZATION_ENVIRONMENT, organizationTrailArn } from "../organization/organization-facts";
import { OrganizationGuardrails } from "../organization/organization-guardrails";
import { OrganizationManagement } from "../organization/organization-management";
import { OrganizationSecurity } from "../organization/organization-security";
import { TAP_RESOURCE_RULES } from "./rule-pack";
import { SinglePassStack, SinglePassStackOptions } from "./single-pass-stack";
import { accountProvider, accountProviders, configureBackend, guardAccount, PARTITION_ID, ProviderReach } from "./stack-parts";

/**
 * The organization's own stacks (#18), one per account role, each with its own state, deployed
 * before the members in the order AWS requires: the log archive (CloudTrail checks the bucket's
 * policy when the trail is created), the management account (trusted access, delegated
 * administrators, units, guardrail policies, the organization trail), the security account (the
 * delegated administrator's configuration). A later stack reads what it needs of an earlier one
 * from that stack's state, through documented outputs.
 */

/** A role stack's options: with `baseline`, it also holds its account's baseline. */
export interface RoleStackOptions extends SinglePassStackOptions {
  /**
   * The role account's baseline (TapConfig.roleBaselines): the account and regional guardrails a
   * member gets, in every region it guards.
   * @default - none: the account's guardrails are someone else's
   */
  readonly baseline?: StackConfig;
}

/** What a later stack needs of an earlier one: where its state is. */
export interface IStackState {
  readonly node: { readonly id: string };
  readonly stateBackend: TerraformBackend;
}

/** The documented outputs the organization's stacks read of each other. */
export const ORGANIZATION_OUTPUTS = {
  logArchive: { bucketName: "archive_bucket_name", keyArn: "archive_key_arn" },
  management: { rootId: "root_id", targetIds: "guardrail_target_ids", trailArn: "organization_trail_arn", policyIds: "guardrail_policy_ids" },
} as const;

/** Logical ids of the remote states (`data.terraform_remote_state.<id>`), which the Terraform tests override. */
export const LOG_ARCHIVE_STATE_ID = "log_archive_stack";
export const MANAGEMENT_STATE_ID = "management_stack";

function reachOf(config: OrganizationConfig, account: { id: string; roleArn?: string }, stackName: string): ProviderReach {
  return { project: config.project, environment: ORGANIZATION_ENVIRONMENT, tags: config.tags, roleArn: account.roleArn, accountId: account.id, stackName };
}

/**
 * What every role stack starts with: its own state, one provider per region acting as its
 * account, the partition, and the resource rules judging what it declares.
 */
function roleStackParts(stack: SinglePassStack, config: OrganizationConfig, account: { id: string; roleArn?: string; backend: StateBackend }, regions: readonly string[], baseline?: StackConfig) {
  const reach = reachOf(config, account, stack.node.id);
  const stateBackend = configureBackend(stack, account.backend);
  const providers = accountProviders(stack, reach, [...new Set([...regions, ...(baseline?.guardrailRegions ?? [])])]);
  const primary = providers.get(config.homeRegion)!;
  const partition = new DataAwsPartition(stack, "partition", { provider: primary });
  partition.overrideLogicalId(PARTITION_ID);
  stack.node.addValidation(new ComplianceValidation(stack, TAP_RESOURCE_RULES));
  return { reach, stateBackend, providers, primary, partition: partition.partition };
}

/** The log archive's buckets, which its resource control policy guards. */
function archiveBuckets(config: OrganizationConfig) {
  const names = organizationArchiveNames(config.project, config.logArchive.id);
  return { bucket: names.bucket, accessLogBucket: names.accessLogBucket };
}

/**
 * The role account's baseline (#26), the one every member gets, built by the same code
 * (guardAccount): the password policy and support role, the account's S3 public access block,
 * AWS Config's service-linked role and the security contact, and in every guarded region EBS
 * encryption by default, the blocks on public sharing, the default VPC's default security group
 * emptied, an account analyzer where the organization's is not, and an AWS Config recorder
 * delivering to the log archive (IAM's global types in the home region). What the organization
 * runs for the account (trail, GuardDuty, Security Hub) is not here. The configuration's accepted
 * risks apply to the baseline's resources only, not to the role stack's own.
 */
function buildBaseline(stack: SinglePassStack, baseline: StackConfig | undefined, parts: { providers: ReadonlyMap<string, AwsProvider>; partition: string; delivery: ConfigDeliveryTarget }): void {
  if (!baseline) return;
  const scope = new Construct(stack, "baseline");
  const primary = parts.providers.get(baseline.homeRegion.region)!;
  const account = { accountId: baseline.accountId!, partition: parts.partition };
  new GlobalIdentity(scope, "identity", {
    provider: primary,
    naming: { project: baseline.project, environment: baseline.environment },
    ...account,
    passwordReusePrevention: baseline.passwordReusePrevention,
    protectAccountSettings: baseline.protectData.enabled,
    passwordPolicy: baseline.singletons.passwordPolicy,
    // No workload: no network's flow logs, and API Gateway's account setting is not the baseline's.
    flowLogDelivery: false,
    apiGatewayAccount: "external",
  });
  const recording = baseline.guardrails.awsConfig && baseline.singletons.awsConfig !== "external";
  guardAccount(scope, baseline, {
    primary,
    account,
    delivery: recording ? parts.delivery : undefined,
    regions: baseline.guardrailRegions.map((region) => ({ region, provider: parts.providers.get(region)! })),
  });
  const declared = new Set(["*"]);
  for (const construct of scope.node.findAll()) {
    if (construct instanceof TerraformResource) declared.add(construct.terraformResourceType);
    else if (construct instanceof TerraformDataSource) declared.add(`data.${construct.terraformResourceType}`);
  }
  const judged = (ruleId: string) => TAP_RESOURCE_RULES.some((rule) => rule.id === ruleId && rule.appliesTo.some((type) => declared.has(type)));
  for (const risk of baseline.acceptedRisks.filter((accepted) => judged(accepted.ruleId))) suppressRule(scope, risk.ruleId, `${risk.reason} (accepted by ${risk.source})`);
}

/** The log archive as the other role accounts' AWS Config reaches it: by name, deployed before them (the members' is the same). */
function archiveDelivery(config: OrganizationConfig): ConfigDeliveryTarget {
  return { bucketName: organizationArchiveNames(config.project, config.logArchive.id).bucket, keyPrefix: ARCHIVE_CONFIG_PREFIX };
}

function output(stack: SinglePassStack, name: string, value: unknown, description: string): void {
  new TerraformOutput(stack, name, { value, description });
}

/** The log-archive account: the organization's trail bucket and key (LogArchive). */
export class LogArchiveStack extends SinglePassStack {
  /** Where this stack's state lives; the management stack reads the archive key's ARN from there. */
  public readonly stateBackend: TerraformBackend;
  /** The archive bucket and key. */
  public readonly archive: LogArchive;

  constructor(scope: Construct, id: string, config: OrganizationConfig, options: RoleStackOptions = {}) {
    super(scope, id, options);
    const { stateBackend, providers, primary, partition } = roleStackParts(this, config, config.logArchive, [config.homeRegion], options.baseline);
    this.stateBackend = stateBackend;
    this.archive = new LogArchive(this, "log-archive", {
      provider: primary,
      naming: { project: config.project, environment: ORGANIZATION_ENVIRONMENT, region: config.homeRegion },
      accountId: config.logArchive.id,
      partition,
      organizationId: config.id,
      trailArn: organizationTrailArn(partition, config.homeRegion, config.management.id, config.project),
      managementAccountId: config.management.id,
      logRetentionDays: config.logRetentionDays,
      protect: config.protectArchive,
    });
    const names = ORGANIZATION_OUTPUTS.logArchive;
    output(this, names.bucketName, this.archive.bucketName, "The log archive bucket: the organization trail and every member's AWS Config deliver there.");
    output(this, names.keyArn, this.archive.keyArn, "The log archive's key, which the organization trail encrypts with.");
    // The account's own AWS Config delivers to the archive in this stack, once its policy allows it.
    buildBaseline(this, options.baseline, { providers, partition, delivery: this.archive.configDelivery });
  }
}

/**
 * The management account: the organization adopted with trusted access, its units and accounts,
 * the security account as delegated administrator, the guardrail policies on their targets, and
 * the organization trail (to the log archive) with its log group and the CIS alarms, unless the
 * organization's trail is external (one already runs, such as Control Tower's).
 */
export class ManagementStack extends SinglePassStack {
  /** Where this stack's state lives; the security stack reads the root's and units' ids from there. */
  public readonly stateBackend: TerraformBackend;
  /** The organization, its units and accounts, the delegated administrators. */
  public readonly management: OrganizationManagement;
  /** The guardrail SCPs and their attachments. */
  public readonly guardrails: OrganizationGuardrails;
  /** The organization trail, its log group and the CIS alarms; absent when the organization's trail is external (Control Tower's, for one). */
  public readonly trail?: AuditTrail;

  constructor(scope: Construct, id: string, config: OrganizationConfig, logArchive: IStackState, options: RoleStackOptions = {}) {
    super(scope, id, options);
    const { reach, stateBackend, providers, primary, partition } = roleStackParts(this, config, config.management, config.allowedRegions, options.baseline);
    this.stateBackend = stateBackend;
    // The accounts keep their own tags: their provider sets none.
    const untagged = accountProvider(this, reach, config.homeRegion, { alias: "untagged", tagged: false });
    this.management = new OrganizationManagement(this, "organization", {
      provider: primary,
      accountsProvider: untagged,
      regionProviders: providers,
      organizationId: config.id,
      securityAccountId: config.security.id,
      units: config.units,
      otherTrustedServices: config.otherTrustedServices,
      otherPolicyTypes: config.otherPolicyTypes,
      centralizeRootAccess: config.centralizeRootAccess,
    });
    const targets = config.guardrailTargets.map((target) => (target === "root" ? this.management.rootId : this.management.unitIds.get(target)!));
    this.guardrails = new OrganizationGuardrails(this, "guardrails", {
      provider: primary,
      project: config.project,
      allowedRegions: config.allowedRegions,
      deploymentRoleArns: config.deploymentRoleArns,
      breakGlassRoleArn: config.breakGlassRoleArn,
      controlTower: config.controlTower,
      logArchive: { accountId: config.logArchive.id, buckets: Object.values(archiveBuckets(config)) },
      targets,
      targetNames: config.guardrailTargets,
      acceptedRisks: config.disabledGuardrails,
      dependsOn: [this.management.trusted],
    });
    if (config.trail === "create") this.trail = this.organizationTrail(config, logArchive, { primary, partition });
    const names = ORGANIZATION_OUTPUTS.management;
    output(this, names.rootId, this.management.rootId, "The organization's root (r-...).");
    output(this, names.targetIds, targets, "Ids of the guardrail policies' targets, in the order of organization.guardrailTargets.");
    output(this, names.policyIds, this.guardrails.policyIds, "The guardrail SCPs.");
    output(this, "guardrail_resource_policy_ids", this.guardrails.resourcePolicyIds, "The guardrail RCPs (the log archive's).");
    if (this.trail) {
      output(this, names.trailArn, this.trail.trailArn, "The organization trail.");
      output(this, "alarm_topic_arn", this.trail.topicArn, "The SNS topic the CIS alarms on the organization trail notify.");
    }
    buildBaseline(this, options.baseline, { providers, partition, delivery: archiveDelivery(config) });
  }

  /** tap's organization trail to the log archive, encrypted with the archive's key, with its log group and the CIS alarms. */
  private organizationTrail(config: OrganizationConfig, logArchive: IStackState, parts: { primary: AwsProvider; partition: string }): AuditTrail {
    const { primary, partition } = parts;
    const archiveState = logArchive.stateBackend.getRemoteStateDataSource(this, LOG_ARCHIVE_STATE_ID, logArchive.node.id);
    return new AuditTrail(this, "organization-trail", {
      provider: primary,
      naming: { project: config.project, environment: ORGANIZATION_ENVIRONMENT, region: config.homeRegion },
      accountId: config.management.id,
      partition,
      organizationArchive: {
        bucketName: organizationArchiveNames(config.project, config.logArchive.id).bucket,
        keyArn: archiveState.getString(ORGANIZATION_OUTPUTS.logArchive.keyArn),
        trusted: this.management.trusted,
      },
      logRetentionDays: config.logRetentionDays,
      protect: config.protect,
      alarmEmail: config.alarmEmail,
    });
  }
}

/** The security account, delegated administrator of the security services (OrganizationSecurity). */
export class SecurityStack extends SinglePassStack {
  /** Where this stack's state lives. */
  public readonly stateBackend: TerraformBackend;
  /** The delegated administrator's configuration of the security services. */
  public readonly security: OrganizationSecurity;

  constructor(scope: Construct, id: string, config: OrganizationConfig, management: IStackState, options: RoleStackOptions = {}) {
    super(scope, id, options);
    const { stateBackend, providers, primary, partition } = roleStackParts(this, config, config.security, config.allowedRegions, options.baseline);
    this.stateBackend = stateBackend;
    const managementState = management.stateBackend.getRemoteStateDataSource(this, MANAGEMENT_STATE_ID, management.node.id);
    const targetIds = managementState.getList(ORGANIZATION_OUTPUTS.management.targetIds);
    this.security = new OrganizationSecurity(this, "security", {
      provider: primary,
      regionProviders: providers,
      naming: { project: config.project, environment: ORGANIZATION_ENVIRONMENT, region: config.homeRegion },
      accountId: config.security.id,
      partition,
      securityHubStandards: config.securityHubStandards,
      guardDutyProtection: config.guardDutyProtection,
      // Security Hub's configuration reaches the same accounts as the guardrail policies.
      securityHubTargets: config.guardrailTargets.map((_, index) => Token.asString(Fn.element(targetIds, index))),
      findings: { severity: config.findingsSeverity, email: config.alarmEmail },
      protect: config.protect,
      guardDutyModes: config.securityServices.guardDuty,
      securityHub: config.securityServices.securityHub,
    });
    output(this, "guardduty_detector_ids", Object.fromEntries(this.security.detectorIds), "The security account's GuardDuty detector id by region.");
    output(this, "config_aggregator_arn", this.security.aggregatorArn, "The organization's AWS Config aggregator.");
    if (this.security.securityHubPolicyId !== undefined) output(this, "securityhub_policy_id", this.security.securityHubPolicyId, `Security Hub's configuration policy (${config.securityHubStandards.join(", ")}).`);
    output(this, "findings_topic_arn", this.security.findingsTopicArn, "The SNS topic the organization's aggregated Security Hub findings at or above findingsSeverity notify.");
    buildBaseline(this, options.baseline, { providers, partition, delivery: archiveDelivery(config) });
  }
}
