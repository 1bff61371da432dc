import { Testing } from "cdktf";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { STACK_NAME } from "../../src/app/app";
import { auditStack } from "../../src/compliance/audit";
import { TAP_RULE_PACK } from "../../src/compliance/rule-pack";
import { TapStack } from "../../src/constructs/tap-stack";
import { configFrom } from "../helpers";

const newStack = (env: Record<string, string> = {}) => new TapStack(Testing.app(), STACK_NAME, configFrom(env));

describe("the default stack against the rule pack", () => {
  const report = auditStack(newStack());

  test("every rule applies and passes, with no warnings", () => {
    expect(report.failures).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.rules.filter((r) => r.status === "not-applicable").map((r) => r.rule.id)).toEqual([]);
    expect(report.rules.length).toBe(TAP_RULE_PACK.length);
  });

  test("the only suppression is the spec's password reuse prevention of 5, with its reason", () => {
    expect(report.suppressed.map((f) => [f.rule.id, f.element.path, f.suppression?.reason])).toEqual([
      ["IAM.PasswordReusePrevention", "tap/identity/password-policy", expect.stringContaining("CIS recommends 24")],
    ]);
  });

  test("reuse prevention 24 needs no suppression", () => {
    const strict = auditStack(newStack({ TAP_PASSWORD_REUSE_PREVENTION: "24" }));
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
    expect(stack.node.metadata.map((m) => m.data)).toContainEqual(expect.stringMatching(/^compliance: IAM\.PasswordReusePrevention suppressed on tap\/identity\/password-policy: reuse prevention is 5/));
  });
});
