import { existsSync } from "fs";
import { join } from "path";
import { EMULATOR_ACCOUNT_ID } from "../../scripts/terraform/emulator";
import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, useEmulatedDeployment } from "./deployment";
import { expectAppliedAsPlanned, expectCleanReplan } from "./expectations";

/** The defaults, with the account named so that its state bucket is: bootstrapped first, then the stack keeps its state there. */
const DEFAULT_ENV = { TAP_ACCOUNT_ID: EMULATOR_ACCOUNT_ID };
const STATE_KEY = "tap/dev/terraform.tfstate";

describeIfTier([APPLY_TIER], "apply tier: default configuration, on bootstrapped S3 state", () => {
  const emulated = useEmulatedDeployment(DEFAULT_ENV, { bootstrap: true });

  test("applies everything the emulator supports, exactly as planned, with the tags and settings read back", async () => {
    await expectAppliedAsPlanned(emulated.deployment, emulated.deployed);
    console.log(`apply tier (default): ${emulated.deployed.planOnly.length} resources planned only (emulator-unsupported types)`);
  }, APPLY_TIMEOUT_MS);

  test("a second plan shows no changes", async () => {
    const deviations = await expectCleanReplan(emulated.deployment);
    console.log(`apply tier (default): second plan clean (${deviations} updates are the emulator's documented deviations)`);
  }, APPLY_TIMEOUT_MS);

  test("bootstrap made the state bucket (versioned, SSE-KMS), and the stack keeps its state there, under the state key, as its real S3 backend, not locally", async () => {
    const { deployment, bootstrapped } = emulated;
    expect(bootstrapped.bucket).toBe(`tap-tfstate-${EMULATOR_ACCOUNT_ID}-us-east-1`);
    // The bucket's policy is already lifted for Terraform's backend (EMULATOR_PLAIN_HTTP).
    const versioning = await (await deployment.s3("GET", `${bootstrapped.bucket}?versioning`)).text();
    const encryption = await (await deployment.s3("GET", `${bootstrapped.bucket}?encryption`)).text();
    const state = await deployment.s3("GET", `${bootstrapped.bucket}/${STATE_KEY}`);
    expect(versioning).toContain("<Status>Enabled</Status>");
    expect(encryption).toContain("<SSEAlgorithm>aws:kms</SSEAlgorithm>");
    expect(state.status).toBe(200);
    // Under the state key bootstrap made, which synth read from bootstrap's local state: not SSE-S3,
    // which Terraform's backend asks for when it is given no key (the bucket's policy refuses that).
    expect(state.headers.get("x-amz-server-side-encryption")).toBe("aws:kms");
    expect(state.headers.get("x-amz-server-side-encryption-aws-kms-key-id")).toBe(bootstrapped.stateKeyArn);
    expect(bootstrapped.stateKeyArn).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    const held = JSON.parse(await state.text());
    expect(held.resources.length).toBeGreaterThan(100);
    expect(existsSync(join(deployment.stackWorkdir.dir, "terraform.tfstate"))).toBe(false);
  }, APPLY_TIMEOUT_MS);

  test("the S3 lock file locks state: a plan waits on a held lock and fails, and runs once it is released", async () => {
    const { deployment, bootstrapped } = emulated;
    const lock = `${bootstrapped.bucket}/${STATE_KEY}.tflock`;
    const held = JSON.stringify({ ID: "7c0e5a0e-0000-4000-8000-000000000001", Operation: "OperationTypeApply", Who: "someone@elsewhere", Version: "1.11.4", Created: new Date().toISOString(), Path: lock });
    expect((await deployment.s3("PUT", lock, held)).status).toBe(200);
    await expect(deployment.stackWorkdir.run(["plan", "-input=false", "-no-color", "-lock-timeout=0s"])).rejects.toThrow(/Error acquiring the state lock[\s\S]*someone@elsewhere/);
    expect((await deployment.s3("DELETE", lock)).status).toBe(204);
    await deployment.stackWorkdir.run(["plan", "-input=false", "-no-color", "-lock-timeout=0s"]);
  }, APPLY_TIMEOUT_MS);

  test("drift: none on the untouched deployment; exactly the three controls changed behind Terraform's back, each by its rule", async () => {
    const { deployment } = emulated;
    expect(await deployment.drift("tap")).toEqual([]);
    const state = await deployment.state();
    const at = (type: string, pattern: RegExp) => {
      const found = state.filter((resource) => resource.type === type && pattern.test(resource.address));
      if (found.length !== 1) throw new Error(`expected one ${type} matching ${pattern}, found ${found.map((r) => r.address).join(", ") || "none"}`);
      return found[0];
    };
    const key = at("aws_kms_key", /^aws_kms_key\.storage-us-east-1_/);
    const versioning = at("aws_s3_bucket_versioning", /^aws_s3_bucket_versioning\.storage-us-east-1_data_/);
    const trail = at("aws_cloudtrail", /./);
    // Behind Terraform's back, through the AWS APIs: key rotation off, versioning suspended, the trail stopped.
    await deployment.awsJson("kms", "TrentService.DisableKeyRotation", { KeyId: key.values.key_id });
    await deployment.withBucketPolicyLifted(versioning.values.bucket, async () => {
      const response = await deployment.s3("PUT", `${versioning.values.bucket}?versioning`, '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status></VersioningConfiguration>');
      expect(response.status).toBe(200);
    });
    await deployment.awsJson("cloudtrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.StopLogging", { Name: trail.values.arn });
    const drifted = await deployment.drift("tap");
    expect(drifted.map((finding) => [finding.address, finding.rule, finding.attribute, finding.before, finding.after])).toEqual([
      [trail.address, "CloudTrail.MultiRegionTrail", "enable_logging", true, false],
      [key.address, "KMS.Rotation", "enable_key_rotation", true, false],
      [versioning.address, "S3.Versioning", "versioning_configuration[0].status", "Enabled", "Suspended"],
    ]);
  }, APPLY_TIMEOUT_MS);

  test("destroy leaves nothing in state", async () => {
    await emulated.deployment.destroy();
    expect(await emulated.deployment.stateList()).toEqual([]);
  }, APPLY_TIMEOUT_MS);

  test("the bootstrap stack refuses to be destroyed (prevent_destroy): the state bucket outlives the stacks it serves", async () => {
    const { bootstrapped } = emulated;
    await expect(bootstrapped.workdir.destroy()).rejects.toThrow(/Instance cannot be destroyed/);
    expect((await bootstrapped.workdir.stateList()).filter((address) => address.startsWith("aws_s3_bucket."))).toHaveLength(2);
  }, APPLY_TIMEOUT_MS);
});
