import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { EMULATOR_ACCOUNT_ID, EMULATOR_UNSUPPORTED } from "../../scripts/terraform/emulator";
import { loadConfig } from "../../src/app/load-config";
import type { OrganizationConfig, RoleBaselines } from "../../src/config/model";
import { guardrailDocuments, planFailureHints } from "../../src/organization/organization-facts";
import { intendedRoleBaselineCounts } from "../intended-resources";
import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, Deployed, describeReplan, EmulatedDeployment, useEmulatedDeployment } from "./deployment";

const ORGANIZATIONS = "AWSOrganizationsV20161128";
const ROLE = "OrganizationAccountAccessRole";

/**
 * The organization layer on the emulator (#18): an organization with four accounts exists (the
 * emulator's own account is its management account), as tap expects to find one; the
 * log-archive, management and security stacks then apply in order on the bootstrapped S3
 * backend, the management stack importing the organization and moving the accounts into their
 * units. Each re-plans clean; they are destroyed in reverse, after the management stack lets go
 * of the organization and accounts it adopted (`terraform state rm`; see docs/organizations.md: Adopting an organization that exists).
 */
describeIfTier([APPLY_TIER], "apply tier: the organization's stacks", () => {
  const emulated = useEmulatedDeployment();
  let file: string;
  let organization: OrganizationConfig;
  let baselines: RoleBaselines;
  const order = () => [organization.logArchive.name, organization.management.stackName, organization.security.name];
  const deployed = new Map<string, Deployed>();
  let protectedArchive: { deployed: Deployed; before: string[]; refusal?: Error; after?: string[] };
  let delegation: Delegation;

  beforeAll(async () => {
    const { deployment } = emulated;
    const org = (await organizationsCall(deployment, "CreateOrganization", { FeatureSet: "ALL" })).Organization;
    const ids: Record<string, string> = {};
    for (const name of ["security", "log-archive", "app", "sandbox"]) {
      const created = await organizationsCall(deployment, "CreateAccount", { AccountName: name, Email: `aws-${name}@acme.example` });
      ids[name] = created.CreateAccountStatus.AccountId;
    }
    const account = (name: string) => ({ id: ids[name], name, role: ROLE, email: `aws-${name}@acme.example` });
    file = join(mkdtempSync(join(tmpdir(), "tap-apply-org-")), "tap.config.json");
    const settings = {
        project: "acme",
        accountId: EMULATOR_ACCOUNT_ID,
        regions: ["us-east-1"],
        backend: { type: "s3", region: "us-east-1", keyPrefix: "tap" },
        organization: {
          id: org.Id,
          managementAccount: { id: EMULATOR_ACCOUNT_ID },
          securityAccount: account("security"),
          logArchiveAccount: account("log-archive"),
          organizationalUnits: [
            { name: "Security", accounts: ["security", "log-archive"] },
            { name: "Workloads", accounts: ["app"] },
            { name: "Sandbox", accounts: ["sandbox"] },
          ],
        },
        securityContact: { name: "Security team", title: "Security operations", email: "aws-security@acme.example", phone: "+1 206 555 0100" },
        fleet: { accounts: [{ ...account("app"), environment: "dev" }, { ...account("sandbox"), environment: "sandbox", vpcCidrs: { "us-east-1": "10.20.0.0/16" } }] },
    };
    // The archive as every organization gets it (protected, though no account is named prod):
    // destroy refuses it. Then the test organization's disposable archive, changed in place, so
    // that the tier can destroy it at the end.
    writeFileSync(file, JSON.stringify(settings));
    organization = loadConfig({}, { file }).organization!;
    await deployment.bootstrap({}, file);
    const archive = organization.logArchive.name;
    protectedArchive = { deployed: await deployment.deploy({}, archive, file), before: await deployment.stateList(archive) };
    protectedArchive.refusal = await deployment.destroyRefused(archive);
    protectedArchive.after = await deployment.stateList(archive);
    const withServices = (securityServices: Record<string, string>) => {
      writeFileSync(file, JSON.stringify({ ...settings, organization: { ...settings.organization, disposableArchive: true, securityServices } }));
      return file;
    };
    withServices({});
    const config = loadConfig({}, { file });
    organization = config.organization!;
    baselines = config.roleBaselines!;
    const [, management, security] = order();
    for (const name of [archive, management]) deployed.set(name, await deployment.deploy({}, name, file));
    delegation = await meetDelegatedGuardDuty(deployment, organization, withServices);
    deployed.set(security, await deployment.deploy({}, security, withServices({})));
  }, APPLY_TIMEOUT_MS);

  test("the security account's GuardDuty: delegation enabled it, so creating one fails at apply; adopt fails at plan where there is none, create then applies", () => {
    // The management stack's designation enabled GuardDuty in the security account (AWS's guide; a tap emulator extension).
    expect(delegation.afterDesignation).toHaveLength(1);
    // What the security stack did before organization.securityServices: create a detector. AWS's error, at apply.
    expect(delegation.createRefusal.message).toMatch(/creating GuardDuty Detector.*a detector already exists for the current account/s);
    // Without a detector (the console procedure's reading: enable GuardDuty for the new administrator), adopt stops at plan and says what to set.
    expect(delegation.adoptRefusal.message).toMatch(/reading this account's single GuardDuty Detector: empty result/);
    expect(planFailureHints(delegation.adoptRefusal.message)).toEqual([expect.stringContaining('set organization.securityServices "guardDuty/us-east-1" to create')]);
    expect(delegation.adoptRefusalApplied).toEqual([]);
    // create then applies, and re-plans clean.
    expect(delegation.createdWithout).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
    expect(delegation.replanWithout).toBe("");
  }, APPLY_TIMEOUT_MS);

  test("the security account's GuardDuty: by default the detector delegation enabled is adopted, imported with tap's settings, never a second one", async () => {
    const { deployment } = emulated;
    const imported = (deployed.get(organization.security.name)!.appliedPlan.resource_changes ?? []).filter((change: any) => change.change.importing).map((change) => change.type);
    // The detector, and AWSServiceRoleForConfig, which trusted access made in the security account (its baseline adopts it).
    expect(imported.sort()).toEqual(["aws_guardduty_detector", "aws_iam_service_linked_role"]);
    const detectors = await securityDetectors(deployment, organization);
    expect(detectors).toEqual([delegation.afterRedesignation]);
    const [detector] = (await deployment.state(organization.security.name)).filter((resource) => resource.type === "aws_guardduty_detector");
    expect(detector.values).toMatchObject({ id: delegation.afterRedesignation, enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES", tags: { Name: "acme-org-us-east-1-guardduty" } });
  }, APPLY_TIMEOUT_MS);

  test("the archive is protected from its first deploy: destroy refuses it and leaves it whole; made disposable in place, not replaced", () => {
    const bucket = "aws_s3_bucket.log-archive_bucket_";
    expect(protectedArchive.before.filter((address) => address.startsWith("aws_s3_bucket_object_lock_configuration."))).toHaveLength(1);
    expect(protectedArchive.refusal!.message).toMatch(/Instance cannot be destroyed/);
    expect(protectedArchive.refusal!.message).toMatch(/lifecycle\.prevent_destroy/);
    expect(protectedArchive.after).toEqual(protectedArchive.before);
    const changes = deployed.get(organization.logArchive.name)!.appliedPlan.resource_changes ?? [];
    const buckets = changes.filter((change) => change.type === "aws_s3_bucket");
    expect(buckets.length).toBe(2);
    expect(buckets.map((change) => change.change.actions)).toEqual([["update"], ["update"]]);
    expect(buckets.some((change) => change.address.startsWith(bucket))).toBe(true);
  }, APPLY_TIMEOUT_MS);

  test("each stack applies what the emulator supports; what it leaves out is a named emulator gap", async () => {
    for (const name of order()) {
      const { fullPlan, planOnly } = deployed.get(name)!;
      const planned = (fullPlan.resource_changes ?? []).filter((change) => change.mode === "managed" && !change.change.actions.includes("delete")).map((change) => change.address);
      const applied = (await emulated.deployment.stateList(name)).filter((address) => !address.startsWith("data."));
      expect({ name, applied: [...applied].sort() }).toEqual({ name, applied: planned.filter((address) => !planOnly.includes(address)).sort() });
      expect(planOnly.every((address) => address.split(".")[0] in EMULATOR_UNSUPPORTED)).toBe(true);
      const gaps = [...new Set(planOnly.map((address) => address.split(".")[0]))];
      console.log(`apply tier: ${name}: ${applied.length} applied, ${planOnly.length} planned only (${gaps.join(", ") || "none"})`);
    }
    // The organization's own pieces all applied: the organization, units, accounts, policies, attachments, delegated administrators.
    const management = await emulated.deployment.stateList(organization.management.stackName);
    for (const type of ["aws_organizations_organization", "aws_organizations_organizational_unit", "aws_organizations_account", "aws_organizations_policy", "aws_organizations_policy_attachment", "aws_organizations_delegated_administrator", "aws_guardduty_organization_admin_account", "aws_cloudtrail"]) {
      expect({ type, applied: management.some((address) => address.startsWith(`${type}.`)) }).toEqual({ type, applied: true });
    }
  }, APPLY_TIMEOUT_MS);

  test("each role account's baseline is planned as intended and applied where the emulator can: the members' guardrails, AWS Config recording to the archive", async () => {
    const roles = [["logArchive", organization.logArchive.name], ["management", organization.management.stackName], ["security", organization.security.name]] as const;
    const count = (types: readonly string[]) => types.reduce<Record<string, number>>((counts, type) => ({ ...counts, [type]: (counts[type] ?? 0) + 1 }), {});
    for (const [role, name] of roles) {
      const baseline = baselines[role]!;
      const intended: Record<string, number> = {};
      for (const region of baseline.guardrailRegions) for (const [type, n] of Object.entries(intendedRoleBaselineCounts(baseline, region))) intended[type] = (intended[type] ?? 0) + n;
      const planned = (deployed.get(name)!.fullPlan.resource_changes ?? []).filter((change) => change.mode === "managed" && change.address.split(".")[1].startsWith("baseline_") && !change.change.actions.includes("delete"));
      expect({ name, planned: count(planned.map((change) => change.type)) }).toEqual({ name, planned: intended });
      const applied = (await emulated.deployment.state(name)).filter((resource) => resource.address.split(".")[1].startsWith("baseline_"));
      expect({ name, applied: count(applied.map((resource) => resource.type)) }).toEqual({ name, applied: Object.fromEntries(Object.entries(intended).filter(([type]) => !(type in EMULATOR_UNSUPPORTED))) });
      // Recording, and delivering to the archive: the log archive's own account too, in its own stack.
      const channels = applied.filter((resource) => resource.type === "aws_config_delivery_channel").map((resource) => resource.values.s3_bucket_name);
      if (!("aws_config_delivery_channel" in EMULATOR_UNSUPPORTED)) expect({ name, channels }).toEqual({ name, channels: baseline.guardrailRegions.map(() => `acme-org-cloudtrail-${organization.logArchive.id}`) });
    }
    // The security account's analyzer is the organization's; the two others get an account analyzer.
    expect(intendedRoleBaselineCounts(baselines.security!, "us-east-1").aws_accessanalyzer_analyzer).toBeUndefined();
    expect(intendedRoleBaselineCounts(baselines.management!, "us-east-1").aws_accessanalyzer_analyzer).toBe(1);
  }, APPLY_TIMEOUT_MS);

  test("the organization trusts the security services, and the security account administers them", async () => {
    const { deployment } = emulated;
    const trusted = (await organizationsCall(deployment, "ListAWSServiceAccessForOrganization", {})).EnabledServicePrincipals.map((p: any) => p.ServicePrincipal);
    expect(trusted.sort()).toEqual(["access-analyzer.amazonaws.com", "account.amazonaws.com", "cloudtrail.amazonaws.com", "config-multiaccountsetup.amazonaws.com", "config.amazonaws.com", "guardduty.amazonaws.com", "iam.amazonaws.com", "malware-protection.guardduty.amazonaws.com", "securityhub.amazonaws.com"]);
    const delegated = await organizationsCall(deployment, "ListDelegatedServicesForAccount", { AccountId: organization.security.id });
    expect(delegated.DelegatedServices.map((s: any) => s.ServicePrincipal).sort()).toEqual(expect.arrayContaining(["access-analyzer.amazonaws.com", "config-multiaccountsetup.amazonaws.com", "config.amazonaws.com"]));
    const guardDutyAdmins = await deployment.awsRest("guardduty", "GET", "/admin");
    expect(guardDutyAdmins.adminAccounts).toEqual([{ adminAccountId: organization.security.id, adminStatus: "ENABLED" }]);
  }, APPLY_TIMEOUT_MS);

  test("each account is in its unit, the guardrail policies are attached to the root, and the log archive's RCP to its account", async () => {
    const { deployment } = emulated;
    const roots = (await organizationsCall(deployment, "ListRoots", {})).Roots;
    for (const unit of organization.units) {
      for (const account of unit.accounts) {
        const [parent] = (await organizationsCall(deployment, "ListParents", { ChildId: account.id })).Parents;
        const described = (await organizationsCall(deployment, "DescribeOrganizationalUnit", { OrganizationalUnitId: parent.Id })).OrganizationalUnit;
        expect({ account: account.name, unit: described.Name }).toEqual({ account: account.name, unit: unit.name });
      }
    }
    const attached = (await organizationsCall(deployment, "ListPoliciesForTarget", { TargetId: roots[0].Id, Filter: "SERVICE_CONTROL_POLICY" })).Policies;
    const documents = guardrailDocuments({ project: "acme", allowedRegions: organization.allowedRegions, deploymentRoleArns: organization.deploymentRoleArns });
    expect(attached.map((policy: any) => policy.Name).sort()).toEqual(expect.arrayContaining(documents.map((_, index) => `acme-guardrails-${index + 1}`)));
    for (const policy of attached.filter((p: any) => p.Name.startsWith("acme-guardrails-"))) {
      const content = JSON.parse((await organizationsCall(deployment, "DescribePolicy", { PolicyId: policy.Id })).Policy.Content);
      expect(content).toEqual(documents[Number(policy.Name.split("-").at(-1)) - 1]);
    }
    // The log archive's resource control policy, on the log-archive account itself.
    const resourcePolicies = (await organizationsCall(deployment, "ListPoliciesForTarget", { TargetId: organization.logArchive.id, Filter: "RESOURCE_CONTROL_POLICY" })).Policies;
    const archiveRcp = resourcePolicies.find((policy: any) => policy.Name === "acme-resource-guardrails-1");
    expect(archiveRcp).toBeDefined();
    const rcp = JSON.parse((await organizationsCall(deployment, "DescribePolicy", { PolicyId: archiveRcp.Id })).Policy.Content);
    expect(rcp.Statement.map((statement: any) => [statement.Sid, statement.Principal, statement.Resource[0]])).toEqual([["ProtectLogArchive", "*", `arn:aws:s3:::acme-org-cloudtrail-${organization.logArchive.id}`]]);
  }, APPLY_TIMEOUT_MS);

  test("every stack re-plans clean", async () => {
    for (const name of order()) {
      const changes = (await emulated.deployment.replan(name)).filter((change) => !change.deviation);
      expect({ name, changes: describeReplan(changes) }).toEqual({ name, changes: "" });
    }
  }, APPLY_TIMEOUT_MS);

  test("destroyed in reverse order, the organization, its units and accounts left in place", async () => {
    const { deployment } = emulated;
    // What the procedure of docs/organizations.md lets go of first: the adopted organization and accounts, and the
    // units (AWS refuses to delete a unit that still holds accounts; the emulator does not check).
    const adopted = (await deployment.stateList(organization.management.stackName)).filter((address) => /^aws_organizations_(organization|account|organizational_unit)\./.test(address));
    expect(adopted).toHaveLength(1 + organization.units.length + organization.units.flatMap((unit) => unit.accounts).length);
    await deployment.workdirOf(organization.management.stackName).run(["state", "rm", "-no-color", ...adopted]);
    for (const name of [...order()].reverse()) {
      await deployment.destroy(name);
      expect({ name, left: await deployment.stateList(name) }).toEqual({ name, left: [] });
    }
    const accounts = (await organizationsCall(deployment, "ListAccounts", {})).Accounts;
    expect(accounts).toHaveLength(5);
    const roots = (await organizationsCall(deployment, "ListRoots", {})).Roots;
    const units = (await organizationsCall(deployment, "ListOrganizationalUnitsForParent", { ParentId: roots[0].Id })).OrganizationalUnits;
    expect(units.map((unit: { Name: string }) => unit.Name).sort()).toEqual(organization.units.map((unit) => unit.name).sort());
    // The guardrail policies are gone: destroy detached and deleted them.
    const policies = (await organizationsCall(deployment, "ListPolicies", { Filter: "SERVICE_CONTROL_POLICY" })).Policies;
    expect(policies.filter((policy: { Name: string }) => policy.Name.startsWith("acme-guardrails-"))).toEqual([]);
  }, APPLY_TIMEOUT_MS);
});

/** What the security stack met of the GuardDuty delegation made in its account, before it applied by adoption. */
interface Delegation {
  /** The security account's detectors once the management stack designated it. */
  readonly afterDesignation: string[];
  readonly createRefusal: Error;
  /** With that detector deleted: adopt's error, and what it applied (nothing). */
  readonly adoptRefusal: Error;
  readonly adoptRefusalApplied: string[];
  /** create's detector, where delegation had left none, and its re-plan. */
  readonly createdWithout: string[];
  readonly replanWithout: string;
  /** The detector designating the administrator again made, which the default (adopt) then took. */
  readonly afterRedesignation: string;
}

/** The security account's GuardDuty detectors in us-east-1, as the security account sees them. */
async function securityDetectors(deployment: EmulatedDeployment, organization: OrganizationConfig): Promise<string[]> {
  const key = await deployment.accessKeyOf(organization.security.roleArn);
  return (await deployment.awsRest("guardduty", "GET", "/detector", undefined, "us-east-1", key)).detectorIds;
}

/**
 * The security stack against the detector delegation made: create (what tap did before
 * organization.securityServices) fails at apply; with the detector deleted, adopt fails at plan
 * and create applies; destroyed, the administrator designated again (a new detector), ready for
 * the default (adopt).
 */
async function meetDelegatedGuardDuty(deployment: EmulatedDeployment, organization: OrganizationConfig, withServices: (services: Record<string, string>) => string): Promise<Delegation> {
  const security = organization.security.name;
  const refusal = (promise: Promise<unknown>) => promise.then(
    () => {
      throw new Error("the deploy succeeded but was expected to fail");
    },
    (error: Error) => error,
  );
  const afterDesignation = await securityDetectors(deployment, organization);
  const createRefusal = await refusal(deployment.deploy({}, security, withServices({ guardDuty: "create" })));
  const key = await deployment.accessKeyOf(organization.security.roleArn);
  for (const detector of afterDesignation) await deployment.awsRest("guardduty", "DELETE", `/detector/${detector}`, undefined, "us-east-1", key);
  const before = await deployment.stateList(security);
  const adoptRefusal = await refusal(deployment.deploy({}, security, withServices({})));
  const after = await deployment.stateList(security);
  const adoptRefusalApplied = after.filter((address) => !before.includes(address));
  await deployment.deploy({}, security, withServices({ guardDuty: "create" }));
  const createdWithout = await securityDetectors(deployment, organization);
  const replanWithout = describeReplan((await deployment.replan(security)).filter((change) => !change.deviation));
  await deployment.destroy(security);
  // The destroy also deleted AWSServiceRoleForConfig, which the stack's baseline had adopted: trusted access for AWS Config
  // made it before tap (AWS Organizations; a tap emulator extension), so it is made again as it was, for the default (adopt) to find.
  await deployment.awsQuery("iam", "2010-05-08", { Action: "CreateServiceLinkedRole", AWSServiceName: "config.amazonaws.com" }, "us-east-1", organization.security.id);
  await deployment.awsRest("guardduty", "POST", "/admin/enable", { adminAccountId: organization.security.id });
  const [afterRedesignation] = await securityDetectors(deployment, organization);
  return { afterDesignation, createRefusal, adoptRefusal, adoptRefusalApplied, createdWithout, replanWithout, afterRedesignation };
}

const CLOUDTRAIL = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
const CONTROL_TOWER = { trail: "aws-controltower-BaselineCloudTrail", recorder: "aws-controltower-BaselineConfigRecorder" };

/**
 * #26 item 5 on the emulator: an organization as Control Tower leaves it, made before the apply
 * through the emulator's API: a Security unit already under the root, an organization trail of
 * Control Tower's name in the management account, and a Config recorder in the member. tap
 * adopts the unit (found by name at plan, imported), leaves the trail (organization.trail
 * external) and the member's recorder (singletons awsConfig external) alone; the management stack
 * applies and re-plans clean. Only the management stack is applied: the unit, the trail and
 * trusted access are its own, and a local state keeps the added time small.
 */
describeIfTier([APPLY_TIER], "apply tier: a Control Tower-shaped organization", () => {
  const emulated = useEmulatedDeployment();
  let organization: OrganizationConfig;
  let securityUnitId: string;
  let replanned: string;
  let missingUnit: Error | undefined;
  let memberRecorders: string[];
  let started: number;

  beforeAll(async () => {
    started = Date.now();
    const { deployment } = emulated;
    const org = (await organizationsCall(deployment, "CreateOrganization", { FeatureSet: "ALL" })).Organization;
    const ids: Record<string, string> = {};
    for (const name of ["security", "log-archive", "app"]) {
      ids[name] = (await organizationsCall(deployment, "CreateAccount", { AccountName: name, Email: `aws-${name}@acme.example` })).CreateAccountStatus.AccountId;
    }
    // What Control Tower made: its Security unit, its organization trail, a recorder in each enrolled account.
    const [root] = (await organizationsCall(deployment, "ListRoots", {})).Roots;
    securityUnitId = (await organizationsCall(deployment, "CreateOrganizationalUnit", { ParentId: root.Id, Name: "Security" })).OrganizationalUnit.Id;
    const logs = `aws-controltower-logs-${ids["log-archive"]}-us-east-1`;
    expect((await deployment.s3("PUT", logs)).status).toBe(200);
    await deployment.awsJson("cloudtrail", `${CLOUDTRAIL}.CreateTrail`, { Name: CONTROL_TOWER.trail, S3BucketName: logs, IsOrganizationTrail: true, IsMultiRegionTrail: true });
    const member = await memberCaller(deployment, ids.app);
    await member("config", "StarlingDoveService.PutConfigurationRecorder", {
      ConfigurationRecorder: { name: CONTROL_TOWER.recorder, roleARN: `arn:aws:iam::${ids.app}:role/aws-controltower-ConfigRecorderRole`, recordingGroup: { allSupported: true } },
    });
    const account = (name: string) => ({ id: ids[name], name, role: ROLE, email: `aws-${name}@acme.example` });
    const settings = {
      project: "acme",
      accountId: EMULATOR_ACCOUNT_ID,
      regions: ["us-east-1"],
      organization: {
        id: org.Id,
        managementAccount: { id: EMULATOR_ACCOUNT_ID },
        securityAccount: account("security"),
        logArchiveAccount: account("log-archive"),
        organizationalUnits: [
          { name: "Security", mode: "adopt", accounts: ["security", "log-archive"] },
          { name: "Workloads", accounts: ["app"] },
        ],
        trail: "external",
        disposableArchive: true,
      },
      securityContact: { name: "Security team", title: "Security operations", email: "aws-security@acme.example", phone: "+1 206 555 0100" },
      fleet: { accounts: [{ ...account("app"), environment: "dev", singletons: { awsConfig: "external" } }] },
    };
    const dir = mkdtempSync(join(tmpdir(), "tap-apply-ct-"));
    const file = join(dir, "tap.config.json");
    writeFileSync(file, JSON.stringify(settings));
    organization = loadConfig({}, { file }).organization!;
    await deployment.deploy({}, organization.management.stackName, file);
    replanned = describeReplan((await deployment.replan(organization.management.stackName)).filter((change) => !change.deviation));
    memberRecorders = (await member("config", "StarlingDoveService.DescribeConfigurationRecorders", {})).ConfigurationRecorders.map((recorder: { name: string }) => recorder.name);
    // A unit to adopt that the organization does not have: refused at plan, naming it.
    const missing = join(dir, "missing-unit.tap.config.json");
    writeFileSync(missing, JSON.stringify({ ...settings, organization: { ...settings.organization, organizationalUnits: [...settings.organization.organizationalUnits, { name: "Audit", mode: "adopt", accounts: [] }] } }));
    missingUnit = await deployment.deploy({}, organization.management.stackName, missing).then(
      () => undefined,
      (error: Error) => error,
    );
    console.log(`apply tier: the Control Tower-shaped organization took ${Math.round((Date.now() - started) / 1000)} s`);
  }, APPLY_TIMEOUT_MS);

  test("the existing Security unit is adopted, not created again; the accounts are moved into it", async () => {
    const { deployment } = emulated;
    const [root] = (await organizationsCall(deployment, "ListRoots", {})).Roots;
    const units = (await organizationsCall(deployment, "ListOrganizationalUnitsForParent", { ParentId: root.Id })).OrganizationalUnits;
    expect(units.map((unit: { Name: string; Id: string }) => [unit.Name, unit.Name === "Security" ? unit.Id : "created"]).sort()).toEqual([
      ["Security", securityUnitId],
      ["Workloads", "created"],
    ]);
    for (const name of [organization.security.name, organization.logArchive.name]) {
      const id = name === organization.security.name ? organization.security.id : organization.logArchive.id;
      const [parent] = (await organizationsCall(deployment, "ListParents", { ChildId: id })).Parents;
      expect({ name, parent: parent.Id }).toEqual({ name, parent: securityUnitId });
    }
    const state = await deployment.state(organization.management.stackName);
    expect(state.filter((resource) => resource.type === "aws_organizations_organizational_unit").map((resource) => [resource.values.name, resource.values.id]).sort()).toEqual([
      ["Security", securityUnitId],
      ["Workloads", expect.stringMatching(/^ou-/)],
    ]);
  }, APPLY_TIMEOUT_MS);

  test("Control Tower's trail is left alone: tap makes no organization trail and no CIS alarms", async () => {
    const { deployment } = emulated;
    const trails = (await deployment.awsJson("cloudtrail", `${CLOUDTRAIL}.DescribeTrails`, {})).trailList;
    expect(trails.map((trail: { Name: string; IsOrganizationTrail: boolean }) => [trail.Name, trail.IsOrganizationTrail])).toEqual([[CONTROL_TOWER.trail, true]]);
    const applied = await deployment.stateList(organization.management.stackName);
    expect(applied.filter((address) => /^aws_(cloudtrail|cloudwatch_metric_alarm|cloudwatch_log_metric_filter)\./.test(address))).toEqual([]);
    // The member's recorder is Control Tower's, in the member; the management account's is its own baseline's (Control Tower does not enroll it).
    expect(memberRecorders).toEqual([CONTROL_TOWER.recorder]);
    const managementRecorders = (await deployment.awsJson("config", "StarlingDoveService.DescribeConfigurationRecorders", {})).ConfigurationRecorders;
    expect(managementRecorders.map((recorder: { name: string }) => recorder.name)).toEqual(["acme-org-us-east-1-config"]);
  }, APPLY_TIMEOUT_MS);

  test("the organization trusts GuardDuty's malware-protection principal beside tap's others", async () => {
    const trusted = (await organizationsCall(emulated.deployment, "ListAWSServiceAccessForOrganization", {})).EnabledServicePrincipals.map((p: any) => p.ServicePrincipal);
    expect(trusted.sort()).toEqual([
      "access-analyzer.amazonaws.com",
      "account.amazonaws.com",
      "cloudtrail.amazonaws.com",
      "config-multiaccountsetup.amazonaws.com",
      "config.amazonaws.com",
      "guardduty.amazonaws.com",
      "iam.amazonaws.com",
      "malware-protection.guardduty.amazonaws.com",
      "securityhub.amazonaws.com",
    ]);
  }, APPLY_TIMEOUT_MS);

  test("the management stack re-plans clean", () => {
    expect(replanned).toBe("");
  });

  test("a unit to adopt that does not exist fails the plan, naming it and what to set", () => {
    // Terraform wraps the message's lines.
    const message = (missingUnit?.message ?? "").replace(/\s+/g, " ");
    expect(message).toContain("Resource postcondition failed");
    expect(message).toMatch(/Organizational unit "Audit" is to be adopted \(mode adopt\), but the root has no unit of that name \(it has: (Security, Workloads|Workloads, Security)\)/);
    expect(message).toContain("set the unit's mode to create so that tap creates it");
  });
});

/**
 * A caller of an AWS JSON API as a member account: the emulator acts in the account whose role
 * the credentials were assumed from (the role AWS Organizations made with the account).
 */
async function memberCaller(deployment: EmulatedDeployment, accountId: string): Promise<(service: string, target: string, body: object) => Promise<any>> {
  const answer = await deployment.awsQuery("sts", "2011-06-15", { Action: "AssumeRole", RoleArn: `arn:aws:iam::${accountId}:role/${ROLE}`, RoleSessionName: "control-tower" });
  const accessKey = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(answer)![1];
  return async (service, target, body) => {
    const date = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
    const response = await fetch(`${deployment.emulator.url}/`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: {
        Authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${date.slice(0, 8)}/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
        "x-amz-date": date,
        "X-Amz-Target": target,
        "Content-Type": "application/x-amz-json-1.1",
      },
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${target} as ${accountId}: the emulator answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : {};
  };
}

function organizationsCall(deployment: EmulatedDeployment, operation: string, body: object): Promise<any> {
  return deployment.awsJson("organizations", `${ORGANIZATIONS}.${operation}`, body);
}
