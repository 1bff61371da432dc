import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { auditStack } from "../../src/compliance/audit";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";
import { IAM_RULES } from "../../src/identity/iam-rules";
import { BrokenExamples, describeBrokenExamples, longStatement, audit, RESOURCE_RULES, resourceFailuresOf, document, passwordPolicy } from "../compliance/rule-harness";

const BROKEN: BrokenExamples = {
  "IAM.PasswordMinimumLength": [passwordPolicy({ minimumPasswordLength: 8 }), "rules/password"],
  "IAM.PasswordComplexity": [passwordPolicy({ requireSymbols: false }), "rules/password"],
  "IAM.PasswordMaxAge": [passwordPolicy({ maxPasswordAge: 365 }), "rules/password"],
  "IAM.PasswordReusePrevention": [passwordPolicy({ passwordReusePrevention: 5 }), "rules/password"],
  "IAM.NoAdminStatements": [(s, p) => document(s, p, [{ sid: "Admin", effect: "Allow", actions: ["*"], resources: ["*"] }]), "rules/document"],
  "IAM.TrustNamesServicePrincipal": [
    (s, p) => new IamRole(s, "role", { provider: p, tags: { Name: "r" }, assumeRolePolicy: document(s, p, [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] }]).json }),
    "rules/role",
  ],
  "IAM.RoleInlinePolicySize": [
    (s, p) => {
      const role = new IamRole(s, "role", { provider: p, tags: { Name: "r" }, assumeRolePolicy: document(s, p, [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }] }]).json });
      // Two policies of about 5,400 characters each: each fits on its own, together they do not.
      for (const id of ["first", "second"]) new IamRolePolicy(s, id, { provider: p, role: role.id, policy: new DataAwsIamPolicyDocument(s, `${id}-document`, { provider: p, statement: [longStatement(110)] }).json });
    },
    "rules/role",
  ],
  "IAM.TrustPolicySize": [
    (s, p) =>
      new IamRole(s, "role", {
        provider: p,
        tags: { Name: "r" },
        assumeRolePolicy: document(s, p, [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }], condition: [{ test: "ArnLike", variable: "aws:SourceArn", values: Array.from({ length: 40 }, (_, i) => `arn:aws:ec2:ap-northeast-${i}:123456789012:vpc-flow-log/*`) }] }]).json,
      }),
    "rules/role",
  ],
  "IAM.InlineNoDecryptOnAllKeys": [
    (s, p) => new IamRolePolicy(s, "inline", { provider: p, role: "some-role", policy: document(s, p, [{ sid: "Decrypt", effect: "Allow", actions: ["kms:Decrypt"], resources: ["*"] }]).json }),
    "rules/inline",
  ],
  "IAM.ManagedPolicySize": [(s, p) => new IamPolicy(s, "managed", { provider: p, tags: { Name: "m" }, policy: document(s, p, [longStatement(130)]).json }), "rules/managed"],
  "IAM.SupportRole": [(s, p) => new IamRolePolicyAttachment(s, "attachment", { provider: p, role: "elsewhere", policyArn: "arn:aws:iam::aws:policy/AWSSupportAccess" }), "rules"],
};

describe("identity rules", () => {
  describeBrokenExamples([...IAM_RULES], BROKEN);

  test("rules that pass stay quiet: an inline role policy without admin rights", () => {
    const report = audit((s, p) => {
      const role = new IamRole(s, "role", { provider: p, tags: { Name: "r" }, assumeRolePolicy: document(s, p, [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }] }]).json });
      new IamRolePolicy(s, "inline", { provider: p, role: role.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }) });
    });
    expect(resourceFailuresOf(report)).toEqual([]);
  });

  describe("IAM.InlineNoDecryptOnAllKeys (FSBP KMS.2)", () => {
    const decryptFailures = (actions: string[], resources: string[], effect = "Allow") =>
      audit((s, p) => new IamRolePolicy(s, "inline", { provider: p, role: "some-role", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: effect, Action: actions, Resource: resources }] }) }))
        .failures.filter((f) => f.rule.id === "IAM.InlineNoDecryptOnAllKeys")
        .map((f) => f.detail);

    test("kms:Decrypt or kms:ReEncryptFrom on every key fails, written plainly or by wildcard", () => {
      expect(decryptFailures(["kms:Decrypt"], ["*"])).toEqual(["statement S allows kms:Decrypt on *"]);
      expect(decryptFailures(["kms:ReEncryptFrom"], ["arn:aws:kms:us-east-1:123456789012:key/*"])).toEqual(["statement S allows kms:ReEncryptFrom on arn:aws:kms:us-east-1:123456789012:key/*"]);
      expect(decryptFailures(["kms:*"], ["*"])).toEqual(["statement S allows kms:Decrypt and kms:ReEncryptFrom on *"]);
      expect(decryptFailures(["KMS:decrypt*"], ["arn:aws:kms:*:*:*"])).toEqual(["statement S allows kms:Decrypt on arn:aws:kms:*:*:*"]);
      expect(decryptFailures(["kms:ReEncrypt*"], ["*"])).toEqual(["statement S allows kms:ReEncryptFrom on *"]);
      expect(decryptFailures(["*"], ["*"])).toEqual(["statement S allows kms:Decrypt and kms:ReEncryptFrom on *"]);
    });

    test("named keys, other KMS actions on every key and a Deny pass", () => {
      expect(decryptFailures(["kms:Decrypt", "kms:ReEncryptFrom"], ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])).toEqual([]);
      expect(decryptFailures(["kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncryptTo", "kms:DescribeKey"], ["*"])).toEqual([]);
      expect(decryptFailures(["kms:Decrypt"], ["*"], "Deny")).toEqual([]);
    });

    test("a role's inline_policy blocks are read too", () => {
      const failures = audit((s, p) =>
        new IamRole(s, "role", {
          provider: p,
          tags: { Name: "r" },
          assumeRolePolicy: document(s, p, [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }] }]).json,
          inlinePolicy: [{ name: "decrypt", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }] }) }],
        }),
      ).failures.filter((f) => f.rule.id === "IAM.InlineNoDecryptOnAllKeys");
      expect(failures.map((f) => [f.element.path, f.detail])).toEqual([["rules/role", "statement (no sid) allows kms:Decrypt on *"]]);
    });
  });

  describe("IAM.TrustNamesServicePrincipal holds each service to what it documents", () => {
    const trustFailures = (service: string, condition?: object[]) =>
      audit((s, p) => new IamRole(s, "role", { provider: p, tags: { Name: "r" }, assumeRolePolicy: document(s, p, [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }], condition }]).json }))
        .failures.filter((f) => f.rule.id === "IAM.TrustNamesServicePrincipal")
        .map((f) => f.detail);
    const sourceAccount = [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }];

    test("a service that documents aws:SourceAccount must be held to it", () => {
      expect(trustFailures("vpc-flow-logs.amazonaws.com")).toEqual(["vpc-flow-logs.amazonaws.com documents aws:SourceAccount but the trust does not require it"]);
      expect(trustFailures("config.amazonaws.com", sourceAccount)).toEqual([]);
    });

    test("an exempt service passes unconditioned, and the rule says which are exempt and why", () => {
      expect(trustFailures("apigateway.amazonaws.com")).toEqual([]);
      const rule = TAP_RULE_PACK.find((r) => r.id === "IAM.TrustNamesServicePrincipal")!;
      expect(rule.explanation).toMatch(/Exempt, because .*apigateway\.amazonaws\.com \(UpdateAccount checks the CloudWatch role/);
    });

    test("a service in neither list fails until someone checks its documentation", () => {
      expect(trustFailures("ec2.amazonaws.com", sourceAccount)).toEqual(["ec2.amazonaws.com is in neither list of src/identity/service-trust.ts, so tap cannot tell whether it sends aws:SourceAccount"]);
    });
  });

  describe("IAM.TrustNamesServicePrincipal lets people in only as this account's principals with MFA", () => {
    const rootTrust = (identifier: string, condition?: object[], allowedAccountIds?: string[]) => {
      const stack = new TerraformStack(Testing.app(), "rules");
      const provider = new AwsProvider(stack, "aws", { region: "us-east-1", allowedAccountIds, defaultTags: [{ tags: { Environment: "test" } }] });
      const caller = new DataAwsCallerIdentity(stack, "caller", { provider });
      new IamRole(stack, "role", {
        provider,
        tags: { Name: "r" },
        assumeRolePolicy: document(stack, provider, [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: [identifier.replace("<caller>", caller.accountId)] }], condition }]).json,
      });
      return auditStack(stack, RESOURCE_RULES).failures.filter((f) => f.rule.id === "IAM.TrustNamesServicePrincipal").map((f) => f.detail);
    };
    const mfa = [{ test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] }];

    test("this account's root with MFA passes, from the caller identity or the account the provider is pinned to", () => {
      expect(rootTrust("arn:aws:iam::<caller>:root", mfa)).toEqual([]);
      expect(rootTrust("arn:aws:iam::210987654321:root", mfa, ["210987654321"])).toEqual([]);
    });

    test("without MFA, another account, or a named user, it fails", () => {
      expect(rootTrust("arn:aws:iam::<caller>:root")).toEqual([expect.stringContaining("without MFA")]);
      expect(rootTrust("arn:aws:iam::999999999999:root", mfa, ["210987654321"])).toEqual([expect.stringContaining("only this account's root")]);
      expect(rootTrust("arn:aws:iam::<caller>:user/alice", mfa)).toEqual([expect.stringContaining("only this account's root")]);
    });
  });
});
