import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AccessanalyzerAnalyzer } from "@cdktf/provider-aws/lib/accessanalyzer-analyzer";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { ConfigConfigurationRecorderStatus } from "@cdktf/provider-aws/lib/config-configuration-recorder-status";
import { ConfigDeliveryChannel } from "@cdktf/provider-aws/lib/config-delivery-channel";
import { EbsDefaultKmsKey } from "@cdktf/provider-aws/lib/ebs-default-kms-key";
import { EbsEncryptionByDefault } from "@cdktf/provider-aws/lib/ebs-encryption-by-default";
import { EbsSnapshotBlockPublicAccess } from "@cdktf/provider-aws/lib/ebs-snapshot-block-public-access";
import { Ec2ImageBlockPublicAccess } from "@cdktf/provider-aws/lib/ec2-image-block-public-access";
import { SsmServiceSetting } from "@cdktf/provider-aws/lib/ssm-service-setting";
import { DataAwsGuarddutyDetector } from "@cdktf/provider-aws/lib/data-aws-guardduty-detector";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SecurityhubStandardsSubscription } from "@cdktf/provider-aws/lib/securityhub-standards-subscription";
import { awsNameProblems } from "../aws/limits";
import { nameTag, NameScope } from "../aws/naming";
import type { SingletonMode } from "../aws/singletons";
import { adoptExisting } from "../terraform/adopt-existing";
import type { ConfigDeliveryTarget } from "../audit/audit-trail";
import type { IEbsEncryptionKey } from "../storage/secure-storage";
import type { IConfigRecorderRole } from "./account-guardrails";
import { DefaultVpcLockdown } from "./default-vpc-lockdown";
import { GuardDutyProtection } from "./guardduty-protection";
import {
  CONFIG_GLOBAL_RESOURCE_TYPES,
  ConfigRecordingFrequency,
  DEFAULT_SECURITY_HUB_STANDARDS,
  GUARDDUTY_FINDING_FREQUENCY,
  GuardDutyProtectionPlan,
  PUBLIC_SHARING_BLOCKS,
  regionalGuardrailAwsNames,
  regionalGuardrailNames,
  SECURITY_HUB_STANDARDS,
  securityHubStandardArn,
  SecurityHubStandard,
  ssmDocumentSharingSettingArn,
  ssmServiceSettingArn,
  SSM_AUTOMATION_LOGGING,
} from "./guardrail-facts";

/** How a region's AWS Config recorder records and where it delivers. */
export interface RegionalConfigRecording {
  /** The role the recorder uses (AccountGuardrails.configRecorderRole). */
  readonly role: IConfigRecorderRole;
  /** Where it delivers (AuditTrail.grantConfigDelivery). */
  readonly delivery: ConfigDeliveryTarget;
  /**
   * Record IAM users, roles, groups and policies too. They are global, so exactly one region
   * should record them (else every change is recorded once per region and billed as such).
   */
  readonly includeGlobalResourceTypes: boolean;
  /**
   * How often the recorder records (recording_mode): CONTINUOUS, or DAILY for fewer
   * configuration items billed.
   * @default - no recording mode declared: AWS records continuously
   * @see https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html#select-resources-recording-frequency
   */
  readonly frequency?: ConfigRecordingFrequency;
  /**
   * Resource types not recorded (recording strategy EXCLUSION_BY_RESOURCE_TYPES). A recorder
   * that does not record the global types excludes IAM's too, which that strategy would
   * otherwise record in every region.
   * @default [] - every supported type
   */
  readonly excludedResourceTypes?: readonly string[];
}

export interface RegionalGuardrailsProps {
  /** Provider of the region. */
  readonly provider: AwsProvider;
  /** Project, environment and region for names. */
  readonly naming: NameScope & { readonly region: string };
  /** AWS partition for the Security Hub standard's ARN. May be a token. */
  readonly partition: string;
  /** The account (Security Hub is adopted by it). May be a token. */
  readonly accountId: string;
  /**
   * The key new EBS volumes and snapshots are encrypted with by default (CIS 2.2.1); the
   * guardrails grant the account's principals its use through EC2 of this region.
   * @default - EBS encryption by default with the AWS-managed aws/ebs key
   */
  readonly ebsKey?: IEbsEncryptionKey;
  /**
   * An IAM Access Analyzer for the account in this region (CIS 1.20). AWS allows one account analyzer per region.
   * @default true
   */
  readonly accessAnalyzer?: boolean;
  /**
   * Turn on GuardDuty threat detection (billed per analysed event and GB).
   * @default false
   */
  readonly guardDuty?: boolean;
  /**
   * The GuardDuty protection plans turned on on the detector (created or adopted), with GuardDuty
   * on; the others are declared DISABLED. Each is billed only where its workload exists, except
   * S3 Protection, billed per S3 data event analysed.
   * @default every plan (GUARDDUTY_PROTECTION_PLAN_KEYS)
   */
  readonly guardDutyProtection?: readonly GuardDutyProtectionPlan[];
  /**
   * Turn on Security Hub with the standards of `securityHubStandards` (billed per security
   * check). Its controls are AWS Config rules, so the region needs a Config recorder.
   * @default false
   */
  readonly securityHub?: boolean;
  /**
   * The standards Security Hub subscribes, one aws_securityhub_standards_subscription each,
   * with a stable logical id per standard (CIS v3.0.0 keeps `security-hub-cis-v3`).
   * IMPORTANT: leaving a standard out unsubscribes it, and its findings go.
   * @default ["fsbp", "cis-v5"]
   */
  readonly securityHubStandards?: readonly SecurityHubStandard[];
  /**
   * Empty the default security group of the region's default VPC, where there is one (FSBP EC2.2,
   * CIS 5.4); its NACL, subnets and routes stay as they are.
   * @default true
   */
  readonly defaultVpcLockdown?: boolean;
  /**
   * Block public sharing for the account in this region: EBS snapshots (block-all-sharing), new
   * AMIs (block-new-sharing) and SSM documents (FSBP SSM.7). Each is one setting per account and
   * region, which tap sets whatever it was (there is nothing to create or adopt).
   * @default true
   */
  readonly publicSharingBlocks?: boolean;
  /**
   * Send SSM Automation's script output (aws:executeScript steps) to CloudWatch Logs (FSBP SSM.6):
   * one setting per account and region, which tap sets whatever it was.
   * @default true
   */
  readonly automationLogging?: boolean;
  /**
   * An AWS Config recorder of all supported resources, delivering to a bucket (CIS 3.3; billed per configuration item).
   * @default - no recorder
   */
  readonly awsConfig?: RegionalConfigRecording;
  /**
   * For each guardrail that is on, what to do about the region's one instance: create it, adopt
   * the existing one (Terraform imports it, then applies tap's settings), or leave it to whoever
   * manages it (an organization's delegated administrator, Control Tower): nothing is created.
   * @default - create each
   */
  readonly modes?: RegionalGuardrailModes;
  /**
   * Names adopted resources already have, which they keep (AWS cannot rename them in place).
   * @default - the recorder and delivery channel "default" (as AWS's console names them); an adopted analyzer needs its name
   */
  readonly adoptedNames?: { readonly accessAnalyzer?: string; readonly configRecorder?: string; readonly configDeliveryChannel?: string };
}

/** What RegionalGuardrails does about each of the region's singletons; each @default "create". */
export interface RegionalGuardrailModes {
  readonly ebsEncryption?: SingletonMode;
  readonly accessAnalyzer?: SingletonMode;
  readonly guardDuty?: SingletonMode;
  readonly securityHub?: SingletonMode;
  readonly awsConfig?: SingletonMode;
}

/** The recorder's and delivery channel's names when an adoption names neither: what AWS's console calls them. */
export const DEFAULT_ADOPTED_CONFIG_NAME = "default";

/**
 * A region's detective and preventive guardrails: EBS encryption by default, an IAM Access
 * Analyzer, the default VPC's default security group emptied, blocks on public sharing of EBS
 * snapshots, AMIs and SSM documents, SSM Automation logging to CloudWatch and, each behind a setting because each costs money,
 * GuardDuty, Security Hub with the chosen standards (FSBP and CIS v5.0.0 by default), and an
 * AWS Config recorder. Every one of them is a singleton per account and region, so only the
 * deployment that owns the account's settings creates them.
 */
export class RegionalGuardrails extends Construct {
  /** The GuardDuty detector's id, when GuardDuty is on. */
  public readonly guardDutyDetectorId?: string;
  /** The Config recorder's name, when AWS Config is on. */
  public readonly configRecorderName?: string;

  private readonly provider: AwsProvider;
  private readonly naming: NameScope & { readonly region: string };

  constructor(scope: Construct, id: string, props: RegionalGuardrailsProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    this.validate(props);
    const mode = (guardrail: keyof RegionalGuardrailModes): SingletonMode => props.modes?.[guardrail] ?? "create";

    if (mode("ebsEncryption") !== "external") this.buildEbsEncryption(props.ebsKey, mode("ebsEncryption") === "adopt");
    if ((props.accessAnalyzer ?? true) && mode("accessAnalyzer") !== "external") this.buildAccessAnalyzer(mode("accessAnalyzer") === "adopt" ? props.adoptedNames?.accessAnalyzer : undefined);
    if (props.guardDuty && mode("guardDuty") !== "external") this.guardDutyDetectorId = this.buildGuardDuty(mode("guardDuty") === "adopt", props.guardDutyProtection);
    if (props.awsConfig && mode("awsConfig") !== "external") {
      const adopted = mode("awsConfig") === "adopt" ? props.adoptedNames ?? {} : undefined;
      this.configRecorderName = this.buildConfigRecorder(props.awsConfig, adopted).name;
    }
    if (props.securityHub && mode("securityHub") !== "external") this.buildSecurityHub(props, mode("securityHub") === "adopt");
    if (props.defaultVpcLockdown ?? true) new DefaultVpcLockdown(this, "default-vpc", { provider: this.provider, naming: this.naming });
    if (props.publicSharingBlocks ?? true) this.buildPublicSharingBlocks(props);
    if (props.automationLogging ?? true) this.buildAutomationLogging(props);
  }

  private validate(props: RegionalGuardrailsProps): void {
    const problems = awsNameProblems(regionalGuardrailAwsNames(props.naming));
    if (props.modes?.accessAnalyzer === "adopt" && (props.accessAnalyzer ?? true) && !props.adoptedNames?.accessAnalyzer) {
      problems.push("'modes.accessAnalyzer' adopt needs 'adoptedNames.accessAnalyzer': an analyzer is imported by its name, which it keeps. Received: no name");
    }
    // A recorder another party manages serves Security Hub just as well.
    if (props.securityHub && props.modes?.securityHub !== "external" && !props.awsConfig && props.modes?.awsConfig !== "external") {
      problems.push("'securityHub' needs 'awsConfig': Security Hub's controls are AWS Config rules and report nothing without a recorder. Received: securityHub true, awsConfig unset");
    }
    const standards = props.securityHubStandards ?? DEFAULT_SECURITY_HUB_STANDARDS;
    const unknown = standards.filter((standard) => !(standard in SECURITY_HUB_STANDARDS));
    if (props.securityHub && (standards.length === 0 || unknown.length > 0 || new Set(standards).size !== standards.length)) {
      problems.push(`'securityHubStandards' must list each of ${Object.keys(SECURITY_HUB_STANDARDS).join(", ")} at most once, and at least one. Received: ${JSON.stringify(standards)}`);
    }
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
  }

  /** New volumes and snapshots encrypted by default (CIS 2.2.1), with the given key when there is one. */
  private buildEbsEncryption(key: IEbsEncryptionKey | undefined, adopt: boolean): void {
    const encryption = new EbsEncryptionByDefault(this, "ebs-encryption-by-default", { provider: this.provider, enabled: true });
    // The provider reads the setting of its region whatever the id; the region is the id it gives one it creates.
    if (adopt) adoptExisting(encryption, this.naming.region);
    if (key === undefined) return;
    key.grantEbsDefaultEncryption();
    // Not imported when adopting: setting the default key replaces whatever key was the default.
    new EbsDefaultKmsKey(this, "ebs-default-key", { provider: this.provider, keyArn: key.keyArn, dependsOn: [encryption] });
  }

  /** The account's analyzer of the region (CIS 1.20); an adopted one keeps its name. */
  private buildAccessAnalyzer(adoptedName: string | undefined): void {
    const analyzer = new AccessanalyzerAnalyzer(this, "access-analyzer", {
      provider: this.provider,
      analyzerName: adoptedName ?? regionalGuardrailNames(this.naming).analyzer,
      type: "ACCOUNT",
      tags: nameTag(this.naming, "access-analyzer"),
    });
    if (adoptedName !== undefined) adoptExisting(analyzer, adoptedName);
  }

  /** The region's GuardDuty detector with its protection plans; an adopted one is found by the data source (one detector per region). */
  private buildGuardDuty(adopt: boolean, plans: readonly GuardDutyProtectionPlan[] | undefined): string {
    const detector = new GuarddutyDetector(this, "guardduty", {
      provider: this.provider,
      enable: true,
      findingPublishingFrequency: GUARDDUTY_FINDING_FREQUENCY,
      tags: nameTag(this.naming, "guardduty"),
    });
    if (adopt) adoptExisting(detector, new DataAwsGuarddutyDetector(this, "existing-guardduty", { provider: this.provider }).id);
    new GuardDutyProtection(this, "guardduty-protection", { provider: this.provider, detectorId: detector.id, plans });
    return detector.id;
  }

  /**
   * Recorder, delivery channel, then recording switched on: AWS requires the channel before the
   * recorder starts. Adopted ones keep their names and get tap's role, recording and bucket.
   */
  private buildConfigRecorder(recording: RegionalConfigRecording, adopted: RegionalGuardrailsProps["adoptedNames"] | undefined): ConfigConfigurationRecorder {
    const names = adopted
      ? { recorder: adopted.configRecorder ?? DEFAULT_ADOPTED_CONFIG_NAME, deliveryChannel: adopted.configDeliveryChannel ?? DEFAULT_ADOPTED_CONFIG_NAME }
      : regionalGuardrailNames(this.naming);
    const dependencies = [...recording.role.configRoleReady, ...(recording.delivery.ready ? [recording.delivery.ready] : [])];
    const recorder = new ConfigConfigurationRecorder(this, "config-recorder", {
      provider: this.provider,
      name: names.recorder,
      roleArn: recording.role.configRoleArn,
      recordingGroup: recordingGroup(recording),
      recordingMode: recording.frequency ? { recordingFrequency: recording.frequency } : undefined,
      dependsOn: dependencies,
    });
    const channel = new ConfigDeliveryChannel(this, "config-delivery-channel", {
      provider: this.provider,
      name: names.deliveryChannel,
      s3BucketName: recording.delivery.bucketName,
      s3KeyPrefix: recording.delivery.keyPrefix,
      dependsOn: [recorder, ...dependencies],
    });
    const status = new ConfigConfigurationRecorderStatus(this, "config-recorder-status", {
      provider: this.provider,
      name: recorder.name,
      isEnabled: true,
      dependsOn: [channel],
    });
    if (adopted) {
      adoptExisting(recorder, names.recorder);
      adoptExisting(channel, names.deliveryChannel);
      adoptExisting(status, names.recorder);
    }
    return recorder;
  }

  /** The region's account-wide blocks on public sharing (settings: each overwrites whatever the account had). */
  private buildPublicSharingBlocks(props: RegionalGuardrailsProps): void {
    new EbsSnapshotBlockPublicAccess(this, "ebs-snapshot-block-public-access", { provider: this.provider, state: PUBLIC_SHARING_BLOCKS.snapshotState });
    new Ec2ImageBlockPublicAccess(this, "image-block-public-access", { provider: this.provider, state: PUBLIC_SHARING_BLOCKS.imageState });
    new SsmServiceSetting(this, "ssm-document-public-sharing", {
      provider: this.provider,
      settingId: ssmDocumentSharingSettingArn(props.partition, this.naming.region, props.accountId),
      settingValue: PUBLIC_SHARING_BLOCKS.ssmDocumentValue,
    });
  }

  /**
   * SSM Automation's script output to CloudWatch Logs (FSBP SSM.6): an account setting of the
   * region, free in itself (the logs are billed as any CloudWatch Logs ingestion).
   */
  private buildAutomationLogging(props: RegionalGuardrailsProps): void {
    new SsmServiceSetting(this, "ssm-automation-logging", {
      provider: this.provider,
      settingId: ssmServiceSettingArn(SSM_AUTOMATION_LOGGING.setting, props.partition, this.naming.region, props.accountId),
      settingValue: SSM_AUTOMATION_LOGGING.value,
    });
  }

  /**
   * Security Hub without AWS's default standards, subscribed to the chosen ones (CIS 4.16).
   * Adopting imports the hub only: importing a subscription would fail the plan of a hub without
   * it, so the subscriptions are created.
   */
  private buildSecurityHub(props: RegionalGuardrailsProps, adopt: boolean): void {
    const account = new SecurityhubAccount(this, "security-hub", {
      provider: this.provider,
      // The defaults (FSBP and CIS 1.2.0) would be subscribed outside Terraform and not removed by destroy.
      enableDefaultStandards: false,
      // The provider cannot read this argument back (an import takes its default, true) and it forces
      // a new hub: an adopted hub would be disabled, losing its findings, and enabled again. It only
      // matters when a hub is created, so an adopted one ignores it.
      lifecycle: adopt ? { ignoreChanges: ["enable_default_standards"] } : undefined,
    });
    if (adopt) adoptExisting(account, props.accountId);
    for (const standard of props.securityHubStandards ?? DEFAULT_SECURITY_HUB_STANDARDS) {
      // Ids are per standard, never positional: adding or removing one leaves the others' state alone.
      new SecurityhubStandardsSubscription(this, SECURITY_HUB_STANDARDS[standard].constructId, {
        provider: this.provider,
        // Standard ARNs are regional and carry no account.
        standardsArn: securityHubStandardArn(props.partition, this.naming.region, standard),
        dependsOn: [account],
      });
    }
  }
}

/**
 * Every supported type, or every one but the exclusions. Excluding needs the
 * EXCLUSION_BY_RESOURCE_TYPES strategy with all_supported and include_global_resource_types false.
 * @see https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html
 */
function recordingGroup(recording: RegionalConfigRecording) {
  const excluded = recording.excludedResourceTypes ?? [];
  if (excluded.length === 0) return { allSupported: true, includeGlobalResourceTypes: recording.includeGlobalResourceTypes };
  const types = recording.includeGlobalResourceTypes ? excluded : [...new Set([...excluded, ...CONFIG_GLOBAL_RESOURCE_TYPES])];
  return {
    allSupported: false,
    includeGlobalResourceTypes: false,
    recordingStrategy: [{ useOnly: "EXCLUSION_BY_RESOURCE_TYPES" }],
    exclusionByResourceTypes: [{ resourceTypes: [...types].sort() }],
  };
}
