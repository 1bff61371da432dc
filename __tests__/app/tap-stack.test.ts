import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing } from "cdktf";
import { loadConfig } from "../../src/app/load-config";
import { SINGLETON_KEYS, SINGLETON_TYPES } from "../../src/aws/singletons";
import { STACK_OUTPUTS } from "../../src/app/stack-outputs";
import { TapStack } from "../../src/app/tap-stack";
import { intendedCounts } from "../intended-resources";
import { allBlocks, configFrom, dataReferenceTo, dataSourceAt, referenceTo, resourceAt, resourcesOf, synthStack, SynthJson, synthWithMetadata } from "../helpers";

const DEFAULT_REGIONS = ["us-east-1", "us-west-2", "eu-central-1"];

/** Resource count per type for the resources bound to one region's provider. */
function countsFor(json: ReturnType<typeof synthStack>, region: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const block of allBlocks(json)) {
    if (block.kind === "resource" && block.body.provider === `aws.${region}`) counts[block.type] = (counts[block.type] ?? 0) + 1;
  }
  return counts;
}

describe("TapStack", () => {
  const json = synthStack();

  test("declares one aliased provider per region with the common tags as default_tags", () => {
    expect(json.provider?.aws.map((p) => [p.alias, p.region, p.default_tags])).toEqual(
      DEFAULT_REGIONS.map((region) => [region, region, [{ tags: { Environment: "dev", Project: "tap", ManagedBy: "cdktf" } }]]),
    );
  });

  test("user tags join the default tags without replacing the reserved ones", () => {
    const json = synthStack({ TAP_TAGS: '{"CostCenter":"42"}' });
    for (const provider of json.provider!.aws) {
      expect(provider.default_tags).toEqual([{ tags: { CostCenter: "42", Environment: "dev", Project: "tap", ManagedBy: "cdktf" } }]);
    }
  });

  test("every resource and data source names its provider explicitly", () => {
    const unbound = allBlocks(json).filter((block) => !/^aws\.[a-z0-9-]+$/.test(block.body.provider ?? ""));
    expect(unbound.map((b) => `${b.type}.${b.name}`)).toEqual([]);
  });

  test("each region gets the same network and storage, bound to its own provider; IAM exists once, on the first region", () => {
    const config = configFrom();
    for (const region of DEFAULT_REGIONS) expect(countsFor(json, region)).toEqual(intendedCounts(config, region));
    // Independent of intendedCounts: 73 resources per region (its replication role and policy, two Security Hub standards, six GuardDuty features, the default VPC's group, the three sharing blocks and the Automation log setting included), 58 account-wide (trail, alarms, the findings rule and its target, IAM) in the first.
    expect(DEFAULT_REGIONS.map((region) => Object.values(countsFor(json, region)).reduce((a, b) => a + b, 0))).toEqual([131, 73, 73]);
    expect(countsFor(json, "us-west-2").aws_iam_role).toBe(1);
    expect(countsFor(json, "us-west-2").aws_cloudtrail).toBeUndefined();
  });

  test("every taggable resource carries a Name tag from the naming convention", () => {
    const missing = allBlocks(json).filter(
      (b) => b.kind === "resource" && "tags" in b.body && !/^tap-dev-[a-z0-9-]+$/.test(b.body.tags.Name ?? ""),
    );
    expect(missing).toEqual([]);
    expect(resourceAt(json, "aws_vpc", "network-us-west-2/vpc").tags).toEqual({ Name: "tap-dev-us-west-2-vpc" });
  });

  test("the S3 backend is encrypted, locked with the S3 lock file, and Terraform >= 1.11 is required", () => {
    // No accountId: the bucket is left out (a partial backend that deploy refuses), never guessed.
    expect(json.terraform?.backend.s3).toEqual({ key: "tap/dev/terraform.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true });
    expect(json.terraform).toMatchObject({
      required_version: ">= 1.11.0",
      required_providers: { aws: { source: "aws", version: "5.100.0" } },
    });
    const custom = synthStack({ TERRAFORM_STATE_BUCKET: "acme-state", TERRAFORM_STATE_BUCKET_REGION: "eu-west-1", TERRAFORM_STATE_BUCKET_KEY: "x/y.tfstate" });
    expect(custom.terraform?.backend.s3).toMatchObject({ bucket: "acme-state", region: "eu-west-1", key: "x/y.tfstate" });
  });

  test("with accountId the trail also records the object events of the account's own state bucket (who read state); a bucket named otherwise, or a fleet's, is not the account's", () => {
    const selectorValues = (json: SynthJson) => resourceAt(json, "aws_cloudtrail", "audit-trail/trail").event_selector[0].data_resource[0].values as string[];
    const recorded = selectorValues(synthStack({ TAP_ACCOUNT_ID: "111122223333" }));
    expect(recorded).toHaveLength(DEFAULT_REGIONS.length + 1);
    expect(recorded.at(-1)).toBe(`arn:\${data.aws_partition.partition.partition}:s3:::tap-tfstate-111122223333-us-east-1/`);
    expect(selectorValues(synthStack({ TAP_ACCOUNT_ID: "111122223333", TERRAFORM_STATE_BUCKET: "someone-elses-state" }))).toHaveLength(DEFAULT_REGIONS.length);
    expect(selectorValues(json)).toHaveLength(DEFAULT_REGIONS.length);
  });

  test("with accountId: the state bucket unique to the account and region, state encrypted with the key given, and every provider pinned to the account", () => {
    const key = "arn:aws:kms:eu-west-1:111122223333:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d";
    const pinned = synthStack({ TAP_ACCOUNT_ID: "111122223333", TERRAFORM_STATE_BUCKET_REGION: "eu-west-1", TERRAFORM_STATE_KMS_KEY_ID: key });
    expect(pinned.terraform?.backend.s3).toEqual({ bucket: "tap-tfstate-111122223333-eu-west-1", key: "tap/dev/terraform.tfstate", region: "eu-west-1", encrypt: true, kms_key_id: key, use_lockfile: true });
    const providers: any[] = (pinned.provider as any).aws;
    expect(providers).toHaveLength(3);
    for (const provider of providers) expect(provider.allowed_account_ids).toEqual(["111122223333"]);
    expect(((json.provider as any).aws as any[]).map((provider) => provider.allowed_account_ids)).toEqual([undefined, undefined, undefined]);
  });

  test("each region's flow logs are encrypted with that region's key and delivered by the shared role", () => {
    for (const region of DEFAULT_REGIONS) {
      expect(resourceAt(json, "aws_cloudwatch_log_group", `network-${region}/flow-log-group`).kms_key_id).toBe(
        referenceTo(json, "aws_kms_key", `storage-${region}/key`, "arn"),
      );
      expect(resourceAt(json, "aws_flow_log", `network-${region}/flow-log`).iam_role_arn).toBe(
        referenceTo(json, "aws_iam_role", "identity/flow-logs-role", "arn"),
      );
    }
  });

  test("each region's API Gateway account uses the GlobalIdentity role once its policy is attached", () => {
    for (const region of DEFAULT_REGIONS) {
      expect(resourceAt(json, "aws_api_gateway_account", `identity/api-gateway-account-${region}`)).toMatchObject({
        provider: `aws.${region}`,
        cloudwatch_role_arn: referenceTo(json, "aws_iam_role", "identity/api-gateway-cloudwatch-role", "arn"),
        depends_on: [expect.stringMatching(/^aws_iam_role_policy_attachment\.identity_api-gateway-cloudwatch-policy_/)],
      });
    }
  });

  test("the home region holds the trail, the account-wide IAM and Config's global recording; reordering regions does not move it once pinned", () => {
    const homeOf = (json: ReturnType<typeof synthStack>) => ({
      trail: resourceAt(json, "aws_cloudtrail", "audit-trail/trail").provider,
      roles: [...new Set(resourcesOf(json, "aws_iam_role").filter(([name]) => !name.startsWith("replication_")).map(([, role]) => role.provider))],
      globalRecording: resourcesOf(json, "aws_config_configuration_recorder").filter(([, r]) => r.recording_group.include_global_resource_types).map(([, r]) => r.provider),
      trailLogs: resourceAt(json, "aws_s3_bucket_logging", "audit-trail/bucket/access-logging").target_bucket,
    });
    const pinned = synthStack({ TAP_HOME_REGION: "us-west-2" });
    expect(homeOf(pinned)).toEqual({ trail: "aws.us-west-2", roles: ["aws.us-west-2"], globalRecording: ["aws.us-west-2"], trailLogs: referenceTo(pinned, "aws_s3_bucket", "storage-us-west-2/access-logs/bucket", "id") });
    const reordered = synthStack({ TAP_REGIONS: "eu-central-1,us-west-2,us-east-1", TAP_HOME_REGION: "us-west-2" });
    expect(homeOf(reordered)).toEqual({ ...homeOf(pinned), trailLogs: referenceTo(reordered, "aws_s3_bucket", "storage-us-west-2/access-logs/bucket", "id") });
    expect(homeOf(json).trail).toBe("aws.us-east-1");
  });

  test("resources that moved to the identity concern carry moved blocks from their former addresses, so state follows them", () => {
    const address = (type: string, path: string) => `${type}.${referenceTo(json, type, path, "id").split(".")[1]}`;
    expect((json as any).moved).toEqual([
      { from: expect.stringMatching(/^aws_iam_role\.account-guardrails_support-role_[0-9A-F]{8}$/), to: address("aws_iam_role", "identity/support-role") },
      { from: expect.stringMatching(/^aws_iam_role_policy_attachment\.account-guardrails_support-policy_[0-9A-F]{8}$/), to: address("aws_iam_role_policy_attachment", "identity/support-policy") },
      ...DEFAULT_REGIONS.map((region) => ({
        from: expect.stringMatching(new RegExp(`^aws_api_gateway_account\\.storage-${region}_api-gateway-account_[0-9A-F]{8}$`)),
        to: address("aws_api_gateway_account", `identity/api-gateway-account-${region}`),
      })),
    ]);
    // A deployment that does not own the account's settings never had them.
    expect((synthStack({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "us-east-1,us-west-2,eu-central-1" }) as any).moved).toBeUndefined();
  });

  test("account and partition come from data sources with stable logical ids (the Terraform tests override them)", () => {
    expect(Object.keys(json.data?.aws_caller_identity ?? {})).toEqual(["caller_identity"]);
    expect(Object.keys(json.data?.aws_partition ?? {})).toEqual(["partition"]);
    expect(resourceAt(json, "aws_s3_bucket", "storage-us-west-2/data/bucket").bucket).toBe(
      `tap-dev-us-west-2-data-${dataReferenceTo(json, "aws_caller_identity", "caller-identity", "account_id")}`,
    );
  });

  test("VPC CIDRs come from configuration, one per region", () => {
    const json = synthStack({ TAP_REGIONS: "eu-west-1,ap-northeast-1", TAP_VPC_CIDRS: "10.100.0.0/16,10.101.0.0/20" });
    expect(resourceAt(json, "aws_vpc", "network-eu-west-1/vpc").cidr_block).toBe("10.100.0.0/16");
    expect(resourceAt(json, "aws_vpc", "network-ap-northeast-1/vpc").cidr_block).toBe("10.101.0.0/20");
    expect(json.provider?.aws.map((p) => p.alias)).toEqual(["eu-west-1", "ap-northeast-1"]);
    expect(resourcesOf(json, "aws_subnet").filter(([, s]) => s.provider === "aws.ap-northeast-1").map(([, s]) => s.availability_zone_id)).toEqual(
      expect.arrayContaining(["apne1-az1", "apne1-az2", "apne1-az4"]),
    );
  });

  test.each(["prod", "production"])("environment %s turns force_destroy off and prevent_destroy on for buckets and keys", (environment) => {
    const json = synthStack({ ENVIRONMENT_SUFFIX: environment });
    for (const [, bucket] of resourcesOf(json, "aws_s3_bucket")) {
      expect(bucket).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    }
    for (const [, key] of resourcesOf(json, "aws_kms_key")) expect(key.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("other environments keep force_destroy on buckets", () => {
    const json = synthStack({ ENVIRONMENT_SUFFIX: "staging" });
    expect(resourcesOf(json, "aws_s3_bucket").every(([, b]) => b.force_destroy === true && b.lifecycle === undefined)).toBe(true);
  });

  test("a retiring region keeps its provider and nothing else, so its resources can be destroyed from state", () => {
    const json = synthStack({ TAP_REGIONS: "us-east-1,us-west-2", TAP_RETIRING_REGIONS: "eu-central-1" });
    expect(json.provider?.aws.map((p) => p.alias)).toEqual(["us-east-1", "us-west-2", "eu-central-1"]);
    expect(allBlocks(json).filter((block) => block.body.provider === "aws.eu-central-1")).toEqual([]);
    expect(Object.keys(json.output ?? {})).not.toContain("eu-central-1_network");
  });

  test("a deployment that does not own the account's settings leaves every account and regional singleton, the trail and the guardrails alone", () => {
    const json = synthStack({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "us-east-1,us-west-2,eu-central-1" });
    const config = configFrom({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "us-east-1,us-west-2,eu-central-1" });
    for (const region of DEFAULT_REGIONS) expect(countsFor(json, region)).toEqual(intendedCounts(config, region));
    for (const type of [...Object.keys(SINGLETON_TYPES), "aws_cloudtrail", "aws_iam_role_policy_attachment", "aws_sns_topic", "aws_cloudwatch_metric_alarm"]) {
      expect({ type, resources: resourcesOf(json, type) }).toEqual({ type, resources: [] });
    }
    expect(resourcesOf(json, "aws_iam_role").map(([, role]) => role.name)).toEqual(["tap-dev-vpc-flow-logs", ...DEFAULT_REGIONS.map((region) => `tap-dev-${region}-s3-replication`)]);
    expect(resourcesOf(json, "aws_flow_log")).toHaveLength(3);
    // Its keys are nobody's EBS default, so they grant EC2 nothing.
    const keyPolicy = dataSourceAt(json, "aws_iam_policy_document", "storage-us-east-1/key-policy");
    expect(keyPolicy.statement.map((s: any) => s.sid)).toEqual(["AccountAdministration", "CloudWatchLogsForTheseLogGroups"]);
    expect(json.output?.api_gateway_cloudwatch_role_arn).toBeUndefined();
    expect(json.output?.audit).toBeUndefined();
  });

  test("the owner's guardrails: the trail in the first region records every data bucket, Config delivers to its bucket, each region's EBS default key is its own", () => {
    const trail = resourceAt(json, "aws_cloudtrail", "audit-trail/trail");
    expect(trail.provider).toBe("aws.us-east-1");
    expect(trail.event_selector[0].data_resource[0].values).toEqual(DEFAULT_REGIONS.map((region) => `${referenceTo(json, "aws_s3_bucket", `storage-${region}/data/bucket`, "arn")}/`));
    // The trail bucket's access logs go to the first region's log bucket, which lets exactly its sources write.
    expect(resourceAt(json, "aws_s3_bucket_logging", "audit-trail/bucket/access-logging").target_bucket).toBe(
      referenceTo(json, "aws_s3_bucket", "storage-us-east-1/access-logs/bucket", "id"),
    );
    const logWriters = dataSourceAt(json, "aws_iam_policy_document", "storage-us-east-1/access-logs/policy-document").statement.filter((s: any) => s.sid.startsWith("S3ServerAccessLogs"));
    expect(logWriters.flatMap((s: any) => s.condition.find((c: any) => c.variable === "aws:SourceArn").values).map((arn: string) => arn.replace(/^.*:::/, ""))).toEqual([
      `tap-dev-us-east-1-data-${dataReferenceTo(json, "aws_caller_identity", "caller-identity", "account_id")}`,
      `tap-dev-cloudtrail-${dataReferenceTo(json, "aws_caller_identity", "caller-identity", "account_id")}`,
    ]);
    for (const region of DEFAULT_REGIONS) {
      expect(resourceAt(json, "aws_ebs_default_kms_key", `guardrails-${region}/ebs-default-key`).key_arn).toBe(referenceTo(json, "aws_kms_key", `storage-${region}/key`, "arn"));
      const channel = resourceAt(json, "aws_config_delivery_channel", `guardrails-${region}/config-delivery-channel`);
      expect(channel).toMatchObject({ s3_bucket_name: referenceTo(json, "aws_s3_bucket", "audit-trail/bucket/bucket", "bucket"), s3_key_prefix: "config" });
      const recorder = resourceAt(json, "aws_config_configuration_recorder", `guardrails-${region}/config-recorder`);
      // AWS Config's service-linked role (Security Hub Config.1), which AWS Config delivers beside as its service principal.
      expect(recorder.role_arn).toBe(referenceTo(json, "aws_iam_service_linked_role", "account-guardrails/config-service-role", "arn"));
      expect(recorder.recording_group).toEqual({ all_supported: true, include_global_resource_types: region === "us-east-1" });
    }
  });

  test("data buckets replicate in a ring in configuration order; one region, or replication off, has none", () => {
    const sources = resourcesOf(json, "aws_s3_bucket_replication_configuration").map(([, c]) => [c.provider, c.rule[0].destination.bucket]);
    expect(sources).toEqual(
      DEFAULT_REGIONS.map((region, i) => [`aws.${region}`, referenceTo(json, "aws_s3_bucket", `storage-${DEFAULT_REGIONS[(i + 1) % 3]}/data/bucket`, "arn")]),
    );
    expect(resourcesOf(synthStack({ TAP_REGIONS: "eu-west-1" }), "aws_s3_bucket_replication_configuration")).toEqual([]);
    expect(resourcesOf(synthStack({ TAP_REPLICATION: "false", TAP_ACCEPT_RISKS: "S3.CrossRegionReplication=copies kept elsewhere" }), "aws_s3_bucket_replication_configuration")).toEqual([]);
  });

  test("each guardrail that costs money has its own switch", () => {
    const json = synthStack({ TAP_GUARDDUTY: "false", TAP_SECURITY_HUB: "false", TAP_AWS_CONFIG: "false", TAP_ACCEPT_RISKS: "GuardDuty.Enabled=a third-party detector watches;SecurityHub.CisStandard=audited by the SOC tool;Config.Recorder=Control Tower records" });
    for (const type of ["aws_guardduty_detector", "aws_securityhub_account", "aws_config_configuration_recorder", "aws_config_delivery_channel"]) expect(resourcesOf(json, type)).toEqual([]);
    expect(resourcesOf(json, "aws_iam_service_linked_role")).toEqual([]);
    expect(resourcesOf(json, "aws_accessanalyzer_analyzer")).toHaveLength(3);
  });

  test("singletons external: none of them is created, their rules are accepted with the reason, and the stack passes the rule pack", () => {
    const external = Object.fromEntries(SINGLETON_KEYS.map((key) => [key, "external"]));
    const json = synthStack({ TAP_SINGLETONS: Object.entries(external).map(([key, mode]) => `${key}=${mode}`).join(";") });
    for (const type of [...Object.keys(SINGLETON_TYPES), "aws_cloudtrail", "aws_iam_service_linked_role", "aws_sns_topic", "aws_cloudwatch_metric_alarm"]) {
      expect([type, resourcesOf(json, type).length]).toEqual([type, 0]);
    }
    // What is not a singleton stays: the support role (CIS 1.17), replication, and every region's network and storage.
    expect(resourcesOf(json, "aws_iam_role").map(([, role]) => role.name.replace(/-(us|eu)-[a-z]+-\d-/, "-<region>-"))).toEqual([
      "tap-dev-vpc-flow-logs",
      "tap-dev-support",
      ...DEFAULT_REGIONS.map(() => "tap-dev-<region>-s3-replication"),
    ]);
    expect(json.import).toBeUndefined();
  });

  test("singletons adopt: each is imported by its regional provider; a configuration that adopts nothing has no import block", () => {
    const json = synthStack({
      TAP_REGIONS: "us-east-1,eu-west-1",
      TAP_SINGLETONS: "awsConfig=adopt;guardDuty=adopt;passwordPolicy=adopt;configServiceRole=adopt",
    });
    const imports = json.import!.map(({ to, provider }) => `${to.split(".")[0]} ${provider}`).sort();
    expect(imports).toEqual([
      "aws_config_configuration_recorder aws.eu-west-1",
      "aws_config_configuration_recorder aws.us-east-1",
      "aws_config_configuration_recorder_status aws.eu-west-1",
      "aws_config_configuration_recorder_status aws.us-east-1",
      "aws_config_delivery_channel aws.eu-west-1",
      "aws_config_delivery_channel aws.us-east-1",
      "aws_guardduty_detector aws.eu-west-1",
      "aws_guardduty_detector aws.us-east-1",
      "aws_iam_account_password_policy aws.us-east-1",
      "aws_iam_service_linked_role aws.us-east-1",
    ]);
    expect(json.import!.find(({ to }) => to.startsWith("aws_iam_service_linked_role"))!.id).toBe(
      `arn:${dataReferenceTo(json, "aws_partition", "partition", "partition")}:iam::${dataReferenceTo(json, "aws_caller_identity", "caller-identity", "account_id")}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
    );
    expect(synthStack({}).import).toBeUndefined();
  });

  test("data protection also keeps the account password policy from destroy", () => {
    expect(resourceAt(synthStack({ TAP_PROTECT_DATA: "true" }), "aws_iam_account_password_policy", "identity/password-policy").lifecycle).toEqual({ prevent_destroy: true });
    expect(resourceAt(json, "aws_iam_account_password_policy", "identity/password-policy").lifecycle).toBeUndefined();
  });

  test("each region's flow log waits for the flow-log role's policy, and each region's key serves exactly its own log groups", () => {
    for (const region of DEFAULT_REGIONS) {
      expect(resourceAt(json, "aws_flow_log", `network-${region}/flow-log`).depends_on).toEqual([
        referenceTo(json, "aws_iam_role_policy", "identity/flow-logs-role-policy", "id").replace(/^\$\{(.*)\.id\}$/, "$1"),
      ]);
      const grant = dataSourceAt(json, "aws_iam_policy_document", `storage-${region}/key-policy`).statement.find((s: any) => s.sid === "CloudWatchLogsForTheseLogGroups");
      expect(grant.condition[0].values.map((arn: string) => arn.replace(/^.*:log-group:/, ""))).toEqual([`/aws/apigateway/tap-dev-${region}-access`, `/aws/vpc/flow-logs/tap-dev-${region}-vpc`]);
    }
  });

  test("one described output per attribute, regional ones keyed by region; the owner's account outputs only where they exist", () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual(Object.keys(STACK_OUTPUTS).sort());
    for (const [name, spec] of Object.entries(STACK_OUTPUTS)) expect(json.output?.[name].description).toBe(spec.description);
    const byRegion = (type: string, component: string, attribute: string) =>
      Object.fromEntries(DEFAULT_REGIONS.map((region) => [region, referenceTo(json, type, component.replace("<region>", region), attribute)]));
    expect(json.output?.vpc_ids.value).toEqual(byRegion("aws_vpc", "network-<region>/vpc", "id"));
    expect(json.output?.execute_api_endpoint_dns_entries.value).toEqual(byRegion("aws_vpc_endpoint", "network-<region>/execute-api-endpoint", "dns_entry"));
    expect(json.output?.data_bucket_arns.value).toEqual(byRegion("aws_s3_bucket", "storage-<region>/data/bucket", "arn"));
    expect(json.output?.access_log_bucket_names.value).toEqual(byRegion("aws_s3_bucket", "storage-<region>/access-logs/bucket", "bucket"));
    expect(json.output?.kms_key_arns.value).toEqual(byRegion("aws_kms_key", "storage-<region>/key", "arn"));
    expect(json.output?.public_subnet_ids.value["us-west-2"]).toEqual(["usw2-az1", "usw2-az2", "usw2-az3"].map((zone) => referenceTo(json, "aws_subnet", `network-us-west-2/public-${zone}`, "id")));
    expect(json.output?.trail_arn.value).toBe(referenceTo(json, "aws_cloudtrail", "audit-trail/trail", "arn"));
    expect(json.output?.alarm_topic_arn.value).toBe(referenceTo(json, "aws_sns_topic", "audit-trail/alarm-topic", "arn"));
    expect(json.output?.support_role_arn.value).toBe(referenceTo(json, "aws_iam_role", "identity/support-role", "arn"));
    const skip = synthStack({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "us-east-1,us-west-2,eu-central-1" });
    const ownerOnly = Object.entries(STACK_OUTPUTS).filter(([, spec]) => "ownerOnly" in spec).map(([name]) => name);
    expect(Object.keys(skip.output ?? {}).sort()).toEqual(Object.keys(STACK_OUTPUTS).filter((name) => !ownerOnly.includes(name)).sort());
  });

  describe("a fleet account's stack", () => {
    const fleet = loadConfig({}, { file: join(__dirname, "..", "..", "examples", "fleet.tap.config.json") });
    const prod = synthWithMetadata(new TapStack(Testing.app(), "prod-app", fleet.stacks.find((s) => s.stackName === "prod-app")!));

    test("every provider assumes the account's role and allows only that account", () => {
      expect(prod.provider?.aws.map((p) => [p.alias, p.assume_role, p.allowed_account_ids])).toEqual(
        ["us-east-1", "eu-west-1"].map((region) => [region, [{ role_arn: "arn:aws:iam::111111111111:role/TapDeploy", session_name: "cdktf-acme-prod-app" }], ["111111111111"]]),
      );
    });

    test("the account id is the fleet's, not asked of STS: no caller identity, bucket names known before plan", () => {
      expect(prod.data?.aws_caller_identity).toBeUndefined();
      expect(resourcesOf(prod, "aws_s3_bucket").map(([, b]) => b.bucket)).toContain("acme-prod-us-east-1-data-111111111111");
    });

    test("the HCP Terraform backend names one workspace per stack", () => {
      const dir = mkdtempSync(join(tmpdir(), "tap-hcp-"));
      writeFileSync(join(dir, "tap.config.json"), JSON.stringify({ ...JSON.parse(readFileSync(join(__dirname, "..", "..", "examples", "fleet.tap.config.json"), "utf8")), $schema: undefined, backend: { type: "hcp", organization: "acme", workspacePrefix: "tap-" } }));
      const hcp = loadConfig({}, { cwd: dir });
      const json = synthWithMetadata(new TapStack(Testing.app(), "dev-app", hcp.stacks.find((s) => s.stackName === "dev-app")!));
      expect(json.terraform?.cloud).toEqual({ organization: "acme", hostname: "app.terraform.io", workspaces: { name: "tap-dev-app" } });
      expect(json.terraform?.backend).toBeUndefined();
    });
  });
});
