import { TEST_ACCOUNT_ID } from "../../scripts/terraform/workdir";
import type { PlannedStack } from "../terraform/planned-stack";

/** The Terraform tier's checks of the identity concern in a real plan (see describePlannedStack). */
export function describePlannedIdentity(stack: PlannedStack): void {
  const { config, changes } = stack;
  describe("identity: role trusts, flow-log delivery, API Gateway settings, password policy, support role", () => {
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

    test("the owner's support role (CIS 1.17) is assumable by this account's root with MFA only; other deployments have none", () => {
      const support = changes("aws_iam_role").filter((role) => role.change.after.name === `${config.project}-${config.environment}-support`);
      expect(support.map((role) => JSON.parse(role.change.after.assume_role_policy).Statement[0])).toEqual(
        config.manageAccountSettings
          ? [expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` }, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })]
          : [],
      );
    });
  });
}
