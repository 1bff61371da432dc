import { execFileSync } from "child_process";
import { join } from "path";
import { TAP_DRIFT_CONTROLS } from "../../src/app/drift-controls";
import { AUDIT_DRIFT_CONTROLS } from "../../src/audit/audit-facts";
import { GUARDRAIL_DRIFT_CONTROLS } from "../../src/guardrails/guardrail-facts";
import { IDENTITY_DRIFT_CONTROLS } from "../../src/identity/identity-facts";
import { NETWORK_DRIFT_CONTROLS } from "../../src/network/network-facts";
import { STORAGE_DRIFT_CONTROLS } from "../../src/storage/storage-facts";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";
import { describeDrift, driftFindings, RefreshOnlyPlan } from "../../src/compliance/drift";
import { synthStack } from "../helpers";
import { SECURITY_CONTACT } from "../settings-fixtures";

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The provider binding's class for a resource type (`aws_kms_key` -> lib/kms-key's KmsKey). */
function bindingOf(type: string): any {
  const module = require(`@cdktf/provider-aws/lib/${type.slice("aws_".length).replace(/_/g, "-")}`);
  return Object.values<any>(module).find((value) => typeof value === "function" && value.tfResourceType === type);
}

describe("drift controls", () => {
  const ruleIds = new Set(TAP_RULE_PACK.map((rule) => rule.id));

  test.each([
    ["storage", STORAGE_DRIFT_CONTROLS],
    ["network", NETWORK_DRIFT_CONTROLS],
    ["identity", IDENTITY_DRIFT_CONTROLS],
    ["audit", AUDIT_DRIFT_CONTROLS],
    ["guardrails", GUARDRAIL_DRIFT_CONTROLS],
  ])("the assembled list holds every control of the %s concern", (_concern, controls) => {
    expect(controls.length).toBeGreaterThan(0);
    expect(controls.filter((control) => !TAP_DRIFT_CONTROLS.includes(control))).toEqual([]);
  });

  test("the concerns above are every concern that exports drift controls", () => {
    const exported = execFileSync("git", ["grep", "-hoE", "export const [A-Z_]+_DRIFT_CONTROLS\\b", "--", "src", ":!src/app/drift-controls.ts"], { cwd: join(__dirname, "..", ".."), encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((line) => line.replace("export const ", ""))
      .sort();
    expect(exported).toEqual(["AUDIT_DRIFT_CONTROLS", "GUARDRAIL_DRIFT_CONTROLS", "IDENTITY_DRIFT_CONTROLS", "NETWORK_DRIFT_CONTROLS", "STORAGE_DRIFT_CONTROLS"]);
  });

  test("tags of any resource carry Tags.Required", () => {
    expect(TAP_DRIFT_CONTROLS).toContainEqual({ type: "*", attributes: ["tags", "tags_all"], rule: "Tags.Required" });
  });

  test("each names a rule of the pack", () => {
    expect(TAP_DRIFT_CONTROLS.filter((control) => !ruleIds.has(control.rule))).toEqual([]);
  });

  test("each attribute is an argument of its type in the provider (a misspelt one would never match)", () => {
    const missing = TAP_DRIFT_CONTROLS.filter((control) => control.type !== "*").flatMap((control) => {
      const binding = bindingOf(control.type);
      if (!binding) return [`${control.type}: no provider binding`];
      return control.attributes.filter((attribute) => !(camel(attribute) in binding.prototype)).map((attribute) => `${control.type}.${attribute}`);
    });
    expect(missing).toEqual([]);
    expect("enableKeyRotationz" in bindingOf("aws_kms_key").prototype).toBe(false);
  });

  test("each type is one the default stack or the production stack (with its security contact) declares", () => {
    const declared = new Set([...Object.keys(synthStack().resource!), ...Object.keys(synthStack({ ENVIRONMENT_SUFFIX: "prod", TAP_SECURITY_CONTACT: SECURITY_CONTACT }).resource!)]);
    expect(TAP_DRIFT_CONTROLS.filter((control) => control.type !== "*" && !declared.has(control.type)).map((control) => control.type)).toEqual([]);
  });
});

describe("driftFindings", () => {
  const plan: RefreshOnlyPlan = {
    configuration: { root_module: { resources: [{ address: "aws_vpc.v", expressions: { enable_dns_support: {}, cidr_block: {} } }, { address: "aws_s3_bucket.b", expressions: { bucket: {} } }] } },
    resource_drift: [
      { address: "aws_kms_key.k", mode: "managed", type: "aws_kms_key", change: { actions: ["update"], before: { enable_key_rotation: true, tags: { A: "1" }, tags_all: { A: "1" } }, after: { enable_key_rotation: false, tags: { A: "2" }, tags_all: { A: "2" } } } },
      { address: "aws_s3_bucket_versioning.v", mode: "managed", type: "aws_s3_bucket_versioning", change: { actions: ["update"], before: { versioning_configuration: [{ status: "Enabled" }] }, after: { versioning_configuration: [{ status: "Suspended" }] } } },
      { address: "aws_flow_log.f", mode: "managed", type: "aws_flow_log", change: { actions: ["delete"], before: { id: "fl-1" }, after: null } },
      { address: "aws_vpc.v", mode: "managed", type: "aws_vpc", change: { actions: ["update"], before: { enable_dns_support: true }, after: { enable_dns_support: false } } },
      // Filled in by other resources or on first read, changed by no one: a bucket's computed policy, empty lists where state held null.
      { address: "aws_s3_bucket.b", mode: "managed", type: "aws_s3_bucket", change: { actions: ["update"], before: { bucket: "b", policy: "", versioning: [{ enabled: false }] }, after: { bucket: "b", policy: "{}", versioning: [{ enabled: true }] } } },
      { address: "aws_cloudwatch_metric_alarm.a", mode: "managed", type: "aws_cloudwatch_metric_alarm", change: { actions: ["update"], before: { alarm_actions: ["t"], ok_actions: null, dimensions: null }, after: { alarm_actions: ["t"], ok_actions: [], dimensions: {} } } },
      { address: "data.aws_caller_identity.c", mode: "data", type: "aws_caller_identity", change: { actions: ["update"], before: {}, after: { id: "x" } } },
    ],
  };

  test("names each changed attribute by its rule; a deleted resource is one finding; computed attributes, first reads, tags_all beside tags and data sources are left out", () => {
    expect(driftFindings("tap", plan, TAP_DRIFT_CONTROLS)).toEqual([
      { stack: "tap", address: "aws_kms_key.k", type: "aws_kms_key", rule: "KMS.Rotation", change: "changed", attribute: "enable_key_rotation", before: true, after: false },
      { stack: "tap", address: "aws_kms_key.k", type: "aws_kms_key", rule: "Tags.Required", change: "changed", attribute: "tags.A", before: "1", after: "2" },
      { stack: "tap", address: "aws_s3_bucket_versioning.v", type: "aws_s3_bucket_versioning", rule: "S3.Versioning", change: "changed", attribute: "versioning_configuration[0].status", before: "Enabled", after: "Suspended" },
      { stack: "tap", address: "aws_flow_log.f", type: "aws_flow_log", rule: "VPC.FlowLogs", change: "deleted" },
      { stack: "tap", address: "aws_vpc.v", type: "aws_vpc", rule: undefined, change: "changed", attribute: "enable_dns_support", before: true, after: false },
    ]);
  });

  test("normalize rewrites both sides before they are compared", () => {
    const normalize = (type: string, values: any) => (type === "aws_kms_key" ? { ...values, enable_key_rotation: undefined } : values);
    expect(driftFindings("tap", plan, TAP_DRIFT_CONTROLS, { normalize }).filter((finding) => finding.attribute === "enable_key_rotation")).toEqual([]);
  });

  test("a refresh that changed nothing is no drift", () => {
    expect(driftFindings("tap", {}, TAP_DRIFT_CONTROLS)).toEqual([]);
    expect(driftFindings("tap", { resource_drift: [] }, TAP_DRIFT_CONTROLS)).toEqual([]);
  });

  test("describes each finding on a line with its rule", () => {
    const lines = describeDrift(driftFindings("tap", plan, TAP_DRIFT_CONTROLS), (id) => (id === "KMS.Rotation" ? "CIS 3.6" : undefined));
    expect(lines[0]).toBe('  tap: aws_kms_key.k enable_key_rotation: true -> false [KMS.Rotation (CIS 3.6)]');
    expect(lines[3]).toBe("  tap: aws_flow_log.f deleted outside Terraform [VPC.FlowLogs]");
    expect(lines[4]).toBe("  tap: aws_vpc.v enable_dns_support: true -> false [no listed control]");
  });
});
