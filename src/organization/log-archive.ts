import { Construct } from "constructs";
import { Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { ConfigDeliveryTarget } from "../audit/audit-trail";
import { BASELINE } from "../aws/baseline";
import { logRetentionProblem } from "../aws/limits";
import { nameTag, NameScope } from "../aws/naming";
import { HardenedBucket } from "../storage/hardened-bucket";
import { accountAdministersKey } from "../storage/storage-facts";
import { ARCHIVE_CONFIG_PREFIX, ARCHIVE_OBJECT_LOCK, ARCHIVE_TRANSITIONS, organizationArchiveNames } from "./organization-facts";

export interface LogArchiveProps {
  /** Provider of the log-archive account's home region. */
  readonly provider: AwsProvider;
  /** Project and environment for tags, and the home region. */
  readonly naming: NameScope & { readonly region: string };
  /** The log-archive account, which owns the bucket and key. */
  readonly accountId: string;
  /** AWS partition for ARNs. May be a token. */
  readonly partition: string;
  /** The organization (o-...): only its accounts' AWS Config may deliver (aws:SourceOrgID). */
  readonly organizationId: string;
  /** The organization trail's ARN (in the management account): the only trail that may write. */
  readonly trailArn: string;
  /** The management account, under whose id the organization trail also writes its own events. */
  readonly managementAccountId: string;
  /**
   * Days log files are kept (a value CloudWatch Logs accepts, 0 = forever); they move to cheaper
   * storage classes first (ARCHIVE_TRANSITIONS).
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * S3 Object Lock (ARCHIVE_OBJECT_LOCK) on the archive, switched on in place, `prevent_destroy`
   * on the buckets and key, and no `force_destroy`. false only for a disposable archive of a test
   * organization: nothing then stops a destroy from deleting the organization's logs.
   * @default true
   */
  readonly protect?: boolean;
}

/**
 * The organization's log archive, in its own account: one bucket receiving the organization
 * trail's log files and every member's AWS Config history, encrypted with the archive's key.
 * Its policies accept only this organization's trail (aws:SourceArn) and AWS Config of this
 * organization's accounts (aws:SourceOrgID); access to the bucket is logged to a second bucket
 * (CIS 3.4); log files move to Standard-IA, then Glacier Instant Retrieval, and in production
 * are locked against deletion (S3 Object Lock).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy
 * @see https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
 */
export class LogArchive extends Construct {
  /** The archive bucket's name (the organization trail and members' AWS Config deliver there). */
  public readonly bucketName: string;
  /** The archive bucket's ARN. */
  public readonly bucketArn: string;
  /** ARN of the archive's key: the organization trail encrypts with it. */
  public readonly keyArn: string;
  /** The key's alias. */
  public readonly keyAlias: string;
  /** The bucket receiving the archive's server access logs. */
  public readonly accessLogBucketName: string;
  /** Key prefix AWS Config delivers under. */
  public readonly configKeyPrefix = ARCHIVE_CONFIG_PREFIX;
  /**
   * Where AWS Config of the log-archive account itself delivers: this bucket, once its policy lets
   * AWS Config of the organization's accounts write (a recorder in this stack waits for it).
   */
  public readonly configDelivery: ConfigDeliveryTarget;

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    const retention = this.validate(props);
    const protect = props.protect ?? true;
    const names = organizationArchiveNames(props.naming.project, props.accountId);
    const key = this.buildKey(props, names.keyAlias);
    const accessLogs = new HardenedBucket(this, "access-logs", {
      provider: props.provider,
      bucketName: names.accessLogBucket,
      nameTag: nameTag(props.naming, "access-logs").Name,
      protect,
      logTargetOf: { accountId: props.accountId, partition: props.partition },
      expirationDays: retention === 0 ? undefined : retention,
    });
    const bucket = new HardenedBucket(this, "archive", {
      provider: props.provider,
      bucketName: names.bucket,
      nameTag: nameTag(props.naming, "log-archive").Name,
      kmsKeyArn: key.arn,
      protect,
      policyStatements: this.deliveryGrants(props, `arn:${props.partition}:s3:::${names.bucket}`),
      accessLogs,
      transitions: retention === 0 || retention > ARCHIVE_TRANSITIONS[ARCHIVE_TRANSITIONS.length - 1].days ? ARCHIVE_TRANSITIONS : [],
      expirationDays: retention === 0 ? undefined : retention,
      objectLock: protect ? { ...ARCHIVE_OBJECT_LOCK, days: Math.min(ARCHIVE_OBJECT_LOCK.days, retention === 0 ? ARCHIVE_OBJECT_LOCK.days : retention) } : undefined,
    });
    this.bucketName = bucket.bucketName;
    this.bucketArn = bucket.bucketArn;
    this.keyArn = key.arn;
    this.keyAlias = names.keyAlias;
    this.accessLogBucketName = names.accessLogBucket;
    this.configDelivery = { bucketName: names.bucket, keyPrefix: ARCHIVE_CONFIG_PREFIX, ready: bucket.policy };
  }

  private validate(props: LogArchiveProps): number {
    const problems: string[] = [];
    const retention = props.logRetentionDays ?? BASELINE.logRetentionDays;
    const retentionProblem = Token.isUnresolved(retention) ? undefined : logRetentionProblem("logRetentionDays", retention);
    if (retentionProblem) problems.push(retentionProblem);
    if (!Token.isUnresolved(props.organizationId) && !/^o-[a-z0-9]{10,32}$/.test(props.organizationId)) problems.push(`'organizationId' "${props.organizationId}" is not an organization id (o-...)`);
    for (const key of ["accountId", "managementAccountId"] as const) {
      if (!Token.isUnresolved(props[key]) && !/^\d{12}$/.test(props[key])) problems.push(`'${key}' "${props[key]}" is not a 12-digit account id`);
    }
    if (props.accountId === props.managementAccountId) problems.push(`'accountId' "${props.accountId}" is the management account; the archive lives in an account of its own`);
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    return retention;
  }

  /** The organization trail and this organization's AWS Config may write, each where AWS writes it. */
  private deliveryGrants(props: LogArchiveProps, bucketArn: string): DataAwsIamPolicyDocumentStatement[] {
    const cloudTrail = [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }];
    const config = [{ type: "Service", identifiers: ["config.amazonaws.com"] }];
    const thisTrail = { test: "StringEquals", variable: "aws:SourceArn", values: [props.trailArn] };
    const thisOrganization = { test: "StringEquals", variable: "aws:SourceOrgID", values: [props.organizationId] };
    const ownerFullControl = { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] };
    return [
      { sid: "CloudTrailAclCheck", effect: "Allow", principals: cloudTrail, actions: ["s3:GetBucketAcl"], resources: [bucketArn], condition: [thisTrail] },
      {
        // An organization trail writes the management account's events under its id, and the members' under the organization's.
        sid: "OrganizationTrailWrite",
        effect: "Allow",
        principals: cloudTrail,
        actions: ["s3:PutObject"],
        resources: [`${bucketArn}/AWSLogs/${props.managementAccountId}/*`, `${bucketArn}/AWSLogs/${props.organizationId}/*`],
        condition: [thisTrail, ownerFullControl],
      },
      { sid: "ConfigBucketCheck", effect: "Allow", principals: config, actions: ["s3:GetBucketAcl", "s3:ListBucket"], resources: [bucketArn], condition: [thisOrganization] },
      {
        sid: "ConfigDelivery",
        effect: "Allow",
        principals: config,
        actions: ["s3:PutObject"],
        resources: [`${bucketArn}/${ARCHIVE_CONFIG_PREFIX}/AWSLogs/*/Config/*`],
        condition: [thisOrganization, ownerFullControl],
      },
    ];
  }

  /** The archive's key: the organization trail encrypts with it, AWS Config of the organization's accounts too. */
  private buildKey(props: LogArchiveProps, alias: string): KmsKey {
    const { partition, accountId } = props;
    const cloudTrail = [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }];
    const thisTrail = { test: "StringEquals", variable: "aws:SourceArn", values: [props.trailArn] };
    const policy = new DataAwsIamPolicyDocument(this, "key-policy", {
      provider: props.provider,
      statement: [
        accountAdministersKey(partition, accountId),
        {
          sid: "OrganizationTrailEncrypts",
          effect: "Allow",
          principals: cloudTrail,
          actions: ["kms:GenerateDataKey*"],
          resources: ["*"],
          condition: [thisTrail, { test: "StringLike", variable: "kms:EncryptionContext:aws:cloudtrail:arn", values: [`arn:${partition}:cloudtrail:*:${props.managementAccountId}:trail/*`] }],
        },
        // The bucket uses an S3 Bucket Key; CloudTrail then needs kms:Decrypt, and reads the key's description when the trail is created.
        { sid: "OrganizationTrailDecryptsForBucketKey", effect: "Allow", principals: cloudTrail, actions: ["kms:Decrypt", "kms:DescribeKey"], resources: ["*"], condition: [thisTrail] },
        {
          sid: "OrganizationConfigEncrypts",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }],
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: ["*"],
          condition: [{ test: "StringEquals", variable: "aws:SourceOrgID", values: [props.organizationId] }],
        },
      ],
    });
    const key = new KmsKey(this, "key", {
      provider: props.provider,
      description: "Encrypts the organization trail's log files and the members' AWS Config history in the log archive",
      enableKeyRotation: true,
      deletionWindowInDays: BASELINE.kmsDeletionWindowDays,
      policy: policy.json,
      tags: nameTag(props.naming, "log-archive-key"),
      lifecycle: (props.protect ?? true) ? { preventDestroy: true } : undefined,
    });
    new KmsAlias(this, "key-alias", { provider: props.provider, name: alias, targetKeyId: key.keyId });
    return key;
  }
}
