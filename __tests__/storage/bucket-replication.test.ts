import { Construct } from "constructs";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { BucketReplication, ReplicatedBucket } from "../../src/storage/bucket-replication";
import { HardenedBucket } from "../../src/storage/hardened-bucket";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";
import { TapStack } from "../../src/app/tap-stack";
import { auditStack } from "../../src/compliance/audit";
import { SUPPORTED_REGION_NAMES } from "../../src/network/regions";
import { configFrom, dataReferenceTo, dataSourceAt, referenceTo, resourceAt, resourcesOf, SynthJson, synthWithMetadata } from "../helpers";

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
        role: referenceTo(json, "aws_iam_role", `replication/role-${region}`, "arn"),
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
        expect.stringMatching(new RegExp(`^aws_iam_role_policy\\.replication_policy-${region}_`)),
      ]);
    }
  });

  test("each source region has its own role, S3's, that may touch exactly its source and destination buckets and keys, each key only through S3 of its region", () => {
    const trust = dataReferenceTo(json, "aws_iam_policy_document", "replication/trust", "json");
    expect(dataSourceAt(json, "aws_iam_policy_document", "replication/trust").statement[0].principals).toEqual([{ type: "Service", identifiers: ["s3.amazonaws.com"] }]);
    const arn = (region: string) => referenceTo(json, "aws_s3_bucket", `data-${region}/bucket`, "arn");
    for (const [i, region] of REGIONS.entries()) {
      const next = REGIONS[(i + 1) % REGIONS.length];
      expect(resourceAt(json, "aws_iam_role", `replication/role-${region}`)).toMatchObject({ name: `tap-dev-${region}-s3-replication`, assume_role_policy: trust, provider: `aws.${region}` });
      const statements = dataSourceAt(json, "aws_iam_policy_document", `replication/permissions-${region}`).statement;
      expect(statements.map((s: any) => [s.sid, s.resources])).toEqual([
        ["ReadSourceConfiguration", [arn(region)]],
        ["ReadSourceObjects", [`${arn(region)}/*`]],
        ["WriteReplicas", [`${arn(next)}/*`]],
        ["DecryptSource", [keyArn(region)]],
        ["EncryptReplicas", [keyArn(next)]],
      ]);
      expect(statements[3].condition).toEqual([
        { test: "StringEquals", variable: "kms:ViaService", values: [`s3.${region}.amazonaws.com`] },
        { test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: [arn(region), `${arn(region)}/*`] },
      ]);
      expect(statements[4].condition[0]).toEqual({ test: "StringEquals", variable: "kms:ViaService", values: [`s3.${next}.amazonaws.com`] });
      expect(resourceAt(json, "aws_iam_role_policy", `replication/policy-${region}`).role).toBe(referenceTo(json, "aws_iam_role", `replication/role-${region}`, "id"));
    }
    expect(resourcesOf(json, "aws_iam_role_policy")).toHaveLength(REGIONS.length);
  });

  test.each([
    [["us-east-1"], /'buckets' needs two regions or more to replicate between\. Received: \[us-east-1\]/],
  ])("refuses %j with an error naming the prop", (regions, message) => {
    expect(() => synthRing(regions)).toThrow(message);
  });
});

describe("replication at scale", () => {
  const sizeFailures = (env: Record<string, string>) =>
    auditStack(new TapStack(Testing.app(), "tap", configFrom(env)), TAP_RULE_PACK).failures.filter((f) => f.rule.id.endsWith("PolicySize")).map((f) => `${f.rule.id} ${f.element.path}: ${f.detail}`);

  test("every policy fits AWS's limits with all 17 regions and the longest names configuration allows", () => {
    expect(sizeFailures({ TAP_REGIONS: SUPPORTED_REGION_NAMES.join(","), TAP_PROJECT: "p".repeat(16), ENVIRONMENT_SUFFIX: "e".repeat(13) })).toEqual([]);
  });

  test("and with 10 regions and the default names", () => {
    expect(sizeFailures({ TAP_REGIONS: SUPPORTED_REGION_NAMES.slice(0, 10).join(",") })).toEqual([]);
  });
});
