import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { awsNameProblems } from "../aws/limits";
import { nameTag, NameScope } from "../aws/naming";
import { serviceTrustPolicy } from "../identity/trust-policy";
import { replicationAwsNames, replicationNames } from "./storage-facts";

/** One region's data bucket, its key and what replication needs of it (SecureStorage is one). */
export interface ReplicatedBucket {
  /** The bucket's region. */
  readonly region: string;
  /** Provider of the bucket's region (the replication configuration is created there). */
  readonly provider: AwsProvider;
  /** The bucket's id (its name, known once created). */
  readonly bucketId: string;
  /** The bucket's ARN. */
  readonly bucketArn: string;
  /** The region's KMS key: it decrypts the bucket's objects and encrypts the replicas it receives. */
  readonly keyArn: string;
  /** Completes once the bucket is versioned; replication needs versioning at both ends. */
  readonly versioning: ITerraformDependable;
}

export interface BucketReplicationProps {
  /** Provider for the roles' shared trust document (computed locally; any region works). */
  readonly provider: AwsProvider;
  /** Project and environment for the role's name. */
  readonly naming: Omit<NameScope, "region">;
  /**
   * The buckets, in ring order: each replicates to the next, the last to the first. At least two,
   * each in its own region.
   */
  readonly buckets: readonly ReplicatedBucket[];
}

/**
 * Cross-region replication of the data buckets in a ring: every object lands in a second
 * region, encrypted there with that region's key. Delete markers are not replicated, so a
 * delete in one region never removes the copy. One role per source region, limited to exactly
 * its source and destination buckets and keys, each key usable only through S3 of its own
 * region: a role's policy stays the same size whatever the number of regions, where one role
 * for the whole ring grew by about 1,300 characters a region and passed IAM's 10,240 at ten.
 */
export class BucketReplication extends Construct {
  /** ARN of the role S3 replicates with, by source region. */
  public readonly roleArns: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: BucketReplicationProps) {
    super(scope, id);
    const problems: string[] = [];
    const regions = props.buckets.map((bucket) => bucket.region);
    if (props.buckets.length < 2) problems.push(`'buckets' needs two regions or more to replicate between. Received: [${regions.join(", ")}]`);
    if (new Set(regions).size !== regions.length) problems.push(`'buckets' needs one bucket per region. Received: [${regions.join(", ")}]`);
    problems.push(...awsNameProblems(replicationAwsNames(props.naming, regions)));
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);

    // Every role trusts S3 the same way, so they share one trust document.
    const trust = serviceTrustPolicy(this, "trust", { provider: props.provider, service: "s3.amazonaws.com" });
    const roleArns = new Map<string, string>();
    props.buckets.forEach((source, index) => {
      const destination = props.buckets[(index + 1) % props.buckets.length];
      const role = this.buildRole(props, trust.json, source, destination);
      roleArns.set(source.region, role.role.arn);
      // Named by source only: when the ring changes (a region added or retired) the configuration updates in place.
      new S3BucketReplicationConfigurationA(this, `from-${source.region}`, {
        provider: source.provider,
        role: role.role.arn,
        bucket: source.bucketId,
        rule: [
          {
            id: `to-${destination.region}`,
            status: "Enabled",
            filter: { prefix: "" },
            // A delete stays in its region: the replica survives a mistaken or malicious delete.
            deleteMarkerReplication: { status: "Disabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: destination.bucketArn,
              encryptionConfiguration: { replicaKmsKeyId: destination.keyArn },
            },
          },
        ],
        // Replication needs versioning on at both ends, and the role able to act when S3 first checks it.
        dependsOn: [source.versioning, destination.versioning, role.policy],
      });
    });
    this.roleArns = roleArns;
  }

  /** The role S3 assumes to replicate `source` to `destination`: read the one, write the other, each key through S3 of its region. */
  private buildRole(props: BucketReplicationProps, trust: string, source: ReplicatedBucket, destination: ReplicatedBucket): { role: IamRole; policy: IamRolePolicy } {
    const { naming } = props;
    // IAM is global; the source region's provider keeps each role with its region (a retiring region's role goes with it).
    const provider = source.provider;
    const names = replicationNames(naming, source.region);
    const role = new IamRole(this, `role-${source.region}`, {
      provider,
      name: names.role,
      description: `Lets S3 replicate this deployment's ${source.region} data bucket to ${destination.region}`,
      assumeRolePolicy: trust,
      tags: nameTag({ ...naming, region: source.region }, "s3-replication"),
    });
    // With S3 Bucket Keys the encryption context is the bucket's ARN, not the object's.
    const encryptionContext = (bucket: ReplicatedBucket) => [bucket.bucketArn, `${bucket.bucketArn}/*`];
    const viaS3 = (bucket: ReplicatedBucket) => ({ test: "StringEquals", variable: "kms:ViaService", values: [`s3.${bucket.region}.amazonaws.com`] });
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: "ReadSourceConfiguration", effect: "Allow", actions: ["s3:GetReplicationConfiguration", "s3:ListBucket"], resources: [source.bucketArn] },
      {
        sid: "ReadSourceObjects",
        effect: "Allow",
        actions: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
        resources: [`${source.bucketArn}/*`],
      },
      { sid: "WriteReplicas", effect: "Allow", actions: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], resources: [`${destination.bucketArn}/*`] },
      {
        sid: "DecryptSource",
        effect: "Allow",
        actions: ["kms:Decrypt"],
        resources: [source.keyArn],
        condition: [viaS3(source), { test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: encryptionContext(source) }],
      },
      {
        // Decrypt too: S3 verifies the destination's Bucket Key with it before using it.
        sid: "EncryptReplicas",
        effect: "Allow",
        actions: ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
        resources: [destination.keyArn],
        condition: [viaS3(destination), { test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: encryptionContext(destination) }],
      },
    ];
    const permissions = new DataAwsIamPolicyDocument(this, `permissions-${source.region}`, { provider, statement: statements });
    const policy = new IamRolePolicy(this, `policy-${source.region}`, { provider, name: names.policy, role: role.id, policy: permissions.json });
    return { role, policy };
  }
}
