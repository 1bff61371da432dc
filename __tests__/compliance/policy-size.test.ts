import { REFERENCE_WORST_CASE_LENGTHS } from "../../src/aws/limits";
import { policySizeOutcome, worstCasePolicySize } from "../../src/compliance/policy-size";
import { PolicyStatement } from "../../src/compliance/rule";

const statement = (resources: string[], extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ effect: "Allow", actions: ["kms:Decrypt"], resources, principals: [], conditions: [], ...extra });

describe("worst-case policy size", () => {
  test("counts the policy as AWS does, without white space, one value as a string", () => {
    const json = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:123456789012:key/k" }] });
    expect(worstCasePolicySize([statement(["arn:aws:kms:us-east-1:123456789012:key/k"])])).toEqual({ size: json.length, unbounded: [] });
  });

  test("a reference counts at the longest value it can take", () => {
    const literal = worstCasePolicySize([statement(["K"])]).size;
    expect(worstCasePolicySize([statement(["${aws_kms_key.storage_key_0A1B2C3D.arn}"])]).size).toBe(literal - 1 + REFERENCE_WORST_CASE_LENGTHS["aws_kms_key.arn"]);
    expect(worstCasePolicySize([statement(["arn:${data.aws_partition.partition.partition}:s3:::b"])]).size).toBe(
      worstCasePolicySize([statement(["arn::s3:::b"])]).size + REFERENCE_WORST_CASE_LENGTHS["data.aws_partition.partition"],
    );
  });

  test("conditions group by operator, principals by type", () => {
    const withConditions = statement(["*"], {
      principals: [{ type: "Service", identifiers: ["logs.amazonaws.com"] }],
      conditions: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
        { test: "StringEquals", variable: "kms:CallerAccount", values: ["123456789012"] },
      ],
    });
    const json = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Principal: { Service: "logs.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": "123456789012", "kms:CallerAccount": "123456789012" } } }],
    });
    expect(worstCasePolicySize([withConditions]).size).toBe(json.length);
  });

  test("over the limit fails naming both numbers; a reference it cannot bound is reported, never a silent pass", () => {
    expect(policySizeOutcome([[statement(["x".repeat(100)])]], 50, "the policy")).toEqual({ status: "fail", detail: expect.stringMatching(/^the policy can reach 1\d\d characters, over AWS's 50$/) });
    expect(policySizeOutcome([[statement(["${aws_unknown_thing.x.attr}"])]], 10_000, "the policy")).toEqual({ status: "unknown", detail: expect.stringContaining("${aws_unknown_thing.x.attr}") });
    expect(policySizeOutcome([[statement(["a"])], [statement(["b"])]], 10_000, "the policies")).toEqual({ status: "pass" });
  });
});
