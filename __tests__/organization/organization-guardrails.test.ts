import { OrganizationGuardrails, OrganizationGuardrailsProps } from "../../src/organization/organization-guardrails";
import { dataSourcesOf, resourcesOf, synthConstruct } from "../helpers";

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
  test.each([10, 20, 25])("%i deployment roles: the statements are spread over several SCPs, each within 5,120 characters, none lost", (roles) => {
    const deploymentRoleArns = Array.from({ length: roles }, (_, index) => `arn:aws:iam::*:role/tap-deployment-pipeline-${String(index + 1).padStart(2, "0")}`);
    const json = synth({ deploymentRoleArns });
    const policies = resourcesOf(json, "aws_organizations_policy").map(([name, body]) => ({ name, body }));
    expect(policies.filter(({ body }) => body.content.length > 5120).map(({ body }) => `${body.name}: ${body.content.length} characters`)).toEqual([]);
    expect(policies.length).toBeGreaterThanOrEqual(2);
    const statements = policies.flatMap(({ body }) => JSON.parse(body.content).Statement);
    expect(statements.map((statement: any) => statement.Sid)).toEqual([
      "DenyLeaveOrganization",
      "ProtectExemptRoles",
      "ProtectRecording",
      "ProtectSecurityServices",
      "ProtectSsmSettings",
      "DenyRootUser",
      "DenyOutsideRegions",
      "ProtectTapRoles",
      "ProtectTapKeys",
      "ProtectTapKeyTags",
      "ProtectTapKeyGrants",
    ]);
    for (const sid of ["ProtectExemptRoles", "ProtectRecording", "ProtectSecurityServices", "DenyOutsideRegions", "ProtectTapRoles", "ProtectTapKeys", "ProtectTapKeyTags", "ProtectTapKeyGrants"]) {
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

describe("OrganizationGuardrails: no way around them (#26)", () => {
  const archive = { accountId: "333333333333", buckets: ["acme-org-cloudtrail-333333333333"] };

  test("each attachment checks, against the policies already on its target, that AWS's five a target still hold, naming the target", () => {
    const json = synth({ targetNames: ["root", "Workloads"], logArchive: archive });
    const lookups = dataSourcesOf(json, "aws_organizations_policies_for_target").map(([, body]) => `${body.target_id} ${body.filter}`);
    expect(lookups.sort()).toEqual(["333333333333 RESOURCE_CONTROL_POLICY", "ou-ab12-34cd56ef SERVICE_CONTROL_POLICY", "r-ab12 SERVICE_CONTROL_POLICY"]);
    const attachments = resourcesOf(json, "aws_organizations_policy_attachment").map(([, body]) => body);
    for (const attachment of attachments) {
      const [check] = attachment.lifecycle.precondition;
      // Policies of the type already attached, tap's own left out, plus tap's: at most five.
      expect(check.condition).toMatch(/^\$\{\(\(length\(setsubtract\(data\.aws_organizations_policies_for_target\.guardrails_attached-(scp|rcp)s-\d_[A-F0-9]+\.ids, \[aws_organizations_policy\.guardrails_(resource-)?policy-1_[A-F0-9]+\.id\]\)\) \+ 1\) <= 5\)\}$/);
      expect(check.error_message).toMatch(/^The guardrail target (root \(r-ab12\)|Workloads \(ou-ab12-34cd56ef\)|the log-archive account \(333333333333\)) already has \$\{length\(setsubtract\(.*\)\)\} (SCP|RCP)s attached besides tap's 1, and AWS allows 5 (SCP|RCP)s a target/);
    }
  });

  test("the log archive's RCP goes to the log-archive account alone, once RCPs are enabled", () => {
    const json = synth({ logArchive: archive, dependsOn: [] });
    const rcps = resourcesOf(json, "aws_organizations_policy").filter(([, body]) => body.type === "RESOURCE_CONTROL_POLICY");
    expect(rcps.map(([, body]) => body.name)).toEqual(["acme-resource-guardrails-1"]);
    expect(JSON.parse(rcps[0][1].content).Statement[0]).toMatchObject({ Sid: "ProtectLogArchive", Principal: "*", Resource: ["arn:aws:s3:::acme-org-cloudtrail-333333333333", "arn:aws:s3:::acme-org-cloudtrail-333333333333/*"] });
    const targets = resourcesOf(json, "aws_organizations_policy_attachment").filter(([, body]) => body.policy_id.includes("resource-policy")).map(([, body]) => body.target_id);
    expect(targets).toEqual(["333333333333"]);
  });

  test("refuses a break-glass role that is not one member-neutral role, and the exempt roles left unprotected while a guardrail exempts them", () => {
    expect(() => synth({ breakGlassRoleArn: "arn:aws:iam::111111111111:role/BreakGlass" })).toThrow(`'breakGlassRoleArn' "arn:aws:iam::111111111111:role/BreakGlass" is not one role in whichever account it acts (arn:aws:iam::*:role/<name>)`);
    expect(() => synth({ breakGlassRoleArn: "arn:aws:iam::*:role/Break*" })).toThrow(/'breakGlassRoleArn' "arn:aws:iam::\*:role\/Break\*" is not one role/);
    expect(() => synth({ acceptedRisks: { ProtectExemptRoles: "we trust every administrator" } })).toThrow(
      "'acceptedRisks' ProtectExemptRoles cannot be off while ProtectSecurityServices, DenyOutsideRegions, ProtectTapResources, ProtectLogArchive exempt the deployment roles",
    );
    const everyExempting = { ProtectExemptRoles: "a sandbox organization", ProtectSecurityServices: "a sandbox organization", DenyOutsideRegions: "a sandbox organization", ProtectTapResources: "a sandbox organization", ProtectLogArchive: "a sandbox organization" };
    expect(() => synth({ acceptedRisks: everyExempting })).not.toThrow();
  });

  test("the break-glass role is exempt and protected like the deployment roles", () => {
    const json = synth({ breakGlassRoleArn: "arn:aws:iam::*:role/BreakGlass" });
    const statements = resourcesOf(json, "aws_organizations_policy").flatMap(([, body]) => JSON.parse(body.content).Statement);
    const protect = statements.find((statement: any) => statement.Sid === "ProtectExemptRoles");
    expect(protect.Resource).toEqual(["arn:aws:iam::*:role/TapDeploy", "arn:aws:iam::*:role/BreakGlass"]);
    expect(protect.Action).toEqual(expect.arrayContaining(["iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole"]));
    expect(statements.find((statement: any) => statement.Sid === "ProtectSecurityServices").Condition.ArnNotLike["aws:PrincipalArn"]).toEqual(["arn:aws:iam::*:role/TapDeploy", "arn:aws:iam::*:role/BreakGlass"]);
  });
});
