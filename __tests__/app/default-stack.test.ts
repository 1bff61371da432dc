import { Testing } from "cdktf";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { auditStack } from "../../src/compliance/audit";
import { auditStacks } from "../../src/compliance/report";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";
import { TapStack } from "../../src/app/tap-stack";
import { configFrom } from "../helpers";
import { SECURITY_CONTACT } from "../settings-fixtures";
import { SINGLETON_KEYS } from "../../src/aws/singletons";
import { DEFAULT_REUSE_ACCEPTANCE, SINGLE_STACK_NAME } from "../../src/config/load";

/** Rules about resource types the default stack does not create (tap declares no managed IAM policy). */
const NOT_IN_DEFAULT_STACK = ["IAM.ManagedPolicySize"];

const newStack = (env: Record<string, string> = {}) => new TapStack(Testing.app(), SINGLE_STACK_NAME, configFrom(env));

describe("the default stack against the rule pack", () => {
  const report = auditStack(newStack(), TAP_RULE_PACK);

  test("every rule applies and passes, with no warnings", () => {
    expect(report.failures).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.rules.filter((r) => r.status === "not-applicable").map((r) => r.rule.id)).toEqual(NOT_IN_DEFAULT_STACK);
    expect(report.rules.length).toBe(TAP_RULE_PACK.length);
  });

  test("the only suppressions are the product's acceptances of reuse prevention 5 and of no security contact, declared on the stack from configuration", () => {
    expect(report.suppressed.map((f) => [f.rule.id, f.element.path, f.suppression?.path, f.suppression?.reason])).toEqual([
      ["IAM.PasswordReusePrevention", "tap/identity/password-policy", "tap", `${DEFAULT_REUSE_ACCEPTANCE} (accepted by tap (product default))`],
      ["Account.SecurityContact", "tap", "tap", "no securityContact is configured: AWS writes about security to the root e-mail address only (accepted by tap (no TAP_SECURITY_CONTACT))"],
    ]);
  });

  test("a risk accepted in configuration suppresses its rule across the stack, with its reason and source", () => {
    const accepted = auditStack(newStack({ TAP_LOG_RETENTION_DAYS: "30", TAP_ACCEPT_RISKS: "Logs.Retention=debug logs are kept 30 days by policy" }), TAP_RULE_PACK);
    expect(accepted.failures).toEqual([]);
    expect(accepted.suppressed.filter((f) => f.rule.id === "Logs.Retention").map((f) => [f.element.path, f.suppression?.reason])).toEqual(
      ["storage-us-east-1/api-gateway-log-group", "network-us-east-1/flow-log-group", "storage-us-west-2/api-gateway-log-group", "network-us-west-2/flow-log-group", "storage-eu-central-1/api-gateway-log-group", "network-eu-central-1/flow-log-group", "audit-trail/log-group"].map((path) => [
        `tap/${path}`,
        "debug logs are kept 30 days by policy (accepted by TAP_ACCEPT_RISKS)",
      ]),
    );
  });

  test("reuse prevention 24 and a security contact need no suppression", () => {
    const strict = auditStack(newStack({ TAP_PASSWORD_REUSE_PREVENTION: "24", TAP_SECURITY_CONTACT: SECURITY_CONTACT }), TAP_RULE_PACK);
    expect(strict.suppressed).toEqual([]);
    expect(strict.failures).toEqual([]);
  });

  test("synth fails, naming the rule and the resource, when a change weakens a control", () => {
    const stack = newStack();
    const key = stack.node.findAll().find((c) => c.node.path === "tap/storage-us-west-2/key") as KmsKey;
    key.enableKeyRotation = false;
    expect(() => Testing.synth(stack, true)).toThrow(/\[KMS\.Rotation\] tap\/storage-us-west-2\/key: enable_key_rotation is false\..*Fix: Set enable_key_rotation = true\. \(CIS 3\.6; checkov CKV_AWS_7\)/);
  });

  test("synth lists suppressions as info annotations", () => {
    const stack = newStack();
    Testing.synth(stack, true);
    expect(stack.node.metadata.map((m) => m.data)).toContainEqual(`compliance: IAM.PasswordReusePrevention suppressed on tap/identity/password-policy: ${DEFAULT_REUSE_ACCEPTANCE} (accepted by tap (product default))`);
  });

  test("a rule suppressed on many elements for one reason is one line naming them all, not one line each", () => {
    const stack = new TapStack(Testing.app(), SINGLE_STACK_NAME, configFrom({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "us-east-1,us-west-2,eu-central-1" }));
    Testing.synth(stack, true);
    const lines = stack.node.metadata.map((m) => String(m.data)).filter((line) => line.startsWith("compliance: GuardDuty.Enabled"));
    expect(lines).toEqual([
      expect.stringMatching(/^compliance: GuardDuty\.Enabled suppressed on 3 elements \(tap\/provider aws\.us-east-1, tap\/provider aws\.us-west-2, tap\/provider aws\.eu-central-1\): account-wide/),
    ]);
    // One line per accepted rule of the owner's controls (ACCOUNT_OWNER_RULE_IDS).
    expect(stack.node.metadata.filter((m) => String(m.data).startsWith("compliance:")).length).toBe(18);
  });
});

describe("singletons left to others (external)", () => {
  /** Each singleton external on its own (AWS Config with its role; the trail with AWS Config, which delivers to its bucket), then all. */
  const cases: [string, string][] = [
    ...SINGLETON_KEYS.filter((key) => !["configServiceRole", "trail", "awsConfig"].includes(key)).map((key): [string, string] => [key, `${key}=external`]),
    ["awsConfig", "awsConfig=external;configServiceRole=external"],
    ["trail", "trail=external;awsConfig=external"],
    ["every singleton", SINGLETON_KEYS.map((key) => `${key}=external`).join(";")],
  ];

  test.each(cases)("%s: the stack passes the rule pack, and every acceptance it brings is used (none goes stale)", (_name, singletons) => {
    const report = auditStack(newStack({ TAP_SINGLETONS: singletons }), TAP_RULE_PACK);
    expect(report.failures).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.unusedSuppressions.map((s) => s.ruleId)).toEqual([]);
  });
});

describe("auditStacks (npm run audit)", () => {
  test("is compliant for the default stack, and not once a control is weakened; the failing rule and resource are named", () => {
    expect(auditStacks([newStack()], TAP_RULE_PACK).compliant).toBe(true);
    const weakened = newStack();
    (weakened.node.findAll().find((c) => c.node.path === "tap/storage-us-east-1/key") as KmsKey).enableKeyRotation = false;
    const { text, compliant } = auditStacks([weakened], TAP_RULE_PACK);
    expect(compliant).toBe(false);
    expect(text).toMatch(/^KMS\.Rotation\s+fail\s+4/m);
    expect(text).toContain("[KMS.Rotation] tap/storage-us-east-1/key: enable_key_rotation is false.");
    // Besides the failing rule, two are suppressed: reuse prevention 5 and no security contact.
    expect(text.trim().split("\n").pop()).toBe(`${TAP_RULE_PACK.length - 3 - NOT_IN_DEFAULT_STACK.length} passed, 1 failed`);
  });
});
