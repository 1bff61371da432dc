/** Identity's settings (src/identity/identity-settings.ts): tags and the password policy's reuse prevention. */
import { MAX_USER_TAGS } from "../../src/identity/identity-settings";
import { stackOf } from "../settings-fixtures";

describe("loadConfig: defaults and variables", () => {
  test(`up to ${MAX_USER_TAGS} user tags are accepted, so tap's four stay within AWS's 50`, () => {
    const tags = Object.fromEntries(Array.from({ length: MAX_USER_TAGS }, (_, i) => [`Key${i}`, `v ${i} _.:/=+-@ é`]));
    expect(Object.keys(stackOf({ TAP_TAGS: JSON.stringify(tags) }).tags)).toHaveLength(46);
  });

  test("reuse prevention 24 needs no acceptance; the product default carries its own", () => {
    // The password policy's own acceptances (a default deployment also accepts Account.SecurityContact until a contact is set).
    const iam = (env: Record<string, string>) => stackOf(env).acceptedRisks.filter((risk) => risk.ruleId.startsWith("IAM."));
    expect(iam({ TAP_PASSWORD_REUSE_PREVENTION: "24" })).toEqual([]);
    expect(iam({}).map((risk) => risk.source)).toEqual(["tap (product default)"]);
  });
});
