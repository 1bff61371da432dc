/**
 * The Terraform tier for one configuration: synthesize, init, validate, plan and graph with
 * the real provider, then check that the plan holds what the code intends.
 */
import { loadConfig } from "../../src/config/load";
import type { StackConfig, TapConfig } from "../../src/config/model";
import { availabilityZonesFor } from "../../src/network/regions";
import { CIS_ALARMS } from "../../src/audit/cis-alarms";
import { intendedCounts } from "../intended-resources";
import { executeApiZoneIds } from "../../scripts/terraform/zones";
import { findProviderMirror, PlanJson, regionOfAddress, ResourceChange, TerraformWorkdir, terraformTierEnabled, TEST_ACCOUNT_ID } from "../../scripts/terraform/workdir";

/** Terraform-level work per configuration; generous for a cold 2-core machine. */
const TIER_TIMEOUT_MS = 180_000;

const regionOf = (address: string, config: StackConfig) => regionOfAddress(address, config.regions[0].region);

/** Defines the tier's tests for the configuration given by `env` (environment variables). */
export function describePlannedStack(title: string, env: Record<string, string>): void {
  const app: TapConfig = loadConfig(env, { file: null });
  const config = app.stacks[0];
  const enabled = terraformTierEnabled();
  (enabled ? describe : describe.skip)(`Terraform tier: ${title}`, () => {
    let workdir: TerraformWorkdir;
    let plan: PlanJson;
    let bindings: Map<string, string>;

    beforeAll(async () => {
      workdir = TerraformWorkdir.synthesize(app, findProviderMirror());
      await workdir.init();
      bindings = await workdir.validate();
      plan = await workdir.plan();
    }, TIER_TIMEOUT_MS);
    afterAll(() => workdir?.dispose());

    const changes = (type: string, mode: "managed" | "data" = "managed") =>
      plan.resource_changes.filter((c) => c.type === type && c.mode === mode);
    const inRegion = (change: ResourceChange) => regionOf(change.address, config);

    test("plans only creations, for the intended number of resources per region and type", () => {
      expect(plan.resource_changes.every((c) => ["create", "read"].includes(c.change.actions[0]))).toBe(true);
      for (const { region } of config.regions) {
        const counts: Record<string, number> = {};
        for (const change of plan.resource_changes.filter((c) => c.mode === "managed" && inRegion(c) === region)) {
          counts[change.type] = (counts[change.type] ?? 0) + 1;
        }
        expect({ region, counts }).toEqual({ region, counts: intendedCounts(config, region) });
      }
    });

    test("Terraform binds every resource and data source to the provider of its region", () => {
      const managed = plan.resource_changes.filter((c) => c.mode === "managed").map((c) => c.address);
      expect(managed.filter((address) => !bindings.has(address))).toEqual([]);
      const wrong = [...bindings]
        .map(([address, bound]) => ({ address, bound, intended: regionOf(address, config) }))
        .filter((b) => b.bound !== b.intended);
      expect(wrong).toEqual([]);
    });

    test("every resource carries the common tags, the user's tags and a Name", () => {
      const taggable = plan.resource_changes.filter((c) => c.mode === "managed" && c.change.after && "tags_all" in c.change.after);
      expect(taggable.length).toBeGreaterThan(0);
      for (const change of taggable) {
        expect({ address: change.address, tags: change.change.after.tags_all }).toEqual({
          address: change.address,
          tags: {
            ...config.tags,
            Environment: config.environment,
            Project: config.project,
            ManagedBy: "cdktf",
            Name: expect.stringMatching(new RegExp(`^${config.project}-${config.environment}-`)),
          },
        });
      }
    });

    test("KMS keys rotate, keep a 30-day deletion window and let this region's CloudWatch Logs use them for exactly this deployment's log groups", () => {
      expect(changes("aws_kms_key").every((key) => key.change.after.enable_key_rotation === true && key.change.after.deletion_window_in_days === 30)).toBe(true);
      for (const key of changes("aws_kms_key").filter((c) => c.address.includes(".storage-"))) {
        const region = inRegion(key);
        expect(key.change.after).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
        const policy = JSON.parse(key.change.after.policy);
        const prefix = `${config.project}-${config.environment}-${region}`;
        expect(policy.Statement).toContainEqual(
          expect.objectContaining({
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Condition: {
              ArnEquals: {
                "kms:EncryptionContext:aws:logs:arn": [
                  `arn:aws:logs:${region}:${TEST_ACCOUNT_ID}:log-group:/aws/apigateway/${prefix}-access`,
                  `arn:aws:logs:${region}:${TEST_ACCOUNT_ID}:log-group:/aws/vpc/flow-logs/${prefix}-vpc`,
                ],
              },
            },
          }),
        );
        expect(policy.Statement).toContainEqual(expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` } }));
        expect(key.change.after.lifecycle).toBeUndefined();
      }
    });

    test("buckets are named per account and region, block public access, use SSE-KMS (log targets SSE-S3), version, and keep data in production", () => {
      const production = config.protectData.enabled;
      const prefix = `${config.project}-${config.environment}`;
      expect(changes("aws_s3_bucket").map((bucket) => bucket.change.after.bucket).sort()).toEqual(
        [
          ...config.regions.flatMap(({ region }) => [`${prefix}-${region}-data-${TEST_ACCOUNT_ID}`, `${prefix}-${region}-logs-${TEST_ACCOUNT_ID}`]),
          ...(config.manageAccountSettings ? [`${prefix}-cloudtrail-${TEST_ACCOUNT_ID}`] : []),
        ].sort(),
      );
      for (const bucket of changes("aws_s3_bucket")) expect(bucket.change.after.force_destroy).toBe(!production);
      for (const block of changes("aws_s3_bucket_public_access_block")) {
        expect(block.change.after).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
      }
      for (const encryption of changes("aws_s3_bucket_server_side_encryption_configuration")) {
        if (encryption.address.includes("_access-logs_")) {
          expect(encryption.change.after.rule).toEqual([expect.objectContaining({ apply_server_side_encryption_by_default: [{ sse_algorithm: "AES256", kms_master_key_id: "" }] })]);
          continue;
        }
        expect(encryption.change.after.rule).toEqual([expect.objectContaining({ bucket_key_enabled: true, apply_server_side_encryption_by_default: [{ sse_algorithm: "aws:kms" }] })]);
        expect(encryption.change.after_unknown.rule[0].apply_server_side_encryption_by_default[0].kms_master_key_id).toBe(true);
      }
      expect(changes("aws_s3_bucket_notification").map((n) => n.change.after.eventbridge)).toEqual(changes("aws_s3_bucket").map(() => true));
      // Every bucket but the access-log targets logs its requests to its region's access-log bucket.
      expect(changes("aws_s3_bucket_logging")).toHaveLength(changes("aws_s3_bucket").length - config.regions.length);
      for (const versioning of changes("aws_s3_bucket_versioning")) {
        expect(versioning.change.after.versioning_configuration).toEqual([expect.objectContaining({ status: "Enabled" })]);
      }
      for (const ownership of changes("aws_s3_bucket_ownership_controls")) {
        expect(ownership.change.after.rule).toEqual([{ object_ownership: "BucketOwnerEnforced" }]);
      }
    });

    test("bucket policies deny plain HTTP and TLS below 1.2; access-log buckets let only S3 logging of this account write", () => {
      const documents = changes("aws_iam_policy_document", "data").filter((c) => /_(data|access-logs|bucket)_policy-document_/.test(c.name));
      expect(documents).toHaveLength(changes("aws_s3_bucket").length);
      for (const document of documents) {
        const conditions = document.change.after.statement.slice(0, 2).map((s: any) => [s.effect, s.condition[0].test, s.condition[0].variable, s.condition[0].values]);
        expect(conditions).toEqual([
          ["Deny", "Bool", "aws:SecureTransport", ["false"]],
          ["Deny", "NumericLessThan", "s3:TlsVersion", ["1.2"]],
        ]);
      }
      for (const document of documents.filter((c) => c.name.includes("_access-logs_"))) {
        const grant = document.change.after.statement[2];
        expect(grant).toMatchObject({ principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }], actions: ["s3:PutObject"] });
        expect(grant.condition).toContainEqual(expect.objectContaining({ variable: "aws:SourceAccount", values: [TEST_ACCOUNT_ID] }));
      }
    });

    test("log groups keep the configured retention and are KMS-encrypted", () => {
      const groups = changes("aws_cloudwatch_log_group");
      expect(groups).toHaveLength(2 * config.regions.length + (config.manageAccountSettings ? 1 : 0));
      for (const group of groups) {
        expect(group.change.after.retention_in_days).toBe(config.logRetentionDays);
        expect(group.change.after_unknown.kms_key_id).toBe(true);
      }
    });

    test("networks: DNS on, no public IPs on launch, empty default security group, SSH only from the allowed sources", () => {
      for (const vpc of changes("aws_vpc")) {
        expect(vpc.change.after).toMatchObject({
          enable_dns_support: true,
          enable_dns_hostnames: true,
          cidr_block: config.regions.find((r) => r.region === inRegion(vpc))!.vpcCidr,
        });
      }
      expect(changes("aws_subnet").every((s) => s.change.after.map_public_ip_on_launch === false)).toBe(true);
      for (const group of changes("aws_default_security_group")) {
        expect(group.change.after).toMatchObject({ ingress: [], egress: [] });
      }
      const ssh = changes("aws_vpc_security_group_ingress_rule").filter((r) => r.change.after.from_port === 22);
      for (const rule of ssh) {
        const vpcCidr = config.regions.find((r) => r.region === inRegion(rule))!.vpcCidr;
        expect(config.allowedSshCidrs ?? [vpcCidr]).toContain(rule.change.after.cidr_ipv4);
      }
      for (const endpoint of changes("aws_vpc_endpoint")) {
        expect(endpoint.change.after).toMatchObject({
          service_name: `com.amazonaws.${inRegion(endpoint)}.execute-api`,
          vpc_endpoint_type: "Interface",
          private_dns_enabled: config.endpointPrivateDns,
        });
      }
    });

    test("role trusts follow what each service documents: API Gateway unconditioned, flow logs held to this account and its regions", () => {
      const trustOf = (name: string) => JSON.parse(changes("aws_iam_role").find((role) => role.change.after.name === name)!.change.after.assume_role_policy).Statement;
      const prefix = `${config.project}-${config.environment}`;
      expect(trustOf(`${prefix}-apigw-cloudwatch`)).toEqual([
        { Sid: "TrustService", Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "apigateway.amazonaws.com" } },
      ]);
      const sourceArns = config.regions.map(({ region }) => `arn:aws:ec2:${region}:${TEST_ACCOUNT_ID}:vpc-flow-log/*`);
      expect(trustOf(`${prefix}-vpc-flow-logs`)).toEqual([
        {
          Sid: "TrustService",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Condition: { StringEquals: { "aws:SourceAccount": TEST_ACCOUNT_ID }, ArnLike: { "aws:SourceArn": sourceArns.length === 1 ? sourceArns[0] : sourceArns } },
        },
      ]);
    });

    test("the flow-log role writes to exactly this deployment's flow-log groups", () => {
      const policy = changes("aws_iam_role_policy").find((c) => c.change.after.name === "deliver-flow-logs")!;
      const deliver = JSON.parse(policy.change.after.policy).Statement.find((statement: any) => statement.Sid === "DeliverFlowLogs");
      expect([deliver.Resource].flat().sort()).toEqual(
        config.regions
          .flatMap(({ region }) => {
            const arn = `arn:aws:logs:${region}:${TEST_ACCOUNT_ID}:log-group:/aws/vpc/flow-logs/${config.project}-${config.environment}-${region}-vpc`;
            return [arn, `${arn}:log-stream:*`];
          })
          .sort(),
      );
    });

    test("each execute-api endpoint goes only to chosen zones that offer the service, and API Gateway settings reset on destroy", () => {
      const endpointZones = plan.output_changes.execute_api_endpoint_zone_ids.after as Record<string, string[]>;
      for (const { region } of config.regions) {
        const chosen = availabilityZonesFor(region, config.availabilityZoneCount);
        expect({ region, zones: endpointZones[region] }).toEqual({ region, zones: chosen.filter((zone) => executeApiZoneIds(region).includes(zone)) });
      }
      for (const account of changes("aws_api_gateway_account")) expect(account.change.after.reset_on_delete).toBe(true);
    });

    test("each VPC's default network ACL admits neither SSH nor RDP from anywhere (CIS 5.1)", () => {
      const acls = changes("aws_default_network_acl");
      expect(acls).toHaveLength(config.regions.length);
      for (const acl of acls) {
        for (const entry of acl.change.after.ingress.filter((e: any) => e.cidr_block === "0.0.0.0/0")) {
          expect(entry.protocol).not.toBe("-1");
          for (const port of [22, 3389]) expect({ entry, covers: entry.from_port <= port && port <= entry.to_port }).toEqual({ entry, covers: false });
        }
      }
    });

    test("each region's data bucket replicates to the next region's, with KMS-encrypted replicas and deletes kept in their region", () => {
      const configs = changes("aws_s3_bucket_replication_configuration");
      expect(configs.map(inRegion).sort()).toEqual(config.replication ? config.regions.map(({ region }) => region).sort() : []);
      for (const replication of configs) {
        expect(replication.change.after.rule).toEqual([
          expect.objectContaining({ status: "Enabled", delete_marker_replication: [{ status: "Disabled" }], source_selection_criteria: [expect.objectContaining({ sse_kms_encrypted_objects: [{ status: "Enabled" }] })] }),
        ]);
      }
    });

    test("the account's trail records every region with validation, its own key and CloudWatch Logs; 15 CIS alarms notify an encrypted topic", () => {
      if (!config.manageAccountSettings) {
        expect(changes("aws_cloudtrail")).toEqual([]);
        return;
      }
      const [trail] = changes("aws_cloudtrail");
      expect(inRegion(trail)).toBe(config.regions[0].region);
      expect(trail.change.after).toMatchObject({ name: `${config.project}-${config.environment}-trail`, is_multi_region_trail: true, include_global_service_events: true, enable_log_file_validation: true, enable_logging: true });
      expect(trail.change.after_unknown).toMatchObject({ kms_key_id: true, cloud_watch_logs_group_arn: true, cloud_watch_logs_role_arn: true });
      expect(trail.change.after.event_selector[0].data_resource[0].type).toBe("AWS::S3::Object");
      expect(changes("aws_cloudwatch_log_metric_filter").map((f) => f.change.after.pattern).sort()).toEqual(CIS_ALARMS.map((alarm) => alarm.pattern).sort());
      expect(changes("aws_cloudwatch_metric_alarm").map((a) => a.change.after.alarm_name).sort()).toEqual(CIS_ALARMS.map((alarm) => `${config.project}-${config.environment}-cis-${alarm.cis}-${alarm.name}`).sort());
      expect(changes("aws_sns_topic").map((t) => t.change.after_unknown.kms_master_key_id)).toEqual([true]);
      expect(changes("aws_sns_topic_subscription").map((s) => s.change.after.endpoint)).toEqual(config.guardrails.alarmEmail ? [config.guardrails.alarmEmail] : []);
    });

    test("account guardrails: account-wide S3 block, the support role with MFA; per region EBS default encryption with the region's key, Access Analyzer, GuardDuty, Security Hub CIS v3.0.0, AWS Config", () => {
      const perRegion = (type: string) => changes(type).map(inRegion).sort();
      const everyRegion = config.manageAccountSettings ? config.regions.map(({ region }) => region).sort() : [];
      const { guardDuty, securityHub, awsConfig } = config.guardrails;
      expect(changes("aws_s3_account_public_access_block").map((c) => c.change.after)).toEqual(
        config.manageAccountSettings ? [expect.objectContaining({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true })] : [],
      );
      expect(perRegion("aws_ebs_encryption_by_default")).toEqual(everyRegion);
      expect(perRegion("aws_ebs_default_kms_key")).toEqual(everyRegion);
      expect(perRegion("aws_accessanalyzer_analyzer")).toEqual(everyRegion);
      expect(perRegion("aws_guardduty_detector")).toEqual(guardDuty ? everyRegion : []);
      expect(changes("aws_securityhub_standards_subscription").map((c) => [inRegion(c), c.change.after.standards_arn]).sort()).toEqual(
        (securityHub ? everyRegion : []).map((region) => [region, `arn:aws:securityhub:${region}::standards/cis-aws-foundations-benchmark/v/3.0.0`]),
      );
      const recorders = changes("aws_config_configuration_recorder");
      expect(recorders.map(inRegion).sort()).toEqual(awsConfig ? everyRegion : []);
      for (const recorder of recorders) {
        expect(recorder.change.after.recording_group).toEqual([expect.objectContaining({ all_supported: true, include_global_resource_types: inRegion(recorder) === config.regions[0].region })]);
      }
      if (config.manageAccountSettings) {
        const support = changes("aws_iam_role").find((role) => role.change.after.name === `${config.project}-${config.environment}-support`)!;
        expect(JSON.parse(support.change.after.assume_role_policy).Statement[0]).toMatchObject({
          Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` },
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
        });
      }
    });

    test("the account password policy holds the baseline numbers", () => {
      expect(changes("aws_iam_account_password_policy").map((c) => c.change.after)).toEqual([
        expect.objectContaining({
          minimum_password_length: 14,
          require_uppercase_characters: true,
          require_lowercase_characters: true,
          require_numbers: true,
          require_symbols: true,
          max_password_age: 90,
          password_reuse_prevention: config.passwordReusePrevention,
          allow_users_to_change_password: true,
        }),
      ]);
    });
  });
}
