/**
 * Who may do what to tap's resources: the requests AWS services make on them, as AWS documents
 * them (principal, action, resource, the condition keys the service sends), each with its
 * source. Plain data: the service-access proofs (__tests__/access) evaluate every one against the
 * synthesized stack's policies, each must be allowed, and the access table (docs/security.md: Who may do what) is
 * generated from this list.
 *
 * Placeholders: {account}, {partition}, {region} (each deployed region), {home} (the home
 * region), {next} (the region a region's data bucket replicates to); {arn:<type>:<path>} is the
 * ARN of the stack's resource of that type whose construct path ends with <path>.
 */

/** Who makes the request. */
export type RequestPrincipal =
  | { readonly service: string }
  /** A role of the stack (its construct path), acting with its identity policies. */
  | { readonly role: string }
  /** An IAM user of the account whose own policies allow the action, signed in with or without MFA. */
  | { readonly accountUser: { readonly mfa: boolean } };

export interface DocumentedRequest {
  /** The requester as docs/security.md names it. */
  readonly who: string;
  readonly principal: RequestPrincipal;
  /** The actions, each a request of its own with the same resource and condition keys. */
  readonly actions: readonly string[];
  /** The resource: the stack's resource of this type at this construct path, and a suffix of its ARN (an object key, a log stream). */
  readonly target: { readonly type: string; readonly path: string; readonly suffix?: string };
  /** The condition keys the service sends with the request. */
  readonly context: Readonly<Record<string, string>>;
  /** Why it needs to. */
  readonly why: string;
  /** Where AWS documents the request. */
  readonly source: string;
  /** Asked in every deployed region (the target's path and context name {region}), else once in the home region. */
  readonly perRegion?: boolean;
  /** Only where data buckets replicate. */
  readonly replication?: boolean;
}

/** An AWS managed policy a role of the stack gets its permissions from: AWS writes it, so its attachment is what tap can prove. */
export interface ManagedGrant {
  readonly who: string;
  readonly role: string;
  readonly policy: string;
  readonly why: string;
  readonly source: string;
}

const TRAIL = "{arn:aws_cloudtrail:audit-trail/trail}";
const TRAIL_BUCKET = "audit-trail/bucket/bucket";
const TRAIL_KEY = "audit-trail/key";
const DATA_KEY = "storage-{region}/key";
const CLOUDTRAIL_DOCS = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html";
const CLOUDTRAIL_KMS_DOCS = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html";
const LOGS_KMS_DOCS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html";
const CONFIG_S3_DOCS = "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html";
const CONFIG_KMS_DOCS = "https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html";
const FLOW_LOGS_DOCS = "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html";
const REPLICATION_DOCS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html";
const REPLICATION_KMS_DOCS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html";

export const DOCUMENTED_REQUESTS: readonly DocumentedRequest[] = [
  // CloudTrail delivering the trail.
  {
    who: "CloudTrail",
    principal: { service: "cloudtrail.amazonaws.com" },
    actions: ["s3:GetBucketAcl"],
    target: { type: "aws_s3_bucket", path: TRAIL_BUCKET },
    context: { "aws:SourceArn": TRAIL },
    why: "checks the trail bucket before delivering",
    source: CLOUDTRAIL_DOCS,
  },
  {
    who: "CloudTrail",
    principal: { service: "cloudtrail.amazonaws.com" },
    actions: ["s3:PutObject"],
    target: { type: "aws_s3_bucket", path: TRAIL_BUCKET, suffix: "/AWSLogs/{account}/CloudTrail/{home}/2026/11/30/log.json.gz" },
    context: { "aws:SourceArn": TRAIL, "s3:x-amz-acl": "bucket-owner-full-control" },
    why: "delivers log files",
    source: CLOUDTRAIL_DOCS,
  },
  {
    who: "CloudTrail",
    principal: { service: "cloudtrail.amazonaws.com" },
    actions: ["kms:GenerateDataKey"],
    target: { type: "aws_kms_key", path: TRAIL_KEY },
    context: { "aws:SourceArn": TRAIL, "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL },
    why: "encrypts log files with the trail key",
    source: CLOUDTRAIL_KMS_DOCS,
  },
  {
    who: "CloudTrail",
    principal: { service: "cloudtrail.amazonaws.com" },
    actions: ["kms:Decrypt", "kms:DescribeKey"],
    target: { type: "aws_kms_key", path: TRAIL_KEY },
    context: { "aws:SourceArn": TRAIL },
    why: "checks the trail key, and decrypts to create or update a trail whose bucket uses an S3 Bucket Key",
    source: CLOUDTRAIL_KMS_DOCS,
  },
  {
    who: "CloudTrail",
    principal: { service: "cloudtrail.amazonaws.com" },
    actions: ["sts:AssumeRole"],
    target: { type: "aws_iam_role", path: "audit-trail/logs-role" },
    context: {},
    why: "assumes the role it sends events to CloudWatch Logs with",
    source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html",
  },
  {
    who: "CloudTrail (its logs role)",
    principal: { role: "audit-trail/logs-role" },
    actions: ["logs:PutLogEvents"],
    target: { type: "aws_cloudwatch_log_group", path: "audit-trail/log-group", suffix: ":log-stream:{account}_CloudTrail_{home}" },
    context: {},
    why: "sends trail events to the trail's log group",
    source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html",
  },
  // CloudWatch Logs encrypting the log groups.
  {
    who: "CloudWatch Logs",
    principal: { service: "logs.{home}.amazonaws.com" },
    actions: ["kms:GenerateDataKey"],
    target: { type: "aws_kms_key", path: TRAIL_KEY },
    context: { "kms:EncryptionContext:aws:logs:arn": "{arn:aws_cloudwatch_log_group:audit-trail/log-group}" },
    why: "encrypts the trail's log group",
    source: LOGS_KMS_DOCS,
  },
  {
    who: "CloudWatch Logs",
    principal: { service: "logs.{region}.amazonaws.com" },
    actions: ["kms:GenerateDataKey"],
    target: { type: "aws_kms_key", path: DATA_KEY },
    context: { "kms:EncryptionContext:aws:logs:arn": "{arn:aws_cloudwatch_log_group:network-{region}/flow-log-group}" },
    why: "encrypts the region's flow-log group",
    source: LOGS_KMS_DOCS,
    perRegion: true,
  },
  {
    who: "CloudWatch Logs",
    principal: { service: "logs.{region}.amazonaws.com" },
    actions: ["kms:Decrypt"],
    target: { type: "aws_kms_key", path: DATA_KEY },
    context: { "kms:EncryptionContext:aws:logs:arn": "{arn:aws_cloudwatch_log_group:storage-{region}/api-gateway-log-group}" },
    why: "reads the region's API Gateway log group",
    source: LOGS_KMS_DOCS,
    perRegion: true,
  },
  // VPC flow logs.
  {
    who: "VPC flow logs",
    principal: { service: "vpc-flow-logs.amazonaws.com" },
    actions: ["sts:AssumeRole"],
    target: { type: "aws_iam_role", path: "identity/flow-logs-role" },
    context: { "aws:SourceAccount": "{account}", "aws:SourceArn": "arn:{partition}:ec2:{region}:{account}:vpc-flow-log/fl-0123456789abcdef0" },
    why: "assumes the delivery role for a flow log of this account",
    source: FLOW_LOGS_DOCS,
    perRegion: true,
  },
  {
    who: "VPC flow logs (the delivery role)",
    principal: { role: "identity/flow-logs-role" },
    actions: ["logs:PutLogEvents", "logs:CreateLogStream"],
    target: { type: "aws_cloudwatch_log_group", path: "network-{region}/flow-log-group", suffix: ":log-stream:eni-0123456789abcdef0-all" },
    context: {},
    why: "creates a log stream per network interface and writes flow records to it",
    source: FLOW_LOGS_DOCS,
    perRegion: true,
  },
  // AWS Config delivering to the trail bucket.
  {
    who: "AWS Config",
    principal: { service: "config.amazonaws.com" },
    actions: ["s3:GetBucketAcl", "s3:ListBucket"],
    target: { type: "aws_s3_bucket", path: TRAIL_BUCKET },
    context: { "aws:SourceAccount": "{account}" },
    why: "checks the delivery bucket",
    source: CONFIG_S3_DOCS,
  },
  {
    who: "AWS Config",
    principal: { service: "config.amazonaws.com" },
    actions: ["s3:PutObject"],
    target: { type: "aws_s3_bucket", path: TRAIL_BUCKET, suffix: "/config/AWSLogs/{account}/Config/{region}/2026/11/30/ConfigHistory/history.json.gz" },
    context: { "aws:SourceAccount": "{account}", "s3:x-amz-acl": "bucket-owner-full-control" },
    why: "delivers configuration history of each region under config/",
    source: CONFIG_S3_DOCS,
    perRegion: true,
  },
  {
    who: "AWS Config",
    principal: { service: "config.amazonaws.com" },
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    target: { type: "aws_kms_key", path: TRAIL_KEY },
    context: { "aws:SourceAccount": "{account}" },
    why: "encrypts deliveries with the trail bucket's key (its service-linked role has no KMS permissions)",
    source: CONFIG_KMS_DOCS,
  },
  // S3 server access logging.
  {
    who: "S3 server access logging",
    principal: { service: "logging.s3.amazonaws.com" },
    actions: ["s3:PutObject"],
    target: { type: "aws_s3_bucket", path: "storage-{region}/access-logs/bucket", suffix: "/s3/{bucket-name:storage-{region}/data/bucket}/2026-11-30-00-00-00-0123456789ABCDEF" },
    context: { "aws:SourceArn": "{arn:aws_s3_bucket:storage-{region}/data/bucket}", "aws:SourceAccount": "{account}" },
    why: "writes the data bucket's access logs under its prefix",
    source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general",
    perRegion: true,
  },
  {
    who: "S3 server access logging",
    principal: { service: "logging.s3.amazonaws.com" },
    actions: ["s3:PutObject"],
    target: { type: "aws_s3_bucket", path: "storage-{home}/access-logs/bucket", suffix: `/s3/{bucket-name:${TRAIL_BUCKET}}/2026-11-30-00-00-00-0123456789ABCDEF` },
    context: { "aws:SourceArn": `{arn:aws_s3_bucket:${TRAIL_BUCKET}}`, "aws:SourceAccount": "{account}" },
    why: "writes the trail bucket's access logs under its prefix",
    source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general",
  },
  // CloudWatch alarms notifying through the encrypted topic.
  {
    who: "CloudWatch alarms",
    principal: { service: "cloudwatch.amazonaws.com" },
    actions: ["sns:Publish"],
    target: { type: "aws_sns_topic", path: "audit-trail/alarm-topic" },
    context: { "aws:SourceArn": "{arn:aws_cloudwatch_metric_alarm:audit-trail/cis-4-3-alarm}", "aws:SourceAccount": "{account}" },
    why: "a CIS alarm notifies the security topic",
    source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html",
  },
  {
    who: "CloudWatch alarms",
    principal: { service: "cloudwatch.amazonaws.com" },
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    target: { type: "aws_kms_key", path: TRAIL_KEY },
    context: { "aws:SourceArn": "{arn:aws_cloudwatch_metric_alarm:audit-trail/cis-4-3-alarm}", "aws:SourceAccount": "{account}" },
    why: "publishes to the topic encrypted with the trail key",
    source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
  },
  // EventBridge sending Security Hub's findings to the encrypted topic (AuditTrail.notifyFindings).
  {
    who: "EventBridge (Security Hub findings)",
    principal: { service: "events.amazonaws.com" },
    actions: ["sns:Publish"],
    target: { type: "aws_sns_topic", path: "audit-trail/alarm-topic" },
    context: { "aws:SourceArn": "{arn:aws_cloudwatch_event_rule:audit-trail/findings/rule}", "aws:SourceAccount": "{account}" },
    why: "a HIGH or CRITICAL Security Hub finding notifies the security topic",
    source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions",
  },
  {
    who: "EventBridge (Security Hub findings)",
    principal: { service: "events.amazonaws.com" },
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    target: { type: "aws_kms_key", path: TRAIL_KEY },
    context: { "aws:SourceArn": "{arn:aws_cloudwatch_event_rule:audit-trail/findings/rule}", "aws:SourceAccount": "{account}" },
    why: "publishes to the topic encrypted with the trail key",
    source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
  },
  // EC2 (and Auto Scaling, through EC2) with the EBS default key.
  {
    who: "EC2 and Auto Scaling, for a principal of the account",
    principal: { accountUser: { mfa: false } },
    actions: ["kms:CreateGrant", "kms:GenerateDataKeyWithoutPlaintext"],
    target: { type: "aws_kms_key", path: DATA_KEY },
    context: { "kms:ViaService": "ec2.{region}.amazonaws.com", "kms:CallerAccount": "{account}" },
    why: "launches instances and creates volumes that EBS encrypts by default with the region's key",
    source: "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html#ebs-encryption-permissions",
    perRegion: true,
  },
  // API Gateway.
  {
    who: "API Gateway",
    principal: { service: "apigateway.amazonaws.com" },
    actions: ["sts:AssumeRole"],
    target: { type: "aws_iam_role", path: "identity/api-gateway-cloudwatch-role" },
    context: {},
    why: "assumes the role it writes execution and access logs with",
    source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
  },
  // S3 replication.
  {
    who: "S3 replication",
    principal: { service: "s3.amazonaws.com" },
    actions: ["sts:AssumeRole"],
    target: { type: "aws_iam_role", path: "replication/role-{region}" },
    context: { "aws:SourceAccount": "{account}", "aws:SourceArn": "{arn:aws_s3_bucket:storage-{region}/data/bucket}" },
    why: "assumes the region's replication role for its data bucket",
    source: REPLICATION_DOCS,
    perRegion: true,
    replication: true,
  },
  {
    who: "S3 replication (the region's role)",
    principal: { role: "replication/role-{region}" },
    actions: ["s3:GetObjectVersionForReplication"],
    target: { type: "aws_s3_bucket", path: "storage-{region}/data/bucket", suffix: "/reports/a.txt" },
    context: { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" },
    why: "reads an object version of the source bucket",
    source: REPLICATION_DOCS,
    perRegion: true,
    replication: true,
  },
  {
    who: "S3 replication (the region's role)",
    principal: { role: "replication/role-{region}" },
    actions: ["s3:ReplicateObject"],
    target: { type: "aws_s3_bucket", path: "storage-{next}/data/bucket", suffix: "/reports/a.txt" },
    context: { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" },
    why: "writes the replica to the next region's bucket",
    source: REPLICATION_DOCS,
    perRegion: true,
    replication: true,
  },
  {
    who: "S3 replication (the region's role)",
    principal: { role: "replication/role-{region}" },
    actions: ["kms:Decrypt"],
    target: { type: "aws_kms_key", path: DATA_KEY },
    context: { "kms:ViaService": "s3.{region}.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": "{arn:aws_s3_bucket:storage-{region}/data/bucket}" },
    why: "decrypts the source object (Bucket Key: the context is the bucket)",
    source: REPLICATION_KMS_DOCS,
    perRegion: true,
    replication: true,
  },
  {
    who: "S3 replication (the region's role)",
    principal: { role: "replication/role-{region}" },
    actions: ["kms:GenerateDataKey"],
    target: { type: "aws_kms_key", path: "storage-{next}/key" },
    context: { "kms:ViaService": "s3.{next}.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": "{arn:aws_s3_bucket:storage-{next}/data/bucket}" },
    why: "encrypts the replica with the next region's key",
    source: REPLICATION_KMS_DOCS,
    perRegion: true,
    replication: true,
  },
  // The support role (CIS 1.17).
  {
    who: "A user of the account, signed in with MFA",
    principal: { accountUser: { mfa: true } },
    actions: ["sts:AssumeRole"],
    target: { type: "aws_iam_role", path: "identity/support-role" },
    context: { "aws:MultiFactorAuthPresent": "true" },
    why: "assumes the support role to manage an incident with AWS Support",
    source: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-18",
  },
];

/** Roles whose permissions are an AWS managed policy: the proofs check the attachment. */
export const MANAGED_GRANTS: readonly ManagedGrant[] = [
  {
    who: "API Gateway",
    role: "identity/api-gateway-cloudwatch-role",
    policy: "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    why: "creates log groups and streams and writes API logs",
    source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
  },
  {
    who: "The support role",
    role: "identity/support-role",
    policy: "AWSSupportAccess",
    why: "opens and manages AWS Support cases (CIS 1.17)",
    source: "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSupportAccess.html",
  },
];
