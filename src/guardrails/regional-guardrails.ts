import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AccessanalyzerAnalyzer } from "@cdktf/provider-aws/lib/accessanalyzer-analyzer";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { ConfigConfigurationRecorderStatus } from "@cdktf/provider-aws/lib/config-configuration-recorder-status";
import { ConfigDeliveryChannel } from "@cdktf/provider-aws/lib/config-delivery-channel";
import { EbsDefaultKmsKey } from "@cdktf/provider-aws/lib/ebs-default-kms-key";
import { EbsEncryptionByDefault } from "@cdktf/provider-aws/lib/ebs-encryption-by-default";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SecurityhubStandardsSubscription } from "@cdktf/provider-aws/lib/securityhub-standards-subscription";
import { CIS_V3_STANDARD } from "./account-services";
import { AwsName, awsNameProblems } from "../aws/limits";
import { nameTag, NameScope, resourceName } from "../aws/naming";

/** How a region's AWS Config recorder records and where it delivers. */
export interface RegionalConfigRecording {
  /** The role the recorder uses (AccountGuardrails.configRoleArn). */
  readonly roleArn: string;
  /** What must exist before the recorder: the role's permissions, the bucket's policy. */
  readonly dependencies?: ITerraformDependable[];
  /** Delivery bucket (name) and key prefix. */
  readonly bucketName: string;
  readonly keyPrefix: string;
  /**
   * Record IAM users, roles, groups and policies too. They are global, so exactly one region
   * should record them (else every change is recorded once per region and billed as such).
   */
  readonly includeGlobalResourceTypes: boolean;
}

export interface RegionalGuardrailsProps {
  /** Provider of the region. */
  readonly provider: AwsProvider;
  /** Project, environment and region for names. */
  readonly naming: NameScope & { readonly region: string };
  /** AWS partition for the Security Hub standard's ARN. May be a token. */
  readonly partition: string;
  /**
   * The key new EBS volumes and snapshots are encrypted with by default (CIS 2.2.1). Its policy
   * must let the account's principals use it through EC2 of this region.
   * @default - EBS encryption by default with the AWS-managed aws/ebs key
   */
  readonly ebsKmsKeyArn?: string;
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
   * Turn on Security Hub with the CIS AWS Foundations Benchmark v3.0.0 standard (billed per
   * check). Its CIS controls are AWS Config rules, so the region needs a Config recorder.
   * @default false
   */
  readonly securityHub?: boolean;
  /**
   * An AWS Config recorder of all supported resources, delivering to a bucket (CIS 3.3; billed per configuration item).
   * @default - no recorder
   */
  readonly awsConfig?: RegionalConfigRecording;
}

/** How often GuardDuty publishes updates of open findings (the fastest setting). */
export const GUARDDUTY_FINDING_FREQUENCY = "FIFTEEN_MINUTES";

/**
 * A region's detective and preventive guardrails: EBS encryption by default, an IAM Access
 * Analyzer and, each behind a setting because each costs money, GuardDuty, Security Hub with
 * the CIS v3.0.0 standard, and an AWS Config recorder. Every one of them is a singleton per
 * account and region, so only the deployment that owns the account's settings creates them.
 */
export class RegionalGuardrails extends Construct {
  /** The AWS-visible names a RegionalGuardrails with this naming creates (configuration checks them). */
  public static awsNames(naming: NameScope & { readonly region: string }): AwsName[] {
    const names = RegionalGuardrails.names(naming);
    return [
      { kind: "accessAnalyzer", name: names.analyzer },
      { kind: "configRecorder", name: names.recorder },
    ];
  }

  private static names(naming: NameScope & { readonly region: string }) {
    return { analyzer: resourceName(naming, "access-analyzer"), recorder: resourceName(naming, "config"), deliveryChannel: resourceName(naming, "config") };
  }

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

    this.buildEbsEncryption(props.ebsKmsKeyArn);
    if (props.accessAnalyzer ?? true) {
      new AccessanalyzerAnalyzer(this, "access-analyzer", {
        provider: this.provider,
        analyzerName: RegionalGuardrails.names(this.naming).analyzer,
        type: "ACCOUNT",
        tags: nameTag(this.naming, "access-analyzer"),
      });
    }
    if (props.guardDuty) {
      this.guardDutyDetectorId = new GuarddutyDetector(this, "guardduty", {
        provider: this.provider,
        enable: true,
        findingPublishingFrequency: GUARDDUTY_FINDING_FREQUENCY,
        tags: nameTag(this.naming, "guardduty"),
      }).id;
    }
    const recorder = props.awsConfig ? this.buildConfigRecorder(props.awsConfig) : undefined;
    this.configRecorderName = recorder?.name;
    if (props.securityHub) this.buildSecurityHub(props.partition);
  }

  private validate(props: RegionalGuardrailsProps): void {
    const problems = awsNameProblems(RegionalGuardrails.awsNames(props.naming));
    if (props.securityHub && !props.awsConfig) {
      problems.push("'securityHub' needs 'awsConfig': Security Hub's CIS v3.0.0 controls are AWS Config rules and report nothing without a recorder. Received: securityHub true, awsConfig unset");
    }
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
  }

  /** New volumes and snapshots encrypted by default (CIS 2.2.1), with the given key when there is one. */
  private buildEbsEncryption(keyArn: string | undefined): void {
    const encryption = new EbsEncryptionByDefault(this, "ebs-encryption-by-default", { provider: this.provider, enabled: true });
    if (keyArn !== undefined) new EbsDefaultKmsKey(this, "ebs-default-key", { provider: this.provider, keyArn, dependsOn: [encryption] });
  }

  /** Recorder, delivery channel, then recording switched on: AWS requires the channel before the recorder starts. */
  private buildConfigRecorder(recording: RegionalConfigRecording): ConfigConfigurationRecorder {
    const names = RegionalGuardrails.names(this.naming);
    const recorder = new ConfigConfigurationRecorder(this, "config-recorder", {
      provider: this.provider,
      name: names.recorder,
      roleArn: recording.roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: recording.includeGlobalResourceTypes },
      dependsOn: recording.dependencies,
    });
    const channel = new ConfigDeliveryChannel(this, "config-delivery-channel", {
      provider: this.provider,
      name: names.deliveryChannel,
      s3BucketName: recording.bucketName,
      s3KeyPrefix: recording.keyPrefix,
      dependsOn: [recorder, ...(recording.dependencies ?? [])],
    });
    new ConfigConfigurationRecorderStatus(this, "config-recorder-status", {
      provider: this.provider,
      name: recorder.name,
      isEnabled: true,
      dependsOn: [channel],
    });
    return recorder;
  }

  /** Security Hub without AWS's default standards, subscribed to CIS v3.0.0 (CIS 4.16). */
  private buildSecurityHub(partition: string): void {
    const account = new SecurityhubAccount(this, "security-hub", {
      provider: this.provider,
      // The defaults (FSBP and CIS 1.2.0) would be subscribed outside Terraform and not removed by destroy.
      enableDefaultStandards: false,
    });
    new SecurityhubStandardsSubscription(this, "security-hub-cis-v3", {
      provider: this.provider,
      // Standard ARNs are regional and carry no account.
      standardsArn: `arn:${partition}:securityhub:${this.naming.region}::${CIS_V3_STANDARD}`,
      dependsOn: [account],
    });
  }
}
