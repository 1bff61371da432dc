import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { EMULATOR_ACCOUNT_ID, EMULATOR_UNSUPPORTED } from "../../scripts/terraform/emulator";
import { loadConfig } from "../../src/app/load-config";
import type { OrganizationConfig, RoleBaselines } from "../../src/config/model";
import { guardrailDocuments } from "../../src/organization/organization-facts";
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
    writeFileSync(file, JSON.stringify({ ...settings, organization: { ...settings.organization, disposableArchive: true } }));
    const config = loadConfig({}, { file });
    organization = config.organization!;
    baselines = config.roleBaselines!;
    for (const name of order()) deployed.set(name, await deployment.deploy({}, name, file));
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
    expect(trusted.sort()).toEqual(["access-analyzer.amazonaws.com", "account.amazonaws.com", "cloudtrail.amazonaws.com", "config-multiaccountsetup.amazonaws.com", "config.amazonaws.com", "guardduty.amazonaws.com", "iam.amazonaws.com", "securityhub.amazonaws.com"]);
    const delegated = await organizationsCall(deployment, "ListDelegatedServicesForAccount", { AccountId: organization.security.id });
    expect(delegated.DelegatedServices.map((s: any) => s.ServicePrincipal).sort()).toEqual(expect.arrayContaining(["access-analyzer.amazonaws.com", "config-multiaccountsetup.amazonaws.com", "config.amazonaws.com"]));
    const guardDutyAdmins = await deployment.awsRest("guardduty", "GET", "/admin");
    expect(guardDutyAdmins.adminAccounts).toEqual([{ adminAccountId: organization.security.id, adminStatus: "ENABLED" }]);
  }, APPLY_TIMEOUT_MS);

  test("each account is in its unit, and the guardrail policies are attached to the root", async () => {
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

function organizationsCall(deployment: EmulatedDeployment, operation: string, body: object): Promise<any> {
  return deployment.awsJson("organizations", `${ORGANIZATIONS}.${operation}`, body);
}
