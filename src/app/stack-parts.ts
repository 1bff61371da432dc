import { CloudBackend, NamedCloudWorkspace, S3Backend, TerraformBackend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { Construct } from "constructs";
import { MANAGED_BY } from "../aws/naming";
import { adoptedName } from "../aws/singletons";
import { suppressRule } from "../compliance/suppressions";
import type { StackConfig, StateBackend } from "../config/model";
import { AccountGuardrails, IConfigRecorderRole } from "../guardrails/account-guardrails";
import { RegionalGuardrails } from "../guardrails/regional-guardrails";
import type { ConfigDeliveryTarget } from "../audit/audit-trail";
import type { IEbsEncryptionKey } from "../storage/secure-storage";

/**
 * What the account's stack and the split layout's region stacks build alike: the backend, the
 * providers, the account and partition, the accepted risks, a region's guardrails. Each stack
 * class only composes these.
 */

/** Oldest Terraform that understands the synthesized configuration (S3 native locking, `use_lockfile`, is GA in 1.11). */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.11.0";

/** Logical IDs the Terraform tests override (`override_data`); keep them stable. */
export const CALLER_IDENTITY_ID = "caller_identity";
export const PARTITION_ID = "partition";

/** Encrypted, locked remote state: an S3 object, or an HCP Terraform workspace per stack. */
export function configureBackend(stack: TerraformStack, backend: StateBackend): TerraformBackend {
  let configured: TerraformBackend;
  if (backend.type === "s3") {
    configured = new S3Backend(stack, { bucket: backend.bucket ?? "", key: backend.key, region: backend.region, encrypt: true, kmsKeyId: backend.kmsKeyId });
    // A bucket not named yet (no accountId) stays out of the configuration: a partial backend, which deploy refuses.
    if (backend.bucket === undefined) stack.addOverride("terraform.backend.s3.bucket", undefined);
    // cdktf 0.21's S3BackendConfig predates Terraform's native S3 lock file; without it state is not locked.
    stack.addOverride("terraform.backend.s3.use_lockfile", true);
  } else {
    // HCP Terraform keeps state encrypted and locks runs itself; the workspace runs plans remotely.
    configured = new CloudBackend(stack, { organization: backend.organization, hostname: backend.hostname, workspaces: new NamedCloudWorkspace(backend.workspace) });
  }
  stack.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  return configured;
}

/** Who a stack's providers act as, and the tags they set. */
export interface ProviderReach {
  readonly project: string;
  readonly environment: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Assumed from the ambient credentials; absent: they act as themselves. */
  readonly roleArn?: string;
  /** The only account the providers may reach (allowed_account_ids). */
  readonly accountId?: string;
  /** Names the assumed-role session. */
  readonly stackName: string;
}

/**
 * One aliased provider per region, with the common tags as default_tags. In a fleet each
 * provider assumes the account's role; with a known account (a fleet's member, or accountId)
 * each refuses to run against any other account.
 */
export function regionProviders(stack: TerraformStack, config: StackConfig, regions: readonly string[]): Map<string, AwsProvider> {
  return accountProviders(stack, { ...config, roleArn: config.account?.roleArn }, regions);
}

/** One aliased provider per region acting as `reach` says: the organization's stacks reach their accounts this way too. */
export function accountProviders(stack: TerraformStack, reach: ProviderReach, regions: readonly string[]): Map<string, AwsProvider> {
  return new Map(regions.map((region) => [region, accountProvider(stack, reach, region)]));
}

/**
 * A provider acting as `reach` says in `region`, aliased by the region unless `alias` is given;
 * `tagged: false` leaves out the common default_tags (for resources whose tags are not tap's).
 */
export function accountProvider(stack: TerraformStack, reach: ProviderReach, region: string, options: { alias?: string; tagged?: boolean } = {}): AwsProvider {
  const alias = options.alias ?? region;
  const tags = { ...reach.tags, Environment: reach.environment, Project: reach.project, ManagedBy: MANAGED_BY };
  return new AwsProvider(stack, `aws-${alias}`, {
    alias,
    region,
    defaultTags: options.tagged === false ? undefined : [{ tags }],
    assumeRole: reach.roleArn ? [{ roleArn: reach.roleArn, sessionName: `${MANAGED_BY}-${reach.project}-${reach.stackName}`.slice(0, 64) }] : undefined,
    allowedAccountIds: reach.accountId ? [reach.accountId] : undefined,
  });
}

/**
 * The account (known from the fleet, else asked of STS at plan time) and the partition. A
 * fleet account's id is static, so its bucket names are known before any call to AWS.
 */
export function accountAndPartition(stack: TerraformStack, provider: AwsProvider, config: StackConfig): { accountId: string; partition: string } {
  let accountId = config.account?.id;
  if (!accountId) {
    const caller = new DataAwsCallerIdentity(stack, "caller-identity", { provider });
    caller.overrideLogicalId(CALLER_IDENTITY_ID);
    accountId = caller.accountId;
  }
  const partition = new DataAwsPartition(stack, "partition", { provider });
  partition.overrideLogicalId(PARTITION_ID);
  return { accountId, partition: partition.partition };
}

/**
 * Accepted risks from configuration suppress their rule across the stack, visibly: synth and audit
 * print each. `applies` keeps those that can concern this stack (a stack without a password policy
 * does not carry the acceptance of its reuse setting, which synth would report as unused).
 */
export function acceptConfiguredRisks(stack: TerraformStack, config: StackConfig, applies: (ruleId: string) => boolean = () => true): void {
  for (const risk of config.acceptedRisks.filter((accepted) => applies(accepted.ruleId))) suppressRule(stack, risk.ruleId, `${risk.reason} (accepted by ${risk.source})`);
}

/** Where a region's AWS Config recorder records to, and whether it records IAM's global resources. */
export interface RegionRecording {
  readonly role: IConfigRecorderRole;
  readonly delivery: ConfigDeliveryTarget;
  /** Exactly one region, the home region, records global resources. */
  readonly includeGlobalResourceTypes: boolean;
}

/**
 * A region's RegionalGuardrails as the configuration says: paid guardrails, singleton modes and
 * adopted names. `ebsKey` is the region's own key where it has storage; a guarded region
 * without workload encrypts EBS with the AWS-managed key.
 */
export function regionGuardrails(
  scope: Construct,
  config: StackConfig,
  region: string,
  provider: AwsProvider,
  account: { accountId: string; partition: string },
  options: { ebsKey?: IEbsEncryptionKey; recording?: RegionRecording },
): RegionalGuardrails {
  const { guardDuty, guardDutyProtection, securityHub, securityHubStandards, configRecording, defaultVpcLockdown } = config.guardrails;
  const modes = config.singletons;
  return new RegionalGuardrails(scope, `guardrails-${region}`, {
    provider,
    naming: { project: config.project, environment: config.environment, region },
    ...account,
    ebsKey: options.ebsKey,
    guardDuty,
    guardDutyProtection,
    securityHub,
    securityHubStandards,
    defaultVpcLockdown,
    awsConfig: options.recording && { ...options.recording, frequency: configRecording.frequency, excludedResourceTypes: configRecording.excludedResourceTypes },
    modes: { ebsEncryption: modes.ebsEncryption, accessAnalyzer: modes.accessAnalyzer, guardDuty: modes.guardDuty, securityHub: modes.securityHub, awsConfig: modes.awsConfig },
    adoptedNames: {
      accessAnalyzer: adoptedName(config.adoptNames, "accessAnalyzer", region),
      configRecorder: adoptedName(config.adoptNames, "configRecorder", region),
      configDeliveryChannel: adoptedName(config.adoptNames, "configDeliveryChannel", region),
    },
  });
}

/** A region whose guardrails an account's stack holds: its provider and, where it has storage, the key EBS encrypts with. */
export interface GuardedRegion {
  readonly region: string;
  readonly provider: AwsProvider;
  /** @default - the AWS-managed aws/ebs key */
  readonly ebsKey?: IEbsEncryptionKey;
}

/**
 * The account's guardrails as the configuration says: AccountGuardrails on the home region's
 * provider (the account's S3 public access block, AWS Config's service-linked role, the security
 * contact) and each of `regions`' RegionalGuardrails, recording with AWS Config to `delivery`
 * when it is given (IAM's global resources in the home region only). A member's TapStack and the
 * organization's role stacks (their accounts' baselines) build them with this one function.
 */
export function guardAccount(
  scope: Construct,
  config: StackConfig,
  props: { readonly primary: AwsProvider; readonly account: { accountId: string; partition: string }; readonly delivery?: ConfigDeliveryTarget; readonly regions: readonly GuardedRegion[] },
): AccountGuardrails {
  const modes = config.singletons;
  const guardrails = new AccountGuardrails(scope, "account-guardrails", {
    provider: props.primary,
    naming: { project: config.project, environment: config.environment },
    ...props.account,
    publicAccessBlock: modes.s3PublicAccessBlock,
    configDelivery: props.delivery,
    configServiceRole: modes.configServiceRole,
    securityContact: config.guardrails.securityContact,
  });
  const role = guardrails.configRecorderRole;
  const delivery = props.delivery;
  // Global resources (IAM) are recorded once, in the home region.
  const recording = (region: string) => (delivery && role ? { role, delivery, includeGlobalResourceTypes: region === config.homeRegion.region } : undefined);
  for (const { region, provider, ebsKey } of props.regions) regionGuardrails(scope, config, region, provider, props.account, { ebsKey, recording: recording(region) });
  return guardrails;
}
