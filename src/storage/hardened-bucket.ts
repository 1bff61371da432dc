import { Construct } from "constructs";
import { ITerraformDependable, TerraformResourceLifecycle } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration, S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS, accessLogPrefix, DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS } from "./storage-facts";

export interface HardenedBucketProps {
  /** Provider of the bucket's region. */
  readonly provider: AwsProvider;
  /** The bucket name (global across AWS; may hold the account id as a token). */
  readonly bucketName: string;
  /** The bucket's `Name` tag. */
  readonly nameTag: string;
  /**
   * SSE-KMS with this customer-managed key and S3 Bucket Keys. Leave unset for SSE-S3, which
   * a server access log target must use: S3 cannot deliver access logs to an SSE-KMS bucket.
   * @default - SSE-S3 (AES256)
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
   */
  readonly kmsKeyArn?: string;
  /**
   * Keep the data on `destroy`: no `force_destroy`, and Terraform refuses to plan the bucket's
   * deletion (`prevent_destroy`).
   * @default false
   */
  readonly protect?: boolean;
  /**
   * Statements added to the bucket policy, after its TLS denials (service delivery grants).
   * @default []
   */
  readonly policyStatements?: DataAwsIamPolicyDocumentStatement[];
  /**
   * The log bucket this bucket's server access logs go to; it grants the delivery itself. Unset
   * only for a bucket that is itself an access-log target (logging a log bucket would log its
   * own deliveries).
   * @default - no server access logging
   */
  readonly accessLogs?: IAccessLogTarget;
  /**
   * Makes this bucket a server access log target of the account: `grantServerAccessLogs` then
   * lets S3 logging of this account write a source bucket's logs under that bucket's own prefix.
   * Such a bucket must use SSE-S3 (no `kmsKeyArn`).
   * @default - not a log target
   */
  readonly logTargetOf?: { readonly accountId: string; readonly partition: string };
  /**
   * Days after which noncurrent object versions are deleted.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days after which current objects expire (log buckets keep logs as long as the log groups).
   * @default - never
   */
  readonly expirationDays?: number;
  /**
   * Current objects move to cheaper storage classes as they age (`days` after creation, ascending).
   * @default - none: objects stay in S3 Standard
   */
  readonly transitions?: readonly { readonly days: number; readonly storageClass: string }[];
  /**
   * S3 Object Lock: every new object version is kept for `days` in `mode` (GOVERNANCE or
   * COMPLIANCE), so not even the account's administrators can delete or overwrite it sooner. It is
   * switched on in place (an existing versioned bucket keeps its objects and name) and can never be
   * switched off again; a bucket with Object Lock cannot be a server access log target.
   * @default - no Object Lock
   */
  readonly objectLock?: { readonly mode: "GOVERNANCE" | "COMPLIANCE"; readonly days: number };
}

/** Where a bucket's server access logs are delivered, once the target allows it. */
export interface AccessLogDelivery {
  /** The target bucket (name). */
  readonly targetBucket: string;
  /** The source's own prefix in the target. */
  readonly targetPrefix: string;
  /** What must exist first: the target's policy that lets S3 logging write (S3 checks it when logging is set). */
  readonly ready?: ITerraformDependable;
}

/**
 * The log bucket's policy statement that lets S3 server access logging of `accountId` write the
 * logs of `sourceBucketName`, under that bucket's own prefix only.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
function serverAccessLogGrant(sid: string, logBucketName: string, sourceBucketName: string, partition: string, accountId: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid,
    effect: "Allow",
    principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
    actions: ["s3:PutObject"],
    resources: [`arn:${partition}:s3:::${logBucketName}/${accessLogPrefix(sourceBucketName)}*`],
    condition: [
      { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:s3:::${sourceBucketName}`] },
      { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
    ],
  };
}

/** A bucket that receives server access logs: it grants S3 logging the right to deliver for a source bucket. */
export interface IAccessLogTarget {
  /** Lets S3 server access logging of this account write the logs of `sourceBucketName` under that bucket's own prefix. */
  grantServerAccessLogs(sourceBucketName: string): AccessLogDelivery;
}

/**
 * An S3 bucket with every control tap's rule pack asks of one, each in its own companion
 * resource: all four public-access-block flags, ACLs disabled, versioning, default encryption,
 * a policy that denies plain HTTP and TLS below 1.2, a lifecycle, EventBridge notifications
 * and, unless it is a log target itself, server access logging.
 */
export class HardenedBucket extends Construct implements IAccessLogTarget {
  /** The bucket's name. */
  public readonly bucketName: string;
  /** The bucket's ARN. */
  public readonly bucketArn: string;
  /** The bucket's id (its name, known once created: reference it to order companions after the bucket). */
  public readonly bucketId: string;
  /** Completes once versioning is on: replication and noncurrent-version rules need it first. */
  public readonly versioning: ITerraformDependable;
  /** Completes once the bucket policy is in place: services that write on its grants wait for it. */
  public readonly policy: ITerraformDependable;
  /** Completes once default encryption is configured: services that check it when they start writing (CloudTrail) wait for it. */
  public readonly encryption: ITerraformDependable;

  private readonly provider: AwsProvider;
  private readonly policyDocument: DataAwsIamPolicyDocument;
  private readonly grants: DataAwsIamPolicyDocumentStatement[];
  /** Static name (known at plan time, so the grants can be read before apply) and account, when a log target. */
  private readonly logTarget?: { readonly bucketName: string; readonly accountId: string; readonly partition: string };
  private logSources = 0;

  constructor(scope: Construct, id: string, props: HardenedBucketProps) {
    super(scope, id);
    this.provider = props.provider;
    if (props.logTargetOf) this.logTarget = { bucketName: props.bucketName, ...props.logTargetOf };
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS;
    const problems: string[] = [];
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
      problems.push(`'noncurrentVersionExpirationDays' must be a whole number of at least 1. Received: ${noncurrentDays}`);
    }
    if (props.expirationDays !== undefined && (!Number.isInteger(props.expirationDays) || props.expirationDays < 1)) {
      problems.push(`'expirationDays' must be a whole number of at least 1. Received: ${props.expirationDays}`);
    }
    for (const [index, transition] of (props.transitions ?? []).entries()) {
      const previous = props.transitions![index - 1];
      if (!Number.isInteger(transition.days) || transition.days < 1 || (previous && transition.days <= previous.days)) {
        problems.push(`'transitions'[${index}].days must be a whole number of at least 1, after the previous transition's. Received: ${transition.days}`);
      }
      if (props.expirationDays !== undefined && transition.days >= props.expirationDays) problems.push(`'transitions'[${index}].days (${transition.days}) is not before 'expirationDays' (${props.expirationDays})`);
    }
    if (props.objectLock) {
      if (!Number.isInteger(props.objectLock.days) || props.objectLock.days < 1) problems.push(`'objectLock'.days must be a whole number of at least 1. Received: ${props.objectLock.days}`);
      if (props.expirationDays !== undefined && props.expirationDays < props.objectLock.days) {
        problems.push(`'expirationDays' (${props.expirationDays}) is shorter than 'objectLock'.days (${props.objectLock.days}): objects would be due for deletion while still locked`);
      }
    }
    if (props.logTargetOf && props.kmsKeyArn) problems.push("'logTargetOf' needs SSE-S3: S3 cannot deliver server access logs to a bucket encrypted with 'kmsKeyArn'");
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);

    const lifecycle: TerraformResourceLifecycle | undefined = props.protect ? { preventDestroy: true } : undefined;
    const bucket = new S3Bucket(this, "bucket", {
      provider: this.provider,
      bucket: props.bucketName,
      forceDestroy: !props.protect,
      // Object Lock is switched on by its configuration below, which AWS allows on an existing
      // versioned bucket: object_lock_enabled here would force a new bucket, replacing an archive
      // that gains protection after its first deploy.
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html
      tags: { Name: props.nameTag },
      lifecycle,
    });
    const publicAccessBlock = this.buildAccessControls(bucket);
    const versioning = new S3BucketVersioningA(this, "versioning", {
      provider: this.provider,
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    this.encryption = this.buildEncryption(bucket, props.kmsKeyArn);
    this.grants = [...(props.policyStatements ?? [])];
    const policy = this.buildPolicy(bucket, publicAccessBlock);
    this.policy = policy.resource;
    this.policyDocument = policy.document;
    this.buildLifecycle(bucket, versioning, noncurrentDays, props.expirationDays, props.transitions ?? []);
    if (props.objectLock) {
      new S3BucketObjectLockConfigurationA(this, "object-lock", {
        provider: this.provider,
        bucket: bucket.id,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.days } },
        dependsOn: [versioning],
      });
    }
    if (props.accessLogs) {
      const delivery = props.accessLogs.grantServerAccessLogs(props.bucketName);
      new S3BucketLoggingA(this, "access-logging", {
        provider: this.provider,
        bucket: bucket.id,
        targetBucket: delivery.targetBucket,
        targetPrefix: delivery.targetPrefix,
        dependsOn: delivery.ready ? [delivery.ready] : undefined,
      });
    }
    new S3BucketNotification(this, "notifications", { provider: this.provider, bucket: bucket.id, eventbridge: true });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.bucketId = bucket.id;
    this.versioning = versioning;
  }

  /**
   * Lets S3 server access logging of the account write the logs of `sourceBucketName` under its
   * own prefix (IAccessLogTarget); only for a bucket made with `logTargetOf`.
   */
  public grantServerAccessLogs(sourceBucketName: string): AccessLogDelivery {
    if (!this.logTarget) throw new Error(`${this.node.path}: is not a server access log target; create it with 'logTargetOf'`);
    const { bucketName, partition, accountId } = this.logTarget;
    this.logSources += 1;
    this.addToResourcePolicy(serverAccessLogGrant(`S3ServerAccessLogs${this.logSources}`, bucketName, sourceBucketName, partition, accountId));
    return { targetBucket: this.bucketId, targetPrefix: accessLogPrefix(sourceBucketName), ready: this.policy };
  }

  /** Adds a statement to the bucket policy, after its TLS denials and earlier grants (the way AWS CDK's addToResourcePolicy does). */
  public addToResourcePolicy(statement: DataAwsIamPolicyDocumentStatement): void {
    this.grants.push(statement);
    this.policyDocument.putStatement(this.policyStatements(this.bucketArn));
  }

  /** Public access blocked four ways; ACLs disabled, so the bucket owner owns every object. */
  private buildAccessControls(bucket: S3Bucket): S3BucketPublicAccessBlock {
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      provider: this.provider,
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      provider: this.provider,
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    return publicAccessBlock;
  }

  private buildEncryption(bucket: S3Bucket, kmsKeyArn: string | undefined): S3BucketServerSideEncryptionConfigurationA {
    return new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      provider: this.provider,
      bucket: bucket.id,
      rule: [
        kmsKeyArn
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
  }

  /** TLS-only (1.2 or later), then the service grants the bucket exists for. */
  private buildPolicy(bucket: S3Bucket, publicAccessBlock: S3BucketPublicAccessBlock): { document: DataAwsIamPolicyDocument; resource: S3BucketPolicy } {
    const document = new DataAwsIamPolicyDocument(this, "policy-document", { provider: this.provider, statement: this.policyStatements(bucket.arn) });
    const resource = new S3BucketPolicy(this, "policy", {
      provider: this.provider,
      bucket: bucket.id,
      policy: document.json,
      // S3 rejects concurrent bucket-policy and public-access-block updates ("OperationAborted").
      dependsOn: [publicAccessBlock],
    });
    return { document, resource };
  }

  private policyStatements(bucketArn: string): DataAwsIamPolicyDocumentStatement[] {
    const everyone = [{ type: "*", identifiers: ["*"] }];
    const bucketAndObjects = [bucketArn, `${bucketArn}/*`];
    return [
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:*"],
        resources: bucketAndObjects,
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
      {
        sid: "DenyTlsBelow12",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:*"],
        resources: bucketAndObjects,
        condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
      },
      ...this.grants,
    ];
  }

  private buildLifecycle(
    bucket: S3Bucket,
    versioning: S3BucketVersioningA,
    noncurrentDays: number,
    expirationDays: number | undefined,
    transitions: readonly { readonly days: number; readonly storageClass: string }[],
  ): void {
    const rules: S3BucketLifecycleConfigurationRule[] = [
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
    ];
    if (transitions.length > 0) {
      rules.push({ id: "transition-objects", status: "Enabled", filter: [{}], transition: transitions.map(({ days, storageClass }) => ({ days, storageClass })) });
    }
    if (expirationDays !== undefined) rules.push({ id: "expire-objects", status: "Enabled", filter: [{}], expiration: [{ days: expirationDays }] });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      provider: this.provider,
      bucket: bucket.id,
      rule: rules,
      // Noncurrent-version rules need versioning to be on first.
      dependsOn: [versioning],
    });
  }
}
