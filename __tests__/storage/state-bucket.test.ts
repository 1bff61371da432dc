import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import { bootstrapOutputs } from "../../src/app/bootstrap-stack";
import { loadConfig } from "../../src/app/load-config";
import { StateBucket, StateBucketProps } from "../../src/storage/state-bucket";
import { ACCOUNT_ID, PARTITION, resourceAt, resourcesOf, synthConstruct, SynthJson, synthWithMetadata } from "../helpers";
import { Testing } from "cdktf";

const REGION = "eu-west-1";
const baseProps: Omit<StateBucketProps, "provider"> = {
  naming: { project: "acme", environment: "bootstrap" },
  bucketName: `acme-tfstate-${ACCOUNT_ID}-${REGION}`,
  accessLogBucketName: `acme-tflogs-${ACCOUNT_ID}-${REGION}`,
  accountId: ACCOUNT_ID,
  partition: PARTITION,
};

function synth(props: Partial<StateBucketProps> = {}): SynthJson {
  return synthConstruct(REGION, (scope, provider) => new StateBucket(scope, "state", { ...baseProps, ...props, provider }));
}

describe("StateBucket", () => {
  const json = synth();

  test("everything it creates is prevent_destroy: losing it loses the record of every stack", () => {
    const types = ["aws_s3_bucket", "aws_kms_key"];
    const guarded = types.flatMap((type) => resourcesOf(json, type)).map(([, body]) => body.lifecycle?.prevent_destroy);
    expect(guarded).toEqual([true, true, true]);
    for (const [, bucket] of resourcesOf(json, "aws_s3_bucket")) expect(bucket.force_destroy).toBe(false);
  });

  test("the state bucket: versioned, SSE-KMS under its own rotating key, old versions expired after 90 days, access-logged to the log bucket", () => {
    expect(resourceAt(json, "aws_s3_bucket", "state/state/bucket").bucket).toBe(`acme-tfstate-${ACCOUNT_ID}-${REGION}`);
    expect(resourceAt(json, "aws_s3_bucket_versioning", "state/state/versioning").versioning_configuration.status).toBe("Enabled");
    const encryption = resourceAt(json, "aws_s3_bucket_server_side_encryption_configuration", "state/state/encryption").rule[0];
    expect(encryption.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.state_key_[A-F0-9]+\.arn\}$/) });
    const key = resourceAt(json, "aws_kms_key", "state/key");
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(resourceAt(json, "aws_kms_alias", "state/key-alias").name).toBe("alias/acme-bootstrap-state");
    const lifecycle = resourceAt(json, "aws_s3_bucket_lifecycle_configuration", "state/state/lifecycle").rule;
    expect(lifecycle.map((rule: any) => rule.noncurrent_version_expiration?.[0]?.noncurrent_days).filter(Boolean)).toEqual([90]);
    expect(resourceAt(json, "aws_s3_bucket_logging", "state/state/access-logging")).toMatchObject({ target_prefix: `s3/acme-tfstate-${ACCOUNT_ID}-${REGION}/` });
    expect(resourceAt(json, "aws_s3_bucket_public_access_block", "state/state/public-access-block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("the log bucket lets only this account's S3 logging write, for the state bucket", () => {
    const policy = Object.values<any>(json.data!.aws_iam_policy_document).find((document) => document.statement.some((s: any) => s.sid === "S3ServerAccessLogs1"));
    const grant = policy.statement.find((s: any) => s.sid === "S3ServerAccessLogs1");
    expect(grant.resources).toEqual([`arn:aws:s3:::acme-tflogs-${ACCOUNT_ID}-${REGION}/s3/acme-tfstate-${ACCOUNT_ID}-${REGION}/*`]);
    expect(grant.condition).toContainEqual({ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] });
  });

  test("validation names each prop and value", () => {
    expect(() => synth({ noncurrentVersionExpirationDays: 0, accessLogRetentionDays: 17, bucketName: "Bad_Name" })).toThrow(
      /state: 'noncurrentVersionExpirationDays' must be a whole number of at least 1\. Received: 0; .*accessLogRetentionDays.*17.*; 'bucketName' "Bad_Name" is not a valid S3 bucket name/,
    );
    expect(() => synth({ accessLogBucketName: baseProps.bucketName })).toThrow(`'accessLogBucketName' must differ from 'bucketName' ("${baseProps.bucketName}")`);
  });
});

describe("the bootstrap stack", () => {
  const config = loadConfig({ TAP_ACCOUNT_ID: ACCOUNT_ID, TERRAFORM_STATE_BUCKET_REGION: REGION }, { file: null });
  const { bootstrap } = buildApp(config, Testing.app().outdir);
  const json: SynthJson = synthWithMetadata(bootstrap!);

  test("keeps its own state locally, requires Terraform 1.11, runs only against the account, and passes the resource rules", () => {
    expect(json.terraform).toMatchObject({ backend: { local: { path: "terraform.tfstate" } }, required_version: ">= 1.11.0" });
    expect((json.provider as any).aws[0]).toMatchObject({ region: REGION, allowed_account_ids: [ACCOUNT_ID] });
    expect((json.provider as any).aws[0].default_tags[0].tags).toMatchObject({ Project: "tap", Environment: "bootstrap", ManagedBy: "cdktf" });
    expect(() => Testing.fullSynth(bootstrap!)).not.toThrow();
  });

  test("creates the bucket the main stack's backend names, and says its key for backend.kmsKeyId", () => {
    const [main] = config.stacks;
    expect(main.backend.type === "s3" && main.backend.bucket).toBe(`tap-tfstate-${ACCOUNT_ID}-${REGION}`);
    expect(resourceAt(json, "aws_s3_bucket", "state/state/bucket").bucket).toBe(`tap-tfstate-${ACCOUNT_ID}-${REGION}`);
    expect(Object.keys(json.output!)).toEqual(["state_bucket", "state_region", "state_kms_key_arn", "state_access_log_bucket"]);
  });
});

describe("the main stacks' backend once bootstrapped: state under the state key, not SSE-S3", () => {
  const STATE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d";
  /** Synthesizes as main.ts does, into an output folder where bootstrap's local state says `outputs` (or where there is none). */
  function synthesized(env: Record<string, string>, outputs?: Record<string, string>) {
    const outdir = mkdtempSync(join(tmpdir(), "tap-bootstrapped-"));
    if (outputs) {
      mkdirSync(join(outdir, "stacks", "bootstrap"), { recursive: true });
      const state = { version: 4, outputs: Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { value, type: "string" }])), resources: [] };
      writeFileSync(join(outdir, "stacks", "bootstrap", "terraform.tfstate"), JSON.stringify(state));
    }
    const config = loadConfig({ TAP_ACCOUNT_ID: ACCOUNT_ID, TERRAFORM_STATE_BUCKET_REGION: REGION, TAP_REGIONS: REGION, ...env }, { file: null, bootstrapOutputs: () => bootstrapOutputs(outdir) });
    buildApp(config, outdir).app.synth();
    const stack = (name: string) => JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
    return { config, stack, outdir };
  }
  const applied = { state_bucket: `tap-tfstate-${ACCOUNT_ID}-${REGION}`, state_region: REGION, state_kms_key_arn: STATE_KEY };

  test("synth reads the state key from bootstrap's local state: every main stack's backend, and the state it reads from another, names it", () => {
    const { stack, outdir } = synthesized({ TAP_GUARDRAIL_REGIONS: `${REGION},us-east-1`, TAP_LAYOUT: "split" }, applied);
    const main = stack("tap").terraform.backend.s3;
    expect(main).toMatchObject({ bucket: `tap-tfstate-${ACCOUNT_ID}-${REGION}`, encrypt: true, kms_key_id: STATE_KEY, use_lockfile: true });
    const region = stack("tap-guardrails-1");
    expect(region.terraform.backend.s3.kms_key_id).toBe(STATE_KEY);
    expect(Object.values<any>(region.data.terraform_remote_state)[0].config.kms_key_id).toBe(STATE_KEY);
    // Synth leaves bootstrap's own state where it was.
    expect(existsSync(join(outdir, "stacks", "bootstrap", "terraform.tfstate"))).toBe(true);
  });

  test("the first bootstrap, before the key exists: everything synthesizes, the main stack without a key (deploy refuses it, scripts/cdktf-run.ts)", () => {
    const { stack } = synthesized({});
    expect(stack("tap").terraform.backend.s3.kms_key_id).toBeUndefined();
    expect(stack("bootstrap").terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
  });

  test("a configured key wins; a bootstrap state of another bucket or region is not this backend's", () => {
    const configured = "arn:aws:kms:eu-west-1:123456789012:key/1b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d";
    expect(synthesized({ TERRAFORM_STATE_KMS_KEY_ID: configured }, applied).stack("tap").terraform.backend.s3.kms_key_id).toBe(configured);
    expect(synthesized({}, { ...applied, state_bucket: "someone-elses" }).stack("tap").terraform.backend.s3.kms_key_id).toBeUndefined();
    expect(synthesized({}, { ...applied, state_region: "us-east-1" }).stack("tap").terraform.backend.s3.kms_key_id).toBeUndefined();
  });

  test("the configuration carries it as it would a configured key (the synth summary says state is encrypted with it)", () => {
    const { config } = synthesized({}, applied);
    expect(config.stacks[0].backend).toMatchObject({ kmsKeyId: STATE_KEY });
  });
});
