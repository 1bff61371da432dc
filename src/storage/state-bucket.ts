import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { BASELINE } from "../aws/baseline";
import { bucketNameProblem, logRetentionProblem } from "../aws/limits";
import { NameScope, nameTag, resourceName } from "../aws/naming";
import { AccessLogDelivery, HardenedBucket, IAccessLogTarget } from "./hardened-bucket";
import { accountAdministersKey, STATE_NONCURRENT_VERSION_EXPIRATION_DAYS } from "./storage-facts";

export interface StateBucketProps {
  /** Provider of the bucket's region. */
  readonly provider: AwsProvider;
  /** Project and environment for the `Name` tags and the key alias. */
  readonly naming: NameScope;
  /** The state bucket's name (unique to the account and region: storage-facts' stateBucketName). */
  readonly bucketName: string;
  /** Its server access log bucket's name. */
  readonly accessLogBucketName: string;
  /** Account that owns the key and buckets. May be a token. */
  readonly accountId: string;
  /** AWS partition for ARNs. May be a token. */
  readonly partition: string;
  /**
   * Days a state file's earlier versions are kept (each apply writes one).
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days server access logs of the state bucket are kept (0 = forever).
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
}

/**
 * The bucket Terraform state lives in, prepared once per account (`npm run bootstrap`): versioned,
 * SSE-KMS under its own rotating key, public access blocked, TLS 1.2 only, earlier versions
 * expired, every request logged to an SSE-S3 access-log bucket, and all of it `prevent_destroy`:
 * losing it loses the record of everything the main stacks manage. Its policy refuses any write
 * that asks for another encryption than the state key (stateKeyOnly).
 */
export class StateBucket extends Construct implements IAccessLogTarget {
  /** The state bucket's name (the main stacks' backend bucket). */
  public readonly bucketName: string;
  /** The state bucket's ARN. */
  public readonly bucketArn: string;
  /** ARN of the key that encrypts it: give it to the backend as backend.kmsKeyId to encrypt state objects with it too. */
  public readonly keyArn: string;
  /** Name of the server access log bucket. */
  public readonly accessLogBucketName: string;

  private readonly accessLogs: HardenedBucket;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const { noncurrentDays, accessLogDays } = this.validate(props);

    const key = this.buildKey(props);
    this.accessLogs = new HardenedBucket(this, "access-logs", {
      provider: props.provider,
      bucketName: props.accessLogBucketName,
      nameTag: resourceName(props.naming, "state-access-logs"),
      protect: true,
      logTargetOf: { accountId: props.accountId, partition: props.partition },
      expirationDays: accessLogDays === 0 ? undefined : accessLogDays,
      noncurrentVersionExpirationDays: noncurrentDays,
    });
    const state = new HardenedBucket(this, "state", {
      provider: props.provider,
      bucketName: props.bucketName,
      nameTag: resourceName(props.naming, "state"),
      kmsKeyArn: key.arn,
      protect: true,
      accessLogs: this,
      policyStatements: stateKeyOnly(`arn:${props.partition}:s3:::${props.bucketName}/*`, key.arn),
      noncurrentVersionExpirationDays: noncurrentDays,
    });
    this.bucketName = state.bucketName;
    this.bucketArn = state.bucketArn;
    this.keyArn = key.arn;
    this.accessLogBucketName = this.accessLogs.bucketName;
  }

  /** Only S3 server access logging of this account may write, for the state bucket under its own prefix (IAccessLogTarget). */
  public grantServerAccessLogs(sourceBucketName: string): AccessLogDelivery {
    return this.accessLogs.grantServerAccessLogs(sourceBucketName);
  }

  /** Reports every problem with the props at once, naming each prop. */
  private validate(props: StateBucketProps): { noncurrentDays: number; accessLogDays: number } {
    const problems: string[] = [];
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? STATE_NONCURRENT_VERSION_EXPIRATION_DAYS;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) problems.push(`'noncurrentVersionExpirationDays' must be a whole number of at least 1. Received: ${noncurrentDays}`);
    const accessLogDays = props.accessLogRetentionDays ?? BASELINE.logRetentionDays;
    const retention = logRetentionProblem("accessLogRetentionDays", accessLogDays);
    if (retention) problems.push(retention);
    for (const [prop, name] of [["bucketName", props.bucketName], ["accessLogBucketName", props.accessLogBucketName]] as const) {
      const problem = bucketNameProblem(name);
      if (problem) problems.push(`'${prop}' "${name}" is not a valid S3 bucket name (${problem})`);
    }
    if (props.bucketName === props.accessLogBucketName) problems.push(`'accessLogBucketName' must differ from 'bucketName' ("${props.bucketName}")`);
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    return { noncurrentDays, accessLogDays };
  }

  /** The state key: rotation, the longest deletion window, administered by the account, never destroyed by Terraform. */
  private buildKey(props: StateBucketProps): KmsKey {
    const policy = new DataAwsIamPolicyDocument(this, "key-policy", {
      provider: props.provider,
      statement: [accountAdministersKey(props.partition, props.accountId)],
    });
    const key = new KmsKey(this, "key", {
      provider: props.provider,
      description: `Encrypts the Terraform state of ${props.naming.project}`,
      enableKeyRotation: true,
      deletionWindowInDays: BASELINE.kmsDeletionWindowDays,
      policy: policy.json,
      tags: nameTag(props.naming, "state-key"),
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, "key-alias", { provider: props.provider, name: `alias/${resourceName(props.naming, "state")}`, targetKeyId: key.keyId });
    return key;
  }
}

/**
 * Bucket policy statements that keep every object under the state key: a write that asks for any
 * other encryption is refused (SSE-S3, which Terraform's S3 backend asks for when it is given no
 * kms_key_id; SSE-KMS under another key or the AWS managed key; dual-layer SSE-KMS; SSE-C). The
 * key must be named by its ARN, the only form S3 compares this condition key with.
 * A write that asks for none gets the bucket's default, the state key, and is let through: an
 * upload's parts (UploadPart, authorized as s3:PutObject) cannot carry the encryption headers,
 * which belong to CreateMultipartUpload, so requiring them on every s3:PutObject would refuse any
 * state large enough for Terraform's uploader to send in parts (boto/botocore#471, aws/aws-cli#4251).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html
 */
export function stateKeyOnly(objectsArn: string, keyArn: string): DataAwsIamPolicyDocumentStatement[] {
  const everyone = [{ type: "*", identifiers: ["*"] }];
  const asksForEncryption = { test: "Null", variable: "s3:x-amz-server-side-encryption", values: ["false"] };
  return [
    {
      sid: "DenyStateWritesNotSseKms",
      effect: "Deny",
      principals: everyone,
      actions: ["s3:PutObject"],
      resources: [objectsArn],
      condition: [asksForEncryption, { test: "StringNotEquals", variable: "s3:x-amz-server-side-encryption", values: ["aws:kms"] }],
    },
    {
      sid: "DenyStateWritesUnderOtherKeys",
      effect: "Deny",
      principals: everyone,
      actions: ["s3:PutObject"],
      resources: [objectsArn],
      condition: [asksForEncryption, { test: "StringNotEquals", variable: "s3:x-amz-server-side-encryption-aws-kms-key-id", values: [keyArn] }],
    },
    {
      sid: "DenyStateWritesSseC",
      effect: "Deny",
      principals: everyone,
      actions: ["s3:PutObject"],
      resources: [objectsArn],
      condition: [{ test: "Null", variable: "s3:x-amz-server-side-encryption-customer-algorithm", values: ["false"] }],
    },
  ];
}
