import { collectSuppressions } from "../../src/compliance/suppressions";
import { GlobalIdentity, GlobalIdentityProps } from "../../src/constructs/global-identity";
import { ACCOUNT_ID, dataReferenceTo, dataSourceAt, referenceTo, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

const baseProps: Omit<GlobalIdentityProps, "provider"> = {
  naming: { project: "tap", environment: "dev" },
  accountId: ACCOUNT_ID,
  partition: "aws",
};

function synthIdentity(props: Partial<GlobalIdentityProps> = {}): SynthJson {
  return synthConstruct("us-east-1", (scope, provider) => new GlobalIdentity(scope, "identity", { ...baseProps, ...props, provider }));
}

describe("GlobalIdentity", () => {
  const json = synthIdentity();

  test("matches the synth-scope snapshot", () => {
    expect(synthScopeOf("us-east-1", (scope, provider) => new GlobalIdentity(scope, "identity", { ...baseProps, provider }))).toMatchSnapshot();
  });

  test("API Gateway, and only from this account, can assume the CloudWatch role", () => {
    expect(resourceAt(json, "aws_iam_role", "identity/api-gateway-cloudwatch-role")).toMatchObject({
      name: "tap-dev-apigw-cloudwatch",
      assume_role_policy: dataReferenceTo(json, "aws_iam_policy_document", "identity/api-gateway-trust", "json"),
    });
    expect(dataSourceAt(json, "aws_iam_policy_document", "identity/api-gateway-trust").statement).toEqual([
      expect.objectContaining({
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] }],
      }),
    ]);
  });

  test("the role gets the AWS managed push-to-CloudWatch policy with a partition-aware ARN", () => {
    const govcloud = synthIdentity({ partition: "aws-us-gov" });
    expect(resourceAt(govcloud, "aws_iam_role_policy_attachment", "identity/api-gateway-cloudwatch-policy")).toMatchObject({
      role: referenceTo(govcloud, "aws_iam_role", "identity/api-gateway-cloudwatch-role", "name"),
      policy_arn: "arn:aws-us-gov:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    });
  });

  test("the flow-log role is trusted by VPC flow logs and may write only to this deployment's flow-log groups", () => {
    expect(dataSourceAt(json, "aws_iam_policy_document", "identity/flow-logs-trust").statement[0].principals).toEqual([
      { type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] },
    ]);
    expect(dataSourceAt(json, "aws_iam_policy_document", "identity/flow-logs-permissions").statement).toEqual([
      expect.objectContaining({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [
          "arn:aws:logs:*:123456789012:log-group:/aws/vpc/flow-logs/tap-dev-*",
          "arn:aws:logs:*:123456789012:log-group:/aws/vpc/flow-logs/tap-dev-*:log-stream:*",
        ],
      }),
      expect.objectContaining({ actions: ["logs:DescribeLogGroups"], resources: ["arn:aws:logs:*:123456789012:log-group:*"] }),
    ]);
  });

  test("the password policy sets the baseline numbers with reuse prevention 5 by default", () => {
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
  });

  test("the construct suppresses nothing itself: accepting a weak value is the configuration's decision", () => {
    const build = (passwordReusePrevention: number) => {
      const stack = new TerraformStack(Testing.app(), "test");
      new GlobalIdentity(stack, "identity", { ...baseProps, passwordReusePrevention, provider: new AwsProvider(stack, "aws", { region: "us-east-1" }) });
      return collectSuppressions(stack);
    };
    expect(build(5)).toEqual([]);
    expect(resourceAt(synthIdentity({ passwordReusePrevention: 24 }), "aws_iam_account_password_policy", "identity/password-policy").password_reuse_prevention).toBe(24);
  });

  test.each([0, 25, 2.5])("refuses passwordReusePrevention %p with an error naming the prop", (value) => {
    expect(() => synthIdentity({ passwordReusePrevention: value })).toThrow(
      new RegExp(`'passwordReusePrevention' must be a whole number from 1 to 24\\. Received: ${value}`),
    );
  });
});
