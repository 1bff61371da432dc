import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { BASELINE } from "../aws/baseline";
import { AwsName, awsNameProblems, LOG_RETENTION_DAYS_ALLOWED } from "../aws/limits";
import { dataBucketName, nameTag, NameScope, resourceName } from "../aws/naming";
import { DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS, HardenedBucket } from "./hardened-bucket";

export interface SecureStorageProps {
  /** Provider of the region this storage lives in. */
  readonly provider: AwsProvider;
  /** Project, environment and region for names. */
  readonly naming: NameScope & { readonly region: string };
  /** Account that owns the key and buckets. May be a token. */
  readonly accountId: string;
  /** AWS partition for ARNs. May be a token. */
  readonly partition: string;
  /**
   * Role API Gateway uses to write logs in this region (from GlobalIdentity). When set, the
   * region's API Gateway account settings point at it; leave unset when another deployment owns
   * the account's settings (API Gateway has one such setting per region and account).
   * @default - the region's API Gateway settings are left alone
   */
  readonly apiGatewayCloudWatchRoleArn?: string;
  /** Resources that must exist before API Gateway is pointed at the role (its policy attachment). */
  readonly apiGatewayRoleDependencies?: ITerraformDependable[];
  /**
   * Log groups outside this construct that the key encrypts (for example the region's flow-log
   * group). The key lets CloudWatch Logs use it for exactly these and its own log group.
   * @default []
   */
  readonly encryptedLogGroupNames?: readonly string[];
  /**
   * Other buckets of this region (names) that deliver server access logs to this region's log
   * bucket, for example the CloudTrail bucket. S3 logging may write for exactly these and the
   * data bucket, each only under its own prefix (`accessLogPrefix(name)`).
   * @default []
   */
  readonly additionalLoggedBucketNames?: readonly string[];
  /**
   * Let EC2 use the key for EBS volumes on behalf of the account (`kms:ViaService` EC2 of this
   * region, `kms:CallerAccount` this account), as the region's EBS default encryption key needs:
   * launches by services such as Auto Scaling go through EC2 with their own roles.
   * @default false
   */
  readonly allowEbsDefaultEncryption?: boolean;
  /**
   * Retention of the API Gateway log group and of server access logs, in days (a value
   * CloudWatch Logs accepts; 0 = never expire).
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Protect data from `destroy`: the buckets refuse to be deleted while they hold objects
   * (`force_destroy` off) and Terraform refuses to plan the deletion of the buckets and the
   * key (`prevent_destroy`). Turn on for production.
   * @default false
   */
  readonly protectData?: boolean;
  /**
   * Days after which noncurrent object versions are deleted.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
}

export const API_GATEWAY_LOG_GROUP_PREFIX = "/aws/apigateway/";
/** Where in the region's log bucket a bucket's server access logs go: its own prefix. */
export function accessLogPrefix(bucketName: string): string {
  return `s3/${bucketName}/`;
}

/**
 * Per-region encrypted storage: a customer-managed KMS key, the data bucket (SSE-KMS, TLS 1.2+,
 * versioned, access-logged, EventBridge notifications), the region's server access log bucket
 * (SSE-S3, as S3 logging requires), the API Gateway log group, and the region's API Gateway
 * account settings pointing at the shared CloudWatch role.
 */
export class SecureStorage extends Construct {
  /** The AWS-visible names a SecureStorage with this naming creates (configuration checks them). */
  public static awsNames(naming: NameScope & { readonly region: string }, accountId: string): AwsName[] {
    const names = SecureStorage.names(naming, accountId);
    return [
      { kind: "s3Bucket", name: names.bucket },
      { kind: "s3Bucket", name: names.accessLogBucket },
      { kind: "kmsAlias", name: names.keyAlias },
      { kind: "logGroup", name: names.apiGatewayLogGroup },
    ];
  }

  private static names(naming: NameScope & { readonly region: string }, accountId: string) {
    return {
      bucket: dataBucketName(naming, accountId),
      // As long as the data bucket's name, so both fit S3's 63 characters together.
      accessLogBucket: `${resourceName(naming, "logs")}-${accountId}`,
      keyAlias: `alias/${resourceName(naming, "data")}`,
      apiGatewayLogGroup: `${API_GATEWAY_LOG_GROUP_PREFIX}${resourceName(naming, "access")}`,
    };
  }

  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly keyAlias: string;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly bucketId: string;
  /** Completes once the data bucket is versioned (replication needs it at both ends). */
  public readonly bucketVersioning: ITerraformDependable;
  /** The region's server access log bucket; other buckets of the region may log to it (see additionalLoggedBucketArns). */
  public readonly accessLogBucketName: string;
  public readonly accessLogBucketArn: string;
  /** Completes once S3 logging may write to the access-log bucket: set up logging to it after this. */
  public readonly accessLogBucketReady: ITerraformDependable;
  public readonly logGroupName: string;
  public readonly logGroupArn: string;

  private readonly provider: AwsProvider;
  private readonly naming: NameScope & { readonly region: string };

  constructor(scope: Construct, id: string, props: SecureStorageProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    const { logRetentionDays } = this.validate(props);
    const names = SecureStorage.names(props.naming, props.accountId);
    const protect = props.protectData ?? false;

    const key = this.buildKey(props, names.keyAlias, names.apiGatewayLogGroup);
    const accessLogs = this.buildAccessLogBucket(props, names, logRetentionDays, protect);
    const data = new HardenedBucket(this, "data", {
      provider: this.provider,
      bucketName: names.bucket,
      nameTag: resourceName(this.naming, "data"),
      kmsKeyArn: key.key.arn,
      protect,
      accessLogs: { targetBucket: accessLogs.bucketId, targetPrefix: accessLogPrefix(names.bucket), targetReady: accessLogs.policy },
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
    });
    const logGroup = this.buildApiGatewayLogging(props, key.key, names.apiGatewayLogGroup, logRetentionDays);

    this.keyArn = key.key.arn;
    this.keyId = key.key.keyId;
    this.keyAlias = key.alias.name;
    this.bucketName = data.bucketName;
    this.bucketArn = data.bucketArn;
    this.bucketId = data.bucketId;
    this.bucketVersioning = data.versioning;
    this.accessLogBucketName = accessLogs.bucketName;
    this.accessLogBucketArn = accessLogs.bucketArn;
    this.accessLogBucketReady = accessLogs.policy;
    this.logGroupName = logGroup.name;
    this.logGroupArn = logGroup.arn;
  }

  /** Guards the invariants this construct owns, reporting every problem at once. */
  private validate(props: SecureStorageProps): { logRetentionDays: number } {
    const problems: string[] = [];
    const logRetentionDays = props.logRetentionDays ?? BASELINE.logRetentionDays;
    if (!Token.isUnresolved(logRetentionDays) && !LOG_RETENTION_DAYS_ALLOWED.includes(logRetentionDays)) {
      problems.push(`'logRetentionDays' must be one of ${LOG_RETENTION_DAYS_ALLOWED.join(", ")}. Received: ${logRetentionDays}`);
    }
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
      problems.push(`'noncurrentVersionExpirationDays' must be a whole number of at least 1. Received: ${noncurrentDays}`);
    }
    problems.push(...awsNameProblems(SecureStorage.awsNames(props.naming, props.accountId)));
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    return { logRetentionDays };
  }

  /** The customer-managed key: rotation, the longest deletion window, an alias, an explicit policy. */
  private buildKey(props: SecureStorageProps, aliasName: string, apiGatewayLogGroupName: string): { key: KmsKey; alias: KmsAlias } {
    const { provider, naming } = this;
    const { accountId, partition } = props;
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        // Without this the key becomes unmanageable: IAM policies only work on a KMS key the key policy delegates to the account.
        sid: "AccountAdministration",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${accountId}:root`] }],
        actions: ["kms:*"],
        resources: ["*"],
      },
      {
        // CloudWatch Logs encrypts as its own service principal; without this grant creating the log groups fails at apply.
        // The encryption context is the log group's ARN, so the grant names exactly the groups this deployment owns.
        sid: "CloudWatchLogsForTheseLogGroups",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: [`logs.${naming.region}.amazonaws.com`] }],
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"],
        condition: [
          {
            test: "ArnEquals",
            variable: "kms:EncryptionContext:aws:logs:arn",
            values: [apiGatewayLogGroupName, ...(props.encryptedLogGroupNames ?? [])].map(
              (name) => `arn:${partition}:logs:${naming.region}:${accountId}:log-group:${name}`,
            ),
          },
        ],
      },
    ];
    if (props.allowEbsDefaultEncryption) {
      statements.push({
        // The AWS-managed aws/ebs key's own policy, for this key: any principal of this account, through EC2 of this region only.
        sid: "EbsThroughEc2OfThisAccount",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
        resources: ["*"],
        condition: [
          { test: "StringEquals", variable: "kms:CallerAccount", values: [accountId] },
          { test: "StringEquals", variable: "kms:ViaService", values: [`ec2.${naming.region}.amazonaws.com`] },
        ],
      });
    }
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", { provider, statement: statements });
    const key = new KmsKey(this, "key", {
      provider,
      description: `Encrypts ${resourceName(naming, "data")} storage and logs`,
      enableKeyRotation: true,
      deletionWindowInDays: BASELINE.kmsDeletionWindowDays,
      policy: keyPolicy.json,
      tags: nameTag(naming, "key"),
      lifecycle: props.protectData ? { preventDestroy: true } : undefined,
    });
    const alias = new KmsAlias(this, "key-alias", { provider, name: aliasName, targetKeyId: key.keyId });
    return { key, alias };
  }

  /**
   * The region's server access log bucket: SSE-S3 (S3 cannot deliver access logs to SSE-KMS),
   * logs kept as long as the log groups, and only S3's logging service of this account may
   * write: for each source bucket, under that bucket's own prefix only.
   */
  private buildAccessLogBucket(props: SecureStorageProps, names: ReturnType<typeof SecureStorage.names>, logRetentionDays: number, protect: boolean): HardenedBucket {
    const { partition, accountId } = props;
    const sources = [names.bucket, ...(props.additionalLoggedBucketNames ?? [])];
    return new HardenedBucket(this, "access-logs", {
      provider: this.provider,
      bucketName: names.accessLogBucket,
      nameTag: resourceName(this.naming, "s3-access-logs"),
      protect,
      expirationDays: logRetentionDays === 0 ? undefined : logRetentionDays,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
      policyStatements: sources.map((source, index) => ({
        sid: `S3ServerAccessLogs${index + 1}`,
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
        actions: ["s3:PutObject"],
        resources: [`arn:${partition}:s3:::${names.accessLogBucket}/${accessLogPrefix(source)}*`],
        condition: [
          { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:s3:::${source}`] },
          { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
        ],
      })),
    });
  }

  /** The API Gateway log group, and the region's API Gateway account settings pointing at the role. */
  private buildApiGatewayLogging(props: SecureStorageProps, key: KmsKey, name: string, retentionInDays: number): CloudwatchLogGroup {
    const { provider, naming } = this;
    const logGroup = new CloudwatchLogGroup(this, "api-gateway-log-group", {
      provider,
      name,
      retentionInDays,
      kmsKeyId: key.arn,
      tags: nameTag(naming, "apigw-access-logs"),
    });
    if (props.apiGatewayCloudWatchRoleArn !== undefined) {
      new ApiGatewayAccount(this, "api-gateway-account", {
        provider,
        cloudwatchRoleArn: props.apiGatewayCloudWatchRoleArn,
        // Without it a destroy leaves API Gateway pointing at the deleted role. The provider marks the
        // argument deprecated (it warns at validate) but still honours it in 5.100.
        resetOnDelete: true,
        dependsOn: props.apiGatewayRoleDependencies,
      });
    }
    return logGroup;
  }
}
