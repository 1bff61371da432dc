import { Construct } from "constructs";
import { copyFileSync } from "fs";
import { join } from "path";
import { Manifest, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsName } from "../aws/limits";
import { MANAGED_BY, NameScope } from "../aws/naming";
import { availabilityZonesFor } from "../aws/regions";
import { ComplianceValidation } from "../compliance/audit";
import { suppressRule } from "../compliance/suppressions";
import type { StackConfig } from "../config/model";
import { GlobalIdentity } from "./global-identity";
import { RegionalNetwork } from "./regional-network";
import { SecureStorage } from "./secure-storage";

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
 * and a SecureStorage in each, and one GlobalIdentity on the first region's provider.
 * Retiring regions keep their provider and nothing else, so Terraform can destroy what state
 * still holds there. `config` must come from `loadConfig`, which has already validated it.
 */
export class TapStack extends TerraformStack {
  /** Every AWS-visible name a stack with this configuration creates, for validation before synth. */
  public static awsNames(config: StackConfig, accountId: string): AwsName[] {
    const { project, environment } = config;
    return [
      ...GlobalIdentity.awsNames({ project, environment }),
      ...config.regions.flatMap(({ region }) => [
        ...RegionalNetwork.awsNames({ project, environment, region }),
        ...SecureStorage.awsNames({ project, environment, region }, accountId),
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
    const { accountId, partition } = this.accountAndPartition(primary);

    const naming = { project: config.project, environment: config.environment };
    const identity = new GlobalIdentity(this, "identity", {
      provider: primary,
      naming,
      accountId,
      partition,
      flowLogGroups: config.regions.map(({ region }) => ({ region, name: RegionalNetwork.flowLogGroupName({ ...naming, region }) })),
      manageAccountSettings: config.manageAccountSettings,
      passwordReusePrevention: config.passwordReusePrevention,
      protectAccountSettings: config.protectData.enabled,
    });
    if (identity.apiGatewayCloudWatchRoleArn) {
      new TerraformOutput(this, "api_gateway_cloudwatch_role_arn", {
        description: "ARN of the IAM role API Gateway uses to write CloudWatch logs in every region",
        value: identity.apiGatewayCloudWatchRoleArn,
      });
    }

    this.checkComplianceOnSynth(options.providerLockFile);
    // Accepted risks from configuration suppress their rule across the stack, visibly: synth and audit print each.
    for (const risk of config.acceptedRisks) suppressRule(this, risk.ruleId, `${risk.reason} (accepted by ${risk.source})`);
    for (const { region, vpcCidr } of config.regions) {
      this.buildRegion(config, { project: config.project, environment: config.environment, region }, vpcCidr, { accountId, partition, identity });
    }
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

  /** Encrypted, locked remote state. */
  private configureBackend(config: StackConfig): void {
    const backend = config.backend;
    if (backend.type === "s3") {
      new S3Backend(this, { bucket: backend.bucket, key: backend.key, region: backend.region, encrypt: true });
      // cdktf 0.21's S3BackendConfig predates Terraform's native S3 lock file; without it state is not locked.
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    }
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  }

  /** One aliased provider per region, with the common tags as default_tags. */
  private buildProviders(config: StackConfig): Map<string, AwsProvider> {
    const providers = new Map<string, AwsProvider>();
    const tags = { ...config.tags, Environment: config.environment, Project: config.project, ManagedBy: MANAGED_BY };
    for (const region of [...config.regions.map((r) => r.region), ...config.retiringRegions]) {
      providers.set(region, new AwsProvider(this, `aws-${region}`, { alias: region, region, defaultTags: [{ tags }] }));
    }
    return providers;
  }

  private accountAndPartition(primary: AwsProvider): { accountId: string; partition: string } {
    const caller = new DataAwsCallerIdentity(this, "caller-identity", { provider: primary });
    caller.overrideLogicalId(CALLER_IDENTITY_ID);
    const partition = new DataAwsPartition(this, "partition", { provider: primary });
    partition.overrideLogicalId(PARTITION_ID);
    return { accountId: caller.accountId, partition: partition.partition };
  }

  /**
   * Every synth checks the stack against the rule pack before anything is written, and places
   * the provider lock file beside the stack so `terraform init` verifies the provider.
   */
  private checkComplianceOnSynth(providerLockFile: string | undefined): void {
    this.node.addValidation(new ComplianceValidation(this));
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

  /** A region's storage and network, and the outputs an operator needs for them. */
  private buildRegion(
    config: StackConfig,
    naming: NameScope & { region: string },
    vpcCidr: string,
    shared: { accountId: string; partition: string; identity: GlobalIdentity },
  ): void {
    const { region } = naming;
    const provider = this.providers.get(region)!;
    const flowLogGroupName = RegionalNetwork.flowLogGroupName(naming);
    const storage = new SecureStorage(this, `storage-${region}`, {
      provider,
      naming,
      accountId: shared.accountId,
      partition: shared.partition,
      apiGatewayCloudWatchRoleArn: shared.identity.apiGatewayCloudWatchRoleArn,
      apiGatewayRoleDependencies: shared.identity.apiGatewayRoleReady ? [shared.identity.apiGatewayRoleReady] : undefined,
      encryptedLogGroupNames: [flowLogGroupName],
      logRetentionDays: config.logRetentionDays,
      protectData: config.protectData.enabled,
    });
    const network = new RegionalNetwork(this, `network-${region}`, {
      provider,
      naming,
      vpcCidr,
      availabilityZoneIds: availabilityZonesFor(region, config.availabilityZoneCount),
      allowedSshCidrs: config.allowedSshCidrs,
      allowedHttpsCidrs: config.allowedHttpsCidrs,
      enableEndpointPrivateDns: config.endpointPrivateDns,
      flowLogKmsKeyArn: storage.keyArn,
      flowLogRoleArn: shared.identity.flowLogsRoleArn,
      flowLogRoleDependencies: [shared.identity.flowLogsRoleReady],
      flowLogRetentionDays: config.logRetentionDays,
    });

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
      description: `${region} storage: bucket name and ARN, KMS key ARN and alias, API Gateway log group name`,
      value: {
        bucket_name: storage.bucketName,
        bucket_arn: storage.bucketArn,
        kms_key_arn: storage.keyArn,
        kms_key_alias: storage.keyAlias,
        api_gateway_log_group_name: storage.logGroupName,
      },
    });
  }
}
