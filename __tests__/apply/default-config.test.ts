import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, useEmulatedDeployment } from "./deployment";
import { expectAppliedAsPlanned, expectCleanReplan } from "./expectations";

describeIfTier([APPLY_TIER], "apply tier: default configuration", () => {
  const emulated = useEmulatedDeployment({});

  test("applies everything the emulator supports, exactly as planned, with the tags and settings read back", async () => {
    await expectAppliedAsPlanned(emulated.deployment, emulated.deployed);
    console.log(`apply tier (default): ${emulated.deployed.planOnly.length} resources planned only (emulator-unsupported types)`);
  }, APPLY_TIMEOUT_MS);

  test("a second plan shows no changes", async () => {
    const deviations = await expectCleanReplan(emulated.deployment);
    console.log(`apply tier (default): second plan clean (${deviations} updates are the emulator's documented deviations)`);
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
});
