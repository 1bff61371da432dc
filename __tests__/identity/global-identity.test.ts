import { collectSuppressions } from "../../src/compliance/suppressions";
import { GlobalIdentity, GlobalIdentityProps } from "../../src/identity/global-identity";
import { SOURCE_ACCOUNT_EXEMPT } from "../../src/identity/service-trust";
import { probe, probed, ACCOUNT_ID, dataReferenceTo, dataSourceAt, referenceTo, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

const FLOW_LOG_GROUPS = [
  { region: "us-east-1", name: "/aws/vpc/flow-logs/tap-dev-us-east-1-vpc" },
  { region: "eu-central-1", name: "/aws/vpc/flow-logs/tap-dev-eu-central-1-vpc" },
];
const baseProps: Omit<GlobalIdentityProps, "provider"> = {
  naming: { project: "tap", environment: "dev" },
  accountId: ACCOUNT_ID,
  partition: "aws",
};

/** Synthesizes a GlobalIdentity; by default two regions' networks grant themselves flow-log delivery, as TapStack's do. */
function synthIdentity(props: Partial<GlobalIdentityProps> = {}, use = (identity: GlobalIdentity) => FLOW_LOG_GROUPS.forEach(({ region, name }) => identity.grantFlowLogDelivery(region, name))): SynthJson {
  return synthConstruct("us-east-1", (scope, provider) => use(new GlobalIdentity(scope, "identity", { ...baseProps, ...props, provider })));
}

describe("GlobalIdentity", () => {
  const json = synthIdentity();

  test("matches the synth-scope snapshot", () => {
    expect(synthScopeOf("us-east-1", (scope, provider) => {
        const identity = new GlobalIdentity(scope, "identity", { ...baseProps, provider });
        FLOW_LOG_GROUPS.forEach(({ region, name }) => identity.grantFlowLogDelivery(region, name));
      })).toMatchSnapshot();
  });

  test("API Gateway can assume the CloudWatch role with the trust AWS documents for it: no condition key it may not send", () => {
    expect(resourceAt(json, "aws_iam_role", "identity/api-gateway-cloudwatch-role")).toMatchObject({
      name: "tap-dev-apigw-cloudwatch",
      assume_role_policy: dataReferenceTo(json, "aws_iam_policy_document", "identity/api-gateway-trust", "json"),
    });
    expect(dataSourceAt(json, "aws_iam_policy_document", "identity/api-gateway-trust").statement).toEqual([
      { sid: "TrustService", effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }] },
    ]);
    expect(Object.keys(SOURCE_ACCOUNT_EXEMPT)).toContain("apigateway.amazonaws.com");
  });

  test("the role gets the AWS managed push-to-CloudWatch policy with a partition-aware ARN", () => {
    const govcloud = synthIdentity({ partition: "aws-us-gov" });
    expect(resourceAt(govcloud, "aws_iam_role_policy_attachment", "identity/api-gateway-cloudwatch-policy")).toMatchObject({
      role: referenceTo(govcloud, "aws_iam_role", "identity/api-gateway-cloudwatch-role", "name"),
      policy_arn: "arn:aws-us-gov:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    });
  });

  test("only this account's flow logs, in this deployment's regions, may assume the flow-log role", () => {
    expect(dataSourceAt(json, "aws_iam_policy_document", "identity/flow-logs-trust").statement).toEqual([
      expect.objectContaining({
        principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] },
          { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*", "arn:aws:ec2:eu-central-1:123456789012:vpc-flow-log/*"] },
        ],
      }),
    ]);
  });

  test("the flow-log role may write to exactly this deployment's flow-log groups, not to other environments' (dev-2, dev-eu)", () => {
    expect(dataSourceAt(json, "aws_iam_policy_document", "identity/flow-logs-permissions").statement).toEqual([
      expect.objectContaining({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [
          "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs/tap-dev-us-east-1-vpc",
          "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs/tap-dev-us-east-1-vpc:log-stream:*",
          "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/vpc/flow-logs/tap-dev-eu-central-1-vpc",
          "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/vpc/flow-logs/tap-dev-eu-central-1-vpc:log-stream:*",
        ],
      }),
      expect.objectContaining({
        actions: ["logs:DescribeLogGroups"],
        resources: ["arn:aws:logs:us-east-1:123456789012:log-group:*", "arn:aws:logs:eu-central-1:123456789012:log-group:*"],
      }),
    ]);
    expect(resourceAt(json, "aws_iam_role_policy", "identity/flow-logs-role-policy").role).toBe(referenceTo(json, "aws_iam_role", "identity/flow-logs-role", "id"));
  });

  test("the password policy sets the baseline numbers with reuse prevention 5 by default, and can be protected from destroy", () => {
    expect(resourcesOf(json, "aws_iam_account_password_policy")).toHaveLength(1);
    expect(resourceAt(json, "aws_iam_account_password_policy", "identity/password-policy")).toMatchObject({
      minimum_password_length: 14,
      require_uppercase_characters: true,
      require_lowercase_characters: true,
      require_numbers: true,
      require_symbols: true,
      max_password_age: 90,
      password_reuse_prevention: 5,
      allow_users_to_change_password: true,
    });
    expect(resourceAt(json, "aws_iam_account_password_policy", "identity/password-policy").lifecycle).toBeUndefined();
    const protectedPolicy = resourceAt(synthIdentity({ protectAccountSettings: true }), "aws_iam_account_password_policy", "identity/password-policy");
    expect(protectedPolicy.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("a deployment that does not own the account's settings creates only the flow-log role", () => {
    const json = synthIdentity({ manageAccountSettings: false });
    expect(Object.keys(json.resource ?? {}).sort()).toEqual(["aws_iam_role", "aws_iam_role_policy"]);
    expect(resourcesOf(json, "aws_iam_role").map(([, role]) => role.name)).toEqual(["tap-dev-vpc-flow-logs"]);
  });

  test("the construct suppresses nothing itself: accepting a weak value is the configuration's decision", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new GlobalIdentity(stack, "identity", { ...baseProps, passwordReusePrevention: 5, provider: new AwsProvider(stack, "aws", { region: "us-east-1" }) });
    expect(collectSuppressions(stack)).toEqual([]);
    expect(resourceAt(synthIdentity({ passwordReusePrevention: 24 }), "aws_iam_account_password_policy", "identity/password-policy").password_reuse_prevention).toBe(24);
  });

  test.each([0, 25, 2.5])("refuses passwordReusePrevention %p with an error naming the prop", (value) => {
    expect(() => synthIdentity({ passwordReusePrevention: value })).toThrow(new RegExp(`'passwordReusePrevention' must be a whole number from 1 to 24\\. Received: ${value}`));
  });

  test("refuses names IAM would refuse", () => {
    expect(() => synthIdentity({ naming: { project: "tap", environment: "e".repeat(60) } })).toThrow(/the IAM role name "tap-e{60}-apigw-cloudwatch" is invalid \(81 characters; at most 64 allowed\)/);
  });

  test("an account without networks (flowLogDelivery false) gets no flow-log role, and asking for one fails naming the prop", () => {
    const json = synthIdentity({ flowLogDelivery: false }, () => {});
    expect(resourcesOf(json, "aws_iam_role").map(([, role]) => role.name)).toEqual(["tap-dev-apigw-cloudwatch", "tap-dev-support"]);
    expect(() => synthIdentity({ flowLogDelivery: false })).toThrow(/identity: 'flowLogDelivery' is false, so there is no flow-log role/);
  });

  test("the flow-log role's permissions exist only once a network has been granted delivery (IAM refuses an empty policy)", () => {
    const json = synthIdentity({}, () => {});
    expect(json.resource?.aws_iam_role_policy).toBeUndefined();
    // Until a network is granted, the trust names the account only (an empty source-ARN list would be refused).
    expect(dataSourceAt(json, "aws_iam_policy_document", "identity/flow-logs-trust").statement[0].condition).toEqual([{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] }]);
    const stack = synthConstruct("us-east-1", (scope, provider) => {
      const identity = new GlobalIdentity(scope, "identity", { ...baseProps, provider });
      probe(scope, "ready", identity.grantFlowLogDelivery("us-east-1", FLOW_LOG_GROUPS[0].name).fqn);
    });
    expect(resourcesOf(stack, "aws_iam_role_policy")).toHaveLength(1);
    expect(probed(stack, "ready")).toBe(referenceTo(stack, "aws_iam_role_policy", "identity/flow-logs-role-policy", "id").replace(/\.id\}$/, "}"));
  });

  test("points each region's API Gateway at the CloudWatch role once the role's policy is attached, and resets it on destroy", () => {
    const json = synthConstruct("us-east-1", (scope, provider) => {
      const identity = new GlobalIdentity(scope, "identity", { ...baseProps, provider });
      identity.enableApiGatewayLogging(provider);
      identity.enableApiGatewayLogging(new AwsProvider(scope, "aws-eu", { alias: "eu-central-1", region: "eu-central-1" }));
    });
    for (const region of ["us-east-1", "eu-central-1"]) {
      expect(resourceAt(json, "aws_api_gateway_account", `identity/api-gateway-account-${region}`)).toMatchObject({
        cloudwatch_role_arn: referenceTo(json, "aws_iam_role", "identity/api-gateway-cloudwatch-role", "arn"),
        reset_on_delete: true,
        provider: `aws.${region}`,
        depends_on: [expect.stringMatching(/^aws_iam_role_policy_attachment\.identity_api-gateway-cloudwatch-policy/)],
      });
    }
  });

  test("refuses to point API Gateway at a role it does not own (another deployment owns the account's settings)", () => {
    expect(() =>
      synthConstruct("us-east-1", (scope, provider) => new GlobalIdentity(scope, "identity", { ...baseProps, manageAccountSettings: false, provider }).enableApiGatewayLogging(provider)),
    ).toThrow(/identity: enableApiGatewayLogging needs 'manageAccountSettings'/);
    expect(() =>
      synthConstruct("us-east-1", (scope, provider) => new GlobalIdentity(scope, "identity", { ...baseProps, provider }).enableApiGatewayLogging(new AwsProvider(scope, "no-region", { alias: "none" }))),
    ).toThrow(/identity: enableApiGatewayLogging needs a provider with a literal region\. Received: undefined/);
  });

  test("the support role (CIS 1.17) carries AWSSupportAccess and is assumable only by this account's principals with MFA", () => {
    expect(resourceAt(json, "aws_iam_role", "identity/support-role").name).toBe("tap-dev-support");
    expect(resourceAt(json, "aws_iam_role_policy_attachment", "identity/support-policy")).toMatchObject({
      role: referenceTo(json, "aws_iam_role", "identity/support-role", "name"),
      policy_arn: "arn:aws:iam::aws:policy/AWSSupportAccess",
    });
    expect(dataSourceAt(json, "aws_iam_policy_document", "identity/support-trust").statement).toEqual([
      {
        sid: "AccountPrincipalsWithMfa",
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }],
        condition: [{ test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] }],
      },
    ]);
  });

});
