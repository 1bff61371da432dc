import { Construct } from "constructs";
import { ITerraformDependable, TerraformResourceLifecycle, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { BASELINE } from "../aws/baseline";
import { AwsName, awsNameProblems, LOG_RETENTION_DAYS_ALLOWED } from "../aws/limits";
import { dataBucketName, nameTag, NameScope, resourceName } from "../aws/naming";

export interface SecureStorageProps {
  /** Provider of the region this storage lives in. */
  readonly provider: AwsProvider;
  /** Project, environment and region for names. */
  readonly naming: NameScope & { readonly region: string };
  /** Account that owns the key and bucket. May be a token. */
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
   * Retention of the API Gateway log group, in days (a value CloudWatch Logs accepts; 0 = never).
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Protect data from `destroy`: the bucket refuses to be deleted while it holds objects
   * (`force_destroy` off) and Terraform refuses to plan the deletion of the bucket and the
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

export const DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS = 90;
export const ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS = 7;
export const API_GATEWAY_LOG_GROUP_PREFIX = "/aws/apigateway/";

/**
 * Per-region encrypted storage: a customer-managed KMS key, an S3 bucket locked down to
 * TLS 1.2+ and SSE-KMS, the API Gateway log group, and the region's API Gateway account
 * settings pointing at the shared CloudWatch role.
 */
export class SecureStorage extends Construct {
  /** The AWS-visible names a SecureStorage with this naming creates (configuration checks them). */
  public static awsNames(naming: NameScope & { readonly region: string }, accountId: string): AwsName[] {
    const names = SecureStorage.names(naming, accountId);
    return [
      { kind: "s3Bucket", name: names.bucket },
      { kind: "kmsAlias", name: names.keyAlias },
      { kind: "logGroup", name: names.apiGatewayLogGroup },
    ];
  }

  private static names(naming: NameScope & { readonly region: string }, accountId: string) {
    return {
      bucket: dataBucketName(naming, accountId),
      keyAlias: `alias/${resourceName(naming, "data")}`,
      apiGatewayLogGroup: `${API_GATEWAY_LOG_GROUP_PREFIX}${resourceName(naming, "access")}`,
    };
  }

  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly keyAlias: string;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly logGroupName: string;
  public readonly logGroupArn: string;

  private readonly provider: AwsProvider;
  private readonly naming: NameScope & { readonly region: string };
  /** Terraform refuses to plan the deletion of a protected bucket or key. */
  private readonly lifecycle?: TerraformResourceLifecycle;

  constructor(scope: Construct, id: string, props: SecureStorageProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    const protect = props.protectData ?? false;
    this.lifecycle = protect ? { preventDestroy: true } : undefined;
    const { logRetentionDays, noncurrentDays } = this.validate(props);
    const names = SecureStorage.names(props.naming, props.accountId);

    const key = this.buildKey(props, names.keyAlias, names.apiGatewayLogGroup);
    const bucket = this.buildBucket(names.bucket, key, protect);
    this.buildLifecycle(bucket.resource, bucket.versioning, noncurrentDays);
    const logGroup = this.buildApiGatewayLogging(props, key, names.apiGatewayLogGroup, logRetentionDays);

    this.keyArn = key.key.arn;
    this.keyId = key.key.keyId;
    this.keyAlias = key.alias.name;
    this.bucketName = bucket.resource.bucket;
    this.bucketArn = bucket.resource.arn;
    this.logGroupName = logGroup.name;
    this.logGroupArn = logGroup.arn;
  }

  /** Guards the invariants this construct owns, reporting every problem at once. */
  private validate(props: SecureStorageProps): { logRetentionDays: number; noncurrentDays: number } {
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
    return { logRetentionDays, noncurrentDays };
  }

  /** The customer-managed key: rotation, the longest deletion window, an alias, an explicit policy. */
  private buildKey(props: SecureStorageProps, aliasName: string, apiGatewayLogGroupName: string): { key: KmsKey; alias: KmsAlias } {
    const { provider, naming } = this;
    const { accountId, partition } = props;
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
      provider,
      statement: [
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
      ],
    });
    const key = new KmsKey(this, "key", {
      provider,
      description: `Encrypts ${resourceName(naming, "data")} storage and logs`,
      enableKeyRotation: true,
      deletionWindowInDays: BASELINE.kmsDeletionWindowDays,
      policy: keyPolicy.json,
      tags: nameTag(naming, "key"),
      lifecycle: this.lifecycle,
    });
    const alias = new KmsAlias(this, "key-alias", { provider, name: aliasName, targetKeyId: key.keyId });
    return { key, alias };
  }

  /** The bucket and one companion resource per concern: public access, ownership, versioning, encryption, policy. */
  private buildBucket(name: string, key: { key: KmsKey }, protect: boolean): { resource: S3Bucket; versioning: S3BucketVersioningA } {
    const { provider, naming } = this;
    const bucket = new S3Bucket(this, "bucket", {
      provider,
      bucket: name,
      forceDestroy: !protect,
      tags: nameTag(naming, "data"),
      lifecycle: this.lifecycle,
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      provider,
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      provider,
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const versioning = new S3BucketVersioningA(this, "versioning", {
      provider,
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      provider,
      bucket: bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.key.arn },
          bucketKeyEnabled: true,
        },
      ],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "bucket-policy-document", {
      provider,
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [bucket.arn, `${bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
        {
          sid: "DenyTlsBelow12",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [bucket.arn, `${bucket.arn}/*`],
          condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
        },
      ],
    });
    new S3BucketPolicy(this, "bucket-policy", {
      provider,
      bucket: bucket.id,
      policy: tlsOnly.json,
      // S3 rejects concurrent bucket-policy and public-access-block updates ("OperationAborted").
      dependsOn: [publicAccessBlock],
    });
    return { resource: bucket, versioning };
  }

  /** Abort incomplete uploads and expire old noncurrent versions. */
  private buildLifecycle(bucket: S3Bucket, versioning: S3BucketVersioningA, noncurrentDays: number): void {
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      provider: this.provider,
      bucket: bucket.id,
      rule: [
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{}],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS }],
        },
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays }],
        },
      ],
      // Noncurrent-version rules need versioning to be on first.
      dependsOn: [versioning],
    });
  }

  /** The API Gateway log group, and the region's API Gateway account settings pointing at the role. */
  private buildApiGatewayLogging(props: SecureStorageProps, key: { key: KmsKey }, name: string, retentionInDays: number): CloudwatchLogGroup {
    const { provider, naming } = this;
    const logGroup = new CloudwatchLogGroup(this, "api-gateway-log-group", {
      provider,
      name,
      retentionInDays,
      kmsKeyId: key.key.arn,
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
