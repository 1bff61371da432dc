import { OrganizationGuardrails, OrganizationGuardrailsProps } from "../../src/organization/organization-guardrails";
import { resourcesOf, synthConstruct } from "../helpers";

const baseProps: Omit<OrganizationGuardrailsProps, "provider"> = {
  project: "acme",
  allowedRegions: ["eu-west-1", "eu-central-1"],
  deploymentRoleArns: ["arn:aws:iam::*:role/TapDeploy"],
  targets: ["r-ab12", "ou-ab12-34cd56ef"],
};

const synth = (props: Partial<OrganizationGuardrailsProps> = {}) =>
  synthConstruct("us-east-1", (scope, provider) => new OrganizationGuardrails(scope, "guardrails", { ...baseProps, ...props, provider }));

describe("OrganizationGuardrails", () => {
  test("writes the guardrails into minified SCPs within AWS's size limit, attached to every target", () => {
    const json = synth();
    const policies = resourcesOf(json, "aws_organizations_policy").map(([, body]) => body);
    expect(policies.length).toBeGreaterThanOrEqual(1);
    // AWS's quotas, named: five SCPs a target (FullAWSAccess among them), 5,120 characters a policy.
    expect(policies.length + 1).toBeLessThanOrEqual(5);
    for (const policy of policies) {
      expect(policy.type).toBe("SERVICE_CONTROL_POLICY");
      expect(policy.content.length).toBeLessThanOrEqual(5120);
      expect(policy.content).not.toMatch(/\n| {2}/);
    }
    expect(policies[0].name).toBe("acme-guardrails-1");
    const attachments = resourcesOf(json, "aws_organizations_policy_attachment").map(([, body]) => [body.target_id, body.policy_id]);
    expect(attachments).toHaveLength(2 * policies.length);
    expect(attachments.map(([target]) => target).sort()).toEqual([...Array(policies.length).fill("ou-ab12-34cd56ef"), ...Array(policies.length).fill("r-ab12")].sort());
    for (const [, policyId] of attachments) expect(policyId).toMatch(/^\$\{aws_organizations_policy\.guardrails_policy-\d_[A-F0-9]+\.id\}$/);
  });

  // No default configuration needs a second SCP, so the packer's limit is proven on generated
  // sets of deployment roles long enough to need two and three: each SCP as AWS receives it (the
  // content the API is sent, which AWS counts character for character) within 5,120 characters,
  // every statement packed once, each still naming every role it lets through.
  test.each([10, 20, 30])("%i deployment roles: the statements are spread over several SCPs, each within 5,120 characters, none lost", (roles) => {
    const deploymentRoleArns = Array.from({ length: roles }, (_, index) => `arn:aws:iam::*:role/tap-deployment-pipeline-${String(index + 1).padStart(2, "0")}`);
    const json = synth({ deploymentRoleArns });
    const policies = resourcesOf(json, "aws_organizations_policy").map(([name, body]) => ({ name, body }));
    expect(policies.filter(({ body }) => body.content.length > 5120).map(({ body }) => `${body.name}: ${body.content.length} characters`)).toEqual([]);
    expect(policies.length).toBeGreaterThanOrEqual(2);
    const statements = policies.flatMap(({ body }) => JSON.parse(body.content).Statement);
    expect(statements.map((statement: any) => statement.Sid)).toEqual([
      "DenyLeaveOrganization",
      "ProtectSecurityServices",
      "ProtectSsmSettings",
      "DenyRootUser",
      "DenyOutsideRegions",
      "ProtectTapRoles",
      "ProtectTapKeys",
      "ProtectTapKeyGrants",
    ]);
    for (const sid of ["ProtectSecurityServices", "DenyOutsideRegions", "ProtectTapRoles", "ProtectTapKeys", "ProtectTapKeyGrants"]) {
      expect({ sid, except: statements.find((statement: any) => statement.Sid === sid).Condition.ArnNotLike["aws:PrincipalArn"] }).toEqual({ sid, except: deploymentRoleArns });
    }
    // Each of them on each target.
    const attached = resourcesOf(json, "aws_organizations_policy_attachment").map(([, body]) => `${body.target_id} ${body.policy_id}`).sort();
    expect(attached).toEqual(["r-ab12", "ou-ab12-34cd56ef"].flatMap((target) => policies.map(({ name }) => `${target} \${aws_organizations_policy.${name}.id}`)).sort());
  });

  test("a guardrail accepted as a risk is left out of the SCPs", () => {
    const content = (props: Partial<OrganizationGuardrailsProps>) => resourcesOf(synth(props), "aws_organizations_policy").map(([, body]) => body.content).join();
    expect(content({})).toContain("DenyOutsideRegions");
    expect(content({ acceptedRisks: { DenyOutsideRegions: "a data-residency review is pending for ap-south-1" } })).not.toContain("DenyOutsideRegions");
  });

  test("refuses what AWS would refuse, or what would lock the deployment out, naming the prop and value", () => {
    expect(() => synth({ otherPoliciesPerTarget: 5 })).toThrow(/the guardrails need \d SCPs beside 5 already attached to each target, more than the 5 AWS allows/);
    expect(() =>
      synth({ targets: ["root"], deploymentRoleArns: [], allowedRegions: [], acceptedRisks: { DenyEverything: "because we can do it", DenyRootUser: "short" } as any }),
    ).toThrow(
      /'targets' "root" is neither a root id.*'allowedRegions' must hold at least one Region; 'deploymentRoleArns' must name the role that deploys tap.*'acceptedRisks' "DenyEverything" is not a guardrail.*'acceptedRisks' DenyRootUser needs a reason of at least 10 characters/,
    );
    expect(() => synth({ deploymentRoleArns: ["TapDeploy"] })).toThrow(`'deploymentRoleArns' "TapDeploy" is not an IAM role ARN pattern`);
  });
});
