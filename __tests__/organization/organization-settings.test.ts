import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ConfigError, ORGANIZATION_MANAGED_SINGLETONS } from "../../src/config/load";
import { loadConfig } from "../../src/app/load-config";
import { describeStacks } from "../../src/app/summary";
import { projectRoot } from "../../scripts/terraform/emulator";

const EXAMPLE = join(projectRoot(), "examples", "organization.tap.config.json");
const example = () => JSON.parse(readFileSync(EXAMPLE, "utf8"));

/** Loads the example changed by `edit`, from a file of its own. */
function loadEdited(edit: (json: any) => void, env: Record<string, string> = {}) {
  const json = example();
  delete json.$schema;
  edit(json);
  const file = join(mkdtempSync(join(tmpdir(), "tap-org-config-")), "tap.config.json");
  writeFileSync(file, JSON.stringify(json, null, 2));
  return loadConfig(env, { file });
}

/** The problems a configuration is refused with. */
function problemsOf(edit: (json: any) => void): string[] {
  try {
    loadEdited(edit);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("the configuration was accepted");
}

describe("organization configuration", () => {
  test("the example: three role stacks around six members, whose services the organization runs", () => {
    const config = loadConfig({}, { file: EXAMPLE });
    const organization = config.organization!;
    expect([organization.management.stackName, organization.security.name, organization.logArchive.name]).toEqual(["management", "security", "log-archive"]);
    expect(organization.management.backend).toMatchObject({ type: "s3", key: "tap/management/terraform.tfstate" });
    expect(organization.allowedRegions).toEqual(["eu-central-1", "eu-west-1"]);
    expect(organization.deploymentRoleArns).toEqual(["arn:aws:iam::*:role/TapDeploy"]);
    expect(organization.memberStacks).toEqual(config.stacks.map((stack) => stack.stackName));
    for (const stack of config.stacks) {
      for (const key of ORGANIZATION_MANAGED_SINGLETONS) expect({ stack: stack.stackName, key, mode: stack.singletons[key] }).toEqual({ stack: stack.stackName, key, mode: "external" });
      expect(stack.singletons.awsConfig).toBe("create");
      expect(stack.configDelivery).toEqual({ bucketName: "acme-org-cloudtrail-100000000003", keyPrefix: "config" });
      // Every region the organization allows is guarded, and none other.
      expect([...stack.guardrailRegions].sort()).toEqual([...organization.allowedRegions].sort());
    }
  });

  test("the log archive is protected whatever the environment's name; only disposableArchive true makes it disposable", () => {
    const archive = (edit: (json: any) => void, env: Record<string, string> = {}) => loadEdited(edit, env).organization!.protectArchive;
    expect(archive(() => {})).toBe(true);
    expect(archive(() => {}, { ENVIRONMENT_SUFFIX: "dev", TAP_PROTECT_DATA: "false" })).toBe(true);
    expect(archive((json) => (json.organization.disposableArchive = false))).toBe(true);
    expect(archive((json) => (json.organization.disposableArchive = true))).toBe(false);
    expect(problemsOf((json) => (json.organization.disposableArchive = "yes"))).toEqual([expect.stringMatching(/\$\.organization\.disposableArchive.*"yes".*true or false/)]);
  });

  test("securityServices: GuardDuty adopted in every allowed Region by default; a Region's own entry wins; what cannot work is refused", () => {
    const services = (edit: (json: any) => void) => loadEdited(edit).organization!.securityServices;
    expect(services(() => {})).toEqual({ guardDuty: { "eu-central-1": "adopt", "eu-west-1": "adopt" }, securityHub: "create" });
    expect(services((json) => (json.organization.securityServices = { guardDuty: "create", "guardDuty/eu-west-1": "external", securityHub: "external" }))).toEqual({
      guardDuty: { "eu-central-1": "create", "eu-west-1": "external" },
      securityHub: "external",
    });
    expect(problemsOf((json) => (json.organization.securityServices = { "guardDuty/us-west-2": "create" }))).toEqual([
      expect.stringMatching(/\$\.organization\.securityServices\["guardDuty\/us-west-2"\].*"us-west-2" is not one of .*allowedRegions \(eu-central-1, eu-west-1\)/),
    ]);
    expect(problemsOf((json) => (json.organization.securityServices = { securityHub: "adopt" }))).toEqual([expect.stringMatching(/securityHub.*"adopt" is not possible.*set external/)]);
    expect(problemsOf((json) => (json.organization.securityServices = { guardduty: "adopt" }))).toEqual([expect.stringMatching(/guardduty.*did you mean "guardDuty"/)]);
    expect(problemsOf((json) => (json.organization.securityServices = { guardDuty: "import" }))).toEqual([expect.stringMatching(/guardDuty.*"import".*create, adopt, external/)]);
  });

  test("the security contact: the top level's serves every member, an account may give its own, and none is refused", () => {
    const config = loadConfig({}, { file: EXAMPLE });
    const emails = Object.fromEntries(config.stacks.map((stack) => [stack.stackName, stack.guardrails.securityContact?.email]));
    expect(emails).toEqual({
      "prod-payments": "payments-security@acme.example",
      "prod-web": "aws-security@acme.example",
      "prod-data": "aws-security@acme.example",
      "dev-payments": "aws-security@acme.example",
      "dev-web": "aws-security@acme.example",
      sandbox: "aws-security@acme.example",
    });
    // No member accepts Account.1 in an organization: each has a contact.
    expect(config.stacks.flatMap((stack) => stack.acceptedRisks.filter((risk) => risk.ruleId === "Account.SecurityContact"))).toEqual([]);
    const problems = problemsOf((json) => delete json.securityContact);
    // prod-payments gives its own; the five others are refused, each at its own path, and the
    // organization's own accounts (management, security, log archive) once, at the top level they take it from.
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/ \$\.fleet\.accounts\[1\]\.securityContact: is required in an organization: AWS then writes about abuse.* set it at the top level for every member account \(an account may give its own\)$/);
    expect(problems[5]).toMatch(/tap\.config\.json \$\.securityContact: is required in an organization/);
    expect(problems.every((problem) => problem.includes("securityContact: is required in an organization"))).toBe(true);
  });

  test("the organization's own accounts are baselined from the top level's settings, in the organization's environment and regions", () => {
    const { roleBaselines } = loadEdited((json) => {
      json.organization.allowedRegions = ["eu-west-1", "eu-central-1", "us-east-1"];
      json.configRecordingFrequency = "DAILY";
      json.layout = "split";
      json.regionsPerStack = 2;
      delete json.organization.managementAccount.role;
    });
    const { logArchive, management, security } = roleBaselines!;
    for (const [baseline, id] of [[logArchive!, "100000000003"], [management!, "100000000001"], [security!, "100000000002"]] as const) {
      expect(baseline).toMatchObject({ accountId: id, environment: "org", manageAccountSettings: true, regionStacks: [], configDelivery: { bucketName: "acme-org-cloudtrail-100000000003", keyPrefix: "config" } });
      expect(baseline.guardrailRegions).toEqual(["eu-west-1", "us-east-1", "eu-central-1"]);
      expect(baseline.guardrails.configRecording.frequency).toBe("DAILY");
      expect(baseline.guardrails.securityContact?.email).toBe("aws-security@acme.example");
      expect([baseline.singletons.trail, baseline.singletons.guardDuty, baseline.singletons.securityHub]).toEqual(["external", "external", "external"]);
    }
    // The security account holds the organization's analyzer; the two others get an account analyzer.
    expect([logArchive!.singletons.accessAnalyzer, management!.singletons.accessAnalyzer, security!.singletons.accessAnalyzer]).toEqual(["create", "create", "external"]);
    expect(logArchive!.backend).toMatchObject({ key: "tap/log-archive/terraform.tfstate" });
    // Without a role, the management account's stack acts with the ambient credentials, pinned to its id.
    expect(management!.account).toBeUndefined();
    expect(security!.account).toEqual({ id: "100000000002", name: "security", roleArn: "arn:aws:iam::100000000002:role/TapDeploy" });
  });

  test("refuses two accounts with the same e-mail address (case aside), naming both places", () => {
    const problems = problemsOf((json) => {
      json.fleet.accounts[2].email = json.fleet.accounts[0].email.toUpperCase();
      json.organization.logArchiveAccount.email = json.organization.securityAccount.email;
    });
    expect(problems).toEqual([
      expect.stringMatching(/\$\.organization\.logArchiveAccount\.email: "aws-security@acme\.example" is also .*\$\.organization\.securityAccount\.email; AWS gives each account its own root e-mail address/),
      expect.stringMatching(/\$\.fleet\.accounts\[2\]\.email: "AWS-PROD-PAYMENTS@ACME\.EXAMPLE" is also .*\$\.fleet\.accounts\[0\]\.email; AWS gives each account its own root e-mail address/),
    ]);
  });

  test("refuses the management account as the delegated administrator, saying why", () => {
    expect(problemsOf((json) => (json.organization.securityAccount.id = json.organization.managementAccount.id))).toEqual([
      expect.stringMatching(/\$\.organization\.securityAccount\.id: "100000000001" is already the management account; AWS Organizations refuses the management account as a delegated administrator/),
    ]);
  });

  test("refuses an account in two places: two units, a role account that is also a member", () => {
    const problems = problemsOf((json) => {
      json.organization.organizationalUnits[2].accounts.push("prod-web");
      json.organization.logArchiveAccount.id = json.fleet.accounts[0].id;
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\$\.organization\.organizationalUnits\[2\]\.accounts\[3\]: "prod-web" is already in unit "Production"; an account is in one organizational unit/),
        expect.stringMatching(/\$\.organization\.logArchiveAccount\.id: "200000000001" is also \$\.fleet\.accounts\[0\]/),
      ]),
    );
  });

  test("names an unknown account of a unit, with the closest known name", () => {
    expect(problemsOf((json) => (json.organization.organizationalUnits[1].accounts[0] = "prod-payment"))).toEqual([
      expect.stringMatching(/\$\.organization\.organizationalUnits\[1\]\.accounts\[0\]: "prod-payment" is not an account of this configuration; did you mean "prod-payments"\?/),
    ]);
  });

  test("refuses a member region the Region guardrail would deny, unless that guardrail is accepted as a risk", () => {
    const outside = (json: any) => {
      json.organization.allowedRegions = ["eu-west-1"];
      json.fleet.accounts[3].guardrailRegions = ["eu-west-1"];
      json.fleet.accounts[4].guardrailRegions = ["eu-west-1"];
      json.fleet.accounts[5].guardrailRegions = ["eu-west-1"];
    };
    expect(problemsOf(outside)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\$\.fleet\.accounts\[0\]: uses "eu-central-1", outside .*\$\.organization\.allowedRegions \(eu-west-1\); the DenyOutsideRegions guardrail would refuse every call there/),
      ]),
    );
    const accepted = loadEdited((json) => {
      outside(json);
      json.organization.acceptRisks = { DenyOutsideRegions: "eu-central-1 is approved by a separate policy" };
    });
    expect(accepted.organization!.disabledGuardrails).toEqual({ DenyOutsideRegions: "eu-central-1 is approved by a separate policy" });
  });

  test("Control Tower organizations: units create by default, or adopt or use an existing one; the trail create by default, or external", () => {
    const defaults = loadEdited(() => undefined).organization!;
    expect(defaults.units.map((unit) => [unit.name, unit.mode])).toEqual([["Security", "create"], ["Production", "create"], ["Development", "create"]]);
    expect(defaults.trail).toBe("create");
    const shaped = loadEdited((json) => {
      json.organization.organizationalUnits[0].mode = "adopt";
      json.organization.organizationalUnits[2].mode = "external";
      json.organization.trail = "external";
      // A member whose AWS Config Control Tower runs: the account layer's vocabulary, in the organization.
      json.fleet.accounts[1].singletons = { awsConfig: "external" };
    });
    expect(shaped.organization!.units.map((unit) => [unit.name, unit.mode])).toEqual([["Security", "adopt"], ["Production", "create"], ["Development", "external"]]);
    expect(shaped.organization!.trail).toBe("external");
    expect(shaped.stacks[1].singletons.awsConfig).toBe("external");
    expect(shaped.stacks[0].singletons.awsConfig).toBe("create");
    expect(
      problemsOf((json) => {
        json.organization.organizationalUnits[0].mode = "import";
        json.organization.trail = "adopt";
      }),
    ).toEqual([
      expect.stringMatching(/\$\.organization\.organizationalUnits\[0\]\.mode: "import".*create, adopt, external/),
      expect.stringMatching(/\$\.organization\.trail: "adopt".*create, external/),
    ]);
  });

  test("centralized root access is on unless the organization turns it off", () => {
    expect(loadEdited(() => undefined).organization!.centralizeRootAccess).toBe(true);
    expect(loadEdited((json) => (json.organization.centralizeRootAccess = false)).organization!.centralizeRootAccess).toBe(false);
  });

  test("a break-glass role is one member-neutral role, not a deployment role; none by default", () => {
    const loaded = loadEdited(() => undefined).organization!;
    expect(loaded.breakGlassRoleArn).toBeUndefined();
    expect(loaded.controlTower).toBe(false);
    expect(loadEdited((json) => (json.organization.breakGlassRoleArn = "arn:aws:iam::*:role/emergency/TapBreakGlass")).organization!.breakGlassRoleArn).toBe("arn:aws:iam::*:role/emergency/TapBreakGlass");
    expect(problemsOf((json) => (json.organization.breakGlassRoleArn = "arn:aws:iam::123456789012:role/TapBreakGlass"))).toEqual([
      expect.stringMatching(/\$\.organization\.breakGlassRoleArn: "arn:aws:iam::123456789012:role\/TapBreakGlass" .*arn:aws:iam::\*:role\/<name>/),
    ]);
    expect(problemsOf((json) => (json.organization.breakGlassRoleArn = "arn:aws:iam::*:role/Admin*"))).toEqual([expect.stringMatching(/\$\.organization\.breakGlassRoleArn: "arn:aws:iam::\*:role\/Admin\*"/)]);
    const deployRole = loaded.deploymentRoleArns[0];
    expect(problemsOf((json) => (json.organization.breakGlassRoleArn = deployRole))).toEqual([
      expect.stringMatching(new RegExp(`\\$\\.organization\\.breakGlassRoleArn: "${deployRole.replace(/[*/]/g, "\\$&")}" is already a deployment role`)),
    ]);
  });

  test("the synth summary names who the guardrails exempt besides the deployment roles, and the log archive's RCP", () => {
    const managementLine = (edit: (json: any) => void) => describeStacks(loadEdited(edit)).find((line) => line.startsWith("tap: stack management "))!;
    expect(managementLine(() => undefined)).toContain("the guardrail SCPs on root, the log archive's RCP, the organization trail");
    const line = managementLine((json) => Object.assign(json.organization, { breakGlassRoleArn: "arn:aws:iam::*:role/TapBreakGlass", controlTower: true }));
    expect(line).toContain("(exempt besides the deployment roles: break-glass arn:aws:iam::*:role/TapBreakGlass, AWSControlTowerExecution for what Control Tower manages)");
  });

  test("Control Tower is declared, off by default; the exempt roles' guardrail stays on while another exempts them", () => {
    expect(loadEdited((json) => (json.organization.controlTower = true)).organization!.controlTower).toBe(true);
    expect(problemsOf((json) => (json.organization.acceptRisks = { ProtectExemptRoles: "every administrator is trusted here" }))).toEqual([
      expect.stringMatching(/\$\.organization\.acceptRisks\.ProtectExemptRoles: cannot be accepted while ProtectSecurityServices, DenyOutsideRegions, ProtectTapResources, ProtectLogArchive exempt the deployment roles/),
    ]);
  });

  test("the organization auto-enables the top level's GuardDuty protection plans; leaving one out there needs GuardDuty.ProtectionPlans accepted at the top level", () => {
    expect(loadConfig({}, { file: EXAMPLE }).organization!.guardDutyProtection).toEqual(["s3", "eks-audit-logs", "malware-ec2", "rds", "lambda", "runtime-eks", "runtime-ecs", "runtime-ec2"]);
    const withoutS3 = (json: any) => (json.guardDutyProtection = ["eks-audit-logs", "malware-ec2", "rds", "lambda", "runtime-eks", "runtime-ecs", "runtime-ec2"]);
    expect(problemsOf(withoutS3)).toEqual([
      expect.stringMatching(/\$\.guardDutyProtection: .* leaves s3 off in every member account of the organization \(rule GuardDuty\.ProtectionPlans\); list every plan, or accept the risk at the top level with a reason: TAP_ACCEPT_RISKS="GuardDuty\.ProtectionPlans=<why>"/),
    ]);
    const accepted = loadEdited((json) => {
      withoutS3(json);
      json.acceptRisks = { ...json.acceptRisks, "GuardDuty.ProtectionPlans": "S3 data events are analysed by the SIEM from the organization trail" };
    });
    expect(accepted.organization!.guardDutyProtection).not.toContain("s3");
  });

  test("refuses a member taking back a service the organization runs for it", () => {
    expect(problemsOf((json) => (json.fleet.accounts[1].singletons = { guardDuty: "create" }))).toEqual([
      expect.stringMatching(/\$\.fleet\.accounts\[1\]\.singletons\.guardDuty: "create" in an organization, which manages the GuardDuty detector for its members/),
    ]);
  });

  test("needs each placed account's e-mail, a known target, a fleet, and AWS's 5 SCPs per target", () => {
    expect(problemsOf((json) => delete json.fleet.accounts[2].email)).toEqual([expect.stringMatching(/\$\.fleet\.accounts\[2\]\.email: is required in an organization/)]);
    expect(problemsOf((json) => (json.organization.guardrailTargets = ["Workloads"]))).toEqual([
      expect.stringMatching(/\$\.organization\.guardrailTargets\[0\]: "Workloads" is neither root nor one of organizationalUnits \(Security, Production, Development\)/),
    ]);
    expect(problemsOf((json) => delete json.fleet)).toEqual(expect.arrayContaining([expect.stringMatching(/\$\.organization: needs fleet\.accounts/)]));
    expect(problemsOf((json) => (json.organization.securityAccount.name = "prod-web"))).toEqual(
      expect.arrayContaining([expect.stringMatching(/\$\.organization\.securityAccount\.name: "prod-web" is also the name of stack "prod-web"/)]),
    );
  });

  test("schema problems name the file and JSON path: an organization id, an unknown guardrail", () => {
    const problems = problemsOf((json) => {
      json.organization.id = "org-1";
      json.organization.acceptRisks = { DenyEverything: "not a guardrail of tap" };
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\$\.organization\.id: "org-1" .*organization id/),
        expect.stringMatching(/\$\.organization\.acceptRisks.*DenyEverything.*is not a guardrail policy; expected one of DenyLeaveOrganization/),
      ]),
    );
  });
});
