import { readFileSync } from "fs";
import { join } from "path";
import {
  EMULATOR_DEVIATIONS,
  EMULATOR_EXTENSIONS,
  EMULATOR_EXTENSIONS_DIR,
  EMULATOR_UNSUPPORTED,
  emulatorVersionProblem,
  withoutUnsupported,
} from "../../scripts/terraform/emulator";
import { differences } from "../../src/compliance/drift";

describe("the apply tier's emulator allowances", () => {
  test("unsupported types are cut out with the depends_on entries, outputs and import blocks that name them", () => {
    const stack = {
      resource: {
        aws_securityhub_account: { hub: {} },
        aws_s3_bucket: { bucket: { bucket: "b", depends_on: ["aws_securityhub_account.hub", "aws_kms_key.key"] } },
        aws_kms_key: { key: {} },
      },
      output: { hub_arn: { value: "${aws_securityhub_account.hub.arn}" }, keep: { value: "${aws_kms_key.key.arn}" } },
      import: [
        { to: "aws_securityhub_account.hub", id: "123456789012" },
        { to: "aws_kms_key.key", id: "1234abcd" },
      ],
    };
    const { stackJson, removed, removedOutputs } = withoutUnsupported(JSON.stringify(stack));
    const trimmed = JSON.parse(stackJson);
    expect(removed).toEqual(["aws_securityhub_account.hub"]);
    expect(removedOutputs).toEqual(["hub_arn"]);
    expect(trimmed.resource.aws_securityhub_account).toBeUndefined();
    expect(trimmed.resource.aws_s3_bucket.bucket.depends_on).toEqual(["aws_kms_key.key"]);
    expect(Object.keys(trimmed.output)).toEqual(["keep"]);
    expect(trimmed.import).toEqual([{ to: "aws_kms_key.key", id: "1234abcd" }]);
    expect(JSON.parse(withoutUnsupported(JSON.stringify({ ...stack, import: [stack.import[0]] })).stackJson).import).toBeUndefined();
  });

  test("the extensions listed are exactly the patches the emulator loads", () => {
    const source = readFileSync(join(EMULATOR_EXTENSIONS_DIR, "tap_moto_extensions.py"), "utf8");
    const patches = [...source.matchAll(/^@patch\("[\w.]+"\)\ndef (\w+)\(/gm)].map((m) => m[1]);
    expect(patches.sort()).toEqual(Object.keys(EMULATOR_EXTENSIONS).sort());
  });

  test("the emulator's version: 5.1.22 and 5.2.x are supported; another, or one whose extensions did not load, is refused with the install hint", () => {
    expect(emulatorVersionProblem("5.1.22", "moto_server")).toBeUndefined();
    expect(emulatorVersionProblem("5.2.1", "moto_server")).toBeUndefined();
    expect(emulatorVersionProblem("5.1.21", "moto_server")).toBe("the emulator (moto_server) is moto 5.1.21; the tiers support moto from 5.1.22 below 5.3.0: pip install 'moto[server]==5.1.22'");
    expect(emulatorVersionProblem("5.3.0", "moto_server")).toMatch(/is moto 5\.3\.0; the tiers support/);
    expect(emulatorVersionProblem(undefined, "moto_server")).toMatch(/did not load tap's moto extensions/);
  });

  test("every allowance says why", () => {
    for (const reason of [...Object.values(EMULATOR_UNSUPPORTED), ...Object.values(EMULATOR_DEVIATIONS).map((d) => d.reason)]) expect(reason.length).toBeGreaterThan(25);
  });

  describe("a deviation hides exactly its own difference", () => {
    const acl = EMULATOR_DEVIATIONS.aws_default_network_acl;
    const stateEntry = { rule_no: 100, protocol: "6", action: "allow", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 21, icmp_type: 0, icmp_code: 0, ipv6_cidr_block: "" };
    const configEntry = { rule_no: 100, protocol: "6", action: "allow", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 21, icmp_type: null, icmp_code: null, ipv6_cidr_block: null };
    const icmpState = { ...stateEntry, rule_no: 260, protocol: "1", from_port: 0, to_port: 0 };
    const icmpConfig = { ...configEntry, rule_no: 260, protocol: "1", from_port: 0, to_port: 0, icmp_type: 3, icmp_code: 4 };
    const same = (before: object, after: object) => differences(acl.normalize(before), acl.normalize(after)).length === 0;

    test("the ICMP entry read back as type 0, code 0, and unset versus zero values, are the emulator's", () => {
      expect(same({ ingress: [stateEntry, icmpState], egress: [] }, { ingress: [icmpConfig, configEntry], egress: [] })).toBe(true);
    });

    test("any other change to an entry is still a difference", () => {
      expect(same({ ingress: [stateEntry] }, { ingress: [{ ...configEntry, to_port: 22 }] })).toBe(false);
      expect(same({ ingress: [stateEntry] }, { ingress: [{ ...configEntry, cidr_block: "10.0.0.0/8" }] })).toBe(false);
      expect(same({ ingress: [stateEntry] }, { ingress: [stateEntry, icmpConfig] })).toBe(false);
    });

    test("notifications: only eventbridge; replication: only source_selection_criteria", () => {
      const n = EMULATOR_DEVIATIONS.aws_s3_bucket_notification;
      expect(differences(n.normalize({ bucket: "b", eventbridge: false }), n.normalize({ bucket: "b", eventbridge: true }))).toEqual([]);
      expect(differences(n.normalize({ bucket: "b" }), n.normalize({ bucket: "c" }))).toHaveLength(1);
      const r = EMULATOR_DEVIATIONS.aws_s3_bucket_replication_configuration;
      const rule = { id: "to-x", status: "Enabled", delete_marker_replication: [{ status: "Disabled" }] };
      expect(differences(r.normalize({ rule: [rule] }), r.normalize({ rule: [{ ...rule, source_selection_criteria: [{ sse_kms_encrypted_objects: [{ status: "Enabled" }] }] }] }))).toEqual([]);
      expect(differences(r.normalize({ rule: [rule] }), r.normalize({ rule: [{ ...rule, delete_marker_replication: [{ status: "Enabled" }] }] }))).toHaveLength(1);
    });
  });

  test("differences name each attribute path with its before and after", () => {
    expect(differences({ a: 1, b: { c: [1, 2] }, d: "x" }, { a: 1, b: { c: [1, 3] }, d: "y" })).toEqual([
      { path: "b.c[1]", before: 2, after: 3 },
      { path: "d", before: "x", after: "y" },
    ]);
  });
});
