import { readFileSync } from "fs";
import { join } from "path";
import { mkdtempSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { buildApp } from "../../src/app/app";
import { loadConfig } from "../../src/app/load-config";
import {
  EMULATED_SERVICES,
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

/**
 * The provider endpoint (its `endpoints` key) each resource and data source type of tap's stacks
 * calls, written here from the provider's service packages: a type whose service the emulator's
 * endpoints leave out would reach real AWS from the apply tier (and fail on fake keys), as the
 * EventBridge rule of the findings did before "events" was listed.
 */
const SERVICE_OF: readonly (readonly [RegExp, string | null])[] = [
  [/^aws_cloudwatch_event_/, "events"],
  [/^aws_cloudwatch_log_/, "logs"],
  [/^aws_cloudwatch_metric_alarm$/, "cloudwatch"],
  [/^aws_config_/, "configservice"],
  [/^aws_s3_account_public_access_block$/, "s3control"],
  [/^aws_s3_/, "s3"],
  [/^aws_(vpc|vpcs|subnet|route|route_table|route_table_association|internet_gateway|security_group|default_security_group|default_network_acl|network_acl|flow_log|ebs_|ec2_|availability_zones|vpc_endpoint|vpc_endpoint_service|vpc_security_group_)/, "ec2"],
  [/^aws_iam_policy_document$/, null],
  [/^aws_iam_/, "iam"],
  [/^aws_kms_/, "kms"],
  [/^aws_sns_/, "sns"],
  [/^aws_guardduty_/, "guardduty"],
  [/^aws_securityhub_/, "securityhub"],
  [/^aws_accessanalyzer_/, "accessanalyzer"],
  [/^aws_organizations_/, "organizations"],
  [/^aws_cloudtrail$/, "cloudtrail"],
  [/^aws_api_gateway_/, "apigateway"],
  [/^aws_account_/, "account"],
  [/^aws_ssm_/, "ssm"],
  [/^aws_caller_identity$/, "sts"],
  [/^(aws_partition|aws_region)$/, null],
  [/^terraform_remote_state$/, null],
];

describe("the emulator's endpoints", () => {
  test("cover every service that tap's stacks call and the emulator applies (the default deployment and the organization example)", () => {
    const types = new Set<string>();
    for (const file of [null, join(__dirname, "..", "..", "examples", "organization.tap.config.json")]) {
      const outdir = mkdtempSync(join(tmpdir(), "tap-endpoints-"));
      buildApp(loadConfig(file ? {} : { TAP_ACCOUNT_ID: "123456789012" }, { file }), outdir).app.synth();
      for (const stack of readdirSync(join(outdir, "stacks"))) {
        const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
        for (const type of [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {})]) types.add(type);
      }
    }
    const applied = [...types].filter((type) => !(type in EMULATOR_UNSUPPORTED)).sort();
    const unknown = applied.filter((type) => !SERVICE_OF.some(([pattern]) => pattern.test(type)));
    expect(unknown).toEqual([]);
    const missing = applied.flatMap((type) => {
      const service = SERVICE_OF.find(([pattern]) => pattern.test(type))![1];
      return service !== null && !(EMULATED_SERVICES as readonly string[]).includes(service) ? [`${type} calls ${service}`] : [];
    });
    expect(missing).toEqual([]);
  });
});
