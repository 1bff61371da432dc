import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { describeIfTier, TERRAFORM_TIER } from "../tiers";
import { OrganizationGuardrails } from "../../src/organization/organization-guardrails";
import { findProviderSource, PlanJson, TerraformWorkdir } from "../../scripts/terraform/workdir";

const TIMEOUT_MS = 300_000;

// The guardrail SCPs with the real provider: the arguments validate, and the plan holds each
// policy's content as written.
describeIfTier([TERRAFORM_TIER], "Terraform tier: the organization's guardrail policies", () => {
  let workdir: TerraformWorkdir;
  let plan: PlanJson;
  let guardrails: OrganizationGuardrails;

  beforeAll(async () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "tap-org-")) });
    const stack = new TerraformStack(app, "management");
    const provider = new AwsProvider(stack, "aws-us-east-1", { alias: "us-east-1", region: "us-east-1" });
    guardrails = new OrganizationGuardrails(stack, "guardrails", {
      provider,
      project: "acme",
      allowedRegions: ["eu-west-1", "eu-central-1"],
      deploymentRoleArns: ["arn:aws:iam::*:role/TapDeploy"],
      targets: ["r-ab12", "ou-ab12-34cd56ef"],
    });
    const stackJson = JSON.stringify(stack.toTerraform());
    workdir = TerraformWorkdir.fromStackJson(mkdtempSync(join(tmpdir(), "tap-org-tf-")), stackJson, findProviderSource());
    await workdir.init();
    await workdir.validate();
    plan = await workdir.plan();
  }, TIMEOUT_MS);
  afterAll(() => workdir?.dispose());

  test("plans each SCP with its content and one attachment per target", () => {
    const policies = plan.resource_changes.filter((change) => change.type === "aws_organizations_policy");
    expect(policies.map((change) => JSON.parse(change.change.after.content))).toEqual(guardrails.documents);
    expect(policies.every((change) => change.change.after.type === "SERVICE_CONTROL_POLICY")).toBe(true);
    expect(plan.resource_changes.filter((change) => change.type === "aws_organizations_policy_attachment")).toHaveLength(2 * policies.length);
  });
});
