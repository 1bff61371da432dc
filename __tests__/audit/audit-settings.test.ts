/** The audit trail's settings (src/audit/audit-settings.ts): the home region, log retention and the alarm address. */
import { load, problemsOf, stackOf } from "../settings-fixtures";

describe("audit settings", () => {
  test.each<[string, Record<string, string>, RegExp]>([
    ["a retention CloudWatch does not accept", { TAP_LOG_RETENTION_DAYS: "366" }, /^TAP_LOG_RETENTION_DAYS: 366 is not a retention CloudWatch Logs accepts; expected one of 0, 1, 3, .*, 3653$/],
    ["a retention written in hexadecimal", { TAP_LOG_RETENTION_DAYS: "0x16d" }, /^TAP_LOG_RETENTION_DAYS: "0x16d" is not a whole number written in decimal digits; expected one of 0, 1, /],
    ["a retention written with an exponent", { TAP_LOG_RETENTION_DAYS: "3.65e2" }, /^TAP_LOG_RETENTION_DAYS: "3.65e2" is not a whole number written in decimal digits/],
    ["a retention below 365 without an accepted risk", { TAP_LOG_RETENTION_DAYS: "30" }, /^TAP_LOG_RETENTION_DAYS: 30 is below the 365 days rule Logs.Retention requires .*; change it, or accept the risk with a reason: TAP_ACCEPT_RISKS="Logs.Retention=<why>"/],
    ["a home region that is not deployed", { TAP_HOME_REGION: "eu-west-1" }, /^TAP_HOME_REGION: "eu-west-1" is not one of TAP_REGIONS \(us-east-1, us-west-2, eu-central-1\): the home region holds the trail and the account-wide resources, so it must be deployed$/],
    ["an alarm address that is not an e-mail address", { TAP_ALARM_EMAIL: "secops" }, /^TAP_ALARM_EMAIL: "secops" is not allowed; expected an e-mail address$/],
    ["a findings severity Security Hub does not have", { TAP_FINDINGS_SEVERITY: "SEVERE" }, /^TAP_FINDINGS_SEVERITY: "SEVERE" is not a Security Hub severity label; expected one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL$/],
  ])("refuses %s, naming the setting, the value and what is allowed", (_name, env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  test.each<[Record<string, string>]>([
    [{ TAP_LOG_RETENTION_DAYS: "0" }],
    [{ TAP_LOG_RETENTION_DAYS: "3653" }],
  ])("accepts the boundary value %j", (env) => {
    expect(() => load(env)).not.toThrow();
  });

  test("the home region is the first of regions unless pinned, and a pinned one says where it was set", () => {
    expect(stackOf({ TAP_REGIONS: "eu-central-1,us-west-2" }).homeRegion).toEqual({ region: "eu-central-1", reason: "the first of regions; set homeRegion to keep it when regions are reordered" });
    expect(stackOf({ TAP_REGIONS: "eu-central-1,us-west-2", TAP_HOME_REGION: "us-west-2" }).homeRegion).toEqual({ region: "us-west-2", reason: "set by TAP_HOME_REGION" });
  });

  test("findings page from HIGH up by default; the threshold is a setting", () => {
    expect(stackOf({}).findingsSeverity).toBe("HIGH");
    expect(stackOf({ TAP_FINDINGS_SEVERITY: "MEDIUM" }).findingsSeverity).toBe("MEDIUM");
  });

  test("a retention below 365 days passes with the risk of Logs.Retention accepted", () => {
    expect(stackOf({ TAP_LOG_RETENTION_DAYS: "30", TAP_ACCEPT_RISKS: "Logs.Retention=debug logs are kept thirty days by policy" }).logRetentionDays).toBe(30);
  });
});
