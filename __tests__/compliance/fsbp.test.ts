/**
 * The rule pack's AWS Foundational Security Best Practices mapping and the FSBP catalog: a rule
 * that loses or changes its FSBP ids fails the literal table below; the catalog and the rules name
 * each other both ways; every control has exactly one disposition with its reason; the coverage
 * count docs/security.md states is the catalog's.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";
import { FSBP_CONTROLS } from "../../src/compliance/fsbp-controls";
import { MIN_REASON_LENGTH } from "../../src/compliance/rule";

/**
 * Every rule that enforces FSBP controls, written from the Security Hub controls reference
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-controls-reference.html),
 * not read back from the rules. Every other rule must carry an explicit empty list.
 */
const EXPECTED_FSBP: Record<string, string[]> = {
  "S3.PublicAccessBlock": ["S3.2", "S3.3", "S3.8"],
  "S3.OwnershipEnforced": ["S3.12"],
  "S3.TlsOnly": ["S3.5"],
  "S3.AbortIncompleteUploads": ["S3.10", "S3.13"],
  "S3.AccessLogging": ["S3.9"],
  "KMS.NoUnconditionedWildcardPrincipal": ["KMS.5"],
  "VPC.FlowLogs": ["EC2.6"],
  "VPC.DefaultSecurityGroupClosed": ["EC2.2"],
  "VPC.NoPublicIpOnLaunch": ["EC2.15"],
  "VPC.NetworkAclNoAdminFromAnywhere": ["EC2.21"],
  "IAM.PasswordMinimumLength": ["IAM.7"],
  "IAM.PasswordComplexity": ["IAM.7"],
  "IAM.NoAdminStatements": ["IAM.1"],
  "CloudTrail.MultiRegionTrail": ["CloudTrail.1"],
  "CloudTrail.LogFileValidation": ["CloudTrail.4"],
  "CloudTrail.KmsEncryption": ["CloudTrail.2"],
  "CloudTrail.CloudWatchLogs": ["CloudTrail.5"],
  "SNS.KmsEncryption": ["SNS.1"],
  "EC2.EbsEncryptionByDefault": ["EC2.7"],
  "GuardDuty.Enabled": ["GuardDuty.1"],
  "GuardDuty.ProtectionPlans": ["GuardDuty.5", "GuardDuty.6", "GuardDuty.7", "GuardDuty.8", "GuardDuty.9", "GuardDuty.10", "GuardDuty.11", "GuardDuty.12", "GuardDuty.13"],
  "Config.Recorder": ["Config.1"],
  "Config.RequiredResourceTypes": ["Config.1"],
  "Config.ServiceLinkedRole": ["Config.1"],
  "S3.AccountPublicAccessBlock": ["S3.1"],
  "EC2.DefaultVpcSecurityGroupClosed": ["EC2.2"],
  "EC2.SnapshotBlockPublicAccess": ["EC2.182"],
  "SSM.DocumentPublicSharingBlocked": ["SSM.7"],
  "Account.SecurityContact": ["Account.1"],
  "EC2.NoWorldHighRiskPorts": ["EC2.19"],
  "EC2.WorldIngressAuthorizedPortsOnly": ["EC2.18"],
  "IAM.InlineNoDecryptOnAllKeys": ["KMS.2"],
  "S3.NoCrossAccountPolicyActions": ["S3.6"],
  "SNS.NoPublicTopicPolicy": ["SNS.4"],
  "SSM.AutomationLogging": ["SSM.6"],
};

const rulesById = new Map(TAP_RULE_PACK.map((rule) => [rule.id, rule]));
const catalog = Object.entries(FSBP_CONTROLS);

describe("the rule pack's FSBP mapping", () => {
  test("every rule states its FSBP controls, an empty list where it enforces none", () => {
    expect(TAP_RULE_PACK.filter((rule) => !Array.isArray(rule.fsbp)).map((rule) => rule.id)).toEqual([]);
  });

  test("each rule maps to exactly the FSBP controls of the literal table (a lost or changed mapping fails)", () => {
    const actual = Object.fromEntries(TAP_RULE_PACK.filter((rule) => rule.fsbp.length > 0).map((rule) => [rule.id, [...rule.fsbp]]));
    expect(actual).toEqual(EXPECTED_FSBP);
  });

  test("every FSBP id a rule carries is catalogued, and its entry names the rule (covered, or partly)", () => {
    const problems = TAP_RULE_PACK.flatMap((rule) =>
      rule.fsbp.flatMap((id) => {
        const entry = FSBP_CONTROLS[id];
        if (!entry) return [`${rule.id}: ${id} is not in the catalog`];
        const d = entry.disposition;
        const names = d.kind === "covered" ? d.rules : "partly" in d ? (d.partly ?? []) : [];
        return names.includes(rule.id) ? [] : [`${rule.id}: ${id} (${d.kind}) does not name the rule`];
      }),
    );
    expect(problems).toEqual([]);
  });
});

describe("the FSBP catalog", () => {
  test("control ids are Security Hub's (<Service>.<number>) and every title is given", () => {
    expect(catalog.filter(([id, control]) => !/^[A-Za-z0-9]+\.\d+$/.test(id) || control.title.trim().length === 0).map(([id]) => id)).toEqual([]);
  });

  test("every entry has exactly one disposition, with a reason wherever it is not covered", () => {
    const allowed: Record<string, string[]> = {
      covered: ["kind", "rules"],
      accepted: ["kind", "reason", "partly"],
      "not-applicable": ["kind", "reason"],
      "not-yet-covered": ["kind", "reason", "partly"],
    };
    const problems = catalog.flatMap(([id, { disposition }]) => {
      const d = disposition as unknown as Record<string, unknown>;
      const keys = allowed[String(d.kind)];
      if (!keys) return [`${id}: unknown disposition ${String(d.kind)}`];
      const extra = Object.keys(d).filter((key) => !keys.includes(key));
      if (extra.length > 0) return [`${id}: ${String(d.kind)} with ${extra.join(", ")}`];
      if (d.kind === "covered") return Array.isArray(d.rules) && d.rules.length > 0 ? [] : [`${id}: covered by no rule`];
      return typeof d.reason === "string" && d.reason.trim().length >= MIN_REASON_LENGTH ? [] : [`${id}: ${String(d.kind)} without a reason`];
    });
    expect(problems).toEqual([]);
  });

  test("every rule an entry names exists; a covering rule carries the control's id back", () => {
    const problems = catalog.flatMap(([id, { disposition: d }]) => {
      const named = d.kind === "covered" ? d.rules : "partly" in d ? (d.partly ?? []) : [];
      return named.flatMap((ruleId) => {
        const rule = rulesById.get(ruleId);
        if (!rule) return [`${id}: no rule ${ruleId}`];
        return d.kind === "covered" && !rule.fsbp.includes(id) ? [`${id}: ${ruleId} does not carry ${id}`] : [];
      });
    });
    expect(problems).toEqual([]);
  });
});

test("every FSBP control that applies to what tap creates is covered by a rule or accepted with a reason: none is left uncovered (#27)", () => {
  expect(catalog.filter(([, control]) => control.disposition.kind === "not-yet-covered").map(([id]) => id)).toEqual([]);
});

describe("docs/security.md", () => {
  const page = readFileSync(join(__dirname, "..", "..", "docs", "security.md"), "utf8");

  test("states the catalog's coverage count", () => {
    const kinds = catalog.map(([, control]) => control.disposition.kind);
    const count = (kind: string) => kinds.filter((k) => k === kind).length;
    const stated = /tap covers (\d+) of the (\d+) FSBP controls that apply to what it creates \((\d+) accepted risks?, (\d+) not yet covered\); (\d+) more of the (\d+) catalogued do not apply\./.exec(page);
    expect(stated?.slice(1).map(Number)).toEqual([
      count("covered"),
      kinds.length - count("not-applicable"),
      count("accepted"),
      count("not-yet-covered"),
      count("not-applicable"),
      kinds.length,
    ]);
  });

  test("lists every catalogued control", () => {
    expect(catalog.map(([id]) => id).filter((id) => !page.includes(`\n| ${id} |`))).toEqual([]);
  });
});
