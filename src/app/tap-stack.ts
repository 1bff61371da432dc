import { Construct } from "constructs";
import { copyFileSync } from "fs";
import { join } from "path";
import { CloudBackend, Manifest, NamedCloudWorkspace, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsName } from "../aws/limits";
import { MANAGED_BY, NameScope } from "../aws/naming";
import { availabilityZonesFor } from "../network/regions";
import { ComplianceValidation } from "../compliance/audit";
import { suppressRule } from "../compliance/suppressions";
import { TAP_RULE_PACK } from "./rule-pack";
import type { StackConfig } from "../config/model";
import { AccountGuardrails } from "../guardrails/account-guardrails";
import { AuditTrail, CONFIG_KEY_PREFIX } from "../audit/audit-trail";
import { BucketReplication } from "../storage/bucket-replication";
import { GlobalIdentity } from "../identity/global-identity";
import { RegionalGuardrails } from "../guardrails/regional-guardrails";
import { RegionalNetwork } from "../network/regional-network";
import { SecureStorage } from "../storage/secure-storage";

/** Oldest Terraform that understands the synthesized configuration (S3 native locking, `use_lockfile`, is GA in 1.11). */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.11.0";

export interface TapStackOptions {
  /**
   * A Terraform dependency lock file to place beside the synthesized stack, so every
   * `terraform init` of it verifies the provider's checksums.
   * @default - none; terraform init writes one on first use
   */
  readonly providerLockFile?: string;
}

/** Logical IDs the Terraform tests override (`override_data`); keep them stable. */
export const CALLER_IDENTITY_ID = "caller_identity";
export const PARTITION_ID = "partition";

/**
 * The whole baseline of one account: one aliased AWS provider per region, a RegionalNetwork
 * and a SecureStorage in each, and one GlobalIdentity on the first region's provider. The
 * deployment that owns the account's settings also gets the AuditTrail (first region), the
 * AccountGuardrails and a RegionalGuardrails per region; data buckets replicate in a ring
 * across the regions unless replication is off.
 * Retiring regions keep their provider and nothing else, so Terraform can destroy what state
 * still holds there. `config` must come from `loadConfig`, which has already validated it.
 */
export class TapStack extends TerraformStack {
  /** Every AWS-visible name a stack with this configuration creates, for validation before synth. */
  public static awsNames(config: StackConfig, accountId: string): AwsName[] {
    const naming = { project: config.project, environment: config.environment };
    const home = { ...naming, region: config.regions[0]?.region ?? "" };
    return [
      ...GlobalIdentity.awsNames(naming),
      ...(config.manageAccountSettings ? [...AuditTrail.awsNames(home, accountId), ...AccountGuardrails.awsNames(naming)] : []),
      ...(config.replication ? BucketReplication.awsNames(naming) : []),
      ...config.regions.flatMap(({ region }) => [
        ...RegionalNetwork.awsNames({ ...naming, region }),
        ...SecureStorage.awsNames({ ...naming, region }, accountId),
        ...(config.manageAccountSettings ? RegionalGuardrails.awsNames({ ...naming, region }) : []),
      ]),
    ];
  }

  /** Providers by region name: the deployed regions in configuration order, then the retiring ones. */
  public readonly providers: ReadonlyMap<string, AwsProvider>;
  /** Set only while cdktf synthesizes this stack; holds the one resolution that pass needs. */
  private synthPass?: { json?: { [key: string]: any } };

  constructor(scope: Construct, id: string, config: StackConfig, options: TapStackOptions = {}) {
    super(scope, id);
    this.configureBackend(config);
    this.providers = this.buildProviders(config);
    const primary = this.providers.get(config.regions[0].region)!;
    const { accountId, partition } = this.accountAndPartition(primary, config);

    const naming = { project: config.project, environment: config.environment };
    const account = { accountId, partition };
    const identity = new GlobalIdentity(this, "identity", {
      provider: primary,
      naming,
      ...account,
      flowLogGroups: config.regions.map(({ region }) => ({ region, name: RegionalNetwork.flowLogGroupName({ ...naming, region }) })),
      manageAccountSettings: config.manageAccountSettings,
      passwordReusePrevention: config.passwordReusePrevention,
      protectAccountSettings: config.protectData.enabled,
    });

    this.checkComplianceOnSynth(options.providerLockFile);
    // Accepted risks from configuration suppress their rule across the stack, visibly: synth and audit print each.
    for (const risk of config.acceptedRisks) suppressRule(this, risk.ruleId, `${risk.reason} (accepted by ${risk.source})`);

    // The trail bucket's name is known before it exists, so the home region's log bucket can grant it first.
    const trailBucket = AuditTrail.names(naming, accountId).bucket;
    const regions = config.regions.map(({ region, vpcCidr }, index) => {
      const loggedBuckets = index === 0 && config.manageAccountSettings ? [trailBucket] : [];
      const storage = this.buildStorage(config, { ...naming, region }, account, identity, loggedBuckets);
      const network = this.buildNetwork(config, { ...naming, region }, vpcCidr, storage, identity);
      return { region, storage, network };
    });
    if (config.replication) this.buildReplication(naming, regions);
    const trail = config.manageAccountSettings ? this.buildGuardrails(config, account, regions) : undefined;
    this.buildOutputs(identity, regions, trail);
  }

  /**
   * cdktf's own prepareStack resolves the whole stack once only to discover references to other
   * stacks (a third of a synth). A TapStack never references another stack (each is one account
   * on its own), so it only makes sure a backend exists.
   */
  public prepareStack(): void {
    this.ensureBackendExists();
  }

  /**
   * Within one synth pass nothing changes between the compliance validation (after aspects)
   * and the file write, so both use one resolution of the stack instead of two: a quarter
   * of a 17-region synth. Outside a pass every call resolves afresh.
   */
  public toTerraform(): { [key: string]: any } {
    if (!this.synthPass) return super.toTerraform();
    return (this.synthPass.json ??= super.toTerraform());
  }

  /** Encrypted, locked remote state: an S3 bucket, or an HCP Terraform workspace per stack. */
  private configureBackend(config: StackConfig): void {
    const backend = config.backend;
    if (backend.type === "s3") {
      new S3Backend(this, { bucket: backend.bucket, key: backend.key, region: backend.region, encrypt: true });
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
   * provider assumes the account's role and refuses to run against any other account.
   */
  private buildProviders(config: StackConfig): Map<string, AwsProvider> {
    const providers = new Map<string, AwsProvider>();
    const tags = { ...config.tags, Environment: config.environment, Project: config.project, ManagedBy: MANAGED_BY };
    const account = config.account;
    const reach = account
      ? {
          assumeRole: [{ roleArn: account.roleArn, sessionName: `${MANAGED_BY}-${config.project}-${config.stackName}`.slice(0, 64) }],
          allowedAccountIds: [account.id],
        }
      : {};
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
   * Every synth checks the stack against the rule pack before anything is written, and places
   * the provider lock file beside the stack so `terraform init` verifies the provider.
   */
  private checkComplianceOnSynth(providerLockFile: string | undefined): void {
    this.node.addValidation(new ComplianceValidation(this, TAP_RULE_PACK));
    const synthesizer = this.synthesizer;
    this.synthesizer = {
      synthesize: (session) => {
        this.synthPass = {};
        try {
          synthesizer.synthesize(session);
        } finally {
          this.synthPass = undefined;
        }
        if (providerLockFile) copyFileSync(providerLockFile, join(session.outdir, Manifest.stacksFolder, this.node.id, ".terraform.lock.hcl"));
      },
    };
  }

  /** A region's key, buckets and API Gateway logging. */
  private buildStorage(
    config: StackConfig,
    naming: NameScope & { region: string },
    account: { accountId: string; partition: string },
    identity: GlobalIdentity,
    additionalLoggedBucketNames: string[],
  ): SecureStorage {
    return new SecureStorage(this, `storage-${naming.region}`, {
      provider: this.providers.get(naming.region)!,
      naming,
      ...account,
      apiGatewayCloudWatchRoleArn: identity.apiGatewayCloudWatchRoleArn,
      apiGatewayRoleDependencies: identity.apiGatewayRoleReady ? [identity.apiGatewayRoleReady] : undefined,
      encryptedLogGroupNames: [RegionalNetwork.flowLogGroupName(naming)],
      additionalLoggedBucketNames,
      // The region's key becomes its EBS default key, which only the account-settings owner sets.
      allowEbsDefaultEncryption: config.manageAccountSettings,
      logRetentionDays: config.logRetentionDays,
      protectData: config.protectData.enabled,
    });
  }

  private buildNetwork(config: StackConfig, naming: NameScope & { region: string }, vpcCidr: string, storage: SecureStorage, identity: GlobalIdentity): RegionalNetwork {
    const { region } = naming;
    return new RegionalNetwork(this, `network-${region}`, {
      provider: this.providers.get(region)!,
      naming,
      vpcCidr,
      availabilityZoneIds: availabilityZonesFor(region, config.availabilityZoneCount),
      allowedSshCidrs: config.allowedSshCidrs,
      allowedHttpsCidrs: config.allowedHttpsCidrs,
      enableEndpointPrivateDns: config.endpointPrivateDns,
      flowLogKmsKeyArn: storage.keyArn,
      flowLogRoleArn: identity.flowLogsRoleArn,
      flowLogRoleDependencies: [identity.flowLogsRoleReady],
      flowLogRetentionDays: config.logRetentionDays,
    });
  }

  /** Each region's data bucket replicates to the next configured region, the last to the first. */
  private buildReplication(naming: NameScope, regions: readonly RegionParts[]): void {
    new BucketReplication(this, "replication", {
      provider: this.providers.get(regions[0].region)!,
      naming,
      buckets: regions.map(({ region, storage }) => ({
        region,
        provider: this.providers.get(region)!,
        bucketId: storage.bucketId,
        bucketArn: storage.bucketArn,
        keyArn: storage.keyArn,
        versioning: storage.bucketVersioning,
      })),
    });
  }

  /**
   * The account's guardrails, owned by this deployment: the audit trail and its alarms in the
   * first region, the account-wide settings, and each region's detective controls.
   */
  private buildGuardrails(config: StackConfig, account: { accountId: string; partition: string }, regions: readonly RegionParts[]): AuditTrail {
    const naming = { project: config.project, environment: config.environment };
    const [home] = regions;
    const primary = this.providers.get(home.region)!;
    const { guardDuty, securityHub, awsConfig, alarmEmail } = config.guardrails;
    const trail = new AuditTrail(this, "audit-trail", {
      provider: primary,
      naming: { ...naming, region: home.region },
      ...account,
      dataBucketArns: regions.map(({ storage }) => storage.bucketArn),
      accessLogBucket: home.storage.accessLogBucketName,
      accessLogBucketReady: home.storage.accessLogBucketReady,
      logRetentionDays: config.logRetentionDays,
      protect: config.protectData.enabled,
      allowConfigDelivery: awsConfig,
      alarmEmail,
    });
    const accountGuardrails = new AccountGuardrails(this, "account-guardrails", {
      provider: primary,
      naming,
      ...account,
      configDelivery: awsConfig ? { bucketArn: trail.bucketArn, keyPrefix: CONFIG_KEY_PREFIX, kmsKeyArn: trail.keyArn } : undefined,
    });
    for (const { region, storage } of regions) {
      new RegionalGuardrails(this, `guardrails-${region}`, {
        provider: this.providers.get(region)!,
        naming: { ...naming, region },
        partition: account.partition,
        ebsKmsKeyArn: storage.keyArn,
        guardDuty,
        securityHub,
        awsConfig: awsConfig
          ? {
              roleArn: accountGuardrails.configRoleArn!,
              dependencies: [...accountGuardrails.configRoleReady, trail.bucketReady],
              bucketName: trail.bucketName,
              keyPrefix: CONFIG_KEY_PREFIX,
              // Global resources (IAM) are recorded once, in the home region.
              includeGlobalResourceTypes: region === home.region,
            }
          : undefined,
      });
    }
    return trail;
  }

  /** What an operator needs: per region the network and storage, and the account's role and trail. */
  private buildOutputs(identity: GlobalIdentity, regions: readonly RegionParts[], trail: AuditTrail | undefined): void {
    if (identity.apiGatewayCloudWatchRoleArn) {
      new TerraformOutput(this, "api_gateway_cloudwatch_role_arn", {
        description: "ARN of the IAM role API Gateway uses to write CloudWatch logs in every region",
        value: identity.apiGatewayCloudWatchRoleArn,
      });
    }
    if (trail) {
      new TerraformOutput(this, "audit", {
        description: "The account's audit trail: trail ARN, its bucket and log group, and the SNS topic the CIS alarms notify",
        value: { trail_arn: trail.trailArn, bucket_name: trail.bucketName, log_group_name: trail.logGroupName, alarm_topic_arn: trail.topicArn },
      });
    }
    for (const { region, storage, network } of regions) {
      new TerraformOutput(this, `${region}_network`, {
        description: `${region} network: VPC id and CIDR, subnet ids, workload security group, execute-api endpoint id, zones and DNS entries, flow-log group`,
        value: {
          vpc_id: network.vpcId,
          vpc_cidr: network.vpcCidr,
          public_subnet_ids: network.publicSubnetIds,
          private_subnet_ids: network.privateSubnetIds,
          workload_security_group_id: network.workloadSecurityGroupId,
          execute_api_endpoint_id: network.endpointId,
          execute_api_endpoint_zone_ids: network.endpointZoneIds,
          execute_api_endpoint_dns_entries: network.endpointDnsEntries,
          flow_log_group_name: network.flowLogGroupName,
        },
      });
      new TerraformOutput(this, `${region}_storage`, {
        description: `${region} storage: data and access-log bucket names, data bucket ARN, KMS key ARN and alias, API Gateway log group name`,
        value: {
          bucket_name: storage.bucketName,
          bucket_arn: storage.bucketArn,
          access_log_bucket_name: storage.accessLogBucketName,
          kms_key_arn: storage.keyArn,
          kms_key_alias: storage.keyAlias,
          api_gateway_log_group_name: storage.logGroupName,
        },
      });
    }
  }
}

/** What one deployed region consists of. */
interface RegionParts {
  readonly region: string;
  readonly storage: SecureStorage;
  readonly network: RegionalNetwork;
}
