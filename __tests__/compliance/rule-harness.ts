/**
 * What the rule tests of every concern share: audit a stack holding only what a test declares,
 * small builders of typical resources, and the check that each rule fires on its broken example.
 */
import { Construct } from "constructs";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { auditStack, ComplianceReport } from "../../src/compliance/audit";
import { Rule } from "../../src/compliance/rule";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";

export type Build = (scope: Construct, provider: AwsProvider) => void;

/** Audits a stack holding only what `build` declares (plus a tagged provider). */
export function audit(build: Build): ComplianceReport {
  const stack = new TerraformStack(Testing.app(), "rules");
  build(stack, new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: { Environment: "test" } }] }));
  return auditStack(stack, TAP_RULE_PACK);
}

export const failuresOf = (report: ComplianceReport) => report.failures.map((f) => `${f.rule.id} ${f.element.path}`);
/** The rules about single resources; the account- and region-level ones fail on any stack without the guardrails. */
export const RESOURCE_RULES = TAP_RULE_PACK.filter((rule) => !rule.appliesTo.some((type) => type === "stack" || type.startsWith("provider.")));
export const resourceFailuresOf = (report: ComplianceReport) => report.failures.filter((f) => RESOURCE_RULES.includes(f.rule));
export const trail = (scope: Construct, provider: AwsProvider, overrides: object = {}) =>
  new Cloudtrail(scope, "trail", { provider, name: "t", s3BucketName: "b", isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: "arn:aws:kms:us-east-1:1:key/x", tags: { Name: "t" }, ...overrides });
export const bucket = (scope: Construct, provider: AwsProvider) => new S3Bucket(scope, "bucket", { provider, tags: { Name: "b" } });
export const vpc = (scope: Construct, provider: AwsProvider, dnsHostnames = true) =>
  new Vpc(scope, "vpc", { provider, cidrBlock: "10.0.0.0/16", enableDnsHostnames: dnsHostnames, tags: { Name: "v" } });
export const group = (scope: Construct, provider: AwsProvider) =>
  new SecurityGroup(scope, "group", { provider, vpcId: "vpc-1", description: "test group", tags: { Name: "g" } });
export const document = (scope: Construct, provider: AwsProvider, statement: any[]) =>
  new DataAwsIamPolicyDocument(scope, "document", { provider, statement });
export const passwordPolicy = (overrides: object) => (scope: Construct, provider: AwsProvider) =>
  new IamAccountPasswordPolicy(scope, "password", {
    provider,
    minimumPasswordLength: 14,
    requireLowercaseCharacters: true,
    requireUppercaseCharacters: true,
    requireNumbers: true,
    requireSymbols: true,
    maxPasswordAge: 90,
    passwordReusePrevention: 24,
    ...overrides,
  });
export const worldIngress = (port: number, protocol = "tcp") => (scope: Construct, provider: AwsProvider) =>
  new VpcSecurityGroupIngressRule(scope, "ingress", {
    provider,
    securityGroupId: group(scope, provider).id,
    ipProtocol: protocol,
    fromPort: protocol === "-1" ? undefined : port,
    toPort: protocol === "-1" ? undefined : port,
    cidrIpv4: "0.0.0.0/0",
    description: "test",
    tags: { Name: "r" },
  });

/** A statement with `count` resources of about 60 characters each: long enough to break any size limit at a few hundred. */
export const longStatement = (count: number, extra: object = {}) => ({
  sid: "Long",
  effect: "Allow",
  actions: ["s3:GetObject"],
  resources: Array.from({ length: count }, (_, i) => `arn:aws:s3:::a-bucket-with-a-long-name-${String(i).padStart(5, "0")}/*`),
  ...extra,
});

/** One broken construct per rule, and the construct path the failure must name. */
export type BrokenExamples = Record<string, [Build, string]>;

/** Every rule of `rules` has a broken example, and fires on it naming the construct. */
export function describeBrokenExamples(rules: readonly Rule[], broken: BrokenExamples): void {
  test("every rule of the concern has an id, a description, a fix and a broken example", () => {
    expect(Object.keys(broken).sort()).toEqual(rules.map((rule) => rule.id).sort());
    for (const rule of rules) expect(rule.info.length + rule.explanation.length + rule.fix.length).toBeGreaterThan(30);
  });
  test.each(Object.entries(broken))("%s fires on a construct that breaks it", (ruleId, [build, path]) => {
    expect(failuresOf(audit(build))).toContain(`${ruleId} ${path}`);
  });
}
