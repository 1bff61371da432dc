/**
 * The Terraform tier for one configuration: synthesize, init, validate, plan and graph with
 * the real provider, then check that the plan holds what the code intends.
 */
import { loadConfig } from "../../src/config/load";
import type { StackConfig, TapConfig } from "../../src/config/model";
import { availabilityZonesFor } from "../../src/aws/regions";
import { intendedCounts } from "../intended-resources";
import { executeApiZoneIds } from "./zones";
import { findProviderMirror, PlanJson, ResourceChange, TerraformWorkdir, terraformTierEnabled, TEST_ACCOUNT_ID } from "./harness";

/** Terraform-level work per configuration; generous for a cold 2-core machine. */
const TIER_TIMEOUT_MS = 180_000;

/** Region of a resource from its logical id; account-wide resources live on the first region. */
function regionOf(address: string, config: StackConfig): string {
  const match = /^(?:data\.)?[\w]+\.(?:network|storage)-([a-z0-9-]+?)_/.exec(address);
  return match ? match[1] : config.regions[0].region;
}

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
      for (const key of changes("aws_kms_key")) {
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

    test("buckets are named per account and region, block public access, use SSE-KMS, version, and keep data in production", () => {
      const production = config.protectData.enabled;
      for (const bucket of changes("aws_s3_bucket")) {
        expect(bucket.change.after).toMatchObject({
          bucket: `${config.project}-${config.environment}-${inRegion(bucket)}-data-${TEST_ACCOUNT_ID}`,
          force_destroy: !production,
        });
      }
      for (const block of changes("aws_s3_bucket_public_access_block")) {
        expect(block.change.after).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
      }
      for (const encryption of changes("aws_s3_bucket_server_side_encryption_configuration")) {
        expect(encryption.change.after.rule).toEqual([expect.objectContaining({ bucket_key_enabled: true, apply_server_side_encryption_by_default: [{ sse_algorithm: "aws:kms" }] })]);
        expect(encryption.change.after_unknown.rule[0].apply_server_side_encryption_by_default[0].kms_master_key_id).toBe(true);
      }
      for (const versioning of changes("aws_s3_bucket_versioning")) {
        expect(versioning.change.after.versioning_configuration).toEqual([expect.objectContaining({ status: "Enabled" })]);
      }
      for (const ownership of changes("aws_s3_bucket_ownership_controls")) {
        expect(ownership.change.after.rule).toEqual([{ object_ownership: "BucketOwnerEnforced" }]);
      }
    });

    test("bucket policies deny plain HTTP and TLS below 1.2", () => {
      const documents = changes("aws_iam_policy_document", "data").filter((c) => c.name.includes("_bucket-policy-document_"));
      expect(documents).toHaveLength(config.regions.length);
      for (const document of documents) {
        const conditions = document.change.after.statement.map((s: any) => [s.effect, s.condition[0].test, s.condition[0].variable, s.condition[0].values]);
        expect(conditions).toEqual([
          ["Deny", "Bool", "aws:SecureTransport", ["false"]],
          ["Deny", "NumericLessThan", "s3:TlsVersion", ["1.2"]],
        ]);
      }
    });

    test("log groups keep the configured retention and are KMS-encrypted", () => {
      const groups = changes("aws_cloudwatch_log_group");
      expect(groups).toHaveLength(2 * config.regions.length);
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
      const [policy] = changes("aws_iam_role_policy");
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
      for (const { region } of config.regions) {
        const chosen = availabilityZonesFor(region, config.availabilityZoneCount);
        const network = plan.output_changes[`${region}_network`].after as { execute_api_endpoint_zone_ids: string[] };
        expect({ region, zones: network.execute_api_endpoint_zone_ids }).toEqual({ region, zones: chosen.filter((zone) => executeApiZoneIds(region).includes(zone)) });
      }
      for (const account of changes("aws_api_gateway_account")) expect(account.change.after.reset_on_delete).toBe(true);
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
