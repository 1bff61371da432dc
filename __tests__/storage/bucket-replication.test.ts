import { Construct } from "constructs";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { BucketReplication, ReplicatedBucket } from "../../src/storage/bucket-replication";
import { HardenedBucket } from "../../src/storage/hardened-bucket";
import { dataSourceAt, referenceTo, resourceAt, resourcesOf, SynthJson, synthWithMetadata } from "../helpers";

const REGIONS = ["us-east-1", "us-west-2", "eu-central-1"];
const keyArn = (region: string) => `arn:aws:kms:${region}:123456789012:key/${region}`;

/** Three versioned buckets, one per region, replicated in a ring. */
function build(scope: Construct, regions = REGIONS): void {
  const buckets: ReplicatedBucket[] = regions.map((region) => {
    const provider = new AwsProvider(scope, `aws-${region}`, { alias: region, region });
    const bucket = new HardenedBucket(scope, `data-${region}`, { provider, bucketName: `tap-dev-${region}-data`, nameTag: "d", kmsKeyArn: keyArn(region) });
    return { region, provider, bucketId: bucket.bucketId, bucketArn: bucket.bucketArn, keyArn: keyArn(region), versioning: bucket.versioning };
  });
  new BucketReplication(scope, "replication", { provider: buckets[0].provider, naming: { project: "tap", environment: "dev" }, buckets });
}

function synthRing(regions = REGIONS): SynthJson {
  const stack = new TerraformStack(Testing.app(), "test");
  build(stack, regions);
  return synthWithMetadata(stack);
}

describe("BucketReplication", () => {
  const json = synthRing();

  test("matches the synth-scope snapshot", () => {
    expect(JSON.parse(Testing.synthScope((scope) => build(scope)))).toMatchSnapshot();
  });

  test("each bucket replicates to the next region's, the last to the first, from its own region", () => {
    for (const [i, region] of REGIONS.entries()) {
      const next = REGIONS[(i + 1) % REGIONS.length];
      const config = resourceAt(json, "aws_s3_bucket_replication_configuration", `replication/from-${region}`);
      expect(config).toMatchObject({
        provider: `aws.${region}`,
        bucket: referenceTo(json, "aws_s3_bucket", `data-${region}/bucket`, "id"),
        role: referenceTo(json, "aws_iam_role", "replication/role", "arn"),
        rule: [
          {
            id: `to-${next}`,
            status: "Enabled",
            delete_marker_replication: { status: "Disabled" },
            source_selection_criteria: { sse_kms_encrypted_objects: { status: "Enabled" } },
            destination: { bucket: referenceTo(json, "aws_s3_bucket", `data-${next}/bucket`, "arn"), encryption_configuration: { replica_kms_key_id: keyArn(next) } },
          },
        ],
      });
      // Versioning at both ends and the role's permissions come first.
      expect(config.depends_on).toEqual([
        expect.stringMatching(new RegExp(`^aws_s3_bucket_versioning\\.data-${region}_`)),
        expect.stringMatching(new RegExp(`^aws_s3_bucket_versioning\\.data-${next}_`)),
        expect.stringMatching(/^aws_iam_role_policy\.replication_policy_/),
      ]);
    }
  });

  test("the role is S3's, and may touch exactly these buckets and keys, each key only through S3 of its region", () => {
    expect(resourceAt(json, "aws_iam_role", "replication/role").name).toBe("tap-dev-s3-replication");
    expect(dataSourceAt(json, "aws_iam_policy_document", "replication/trust").statement[0].principals).toEqual([{ type: "Service", identifiers: ["s3.amazonaws.com"] }]);
    const statements = dataSourceAt(json, "aws_iam_policy_document", "replication/permissions").statement;
    const arns = REGIONS.map((region) => referenceTo(json, "aws_s3_bucket", `data-${region}/bucket`, "arn"));
    expect(statements.find((s: any) => s.sid === "ReadSourceConfiguration").resources).toEqual(arns);
    expect(statements.find((s: any) => s.sid === "WriteReplicas").resources).toEqual([arns[1], arns[2], arns[0]].map((arn) => `${arn}/*`));
    const decrypt = statements.find((s: any) => s.sid === "DecryptUsEast1");
    expect(decrypt).toMatchObject({ actions: ["kms:Decrypt"], resources: [keyArn("us-east-1")] });
    expect(decrypt.condition[0]).toEqual({ test: "StringEquals", variable: "kms:ViaService", values: ["s3.us-east-1.amazonaws.com"] });
    expect(statements.find((s: any) => s.sid === "EncryptReplicasInUsWest2")).toMatchObject({ resources: [keyArn("us-west-2")], condition: [{ values: ["s3.us-west-2.amazonaws.com"] }, { variable: "kms:EncryptionContext:aws:s3:arn" }] });
    expect(resourcesOf(json, "aws_iam_role_policy")).toHaveLength(1);
  });

  test.each([
    [["us-east-1"], /'buckets' needs two regions or more to replicate between\. Received: \[us-east-1\]/],
  ])("refuses %j with an error naming the prop", (regions, message) => {
    expect(() => synthRing(regions)).toThrow(message);
  });
});
