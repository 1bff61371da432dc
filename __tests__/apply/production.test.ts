import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, useEmulatedDeployment } from "./deployment";

describeIfTier([APPLY_TIER], "apply tier: production refuses destroy", () => {
  const emulated = useEmulatedDeployment();

  test("destroy stops at prevent_destroy before deleting anything; the buckets and their objects are still there", async () => {
    const { deployment } = emulated;
    const { config } = await deployment.deploy({ ENVIRONMENT_SUFFIX: "prod", TAP_REGIONS: "us-east-2" });
    expect(config.protectData.enabled).toBe(true);
    const before = await deployment.stateList();
    const bucket = (await deployment.state()).find((r) => r.type === "aws_s3_bucket" && r.values.bucket.startsWith("tap-prod-us-east-2-data-"))!.values.bucket;
    await deployment.withBucketPolicyLifted(bucket, async () => expect((await deployment.s3("PUT", `${bucket}/ledger.csv`, "keep me")).status).toBe(200));

    const refusal = await deployment.destroyRefused();
    expect(refusal.message).toMatch(/Instance cannot be destroyed/);
    expect(refusal.message).toMatch(/lifecycle\.prevent_destroy/);
    expect(await deployment.stateList()).toEqual(before);
    await deployment.withBucketPolicyLifted(bucket, async () => expect(await (await deployment.s3("GET", `${bucket}/ledger.csv`)).text()).toBe("keep me"));
  }, APPLY_TIMEOUT_MS);
});
