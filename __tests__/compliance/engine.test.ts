import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";
import { auditStack, ComplianceValidation, describeUnknownSuppression, describeUnusedSuppression, isCompliant } from "../../src/compliance/audit";
import { suppressRule } from "../../src/compliance/suppressions";
import { audit, failuresOf, RESOURCE_RULES } from "./rule-harness";

/** The engine: suppressions, unknown values and stale acceptances. Each concern's rules are tested in its own folder. */
describe("compliance engine", () => {
  test("rule ids are unique across the pack, and every rule has a broken example in its concern's rules test", () => {
    const ids = TAP_RULE_PACK.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    const testsRoot = join(__dirname, "..");
    const ruleTests = readdirSync(testsRoot, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith("-rules.test.ts"));
    const examples = ruleTests.flatMap((file) => [...readFileSync(join(testsRoot, file), "utf8").matchAll(/^ {2}"([A-Za-z0-9]+\.[A-Za-z0-9]+)": /gm)].map((m) => m[1]));
    expect([...examples].sort()).toEqual([...ids].sort());
  });

  test("a suppression silences one rule on one construct only, and keeps its reason", () => {
    const report = audit((s, p) => {
      suppressRule(new KmsKey(s, "archive-key", { provider: p, tags: { Name: "a" }, policy: "{}" }), "KMS.Rotation", "imported key rotated by an external HSM process");
      new KmsKey(s, "other-key", { provider: p, tags: { Name: "o" }, policy: "{}" });
    });
    expect(report.suppressed.map((f) => [f.rule.id, f.element.path, f.suppression?.reason])).toEqual([
      ["KMS.Rotation", "rules/archive-key", "imported key rotated by an external HSM process"],
    ]);
    expect(failuresOf(report)).toContain("KMS.Rotation rules/other-key");
    expect(failuresOf(report)).not.toContain("KMS.Rotation rules/archive-key");
  });

  test("a suppression naming a rule the pack does not have fails the audit and synth", () => {
    const stack = new TerraformStack(Testing.app(), "rules");
    suppressRule(stack, "KMS.Rotaton", "typo in the rule id must not pass silently");
    const report = auditStack(stack, RESOURCE_RULES);
    expect(report.unknownSuppressions.map(describeUnknownSuppression)).toEqual(['rules: suppression names unknown rule "KMS.Rotaton"']);
    expect(isCompliant(report)).toBe(false);
    expect(new ComplianceValidation(stack, RESOURCE_RULES).validate()).toEqual(['[compliance] rules: suppression names unknown rule "KMS.Rotaton"']);
  });

  test("a suppression needs a written reason", () => {
    const stack = new TerraformStack(Testing.app(), "rules");
    expect(() => suppressRule(stack, "KMS.Rotation", " ")).toThrow(/suppressing KMS.Rotation needs a written reason/);
  });

  test("a value known only at apply time is a warning, not a silent pass", () => {
    const report = audit((s, p) => {
      const days = new TerraformVariable(s, "days", { type: "number" });
      new CloudwatchLogGroup(s, "logs", { provider: p, retentionInDays: days.numberValue, kmsKeyId: "arn:aws:kms:us-east-1:1:key/x", tags: { Name: "l" } });
    });
    expect(report.warnings.map((f) => [f.rule.id, f.element.path, f.detail])).toEqual([["Logs.Retention", "rules/logs", "retention_in_days is computed at apply time"]]);
  });

  test("an acceptance that suppresses nothing is reported, so stale accepted risks do not pile up", () => {
    const stack = new TerraformStack(Testing.app(), "rules");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    suppressRule(stack, "KMS.Rotation", "keys are rotated by an HSM process");
    const report = auditStack(stack, RESOURCE_RULES);
    expect(report.unusedSuppressions.map(describeUnusedSuppression)).toEqual(["rules: KMS.Rotation is accepted but nothing fails it; remove the acceptance (keys are rotated by an HSM process)"]);
    expect(isCompliant(report)).toBe(true);
  });
});
