import { Construct } from "constructs";
import { S3Backend, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { DefaultNetworkAcl } from "@cdktf/provider-aws/lib/default-network-acl";
import { EbsEncryptionByDefault } from "@cdktf/provider-aws/lib/ebs-encryption-by-default";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclRule } from "@cdktf/provider-aws/lib/network-acl-rule";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SecurityhubStandardsSubscription } from "@cdktf/provider-aws/lib/securityhub-standards-subscription";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { CIS_ALARMS } from "../../src/audit/cis-alarms";
import { auditStack, ComplianceReport, ComplianceValidation, describeUnknownSuppression, describeUnusedSuppression, isCompliant } from "../../src/compliance/audit";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";
import { suppressRule } from "../../src/compliance/suppressions";

type Build = (scope: Construct, provider: AwsProvider) => void;

/** Audits a stack holding only what `build` declares (plus a tagged provider). */
function audit(build: Build): ComplianceReport {
  const stack = new TerraformStack(Testing.app(), "rules");
  build(stack, new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: { Environment: "test" } }] }));
  return auditStack(stack, TAP_RULE_PACK);
}

const failuresOf = (report: ComplianceReport) => report.failures.map((f) => `${f.rule.id} ${f.element.path}`);
/** The rules about single resources; the account- and region-level ones fail on any stack without the guardrails. */
const RESOURCE_RULES = TAP_RULE_PACK.filter((rule) => !rule.appliesTo.some((type) => type === "stack" || type.startsWith("provider.")));
const resourceFailuresOf = (report: ComplianceReport) => report.failures.filter((f) => RESOURCE_RULES.includes(f.rule));
const trail = (scope: Construct, provider: AwsProvider, overrides: object = {}) =>
  new Cloudtrail(scope, "trail", { provider, name: "t", s3BucketName: "b", isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: "arn:aws:kms:us-east-1:1:key/x", tags: { Name: "t" }, ...overrides });
const bucket = (scope: Construct, provider: AwsProvider) => new S3Bucket(scope, "bucket", { provider, tags: { Name: "b" } });
const vpc = (scope: Construct, provider: AwsProvider, dnsHostnames = true) =>
  new Vpc(scope, "vpc", { provider, cidrBlock: "10.0.0.0/16", enableDnsHostnames: dnsHostnames, tags: { Name: "v" } });
const group = (scope: Construct, provider: AwsProvider) =>
  new SecurityGroup(scope, "group", { provider, vpcId: "vpc-1", description: "test group", tags: { Name: "g" } });
const document = (scope: Construct, provider: AwsProvider, statement: any[]) =>
  new DataAwsIamPolicyDocument(scope, "document", { provider, statement });
const passwordPolicy = (overrides: object) => (scope: Construct, provider: AwsProvider) =>
  new IamAccountPasswordPolicy(scope, "password", {
    provider,
    minimumPasswordLength: 14,
    requireLowercaseCharacters: true,
    requireUppercaseCharacters: true,
    requireNumbers: true,
    requireSymbols: true,
    maxPasswordAge: 90,
    passwordReusePrevention: 24,
    ...overrides,
  });
const worldIngress = (port: number, protocol = "tcp") => (scope: Construct, provider: AwsProvider) =>
  new VpcSecurityGroupIngressRule(scope, "ingress", {
    provider,
    securityGroupId: group(scope, provider).id,
    ipProtocol: protocol,
    fromPort: protocol === "-1" ? undefined : port,
    toPort: protocol === "-1" ? undefined : port,
    cidrIpv4: "0.0.0.0/0",
    description: "test",
    tags: { Name: "r" },
  });

/** One broken construct per rule, and the construct path the failure must name. */
const BROKEN: Record<string, [Build, string]> = {
  "S3.PublicAccessBlock": [
    (s, p) => new S3BucketPublicAccessBlock(s, "pab", { provider: p, bucket: bucket(s, p).id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: false }),
    "rules/bucket",
  ],
  "S3.KmsCustomerManagedKey": [
    (s, p) => new S3BucketServerSideEncryptionConfigurationA(s, "sse", { provider: p, bucket: bucket(s, p).id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
    "rules/bucket",
  ],
  "S3.TlsOnly": [
    (s, p) => new S3BucketPolicy(s, "policy", { provider: p, bucket: bucket(s, p).id, policy: document(s, p, [{ effect: "Allow", actions: ["s3:GetObject"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] }]).json }),
    "rules/bucket",
  ],
  "S3.MinimumTls12": [
    (s, p) => new S3BucketPolicy(s, "policy", { provider: p, bucket: bucket(s, p).id, policy: document(s, p, [{ effect: "Deny", actions: ["s3:*"], resources: ["*"], principals: [{ type: "*", identifiers: ["*"] }], condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.0"] }] }]).json }),
    "rules/bucket",
  ],
  "S3.Versioning": [(s, p) => new S3BucketVersioningA(s, "versioning", { provider: p, bucket: bucket(s, p).id, versioningConfiguration: { status: "Suspended" } }), "rules/bucket"],
  "S3.OwnershipEnforced": [(s, p) => new S3BucketOwnershipControls(s, "ownership", { provider: p, bucket: bucket(s, p).id, rule: { objectOwnership: "ObjectWriter" } }), "rules/bucket"],
  "S3.AbortIncompleteUploads": [
    (s, p) => new S3BucketLifecycleConfiguration(s, "lifecycle", { provider: p, bucket: bucket(s, p).id, rule: [{ id: "x", status: "Enabled", filter: [{}], expiration: [{ days: 30 }] }] }),
    "rules/bucket",
  ],
  "KMS.Rotation": [(s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: false, tags: { Name: "k" } }), "rules/key"],
  "KMS.KeyPolicy": [(s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: true, tags: { Name: "k" } }), "rules/key"],
  "KMS.NoUnconditionedWildcardPrincipal": [
    (s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: true, tags: { Name: "k" }, policy: document(s, p, [{ sid: "Open", actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }] }]).json }),
    "rules/key",
  ],
  "KMS.DeletionWindow": [(s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: true, deletionWindowInDays: 7, tags: { Name: "k" } }), "rules/key"],
  "Logs.KmsEncryption": [(s, p) => new CloudwatchLogGroup(s, "logs", { provider: p, retentionInDays: 365, tags: { Name: "l" } }), "rules/logs"],
  "Logs.Retention": [(s, p) => new CloudwatchLogGroup(s, "logs", { provider: p, retentionInDays: 30, kmsKeyId: "arn:aws:kms:us-east-1:1:key/x", tags: { Name: "l" } }), "rules/logs"],
  "VPC.FlowLogs": [(s, p) => vpc(s, p), "rules/vpc"],
  "VPC.DefaultSecurityGroupClosed": [(s, p) => new DefaultSecurityGroup(s, "default", { provider: p, vpcId: vpc(s, p).id, tags: { Name: "d" } }), "rules/vpc"],
  "VPC.NoPublicIpOnLaunch": [(s, p) => new Subnet(s, "subnet", { provider: p, vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true, tags: { Name: "s" } }), "rules/subnet"],
  "VPC.EndpointPrivateDnsNeedsVpcDns": [
    (s, p) => new VpcEndpoint(s, "endpoint", { provider: p, vpcId: vpc(s, p, false).id, serviceName: "com.amazonaws.us-east-1.execute-api", vpcEndpointType: "Interface", privateDnsEnabled: true, tags: { Name: "e" } }),
    "rules/endpoint",
  ],
  "EC2.NoWorldAdminIngress": [worldIngress(22), "rules/group"],
  "EC2.NoWorldAllPortsEgress": [
    (s, p) => new VpcSecurityGroupEgressRule(s, "egress", { provider: p, securityGroupId: group(s, p).id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "all out", tags: { Name: "r" } }),
    "rules/egress",
  ],
  "EC2.Descriptions": [(s, p) => new SecurityGroup(s, "group", { provider: p, vpcId: "vpc-1", tags: { Name: "g" } }), "rules/group"],
  "IAM.PasswordMinimumLength": [passwordPolicy({ minimumPasswordLength: 8 }), "rules/password"],
  "IAM.PasswordComplexity": [passwordPolicy({ requireSymbols: false }), "rules/password"],
  "IAM.PasswordMaxAge": [passwordPolicy({ maxPasswordAge: 365 }), "rules/password"],
  "IAM.PasswordReusePrevention": [passwordPolicy({ passwordReusePrevention: 5 }), "rules/password"],
  "IAM.NoAdminStatements": [(s, p) => document(s, p, [{ sid: "Admin", effect: "Allow", actions: ["*"], resources: ["*"] }]), "rules/document"],
  "IAM.TrustNamesServicePrincipal": [
    (s, p) => new IamRole(s, "role", { provider: p, tags: { Name: "r" }, assumeRolePolicy: document(s, p, [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] }]).json }),
    "rules/role",
  ],
  "S3.AccessLogging": [(s, p) => bucket(s, p), "rules/bucket"],
  "S3.AccessLogTarget": [
    (s, p) => {
      const target = new S3Bucket(s, "target", { provider: p, tags: { Name: "t" } });
      new S3BucketServerSideEncryptionConfigurationA(s, "target-sse", { provider: p, bucket: target.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] });
      new S3BucketLoggingA(s, "logging", { provider: p, bucket: bucket(s, p).id, targetBucket: target.id, targetPrefix: "s3/" });
    },
    "rules/target",
  ],
  "S3.EventNotifications": [(s, p) => new S3BucketNotification(s, "notification", { provider: p, bucket: bucket(s, p).id }), "rules/bucket"],
  "S3.CrossRegionReplication": [
    (s, p) =>
      new S3BucketReplicationConfigurationA(s, "replication", {
        provider: p,
        bucket: bucket(s, p).id,
        role: "arn:aws:iam::123456789012:role/r",
        rule: [{ id: "all", status: "Enabled", filter: { prefix: "" }, deleteMarkerReplication: { status: "Enabled" }, destination: { bucket: "arn:aws:s3:::elsewhere", encryptionConfiguration: { replicaKmsKeyId: "k" } }, sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } } }],
      }),
    "rules/bucket",
  ],
  "S3.AccountPublicAccessBlock": [(s, p) => new S3AccountPublicAccessBlock(s, "account-pab", { provider: p, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: false }), "rules"],
  "CloudTrail.MultiRegionTrail": [(s, p) => trail(s, p, { isMultiRegionTrail: false }), "rules"],
  "CloudTrail.LogFileValidation": [(s, p) => trail(s, p, { enableLogFileValidation: false }), "rules/trail"],
  "CloudTrail.KmsEncryption": [(s, p) => trail(s, p, { kmsKeyId: undefined }), "rules/trail"],
  "CloudTrail.CloudWatchLogs": [(s, p) => trail(s, p), "rules/trail"],
  "CloudTrail.S3DataEvents": [(s, p) => trail(s, p, { s3BucketName: "elsewhere", eventSelector: [{ readWriteType: "WriteOnly", dataResource: [{ type: "AWS::S3::Object", values: [`${bucket(s, p).arn}/`] }] }] }), "rules/bucket"],
  "Monitoring.CisMetricAlarms": [
    (s, p) => {
      const logs = new CloudwatchLogGroup(s, "trail-logs", { provider: p, retentionInDays: 365, kmsKeyId: "k", tags: { Name: "l" } });
      trail(s, p, { cloudWatchLogsGroupArn: `${logs.arn}:*`, cloudWatchLogsRoleArn: "arn:aws:iam::1:role/r" });
      new CloudwatchLogMetricFilter(s, "only-one", { provider: p, name: "f", logGroupName: logs.name, pattern: CIS_ALARMS[0].pattern, metricTransformation: { name: "m", namespace: "n", value: "1" } });
    },
    "rules",
  ],
  "SNS.KmsEncryption": [(s, p) => new SnsTopic(s, "topic", { provider: p, tags: { Name: "t" } }), "rules/topic"],
  "VPC.NetworkAclNoAdminFromAnywhere": [
    (s, p) =>
      new DefaultNetworkAcl(s, "default-acl", {
        provider: p,
        defaultNetworkAclId: vpc(s, p).defaultNetworkAclId,
        ingress: [{ ruleNo: 100, action: "allow", protocol: "-1", cidrBlock: "0.0.0.0/0", fromPort: 0, toPort: 0 }],
        tags: { Name: "d" },
      }),
    "rules/vpc",
  ],
  "EC2.EbsEncryptionByDefault": [(s, p) => new EbsEncryptionByDefault(s, "ebs", { provider: p, enabled: false }), "rules/provider aws"],
  "IAM.AccessAnalyzer": [(s, p) => vpc(s, p), "rules/provider aws"],
  "GuardDuty.Enabled": [(s, p) => new GuarddutyDetector(s, "detector", { provider: p, enable: false, tags: { Name: "g" } }), "rules/provider aws"],
  "SecurityHub.CisStandard": [
    (s, p) => {
      const hub = new SecurityhubAccount(s, "hub", { provider: p });
      new SecurityhubStandardsSubscription(s, "fsbp", { provider: p, standardsArn: "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0", dependsOn: [hub] });
    },
    "rules/provider aws",
  ],
  "Config.Recorder": [(s, p) => new ConfigConfigurationRecorder(s, "recorder", { provider: p, roleArn: "arn:aws:iam::1:role/c", recordingGroup: { allSupported: false, resourceTypes: ["AWS::S3::Bucket"] } }), "rules/provider aws"],
  "IAM.SupportRole": [(s, p) => new IamRolePolicyAttachment(s, "attachment", { provider: p, role: "elsewhere", policyArn: "arn:aws:iam::aws:policy/AWSSupportAccess" }), "rules"],
  "Account.OneOwnerPerSingleton": [
    (s, p) => {
      new EbsEncryptionByDefault(s, "ebs-a", { provider: p, enabled: true });
      new EbsEncryptionByDefault(s, "ebs-b", { provider: p, enabled: true });
    },
    "rules",
  ],
  "Tags.Required": [(s, p) => new Vpc(s, "untagged", { provider: p, cidrBlock: "10.0.0.0/16" }), "rules/untagged"],
  "Backend.Encryption": [(s) => new S3Backend(s as TerraformStack, { bucket: "b", key: "k", region: "us-east-1", useLockfile: true } as any), "rules"],
  "Backend.Locking": [(s) => new S3Backend(s as TerraformStack, { bucket: "b", key: "k", region: "us-east-1", encrypt: true }), "rules"],
};

describe("compliance rule pack", () => {
  test("every rule has an id, a description, a fix and a broken example below", () => {
    const ids = TAP_RULE_PACK.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(BROKEN).sort()).toEqual([...ids].sort());
    for (const rule of TAP_RULE_PACK) {
      expect(rule.info.length + rule.explanation.length + rule.fix.length).toBeGreaterThan(30);
    }
  });

  test.each(Object.entries(BROKEN))("%s fires on a construct that breaks it", (ruleId, [build, path]) => {
    expect(failuresOf(audit(build))).toContain(`${ruleId} ${path}`);
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

  test("rules that pass stay quiet: an inline role policy without admin rights", () => {
    const report = audit((s, p) => {
      const role = new IamRole(s, "role", { provider: p, tags: { Name: "r" }, assumeRolePolicy: document(s, p, [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }] }]).json });
      new IamRolePolicy(s, "inline", { provider: p, role: role.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }) });
    });
    expect(resourceFailuresOf(report)).toEqual([]);
  });

  describe("EC2.NoWorldAdminIngress judges a group's sources together", () => {
    const ingressOn = (s: Construct, p: AwsProvider, groupId: string, id: string, cidr: string, port = 22) =>
      new VpcSecurityGroupIngressRule(s, id, { provider: p, securityGroupId: groupId, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr, description: "admin", tags: { Name: "r" } });
    const adminFailures = (build: Build) => audit(build).failures.filter((f) => f.rule.id === "EC2.NoWorldAdminIngress").map((f) => [f.element.path, f.detail]);

    test("0.0.0.0/0 split into two rules is the world, and is reported on the group", () => {
      expect(adminFailures((s, p) => {
        const g = group(s, p);
        ingressOn(s, p, g.id, "low-half", "0.0.0.0/1");
        ingressOn(s, p, g.id, "high-half", "128.0.0.0/1");
      })).toEqual([["rules/group", 'port 22: "0.0.0.0/1" opens SSH to more than a /8']]);
    });

    test("two public /8s in separate rules are together too wide for RDP", () => {
      expect(adminFailures((s, p) => {
        const g = group(s, p);
        ingressOn(s, p, g.id, "a", "1.0.0.0/8", 3389);
        ingressOn(s, p, g.id, "b", "2.0.0.0/8", 3389);
      })).toEqual([["rules/group", 'port 3389: "1.0.0.0/8,2.0.0.0/8" together open RDP to 33,554,432 public addresses, more than a /8 (16,777,216)']]);
    });

    test("private ranges and a narrow public range pass; a rule on a group outside the stack is judged alone", () => {
      expect(adminFailures((s, p) => {
        const g = group(s, p);
        ingressOn(s, p, g.id, "corp", "10.0.0.0/8");
        ingressOn(s, p, g.id, "vpn", "192.0.2.0/24");
        ingressOn(s, p, "sg-0123456789abcdef0", "elsewhere", "0.0.0.0/0");
      })).toEqual([["rules/elsewhere", '"0.0.0.0/0" opens SSH to the whole internet'.replace(/^/, "port 22: ")]]);
    });
  });

  describe("IAM.TrustNamesServicePrincipal holds each service to what it documents", () => {
    const trustFailures = (service: string, condition?: object[]) =>
      audit((s, p) => new IamRole(s, "role", { provider: p, tags: { Name: "r" }, assumeRolePolicy: document(s, p, [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }], condition }]).json }))
        .failures.filter((f) => f.rule.id === "IAM.TrustNamesServicePrincipal")
        .map((f) => f.detail);
    const sourceAccount = [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }];

    test("a service that documents aws:SourceAccount must be held to it", () => {
      expect(trustFailures("vpc-flow-logs.amazonaws.com")).toEqual(["vpc-flow-logs.amazonaws.com documents aws:SourceAccount but the trust does not require it"]);
      expect(trustFailures("config.amazonaws.com", sourceAccount)).toEqual([]);
    });

    test("an exempt service passes unconditioned, and the rule says which are exempt and why", () => {
      expect(trustFailures("apigateway.amazonaws.com")).toEqual([]);
      const rule = TAP_RULE_PACK.find((r) => r.id === "IAM.TrustNamesServicePrincipal")!;
      expect(rule.explanation).toMatch(/Exempt, because .*apigateway\.amazonaws\.com \(UpdateAccount checks the CloudWatch role/);
    });

    test("a service in neither list fails until someone checks its documentation", () => {
      expect(trustFailures("ec2.amazonaws.com", sourceAccount)).toEqual(["ec2.amazonaws.com is in neither list of src/identity/service-trust.ts, so tap cannot tell whether it sends aws:SourceAccount"]);
    });
  });

  describe("IAM.TrustNamesServicePrincipal lets people in only as this account's principals with MFA", () => {
    const rootTrust = (identifier: string, condition?: object[], allowedAccountIds?: string[]) => {
      const stack = new TerraformStack(Testing.app(), "rules");
      const provider = new AwsProvider(stack, "aws", { region: "us-east-1", allowedAccountIds, defaultTags: [{ tags: { Environment: "test" } }] });
      const caller = new DataAwsCallerIdentity(stack, "caller", { provider });
      new IamRole(stack, "role", {
        provider,
        tags: { Name: "r" },
        assumeRolePolicy: document(stack, provider, [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: [identifier.replace("<caller>", caller.accountId)] }], condition }]).json,
      });
      return auditStack(stack, RESOURCE_RULES).failures.filter((f) => f.rule.id === "IAM.TrustNamesServicePrincipal").map((f) => f.detail);
    };
    const mfa = [{ test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] }];

    test("this account's root with MFA passes, from the caller identity or the account the provider is pinned to", () => {
      expect(rootTrust("arn:aws:iam::<caller>:root", mfa)).toEqual([]);
      expect(rootTrust("arn:aws:iam::210987654321:root", mfa, ["210987654321"])).toEqual([]);
    });

    test("without MFA, another account, or a named user, it fails", () => {
      expect(rootTrust("arn:aws:iam::<caller>:root")).toEqual([expect.stringContaining("without MFA")]);
      expect(rootTrust("arn:aws:iam::999999999999:root", mfa, ["210987654321"])).toEqual([expect.stringContaining("only this account's root")]);
      expect(rootTrust("arn:aws:iam::<caller>:user/alice", mfa)).toEqual([expect.stringContaining("only this account's root")]);
    });
  });

  describe("KMS.NoUnconditionedWildcardPrincipal wants the account named, not just any condition", () => {
    const wildcardFailures = (condition: object[]) =>
      resourceFailuresOf(
        audit((s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: true, tags: { Name: "k" }, policy: document(s, p, [{ sid: "Ebs", actions: ["kms:Decrypt"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }], condition }]).json })),
      ).map((f) => `${f.rule.id}: ${f.detail}`);

    test("kms:ViaService alone lets every account's EC2 calls through, so it fails; kms:CallerAccount passes", () => {
      expect(wildcardFailures([{ test: "StringEquals", variable: "kms:ViaService", values: ["ec2.us-east-1.amazonaws.com"] }])).toEqual([
        'KMS.NoUnconditionedWildcardPrincipal: statement Ebs allows "*" without holding it to one account',
      ]);
      expect(wildcardFailures([{ test: "StringEquals", variable: "kms:CallerAccount", values: ["123456789012"] }])).toEqual([]);
      expect(wildcardFailures([{ test: "StringNotEquals", variable: "kms:CallerAccount", values: ["123456789012"] }])).toHaveLength(1);
    });
  });

  describe("VPC.NetworkAclNoAdminFromAnywhere", () => {
    const aclFailures = (build: Build) => audit(build).failures.filter((f) => f.rule.id === "VPC.NetworkAclNoAdminFromAnywhere").map((f) => [f.element.path, f.detail]);

    test("a VPC whose default ACL is not managed keeps AWS's allow-all", () => {
      expect(aclFailures((s, p) => vpc(s, p))).toEqual([["rules/vpc", "the default network ACL is not managed, so AWS's allow-all entries stay"]]);
    });

    test("ranges that skip 22 and 3389 pass; a range over 3389 (TCP or UDP) fails, also in custom ACLs and single rules", () => {
      const entries = (ranges: [string, number, number][]) => ranges.map(([protocol, fromPort, toPort], i) => ({ ruleNo: 100 + i, action: "allow", protocol, cidrBlock: "0.0.0.0/0", fromPort, toPort }));
      const defaultAcl = (ranges: [string, number, number][]) => (s: Construct, p: AwsProvider) =>
        new DefaultNetworkAcl(s, "default-acl", { provider: p, defaultNetworkAclId: vpc(s, p).defaultNetworkAclId, ingress: entries(ranges), tags: { Name: "d" } });
      expect(aclFailures(defaultAcl([["6", 0, 21], ["6", 23, 3388], ["6", 3390, 65535], ["17", 23, 3388]]))).toEqual([]);
      expect(aclFailures(defaultAcl([["6", 23, 65535]]))).toEqual([["rules/vpc", expect.stringContaining("entry 100 allows RDP (3389) from 0.0.0.0/0")]]);
      expect(aclFailures(defaultAcl([["17", 0, 100]]))).toEqual([["rules/vpc", expect.stringContaining("entry 100 allows SSH (22)")]]);
      expect(aclFailures((s, p) => new NetworkAcl(s, "acl", { provider: p, vpcId: "vpc-1", ingress: entries([["tcp", 22, 22]]), tags: { Name: "a" } }))).toEqual([["rules/acl", "entry 100 allows SSH (22) from 0.0.0.0/0"]]);
      expect(
        aclFailures((s, p) => new NetworkAclRule(s, "rule", { provider: p, networkAclId: "acl-1", ruleNumber: 5, egress: false, protocol: "tcp", ruleAction: "allow", cidrBlock: "0.0.0.0/0", fromPort: 3389, toPort: 3389 })),
      ).toEqual([["rules/rule", "entry 5 allows RDP (3389) from 0.0.0.0/0"]]);
    });
  });

  describe("account and regional controls", () => {
    test("a region whose provider has no resources (a retiring region) needs none of them", () => {
      const report = audit(() => undefined);
      expect(report.failures.filter((f) => f.element.kind === "provider")).toEqual([]);
    });

    test("access-log targets are judged as log buckets: SSE-S3, written only by S3 logging of this account", () => {
      const failures = (statement: object) =>
        audit((s, p) => {
          const target = new S3Bucket(s, "target", { provider: p, tags: { Name: "t" } });
          new S3BucketServerSideEncryptionConfigurationA(s, "target-sse", { provider: p, bucket: target.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
          new S3BucketPolicy(s, "target-policy", { provider: p, bucket: target.id, policy: document(s, p, [statement]).json });
          new S3BucketLoggingA(s, "logging", { provider: p, bucket: bucket(s, p).id, targetBucket: target.id, targetPrefix: "s3/" });
        }).failures.filter((f) => f.element.path === "rules/target" && f.rule.id.startsWith("S3.Access")).map((f) => `${f.rule.id}: ${f.detail}`);
      const logging = { sid: "Logs", actions: ["s3:PutObject"], resources: ["*"], principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }] };
      expect(failures({ ...logging, condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }] })).toEqual([]);
      expect(failures(logging)).toEqual(["S3.AccessLogTarget: statement Logs has no aws:SourceAccount condition"]);
      expect(failures({ ...logging, principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] })).toEqual(["S3.AccessLogTarget: the policy does not grant logging.s3.amazonaws.com s3:PutObject"]);
    });
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
