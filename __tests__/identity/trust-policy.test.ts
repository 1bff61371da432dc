import { serviceTrustStatements } from "../../src/identity/trust-policy";

describe("serviceTrustStatements", () => {
  test("a service that documents aws:SourceAccount is held to the account, unless the role's own documentation has no condition and says why", () => {
    expect(serviceTrustStatements("s/trust", "config.amazonaws.com", { accountId: "123456789012" })[0].condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
    ]);
    expect(() => serviceTrustStatements("s/trust", "config.amazonaws.com", undefined)).toThrow("s/trust: config.amazonaws.com documents aws:SourceAccount; its trust needs 'limit.accountId'");
    expect(serviceTrustStatements("s/trust", "config.amazonaws.com", undefined, "the aggregator role's documented trust")[0].condition).toBeUndefined();
  });

  test("'unconditioned' is refused where it means nothing: with a limit, or for a service that documents no condition", () => {
    const misuse = "s/trust: 'unconditioned' is for a service that documents aws:SourceAccount, without 'limit'";
    expect(() => serviceTrustStatements("s/trust", "config.amazonaws.com", { accountId: "123456789012" }, "why")).toThrow(misuse);
    expect(() => serviceTrustStatements("s/trust", "s3.amazonaws.com", undefined, "why")).toThrow(misuse);
  });
});
