import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { BASELINE } from "../aws/baseline";
import { awsNameProblems, logRetentionProblem } from "../aws/limits";
import { nameTag, NameScope, resourceName } from "../aws/naming";
import { AccessLogDelivery, HardenedBucket, IAccessLogTarget } from "./hardened-bucket";
import type { ReplicatedBucket } from "./bucket-replication";
import { accountAdministersKey, DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS, storageAwsNames, storageNames } from "./storage-facts";

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

/** A key that CloudWatch Logs may encrypt log groups with. */
export interface ILogEncryptionKey {
  /** The key's ARN, for a log group's `kms_key_id`. */
  readonly keyArn: string;
  /** Lets CloudWatch Logs of the key's region use the key for exactly the log group `logGroupName`. */
  grantLogGroupEncryption(logGroupName: string): void;
}

/** A key that can be a region's EBS default encryption key. */
export interface IEbsEncryptionKey {
  /** The key's ARN. */
  readonly keyArn: string;
  /**
   * Lets any principal of this account use the key through EC2 of its region (`kms:ViaService`,
   * `kms:CallerAccount`), as the EBS default key needs: launches by services such as Auto
   * Scaling go through EC2 with their own roles.
   */
  grantEbsDefaultEncryption(): void;
}

/**
 * Per-region encrypted storage: a customer-managed KMS key, the data bucket (SSE-KMS, TLS 1.2+,
 * versioned, access-logged, EventBridge notifications), the region's server access log bucket
 * (SSE-S3, as S3 logging requires) and the API Gateway access-log group. Other constructs of
 * the region use the key and the log bucket through the grant methods.
 */
export class SecureStorage extends Construct implements ILogEncryptionKey, IEbsEncryptionKey, IAccessLogTarget, ReplicatedBucket {
  /** The region the storage lives in. */
  public readonly region: string;
  /** Provider of that region. */
  public readonly provider: AwsProvider;
  /** ARN of the region's customer-managed key. */
  public readonly keyArn: string;
  /** Key id of that key. */
  public readonly keyId: string;
  /** The key's alias (`alias/<project>-<environment>-<region>-data`). */
  public readonly keyAlias: string;
  /** Name of the data bucket. */
  public readonly bucketName: string;
  /** ARN of the data bucket. */
  public readonly bucketArn: string;
  /** Id of the data bucket (its name, known once created). */
  public readonly bucketId: string;
  /** Completes once the data bucket is versioned (replication needs it at both ends). */
  public readonly versioning: ITerraformDependable;
  /** Name of the region's server access log bucket; other buckets of the region log to it through grantServerAccessLogs. */
  public readonly accessLogBucketName: string;
  /** ARN of that bucket. */
  public readonly accessLogBucketArn: string;
  /** Name of the API Gateway access-log group. */
  public readonly logGroupName: string;
  /** ARN of that log group. */
  public readonly logGroupArn: string;

  private readonly naming: NameScope & { readonly region: string };
  private readonly account: { readonly accountId: string; readonly partition: string };
  private readonly keyPolicy: { readonly document: DataAwsIamPolicyDocument; readonly logGroupNames: string[]; ebs: boolean };
  private readonly accessLogs: HardenedBucket;

  constructor(scope: Construct, id: string, props: SecureStorageProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    this.region = props.naming.region;
    this.account = { accountId: props.accountId, partition: props.partition };
    const { logRetentionDays } = this.validate(props);
    const names = storageNames(props.naming, props.accountId);
    const protect = props.protectData ?? false;

    this.keyPolicy = { document: new DataAwsIamPolicyDocument(this, "key-policy", { provider: this.provider }), logGroupNames: [names.apiGatewayLogGroup], ebs: false };
    this.refreshKeyPolicy();
    const key = this.buildKey(protect);
    const alias = new KmsAlias(this, "key-alias", { provider: this.provider, name: names.keyAlias, targetKeyId: key.keyId });
    this.accessLogs = this.buildAccessLogBucket(props, names.accessLogBucket, logRetentionDays, protect);
    this.accessLogBucketName = this.accessLogs.bucketName;
    this.accessLogBucketArn = this.accessLogs.bucketArn;
    const data = new HardenedBucket(this, "data", {
      provider: this.provider,
      bucketName: names.bucket,
      nameTag: resourceName(this.naming, "data"),
      kmsKeyArn: key.arn,
      protect,
      accessLogs: this,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
    });
    const logGroup = new CloudwatchLogGroup(this, "api-gateway-log-group", {
      provider: this.provider,
      name: names.apiGatewayLogGroup,
      retentionInDays: logRetentionDays,
      kmsKeyId: key.arn,
      tags: nameTag(this.naming, "apigw-access-logs"),
    });

    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.keyAlias = alias.name;
    this.bucketName = data.bucketName;
    this.bucketArn = data.bucketArn;
    this.bucketId = data.bucketId;
    this.versioning = data.versioning;
    this.logGroupName = logGroup.name;
    this.logGroupArn = logGroup.arn;
  }

  /** Lets CloudWatch Logs of this region use the key for exactly the log group `logGroupName` (ILogEncryptionKey). */
  public grantLogGroupEncryption(logGroupName: string): void {
    this.keyPolicy.logGroupNames.push(logGroupName);
    this.refreshKeyPolicy();
  }

  /** Lets the account's principals use the key through EC2 of this region, as an EBS default key (IEbsEncryptionKey). */
  public grantEbsDefaultEncryption(): void {
    this.keyPolicy.ebs = true;
    this.refreshKeyPolicy();
  }

  /** Only S3 server access logging of this account may write, for each source under its own prefix. */
  public grantServerAccessLogs(sourceBucketName: string): AccessLogDelivery {
    return this.accessLogs.grantServerAccessLogs(sourceBucketName);
  }

  /** Guards the invariants this construct owns, reporting every problem at once. */
  private validate(props: SecureStorageProps): { logRetentionDays: number } {
    const problems: string[] = [];
    const logRetentionDays = props.logRetentionDays ?? BASELINE.logRetentionDays;
    const retentionProblem = Token.isUnresolved(logRetentionDays) ? undefined : logRetentionProblem("logRetentionDays", logRetentionDays);
    if (retentionProblem) problems.push(retentionProblem);
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
      problems.push(`'noncurrentVersionExpirationDays' must be a whole number of at least 1. Received: ${noncurrentDays}`);
    }
    problems.push(...awsNameProblems(storageAwsNames(props.naming, props.accountId)));
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    return { logRetentionDays };
  }

  /** The customer-managed key: rotation, the longest deletion window, an explicit policy. */
  private buildKey(protect: boolean): KmsKey {
    return new KmsKey(this, "key", {
      provider: this.provider,
      description: `Encrypts ${resourceName(this.naming, "data")} storage and logs`,
      enableKeyRotation: true,
      deletionWindowInDays: BASELINE.kmsDeletionWindowDays,
      policy: this.keyPolicy.document.json,
      tags: nameTag(this.naming, "key"),
      lifecycle: protect ? { preventDestroy: true } : undefined,
    });
  }

  /** The key policy: the account administers it, plus what has been granted so far. */
  private refreshKeyPolicy(): void {
    const { accountId, partition } = this.account;
    const { region } = this.naming;
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      accountAdministersKey(partition, accountId),
      {
        // CloudWatch Logs encrypts as its own service principal; without this grant creating the log groups fails at apply.
        // The encryption context is the log group's ARN, so the grant names exactly the groups this deployment owns.
        sid: "CloudWatchLogsForTheseLogGroups",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: [`logs.${region}.amazonaws.com`] }],
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"],
        condition: [
          {
            test: "ArnEquals",
            variable: "kms:EncryptionContext:aws:logs:arn",
            values: this.keyPolicy.logGroupNames.map((name) => `arn:${partition}:logs:${region}:${accountId}:log-group:${name}`),
          },
        ],
      },
    ];
    if (this.keyPolicy.ebs) {
      statements.push({
        // The AWS-managed aws/ebs key's own policy, for this key: any principal of this account, through EC2 of this region only.
        sid: "EbsThroughEc2OfThisAccount",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
        resources: ["*"],
        condition: [
          { test: "StringEquals", variable: "kms:CallerAccount", values: [accountId] },
          { test: "StringEquals", variable: "kms:ViaService", values: [`ec2.${region}.amazonaws.com`] },
        ],
      });
    }
    this.keyPolicy.document.putStatement(statements);
  }

  /**
   * The region's server access log bucket: SSE-S3 (S3 cannot deliver access logs to SSE-KMS) and
   * logs kept as long as the log groups. Sources are added by grantServerAccessLogs.
   */
  private buildAccessLogBucket(props: SecureStorageProps, name: string, logRetentionDays: number, protect: boolean): HardenedBucket {
    return new HardenedBucket(this, "access-logs", {
      provider: this.provider,
      bucketName: name,
      nameTag: resourceName(this.naming, "s3-access-logs"),
      protect,
      logTargetOf: this.account,
      expirationDays: logRetentionDays === 0 ? undefined : logRetentionDays,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
    });
  }
}
