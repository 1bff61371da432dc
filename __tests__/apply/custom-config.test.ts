import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, useEmulatedDeployment } from "./deployment";
import { expectAppliedAsPlanned, expectCleanReplan } from "./expectations";
import { CUSTOM_SETTINGS } from "../custom-settings";

/** Every optional feature, outside production (so destroy must empty and delete the buckets). */
const CUSTOM_ENV = { ...CUSTOM_SETTINGS, ENVIRONMENT_SUFFIX: "staging" };

describeIfTier([APPLY_TIER], "apply tier: two other regions, every optional feature, not production", () => {
  const emulated = useEmulatedDeployment(CUSTOM_ENV);

  test("applies exactly as planned and re-plans clean", async () => {
    const { deployment, deployed } = emulated;
    await expectAppliedAsPlanned(deployment, deployed);
    await expectCleanReplan(deployment);
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
});
