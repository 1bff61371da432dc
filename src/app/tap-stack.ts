import { Construct } from "constructs";
import { CloudBackend, NamedCloudWorkspace, S3Backend, TerraformOutput, TerraformResource } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AuditTrail } from "../audit/audit-trail";
import { MANAGED_BY, NameScope } from "../aws/naming";
import { adoptedName } from "../aws/singletons";
import { ComplianceValidation } from "../compliance/audit";
import { suppressRule } from "../compliance/suppressions";
import type { StackConfig } from "../config/model";
import { AccountGuardrails } from "../guardrails/account-guardrails";
import { RegionalGuardrails } from "../guardrails/regional-guardrails";
import { GlobalIdentity } from "../identity/global-identity";
import { RegionalNetwork } from "../network/regional-network";
import { availabilityZonesFor } from "../network/regions";
import { BucketReplication } from "../storage/bucket-replication";
import { SecureStorage } from "../storage/secure-storage";
import { stateBucketName } from "../storage/storage-facts";
import { TAP_RULE_PACK } from "./rule-pack";
import { SinglePassStack, SinglePassStackOptions } from "./single-pass-stack";
import { AccountOutputName, RegionalOutputName, STACK_OUTPUTS } from "./stack-outputs";

/** Oldest Terraform that understands the synthesized configuration (S3 native locking, `use_lockfile`, is GA in 1.11). */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.11.0";

export type TapStackOptions = SinglePassStackOptions;

/** Logical IDs the Terraform tests override (`override_data`); keep them stable. */
export const CALLER_IDENTITY_ID = "caller_identity";
export const PARTITION_ID = "partition";

/** What one deployed region consists of. */
interface RegionParts {
  readonly region: string;
  readonly storage: SecureStorage;
  readonly network: RegionalNetwork;
}

/**
 * The whole baseline of one account: one aliased AWS provider per region, a SecureStorage and
 * a RegionalNetwork in each, and one GlobalIdentity on the home region's provider. The
 * deployment that owns the account's settings also gets the AuditTrail (home region), the
 * AccountGuardrails and a RegionalGuardrails per region; data buckets replicate in a ring
 * across the regions unless replication is off. Retiring regions keep their provider and
 * nothing else, so Terraform can destroy what state still holds there.
 * `config` must come from `loadConfig`, which has already validated it. This class only
 * composes; synth mechanics live in SinglePassStack.
 */
export class TapStack extends SinglePassStack {
  /** Providers by region name: the deployed regions in configuration order, then the retiring ones. */
  public readonly providers: ReadonlyMap<string, AwsProvider>;

  constructor(scope: Construct, id: string, config: StackConfig, options: TapStackOptions = {}) {
    super(scope, id, options);
    this.configureBackend(config);
    this.providers = this.buildProviders(config);
    // The home region's provider creates the account-wide resources (IAM is global; the trail records every region).
    const primary = this.providerOf(config.homeRegion.region);
    const { accountId, partition } = this.accountAndPartition(primary, config);
    const naming = { project: config.project, environment: config.environment };
    const account = { accountId, partition };
    const owner = config.manageAccountSettings;

    this.node.addValidation(new ComplianceValidation(this, TAP_RULE_PACK));
    // Accepted risks from configuration suppress their rule across the stack, visibly: synth and audit print each.
    for (const risk of config.acceptedRisks) suppressRule(this, risk.ruleId, `${risk.reason} (accepted by ${risk.source})`);

    const identity = new GlobalIdentity(this, "identity", {
      provider: primary,
      naming,
      ...account,
      manageAccountSettings: owner,
      passwordReusePrevention: config.passwordReusePrevention,
      protectAccountSettings: config.protectData.enabled,
      passwordPolicy: config.singletons.passwordPolicy,
      apiGatewayAccount: config.singletons.apiGatewayAccount,
    });
    const regions = config.regions.map(({ region, vpcCidr }): RegionParts => {
      const provider = this.providerOf(region);
      const storage = new SecureStorage(this, `storage-${region}`, {
        provider,
        naming: { ...naming, region },
        ...account,
        logRetentionDays: config.logRetentionDays,
        protectData: config.protectData.enabled,
      });
      const network = new RegionalNetwork(this, `network-${region}`, {
        provider,
        naming: { ...naming, region },
        vpcCidr,
        availabilityZoneIds: availabilityZonesFor(region, config.availabilityZoneCount),
        allowedSshCidrs: config.allowedSshCidrs,
        allowedHttpsCidrs: config.allowedHttpsCidrs,
        enableEndpointPrivateDns: config.endpointPrivateDns,
        flowLogKey: storage,
        flowLogRole: identity,
        flowLogRetentionDays: config.logRetentionDays,
      });
      if (owner) identity.enableApiGatewayLogging(provider);
      return { region, storage, network };
    });
    if (config.replication) {
      new BucketReplication(this, "replication", { provider: primary, naming, buckets: regions.map(({ storage }) => storage) });
    }
    const trail = owner ? this.buildGuardrails(config, naming, account, regions) : undefined;
    this.buildOutputs(regions, identity, trail);
    this.recordFormerAddresses(owner);
  }

  private providerOf(region: string): AwsProvider {
    return this.providers.get(region)!;
  }

  /**
   * The state bucket when it is this account's bootstrap bucket (a single account with accountId
   * and the derived name); a fleet's lives in its deployment account, outside the members' trails.
   */
  private ownStateBucket(config: StackConfig): string | undefined {
    const backend = config.backend;
    if (config.account || !config.accountId || backend.type !== "s3") return undefined;
    return backend.bucket === stateBucketName(config.project, config.accountId, backend.region) ? backend.bucket : undefined;
  }

  /** Encrypted, locked remote state: an S3 bucket, or an HCP Terraform workspace per stack. */
  private configureBackend(config: StackConfig): void {
    const backend = config.backend;
    if (backend.type === "s3") {
      new S3Backend(this, { bucket: backend.bucket ?? "", key: backend.key, region: backend.region, encrypt: true, kmsKeyId: backend.kmsKeyId });
      // A bucket not named yet (no accountId) stays out of the configuration: a partial backend, which deploy refuses.
      if (backend.bucket === undefined) this.addOverride("terraform.backend.s3.bucket", undefined);
      // cdktf 0.21's S3BackendConfig predates Terraform's native S3 lock file; without it state is not locked.
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else {
      // HCP Terraform keeps state encrypted and locks runs itself; the workspace runs plans remotely.
      new CloudBackend(this, { organization: backend.organization, hostname: backend.hostname, workspaces: new NamedCloudWorkspace(backend.workspace) });
    }
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  }

  /**
   * One aliased provider per region, with the common tags as default_tags. In a fleet each
   * provider assumes the account's role; with a known account (a fleet's member, or accountId)
   * each refuses to run against any other account.
   */
  private buildProviders(config: StackConfig): Map<string, AwsProvider> {
    const providers = new Map<string, AwsProvider>();
    const tags = { ...config.tags, Environment: config.environment, Project: config.project, ManagedBy: MANAGED_BY };
    const account = config.account;
    const reach = {
      ...(account ? { assumeRole: [{ roleArn: account.roleArn, sessionName: `${MANAGED_BY}-${config.project}-${config.stackName}`.slice(0, 64) }] } : {}),
      ...(config.accountId ? { allowedAccountIds: [config.accountId] } : {}),
    };
    for (const region of [...config.regions.map((r) => r.region), ...config.retiringRegions]) {
      providers.set(region, new AwsProvider(this, `aws-${region}`, { alias: region, region, defaultTags: [{ tags }], ...reach }));
    }
    return providers;
  }

  /**
   * The account (known from the fleet, else asked of STS at plan time) and the partition. A
   * fleet account's id is static, so its bucket names are known before any call to AWS.
   */
  private accountAndPartition(primary: AwsProvider, config: StackConfig): { accountId: string; partition: string } {
    let accountId = config.account?.id;
    if (!accountId) {
      const caller = new DataAwsCallerIdentity(this, "caller-identity", { provider: primary });
      caller.overrideLogicalId(CALLER_IDENTITY_ID);
      accountId = caller.accountId;
    }
    const partition = new DataAwsPartition(this, "partition", { provider: primary });
    partition.overrideLogicalId(PARTITION_ID);
    return { accountId, partition: partition.partition };
  }

  /**
   * The account's guardrails, owned by this deployment: the audit trail and its alarms in the
   * home region, the account-wide settings, and each region's detective controls, each created,
   * adopted or left to whoever manages it as `config.singletons` says.
   */
  private buildGuardrails(config: StackConfig, naming: Omit<NameScope, "region">, account: { accountId: string; partition: string }, regions: readonly RegionParts[]): AuditTrail | undefined {
    const home = regions.find(({ region }) => region === config.homeRegion.region)!;
    const primary = this.providerOf(home.region);
    const { guardDuty, securityHub, awsConfig, alarmEmail } = config.guardrails;
    const modes = config.singletons;
    const trail =
      modes.trail === "external"
        ? undefined
        : new AuditTrail(this, "audit-trail", {
            provider: primary,
            naming: { ...naming, region: home.region },
            ...account,
            accessLogs: home.storage,
            logRetentionDays: config.logRetentionDays,
            protect: config.protectData.enabled,
            alarmEmail,
            adoptTrailNamed: modes.trail === "adopt" ? adoptedName(config.adoptNames, "trail") : undefined,
          });
    for (const { storage } of regions) trail?.recordObjectEvents(storage.bucketArn);
    // The account's own state bucket (npm run bootstrap): who read or wrote state, which holds every secret of the stack.
    const stateBucket = this.ownStateBucket(config);
    if (stateBucket) trail?.recordObjectEvents(`arn:${account.partition}:s3:::${stateBucket}`);
    // Configuration refuses AWS Config of tap's own without tap's trail bucket to deliver to.
    const delivery = awsConfig && modes.awsConfig !== "external" ? trail!.grantConfigDelivery() : undefined;
    const accountGuardrails = new AccountGuardrails(this, "account-guardrails", {
      provider: primary,
      naming,
      ...account,
      publicAccessBlock: modes.s3PublicAccessBlock,
      configDelivery: delivery,
      configServiceRole: modes.configServiceRole,
    });
    for (const { region, storage } of regions) {
      new RegionalGuardrails(this, `guardrails-${region}`, {
        provider: this.providerOf(region),
        naming: { ...naming, region },
        ...account,
        ebsKey: storage,
        guardDuty,
        securityHub,
        awsConfig:
          delivery && accountGuardrails.configRecorderRole
            ? // Global resources (IAM) are recorded once, in the home region.
              { role: accountGuardrails.configRecorderRole, delivery, includeGlobalResourceTypes: region === home.region }
            : undefined,
        modes: { ebsEncryption: modes.ebsEncryption, accessAnalyzer: modes.accessAnalyzer, guardDuty: modes.guardDuty, securityHub: modes.securityHub, awsConfig: modes.awsConfig },
        adoptedNames: {
          accessAnalyzer: adoptedName(config.adoptNames, "accessAnalyzer", region),
          configRecorder: adoptedName(config.adoptNames, "configRecorder", region),
          configDeliveryChannel: adoptedName(config.adoptNames, "configDeliveryChannel", region),
        },
      });
    }
    return trail;
  }

  /** One output per attribute (see stack-outputs.ts); regional ones keyed by region. */
  private buildOutputs(regions: readonly RegionParts[], identity: GlobalIdentity, trail: AuditTrail | undefined): void {
    const byRegion = (value: (parts: RegionParts) => unknown) => Object.fromEntries(regions.map((parts) => [parts.region, value(parts)]));
    const regional: Record<RegionalOutputName, unknown> = {
      vpc_ids: byRegion(({ network }) => network.vpcId),
      vpc_cidrs: byRegion(({ network }) => network.vpcCidr),
      public_subnet_ids: byRegion(({ network }) => network.publicSubnetIds),
      private_subnet_ids: byRegion(({ network }) => network.privateSubnetIds),
      workload_security_group_ids: byRegion(({ network }) => network.workloadSecurityGroupId),
      execute_api_endpoint_ids: byRegion(({ network }) => network.endpointId),
      execute_api_endpoint_zone_ids: byRegion(({ network }) => network.endpointZoneIds),
      execute_api_endpoint_dns_entries: byRegion(({ network }) => network.endpointDnsEntries),
      flow_log_group_names: byRegion(({ network }) => network.flowLogGroupName),
      kms_key_arns: byRegion(({ storage }) => storage.keyArn),
      kms_key_aliases: byRegion(({ storage }) => storage.keyAlias),
      data_bucket_names: byRegion(({ storage }) => storage.bucketName),
      data_bucket_arns: byRegion(({ storage }) => storage.bucketArn),
      access_log_bucket_names: byRegion(({ storage }) => storage.accessLogBucketName),
      api_gateway_log_group_names: byRegion(({ storage }) => storage.logGroupName),
    };
    const account: Record<AccountOutputName, unknown> = {
      api_gateway_cloudwatch_role_arn: identity.apiGatewayCloudWatchRoleArn,
      support_role_arn: identity.supportRoleArn,
      trail_arn: trail?.trailArn,
      trail_bucket_name: trail?.bucketName,
      trail_log_group_name: trail?.logGroupName,
      alarm_topic_arn: trail?.topicArn,
    };
    for (const [name, value] of Object.entries({ ...regional, ...account })) {
      if (value !== undefined) new TerraformOutput(this, name, { description: STACK_OUTPUTS[name as keyof typeof STACK_OUTPUTS].description, value });
    }
  }

  /**
   * Resources that moved between constructs when src/ was regrouped by concern: their state
   * follows them (Terraform `moved` blocks) instead of being destroyed and recreated.
   */
  private recordFormerAddresses(owner: boolean): void {
    if (!owner) return;
    const identity = this.node.findChild("identity");
    const move = (id: string, formerPath: string[]) => this.movedFrom(identity.node.findChild(id) as TerraformResource, formerPath);
    move("support-role", ["account-guardrails", "support-role"]);
    move("support-policy", ["account-guardrails", "support-policy"]);
    for (const region of this.providers.keys()) {
      if (identity.node.tryFindChild(`api-gateway-account-${region}`)) move(`api-gateway-account-${region}`, [`storage-${region}`, "api-gateway-account"]);
    }
  }
}
