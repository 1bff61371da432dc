import { existsSync } from "fs";
import { join } from "path";
import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, useEmulatedDeployment } from "./deployment";
import { expectAppliedAsPlanned, expectCleanReplan } from "./expectations";
import { CUSTOM_SETTINGS } from "../custom-settings";
import { EMULATOR_ACCOUNT_ID } from "../../scripts/terraform/emulator";

/** Every optional feature, outside production (so destroy must empty and delete the buckets), with its account named: bootstrapped state. */
const CUSTOM_ENV = { ...CUSTOM_SETTINGS, ENVIRONMENT_SUFFIX: "staging", TAP_ACCOUNT_ID: EMULATOR_ACCOUNT_ID };
const STATE_KEY = "acme/staging/terraform.tfstate";

describeIfTier([APPLY_TIER], "apply tier: bootstrapped S3 state, two other regions, every optional feature, not production", () => {
  const emulated = useEmulatedDeployment(CUSTOM_ENV, { bootstrap: true });

  test("applies exactly as planned and re-plans clean", async () => {
    const { deployment, deployed } = emulated;
    await expectAppliedAsPlanned(deployment, deployed);
    await expectCleanReplan(deployment);
  }, APPLY_TIMEOUT_MS);

  test("bootstrap made the state bucket (versioned, SSE-KMS), and the stack keeps its state there as its real S3 backend, not locally", async () => {
    const { deployment, bootstrapped } = emulated;
    expect(bootstrapped.bucket).toBe(`acme-tfstate-${EMULATOR_ACCOUNT_ID}-us-east-1`);
    // The bucket's policy is already lifted for Terraform's backend (EMULATOR_PLAIN_HTTP).
    const versioning = await (await deployment.s3("GET", `${bootstrapped.bucket}?versioning`)).text();
    const encryption = await (await deployment.s3("GET", `${bootstrapped.bucket}?encryption`)).text();
    const state = await deployment.s3("GET", `${bootstrapped.bucket}/${STATE_KEY}`);
    expect(versioning).toContain("<Status>Enabled</Status>");
    expect(encryption).toContain("<SSEAlgorithm>aws:kms</SSEAlgorithm>");
    expect(state.status).toBe(200);
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

  test("destroy empties and deletes a data bucket that holds objects and old versions (force_destroy outside production)", async () => {
    const { deployment } = emulated;
    const bucket = (await deployment.state()).find((r) => r.type === "aws_s3_bucket" && r.values.bucket.startsWith("acme-staging-eu-west-1-data-"))!.values.bucket;
    const versions = await deployment.withBucketPolicyLifted(bucket, async () => {
      for (const body of ["first", "second"]) expect((await deployment.s3("PUT", `${bucket}/reports/a.txt`, body)).status).toBe(200);
      expect((await deployment.s3("DELETE", `${bucket}/reports/a.txt`)).status).toBe(204);
      return (await deployment.s3("GET", `${bucket}?versions`)).text();
    });
    expect(versions.match(/<Version>/g)).toHaveLength(2);
    expect(versions).toContain("<DeleteMarker>");

    await deployment.destroy();
    expect(await deployment.stateList()).toEqual([]);
    expect((await deployment.s3("HEAD", bucket)).status).toBe(404);
  }, APPLY_TIMEOUT_MS);

  test("the bootstrap stack refuses to be destroyed (prevent_destroy): the state bucket outlives the stacks it serves", async () => {
    const { bootstrapped } = emulated;
    await expect(bootstrapped.workdir.destroy()).rejects.toThrow(/Instance cannot be destroyed/);
    expect((await bootstrapped.workdir.stateList()).filter((address) => address.startsWith("aws_s3_bucket."))).toHaveLength(2);
  }, APPLY_TIMEOUT_MS);
});
