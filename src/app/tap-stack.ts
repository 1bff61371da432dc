import { Construct } from "constructs";
import { TerraformBackend, TerraformOutput, TerraformResource } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AuditTrail } from "../audit/audit-trail";
import { NameScope } from "../aws/naming";
import { adoptedName } from "../aws/singletons";
import { ComplianceValidation } from "../compliance/audit";
import { suppressRule } from "../compliance/suppressions";
import type { StackConfig } from "../config/model";
import { GlobalIdentity } from "../identity/global-identity";
import { RegionalNetwork } from "../network/regional-network";
import { availabilityZonesFor } from "../network/regions";
import { BucketReplication } from "../storage/bucket-replication";
import { SecureStorage } from "../storage/secure-storage";
import { stateBucketName } from "../storage/storage-facts";
import { TAP_RULE_PACK } from "./rule-pack";
import { SinglePassStack, SinglePassStackOptions } from "./single-pass-stack";
import { acceptConfiguredRisks, accountAndPartition, configureBackend, guardAccount, regionProviders } from "./stack-parts";
import { AccountOutputName, RegionalOutputName, STACK_OUTPUTS } from "./stack-outputs";

export type TapStackOptions = SinglePassStackOptions;

/** Where the account's AWS Config delivers, as the account stack's state tells it. */
export interface ConfigDeliveryOutput {
  /** The output (STACK_OUTPUTS) holding the delivery bucket's name. */
  readonly bucketOutput: AccountOutputName;
  /** Key prefix inside the bucket. */
  readonly keyPrefix: string;
}

/** What one deployed region consists of. */
interface RegionParts {
  readonly region: string;
  readonly storage: SecureStorage;
  readonly network: RegionalNetwork;
}

/**
 * The whole baseline of one account: one aliased AWS provider per region, a SecureStorage and
 * a RegionalNetwork in each workload region, and one GlobalIdentity on the home region's
 * provider. The deployment that owns the account's settings also gets the AuditTrail (home
 * region), the AccountGuardrails and a RegionalGuardrails in every guarded region this stack
 * holds (all of them, or only the workload regions when the split layout gives the others to
 * RegionStacks); data buckets replicate in a ring across the regions unless replication is
 * off. Retiring regions keep their provider and nothing else, so Terraform can destroy what
 * state still holds there. `config` must come from `loadConfig`, which has already validated
 * it. This class only composes; synth mechanics live in SinglePassStack.
 */
export class TapStack extends SinglePassStack {
  /** Providers by region name: the workload regions in configuration order, the other guarded regions it holds, then the retiring ones. */
  public readonly providers: ReadonlyMap<string, AwsProvider>;
  /** Where this stack's state lives; a region stack reads this stack's outputs from there. */
  public readonly stateBackend: TerraformBackend;
  /**
   * Where AWS Config delivers, for the split layout's region stacks: the output holding the trail
   * bucket's name, and the key prefix. Undefined when this stack runs no AWS Config of its own.
   */
  public readonly configDeliveryOutput?: ConfigDeliveryOutput;

  constructor(scope: Construct, id: string, config: StackConfig, options: TapStackOptions = {}) {
    super(scope, id, options);
    this.stateBackend = configureBackend(this, config.backend);
    this.providers = regionProviders(this, config, [...new Set([...config.regions.map((r) => r.region), ...heldGuardrailRegions(config), ...config.retiringRegions])]);
    // The home region's provider creates the account-wide resources (IAM is global; the trail records every region).
    const primary = this.providerOf(config.homeRegion.region);
    const account = accountAndPartition(this, primary, config);
    const { accountId, partition } = account;
    const naming = { project: config.project, environment: config.environment };
    const owner = config.manageAccountSettings;

    this.node.addValidation(new ComplianceValidation(this, TAP_RULE_PACK));
    acceptConfiguredRisks(this, config);

    const identity = new GlobalIdentity(this, "identity", {
      provider: primary,
      naming,
      accountId,
      partition,
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
    const guarded = owner ? this.buildGuardrails(config, naming, account, regions) : undefined;
    const trail = guarded?.trail;
    const delivery = guarded?.delivery;
    if (delivery && trail && !config.configDelivery) this.configDeliveryOutput = { bucketOutput: "trail_bucket_name", keyPrefix: delivery.keyPrefix };
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

  /**
   * The account's guardrails, owned by this deployment: the audit trail, its alarms and the
   * route of Security Hub's findings to its topic in the home region, the account-wide
   * settings, and each region's detective controls, each created, adopted or left to whoever
   * manages it as `config.singletons` says.
   */
  private buildGuardrails(
    config: StackConfig,
    naming: Omit<NameScope, "region">,
    account: { accountId: string; partition: string },
    regions: readonly RegionParts[],
  ): { trail?: AuditTrail; delivery?: { keyPrefix: string } } {
    const home = regions.find(({ region }) => region === config.homeRegion.region)!;
    const primary = this.providerOf(home.region);
    const { awsConfig, alarmEmail } = config.guardrails;
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
    // Security Hub's findings (GuardDuty's among them) page the security topic from the home region.
    if (config.guardrails.securityHub && trail) trail.notifyFindings(config.findingsSeverity);
    else if (config.guardrails.securityHub && modes.securityHub !== "external") {
      suppressRule(this, "SecurityHub.FindingsNotified", "the security topic is the trail's, which is managed outside this deployment (singletons trail=external): route Security Hub's findings there");
    }
    // The account's own state bucket (npm run bootstrap): who read or wrote state, which holds every secret of the stack.
    const stateBucket = this.ownStateBucket(config);
    if (stateBucket) trail?.recordObjectEvents(`arn:${account.partition}:s3:::${stateBucket}`);
    // An organization member delivers to the organization's log archive; otherwise configuration
    // refuses AWS Config of tap's own without tap's trail bucket to deliver to.
    const delivery = awsConfig && modes.awsConfig !== "external" ? (config.configDelivery ?? trail!.grantConfigDelivery()) : undefined;
    guardAccount(this, config, {
      primary,
      account,
      delivery,
      regions: [
        ...regions.map(({ region, storage }) => ({ region, provider: this.providerOf(region), ebsKey: storage })),
        ...heldGuardrailRegions(config).map((region) => ({ region, provider: this.providerOf(region) })),
      ],
    });
    return { trail, delivery };
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

/** The guarded regions without workload that this stack holds: all of them in the single layout, none in the split one. */
function heldGuardrailRegions(config: StackConfig): string[] {
  const elsewhere = new Set([...config.regions.map((r) => r.region), ...config.regionStacks.flatMap((stack) => stack.regions)]);
  return config.manageAccountSettings ? config.guardrailRegions.filter((region) => !elsewhere.has(region)) : [];
}
