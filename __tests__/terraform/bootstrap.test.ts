import { describeIfTier, TERRAFORM_TIER } from "../tiers";
import { loadConfig } from "../../src/app/load-config";
import { findProviderSource, PlanJson, TerraformWorkdir } from "../../scripts/terraform/workdir";

const TIMEOUT_MS = 300_000;

// The bootstrap stack with the real provider: it initializes against the committed lock file,
// validates and plans the state bucket the main stack's backend names.
describeIfTier([TERRAFORM_TIER], "Terraform tier: the bootstrap stack", () => {
  const config = loadConfig({ TAP_ACCOUNT_ID: "123456789012", TERRAFORM_STATE_BUCKET_REGION: "eu-west-1" }, { file: null });
  let workdir: TerraformWorkdir;
  let plan: PlanJson;

  beforeAll(async () => {
    workdir = TerraformWorkdir.synthesize(config, findProviderSource(), { stackName: "bootstrap" });
    await workdir.init();
    await workdir.validate();
    plan = await workdir.plan();
  }, TIMEOUT_MS);
  afterAll(() => workdir?.dispose());

  test("plans the state bucket the main stack's backend names, its log bucket and key, and nothing else", () => {
    const managed = plan.resource_changes.filter((change) => change.mode === "managed");
    expect(managed.every((change) => change.change.actions.join() === "create")).toBe(true);
    expect(managed).toHaveLength(19);
    const buckets = managed.filter((change) => change.type === "aws_s3_bucket").map((change) => change.change.after.bucket);
    const backend = config.stacks[0].backend;
    expect(buckets.sort()).toEqual([backend.type === "s3" && backend.bucket, "tap-tflogs-123456789012-eu-west-1"].sort());
    expect(managed.find((change) => change.type === "aws_kms_key")!.change.after).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(plan.output_changes.state_bucket.after).toBe("tap-tfstate-123456789012-eu-west-1");
  });
});
