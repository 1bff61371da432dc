import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement, DataAwsIamPolicyDocumentStatementCondition } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { BASELINE } from "../aws/baseline";
import { awsNameProblems, logRetentionProblem } from "../aws/limits";
import { nameTag, NameScope, resourceName } from "../aws/naming";
import { serviceTrustPolicy } from "../identity/trust-policy";
import { suppressRule } from "../compliance/suppressions";
import { adoptExisting } from "../terraform/adopt-existing";
import { HardenedBucket, IAccessLogTarget } from "../storage/hardened-bucket";
import { accountAdministersKey } from "../storage/storage-facts";
import { auditAwsNames, auditNames, CONFIG_KEY_PREFIX } from "./audit-facts";
import { CIS_ALARMS, CIS_METRIC_NAMESPACE } from "./cis-alarms";
import type { SeverityLabel } from "./findings-facts";
import { FindingsNotification } from "./findings-notification";

export interface AuditTrailProps {
  /** Provider of the trail's home region (the trail itself records every region). */
  readonly provider: AwsProvider;
  /** Project and environment for names, and the home region. */
  readonly naming: NameScope & { readonly region: string };
  /** The account the trail records. May be a token. */
  readonly accountId: string;
  /** AWS partition for ARNs. May be a token. */
  readonly partition: string;
  /**
   * The home region's server access log bucket: the trail bucket's access logs go there (CIS 3.4).
   * Required unless `organizationArchive` is given (the archive's account logs its own bucket).
   * @default - none; then `organizationArchive` is required
   */
  readonly accessLogs?: IAccessLogTarget;
  /**
   * Make this the organization trail (run from the management account, recording every account of
   * the organization) and deliver to the log-archive account's bucket, encrypted with that
   * account's key, instead of a bucket and key of its own. The archive's policies must let this
   * trail write (LogArchive does).
   * @default - the account's own trail, bucket and key
   */
  readonly organizationArchive?: {
    readonly bucketName: string;
    readonly keyArn: string;
    /** Completes once the organization trusts CloudTrail (trusted access): an organization trail needs it first. */
    readonly trusted?: ITerraformDependable;
  };
  /**
   * Retention of the trail's log group and log files, in days (a value CloudWatch Logs accepts; 0 = never).
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Adopt the account's existing trail of this name in the home region instead of creating one:
   * Terraform imports it, and it keeps its name but gets tap's bucket, key, logs and selectors.
   * @default - a new trail named <project>-<environment>-trail
   */
  readonly adoptTrailNamed?: string;
  /**
   * Keep the trail's logs on `destroy` (bucket and key get `prevent_destroy`, the bucket no `force_destroy`).
   * @default false
   */
  readonly protect?: boolean;
  /**
   * An e-mail address subscribed to the alarm topic (AWS mails a confirmation link first).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
}

/** Where AWS Config delivers, once the trail bucket and key let it (AuditTrail.grantConfigDelivery). */
export interface ConfigDeliveryTarget {
  /** The bucket (name) the delivery channel writes to. */
  readonly bucketName: string;
  /** Key prefix inside the bucket (no leading or trailing slash). */
  readonly keyPrefix: string;
  /**
   * Completes once the bucket's policy lets AWS Config deliver: the delivery channel waits for it.
   * @default - nothing to wait for: the bucket is another stack's, deployed before this one
   */
  readonly ready?: ITerraformDependable;
}

/**
 * The account's audit trail (CIS 3.1, 3.2, 3.4, 3.5, 3.8, 3.9 and section 4): one multi-region
 * trail with log file validation, encrypted with its own key, delivering to a dedicated
 * access-logged bucket and to an encrypted CloudWatch Logs group, recording S3 object-level
 * events of the data buckets; metric filters and alarms for CIS 4.1-4.15 notify an encrypted
 * SNS topic.
 */
export class AuditTrail extends Construct {
  /** The trail's ARN. */
  public readonly trailArn: string;
  /** Name of the trail bucket. */
  public readonly bucketName: string;
  /** ARN of the trail bucket. */
  public readonly bucketArn: string;
  /** ARN of the trail's key (log files, log group, alarm topic). */
  public readonly keyArn: string;
  /** Name of the trail's CloudWatch Logs group, which the CIS metric filters read. */
  public readonly logGroupName: string;
  /** ARN of the SNS topic the CIS alarms notify. */
  public readonly topicArn: string;

  private readonly provider: AwsProvider;
  private readonly naming: NameScope & { readonly region: string };
  private readonly names: ReturnType<typeof auditNames>;
  private readonly account: { readonly accountId: string; readonly partition: string };
  private readonly trail: Cloudtrail;
  private readonly bucket?: HardenedBucket;
  private readonly keyPolicy: DataAwsIamPolicyDocument;
  private keyStatements: DataAwsIamPolicyDocumentStatement[] = [];
  private topicPolicy?: DataAwsIamPolicyDocument;
  private topicStatements: DataAwsIamPolicyDocumentStatement[] = [];
  private findings?: FindingsNotification;
  private readonly dataBucketArns: string[] = [];

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    const archive = props.organizationArchive;
    this.names = {
      ...auditNames(props.naming, props.accountId),
      ...(props.adoptTrailNamed ? { trail: props.adoptTrailNamed } : {}),
      ...(archive ? { bucket: archive.bucketName } : {}),
    };
    this.account = { accountId: props.accountId, partition: props.partition };
    const retention = this.validate(props);
    const { partition, accountId } = props;
    const trailArn = `arn:${partition}:cloudtrail:${props.naming.region}:${accountId}:trail/${this.names.trail}`;

    const { key, policy: keyPolicy } = this.buildKey(props, trailArn);
    this.keyPolicy = keyPolicy;
    const bucket = archive ? undefined : this.buildBucket(props, key, trailArn, retention);
    const logs = this.buildLogDelivery(props, key, retention);
    const trail = new Cloudtrail(this, "trail", {
      provider: this.provider,
      name: this.names.trail,
      s3BucketName: bucket?.bucketId ?? this.names.bucket,
      isMultiRegionTrail: true,
      isOrganizationTrail: archive ? true : undefined,
      includeGlobalServiceEvents: true,
      enableLogging: true,
      enableLogFileValidation: true,
      kmsKeyId: archive?.keyArn ?? key.arn,
      cloudWatchLogsGroupArn: `${logs.group.arn}:*`,
      cloudWatchLogsRoleArn: logs.role.arn,
      eventSelector: this.eventSelectors(),
      tags: nameTag(this.naming, "trail"),
      // CloudTrail checks at creation that it may write to the bucket, use the key (as the bucket's
      // encryption asks) and assume the logs role.
      // (The organization's archive is another stack's, deployed first.)
      dependsOn: bucket ? [bucket.policy, bucket.encryption, logs.policy] : [logs.policy, ...(archive?.trusted ? [archive.trusted] : [])],
    });
    // Imported by its ARN: since provider 5.25.0 an aws_cloudtrail's id is the trail's ARN (the
    // state upgrade trailUpgradeV0 turned name ids into ARNs; 5.100.0 reads it with findTrailByARN),
    // and the import is a passthrough of that id (docs/organizations.md: Where AWS's behaviour is uncertain).
    // https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/cloudtrail#import
    if (props.adoptTrailNamed) adoptExisting(trail, trailArn);
    if (archive) suppressRule(trail, "CloudTrail.KmsEncryption", "the organization trail encrypts with the log archive's key, another stack's (LogArchive), whose policy and rotation that stack's rules judge");
    const topic = this.buildAlarms(props, key, logs.group);

    this.trail = trail;
    this.bucket = bucket;
    this.trailArn = trail.arn;
    this.bucketName = bucket?.bucketName ?? this.names.bucket;
    this.bucketArn = bucket?.bucketArn ?? `arn:${partition}:s3:::${this.names.bucket}`;
    this.keyArn = key.arn;
    this.logGroupName = logs.group.name;
    this.topicArn = topic.arn;
  }

  /** Records the object-level reads and writes of the bucket `bucketArn` (CIS 3.8, 3.9). */
  public recordObjectEvents(bucketArn: string): void {
    this.dataBucketArns.push(bucketArn);
    this.trail.putEventSelector(this.eventSelectors());
  }

  /**
   * Lets AWS Config of this account deliver configuration snapshots and history to the trail
   * bucket, under `config/` only, and says where that is. AWS Config delivers as its service
   * principal (its service-linked role has no S3 or KMS permissions), so the bucket policy and
   * the key policy both name it, limited to this account.
   * @see https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
   * @see https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html
   */
  public grantConfigDelivery(): ConfigDeliveryTarget {
    if (!this.bucket) throw new Error(`${this.node.path}: delivers to the organization's archive, whose own policy grants AWS Config of every account (LogArchive)`);
    const { accountId, partition } = this.account;
    // The name, not the bucket's attribute: known at plan time, so the policy can be read (and checked) before apply.
    const bucketArn = `arn:${partition}:s3:::${this.names.bucket}`;
    const config = [{ type: "Service", identifiers: ["config.amazonaws.com"] }];
    const thisAccount = { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] };
    this.bucket.addToResourcePolicy({ sid: "ConfigBucketCheck", effect: "Allow", principals: config, actions: ["s3:GetBucketAcl", "s3:ListBucket"], resources: [bucketArn], condition: [thisAccount] });
    this.bucket.addToResourcePolicy({
      sid: "ConfigDelivery",
      effect: "Allow",
      principals: config,
      actions: ["s3:PutObject"],
      resources: [`${bucketArn}/${CONFIG_KEY_PREFIX}/AWSLogs/${accountId}/Config/*`],
      condition: [thisAccount, { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] }],
    });
    this.keyStatements.push({ sid: "ConfigEncryptsDeliveries", effect: "Allow", principals: config, actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: ["*"], condition: [thisAccount] });
    this.keyPolicy.putStatement(this.keyStatements);
    return { bucketName: this.bucketName, keyPrefix: CONFIG_KEY_PREFIX, ready: this.bucket.policy };
  }

  /**
   * Routes the home region's Security Hub findings at or above `severity` (GuardDuty's among
   * them) to the alarm topic: an EventBridge rule with the topic as target, which the topic's
   * policy and the key's policy let publish, naming that rule only.
   */
  public notifyFindings(severity: SeverityLabel): FindingsNotification {
    if (this.findings) throw new Error(`${this.node.path}: findings are already routed to the alarm topic`);
    const { accountId, partition } = this.account;
    const findings = new FindingsNotification(this, "findings", { provider: this.provider, naming: this.naming, accountId, partition, topicArn: this.topicArn, severity });
    this.topicStatements.push(findings.publishStatement(this.topicArn));
    this.topicPolicy!.putStatement(this.topicStatements);
    this.keyStatements.push(findings.keyStatement(accountId));
    this.keyPolicy.putStatement(this.keyStatements);
    this.findings = findings;
    return findings;
  }

  /** Management events, and object-level events of the recorded data buckets; "<bucket ARN>/" selects a whole bucket. */
  private eventSelectors() {
    const arns = this.dataBucketArns;
    return [
      {
        readWriteType: "All",
        includeManagementEvents: true,
        dataResource: arns.length > 0 ? [{ type: "AWS::S3::Object", values: arns.map((arn) => `${arn}/`) }] : undefined,
      },
    ];
  }

  private validate(props: AuditTrailProps): number {
    const problems: string[] = [];
    const retention = props.logRetentionDays ?? BASELINE.logRetentionDays;
    const retentionProblem = Token.isUnresolved(retention) ? undefined : logRetentionProblem("logRetentionDays", retention);
    if (retentionProblem) problems.push(retentionProblem);
    if (!props.accessLogs && !props.organizationArchive) problems.push("'accessLogs' is required: the trail bucket's access logs must go somewhere (CIS 3.4), unless 'organizationArchive' holds the logs");
    if (props.accessLogs && props.organizationArchive) problems.push("'accessLogs' has no effect with 'organizationArchive': the trail has no bucket of its own here");
    problems.push(...awsNameProblems(auditAwsNames(props.naming, props.accountId)));
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    return retention;
  }

  /**
   * The trail's key. CloudTrail may encrypt with it for this trail only (aws:SourceArn), CloudWatch
   * Logs for the trail's log group only, and CloudWatch alarms may publish through the encrypted topic.
   */
  private buildKey(props: AuditTrailProps, trailArn: string): { key: KmsKey; policy: DataAwsIamPolicyDocument } {
    const { partition, accountId, naming } = props;
    const thisTrail = { test: "StringEquals", variable: "aws:SourceArn", values: [trailArn] };
    const cloudTrailStatements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "CloudTrailEncryptsThisTrail",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
        actions: ["kms:GenerateDataKey*"],
        resources: ["*"],
        condition: [thisTrail, { test: "StringLike", variable: "kms:EncryptionContext:aws:cloudtrail:arn", values: [`arn:${partition}:cloudtrail:*:${accountId}:trail/*`] }],
      },
      {
        // The trail bucket uses an S3 Bucket Key; CloudTrail then needs kms:Decrypt to create or update the trail.
        // @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
        sid: "CloudTrailDecryptsForBucketKey",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
        actions: ["kms:Decrypt"],
        resources: ["*"],
        condition: [thisTrail],
      },
      {
        sid: "CloudTrailDescribesKey",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
        actions: ["kms:DescribeKey"],
        resources: ["*"],
        condition: [thisTrail],
      },
    ];
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      accountAdministersKey(partition, accountId),
      // An organization trail encrypts with the archive's key; this one then serves its log group and alarm topic only.
      ...(props.organizationArchive ? [] : cloudTrailStatements),
      {
        sid: "CloudWatchLogsForTheTrailLogGroup",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: [`logs.${naming.region}.amazonaws.com`] }],
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"],
        condition: [
          { test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: [`arn:${partition}:logs:${naming.region}:${accountId}:log-group:${this.names.logGroup}`] },
        ],
      },
      {
        // CloudWatch alarms publish to the encrypted topic as this service; without it alarm notifications are dropped.
        // @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
        sid: "CloudWatchAlarmsPublishEncrypted",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        condition: this.fromTheseAlarms(props),
      },
    ];
    this.keyStatements = statements;
    const policy = new DataAwsIamPolicyDocument(this, "key-policy", { provider: this.provider, statement: statements });
    const key = new KmsKey(this, "key", {
      provider: this.provider,
      description: props.organizationArchive
        ? `Encrypts the ${this.names.trail} log group and the security alarm topic`
        : `Encrypts the ${this.names.trail} CloudTrail logs, their log group and the security alarm topic`,
      enableKeyRotation: true,
      deletionWindowInDays: BASELINE.kmsDeletionWindowDays,
      policy: policy.json,
      tags: nameTag(this.naming, "cloudtrail-key"),
      lifecycle: props.protect ? { preventDestroy: true } : undefined,
    });
    new KmsAlias(this, "key-alias", { provider: this.provider, name: this.names.keyAlias, targetKeyId: key.keyId });
    return { key, policy };
  }

  /** The dedicated trail bucket: CloudTrail writes for this trail only (AWS Config under config/ once granted). */
  private buildBucket(props: AuditTrailProps, key: KmsKey, trailArn: string, retention: number): HardenedBucket {
    const { partition, accountId } = props;
    const bucketArn = `arn:${partition}:s3:::${this.names.bucket}`;
    const cloudTrail = [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }];
    const thisTrail = { test: "StringEquals", variable: "aws:SourceArn", values: [trailArn] };
    const ownerFullControl = { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] };
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: "CloudTrailAclCheck", effect: "Allow", principals: cloudTrail, actions: ["s3:GetBucketAcl"], resources: [bucketArn], condition: [thisTrail] },
      {
        sid: "CloudTrailWrite",
        effect: "Allow",
        principals: cloudTrail,
        actions: ["s3:PutObject"],
        resources: [`${bucketArn}/AWSLogs/${accountId}/*`],
        condition: [thisTrail, ownerFullControl],
      },
    ];
    return new HardenedBucket(this, "bucket", {
      provider: this.provider,
      bucketName: this.names.bucket,
      nameTag: resourceName({ project: props.naming.project, environment: props.naming.environment }, "cloudtrail"),
      kmsKeyArn: key.arn,
      protect: props.protect,
      policyStatements: statements,
      accessLogs: props.accessLogs,
      expirationDays: retention === 0 ? undefined : retention,
    });
  }

  /** The trail's CloudWatch Logs group and the role CloudTrail delivers to it with. */
  private buildLogDelivery(props: AuditTrailProps, key: KmsKey, retention: number): { group: CloudwatchLogGroup; role: IamRole; policy: IamRolePolicy } {
    const { partition, accountId, naming } = props;
    const group = new CloudwatchLogGroup(this, "log-group", {
      provider: this.provider,
      name: this.names.logGroup,
      retentionInDays: retention,
      kmsKeyId: key.arn,
      tags: nameTag(this.naming, "trail-logs"),
    });
    const trust = serviceTrustPolicy(this, "logs-trust", { provider: this.provider, service: "cloudtrail.amazonaws.com" });
    const role = new IamRole(this, "logs-role", {
      provider: this.provider,
      name: this.names.logsRole,
      description: "Lets CloudTrail deliver the trail to its CloudWatch Logs group",
      assumeRolePolicy: trust.json,
      tags: nameTag(this.naming, "cloudtrail-logs"),
    });
    const permissions = new DataAwsIamPolicyDocument(this, "logs-permissions", {
      provider: this.provider,
      statement: [
        {
          sid: "DeliverTrailEvents",
          effect: "Allow",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`arn:${partition}:logs:${naming.region}:${accountId}:log-group:${this.names.logGroup}:log-stream:*`],
        },
      ],
    });
    const policy = new IamRolePolicy(this, "logs-policy", { provider: this.provider, name: this.names.logsPolicy, role: role.id, policy: permissions.json });
    return { group, role, policy };
  }

  /** Requests CloudWatch makes for this trail's CIS alarms only (their names share one prefix). */
  private fromTheseAlarms(props: AuditTrailProps): DataAwsIamPolicyDocumentStatementCondition[] {
    const { partition, accountId, naming } = props;
    const alarmPrefix = this.names.alarm("", "").replace(/-+$/, "");
    return [
      { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:cloudwatch:${naming.region}:${accountId}:alarm:${alarmPrefix}-*`] },
      { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
    ];
  }

  /** CIS 4.1-4.15: a metric filter and an alarm each, notifying an encrypted topic that only this account's alarms may publish to. */
  private buildAlarms(props: AuditTrailProps, key: KmsKey, group: CloudwatchLogGroup): SnsTopic {
    const topic = new SnsTopic(this, "alarm-topic", {
      provider: this.provider,
      name: this.names.topic,
      kmsMasterKeyId: key.arn,
      tags: nameTag(this.naming, "security-alarms"),
    });
    this.topicStatements = [
      {
        sid: "CloudWatchAlarmsOfThisDeployment",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [topic.arn],
        condition: this.fromTheseAlarms(props),
      },
    ];
    const publish = new DataAwsIamPolicyDocument(this, "alarm-topic-policy-document", { provider: this.provider, statement: this.topicStatements });
    this.topicPolicy = publish;
    new SnsTopicPolicy(this, "alarm-topic-policy", { provider: this.provider, arn: topic.arn, policy: publish.json });
    if (props.alarmEmail) {
      new SnsTopicSubscription(this, "alarm-email", { provider: this.provider, topicArn: topic.arn, protocol: "email", endpoint: props.alarmEmail });
    }
    for (const alarm of CIS_ALARMS) {
      const id = `cis-${alarm.cis.replace(".", "-")}`;
      const filter = new CloudwatchLogMetricFilter(this, `${id}-filter`, {
        provider: this.provider,
        name: this.names.metricFilter(alarm.name),
        logGroupName: group.name,
        pattern: alarm.pattern,
        metricTransformation: { name: alarm.name, namespace: CIS_METRIC_NAMESPACE, value: "1" },
      });
      new CloudwatchMetricAlarm(this, `${id}-alarm`, {
        provider: this.provider,
        alarmName: this.names.alarm(alarm.cis, alarm.name),
        alarmDescription: `CIS ${alarm.cis}: ${alarm.watches}`,
        namespace: CIS_METRIC_NAMESPACE,
        metricName: filter.metricTransformation.name,
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [topic.arn],
        tags: nameTag(this.naming, id),
      });
    }
    return topic;
  }
}
