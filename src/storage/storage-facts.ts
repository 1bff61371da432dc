/**
 * The storage concern's names and defaults: the per-region key and buckets, server access log
 * prefixes and the replication role, shared by the storage constructs, their rules and
 * configuration (plain module, no cdktf).
 */
import { AwsName } from "../aws/limits";
import { NameScope, resourceName } from "../aws/naming";
import type { DriftControl } from "../compliance/drift";

/** Days after which noncurrent object versions are deleted, unless a bucket says otherwise. */
export const DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS = 90;
/** Days after which an incomplete multipart upload is aborted. */
export const ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS = 7;
/** Prefix of each region's API Gateway access-log group. */
export const API_GATEWAY_LOG_GROUP_PREFIX = "/aws/apigateway/";

/** Where in a region's log bucket a bucket's server access logs go: its own prefix. */
export function accessLogPrefix(bucketName: string): string {
  return `s3/${bucketName}/`;
}

/**
 * A region's storage names. Bucket names are global across all AWS accounts, so the account ID
 * keeps them unique. `accountId` may be an unresolved token; configuration validation passes a
 * 12-digit stand-in to check the length.
 */
export function storageNames(naming: NameScope & { readonly region: string }, accountId: string) {
  return {
    bucket: `${resourceName(naming, "data")}-${accountId}`,
    // As long as the data bucket's name, so both fit S3's 63 characters together.
    accessLogBucket: `${resourceName(naming, "logs")}-${accountId}`,
    keyAlias: `alias/${resourceName(naming, "data")}`,
    apiGatewayLogGroup: `${API_GATEWAY_LOG_GROUP_PREFIX}${resourceName(naming, "access")}`,
  };
}

/** The AWS-visible names a SecureStorage with this naming creates (configuration checks them). */
export function storageAwsNames(naming: NameScope & { readonly region: string }, accountId: string): AwsName[] {
  const names = storageNames(naming, accountId);
  return [
    { kind: "s3Bucket", name: names.bucket },
    { kind: "s3Bucket", name: names.accessLogBucket },
    { kind: "kmsAlias", name: names.keyAlias },
    { kind: "logGroup", name: names.apiGatewayLogGroup },
  ];
}

/** Names of a source region's replication role and its inline policy. */
export function replicationNames(naming: Omit<NameScope, "region">, region: string) {
  return { role: resourceName({ ...naming, region }, "s3-replication"), policy: "replicate-data-bucket" };
}

/** The AWS-visible names a BucketReplication across these regions creates (configuration checks them). */
export function replicationAwsNames(naming: Omit<NameScope, "region">, regions: readonly string[]): AwsName[] {
  return regions.flatMap((region) => {
    const names = replicationNames(naming, region);
    return [
      { kind: "iamRole" as const, name: names.role },
      { kind: "iamPolicy" as const, name: names.policy },
    ];
  });
}

/**
 * The first statement of every key policy tap writes: the account administers the key. Without
 * it the key becomes unmanageable, since IAM policies only work on a KMS key whose policy
 * delegates to the account. (A key policy's "*" resource is the key itself.)
 */
export function accountAdministersKey(partition: string, accountId: string) {
  return {
    sid: "AccountAdministration",
    effect: "Allow",
    principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${accountId}:root`] }],
    actions: ["kms:*"],
    resources: ["*"],
  };
}

/** The attributes of this concern's resources that carry a control, for `npm run drift`. */
export const STORAGE_DRIFT_CONTROLS: readonly DriftControl[] = [
  { type: "aws_kms_key", attributes: ["enable_key_rotation"], rule: "KMS.Rotation" },
  { type: "aws_kms_key", attributes: ["policy"], rule: "KMS.KeyPolicy" },
  { type: "aws_kms_key", attributes: ["deletion_window_in_days"], rule: "KMS.DeletionWindow" },
  { type: "aws_s3_bucket_versioning", attributes: ["versioning_configuration"], rule: "S3.Versioning" },
  { type: "aws_s3_bucket_public_access_block", attributes: ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"], rule: "S3.PublicAccessBlock" },
  { type: "aws_s3_bucket_ownership_controls", attributes: ["rule"], rule: "S3.OwnershipEnforced" },
  { type: "aws_s3_bucket_policy", attributes: ["policy"], rule: "S3.TlsOnly" },
  { type: "aws_s3_bucket_server_side_encryption_configuration", attributes: ["rule"], rule: "S3.KmsCustomerManagedKey" },
  { type: "aws_s3_bucket_logging", attributes: ["target_bucket", "target_prefix"], rule: "S3.AccessLogging" },
  { type: "aws_s3_bucket_lifecycle_configuration", attributes: ["rule"], rule: "S3.AbortIncompleteUploads" },
  { type: "aws_s3_bucket_replication_configuration", attributes: ["rule", "role"], rule: "S3.CrossRegionReplication" },
  { type: "aws_s3_bucket_notification", attributes: ["eventbridge"], rule: "S3.EventNotifications" },
];

/**
 * The S3 state bucket of an account: unique to the account and region, as `cdk bootstrap`'s
 * assets bucket is, so no two companies (or regions) ask for one name.
 */
export function stateBucketName(project: string, accountId: string, region: string): string {
  return `${project}-tfstate-${accountId}-${region}`;
}

/** The state bucket's server access log bucket, named like it (at most 51 characters with a 16-character project). */
export function stateAccessLogBucketName(project: string, accountId: string, region: string): string {
  return `${project}-tflogs-${accountId}-${region}`;
}

/** Days the state bucket keeps a state file's earlier versions (each apply writes one). */
export const STATE_NONCURRENT_VERSION_EXPIRATION_DAYS = 90;
