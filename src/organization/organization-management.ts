import { Construct } from "constructs";
import { ITerraformDependable, Lazy, Token } from "cdktf";
import { DataAwsOrganizationsOrganization } from "@cdktf/provider-aws/lib/data-aws-organizations-organization";
import { DataAwsOrganizationsOrganizationalUnits } from "@cdktf/provider-aws/lib/data-aws-organizations-organizational-units";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GuarddutyOrganizationAdminAccount } from "@cdktf/provider-aws/lib/guardduty-organization-admin-account";
import { IamOrganizationsFeatures } from "@cdktf/provider-aws/lib/iam-organizations-features";
import { OrganizationsAccount } from "@cdktf/provider-aws/lib/organizations-account";
import { OrganizationsDelegatedAdministrator } from "@cdktf/provider-aws/lib/organizations-delegated-administrator";
import { OrganizationsOrganization } from "@cdktf/provider-aws/lib/organizations-organization";
import { OrganizationsOrganizationalUnit } from "@cdktf/provider-aws/lib/organizations-organizational-unit";
import { SecurityhubOrganizationAdminAccount } from "@cdktf/provider-aws/lib/securityhub-organization-admin-account";
import { suppressRule } from "../compliance/suppressions";
import { adoptExisting } from "../terraform/adopt-existing";
import { CENTRALIZED_ROOT_ACCESS_FEATURES, DELEGATED_THROUGH_ORGANIZATIONS, TRUSTED_SERVICES } from "./organization-facts";
import type { UnitMode } from "./organization-settings";

/** An account an organizational unit holds: it exists, and is moved there. */
export interface UnitAccount {
  readonly id: string;
  /** The account's name as the organization knows it (never changed by tap). */
  readonly name: string;
  /** Its root e-mail address (never changed by tap). */
  readonly email: string;
}

export interface OrganizationManagementProps {
  /** Provider of the management account in the home region (Organizations is global; Security Hub's administrator is designated here). */
  readonly provider: AwsProvider;
  /**
   * Provider the accounts are adopted with: one without default_tags, so the accounts keep their
   * own tags (an account's tags are its owners', and default tags would say Environment=org on a
   * production account).
   * @default provider
   */
  readonly accountsProvider?: AwsProvider;
  /** Providers of the management account by Region: GuardDuty's administrator is designated in each. */
  readonly regionProviders: ReadonlyMap<string, AwsProvider>;
  /** The existing organization (o-...): imported, never created or deleted by tap. */
  readonly organizationId: string;
  /** The delegated administrator of GuardDuty, Security Hub, AWS Config and IAM Access Analyzer. */
  readonly securityAccountId: string;
  /**
   * Organizational units under the root, with the accounts moved into each. A unit's `mode`:
   * create (tap creates it), adopt (the unit of that name under the root is found at plan,
   * imported and managed; never deleted), external (found at plan, never changed). A unit to adopt
   * or use that does not exist fails the plan, naming it. `mode` @default "create".
   */
  readonly units: readonly { readonly name: string; readonly mode?: UnitMode; readonly accounts: readonly UnitAccount[] }[];
  /**
   * Trusted services the organization already has besides tap's: the list is authoritative, so
   * a service left out here loses its trusted access at the next apply.
   * @default []
   */
  readonly otherTrustedServices?: readonly string[];
  /**
   * Policy types the organization already has enabled besides SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY (authoritative too).
   * @default []
   */
  readonly otherPolicyTypes?: readonly string[];
  /**
   * Centralized root access for the members (RootCredentialsManagement and RootSessions), with
   * IAM's trusted access. Off, IAM is not trusted by tap (list it in `otherTrustedServices` to keep it).
   * @default true
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html
   */
  readonly centralizeRootAccess?: boolean;
}

/**
 * The management account's part of the organization: the existing organization adopted (all
 * features, trusted access for CloudTrail, AWS Config, GuardDuty, Security Hub, IAM Access
 * Analyzer, AWS Account Management and IAM, service and resource control policies enabled), centralized root
 * access for the member accounts (root credentials managed, and root tasks run, from here), the
 * organizational units (created, or existing ones found by name and adopted or used as they are),
 * the accounts moved into them (keeping their names, e-mail addresses and
 * tags), and the security account registered as every security service's delegated administrator. The organization and the accounts are adopted and carry `prevent_destroy`:
 * a destroy never deletes the organization or takes an account out of it.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html
 */
export class OrganizationManagement extends Construct {
  /** The root's id (r-...): where guardrail policies attach by default. */
  public readonly rootId: string;
  /** Organizational unit ids by name. */
  public readonly unitIds: ReadonlyMap<string, string>;
  /** The services the organization trusts, as applied. */
  public readonly trustedServices: readonly string[];
  /** Completes once the organization trusts the services (and has SCPs enabled): what runs across it waits for this. */
  public readonly trusted: ITerraformDependable;

  constructor(scope: Construct, id: string, props: OrganizationManagementProps) {
    super(scope, id);
    this.validate(props);
    const rootAccess = props.centralizeRootAccess ?? true;
    const ours = Object.values(TRUSTED_SERVICES).filter((service) => rootAccess || service !== TRUSTED_SERVICES.iam);
    this.trustedServices = [...new Set([...ours, ...(props.otherTrustedServices ?? [])])].sort();
    // The organization as it is, read at plan: its feature set, and its root for the units that exist.
    const existing = new DataAwsOrganizationsOrganization(this, "existing", { provider: props.provider });
    const organization = new OrganizationsOrganization(this, "organization", {
      provider: props.provider,
      featureSet: "ALL",
      awsServiceAccessPrincipals: [...this.trustedServices],
      // Resource control policies guard the log archive (OrganizationGuardrails' ProtectLogArchive).
      enabledPolicyTypes: [...new Set(["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY", ...(props.otherPolicyTypes ?? [])])].sort(),
      lifecycle: {
        preventDestroy: true,
        // Without all features an organization has no trusted access, delegated administrators or
        // SCPs, and the provider would plan EnableAllFeatures, which waits for every member to
        // accept a handshake: refused at plan instead, saying what to do.
        // @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_org_support-all-features.html
        precondition: [
          {
            condition: `\${${existing.fqn}.feature_set == "ALL"}`,
            errorMessage: `Organization ${props.organizationId} has only consolidated billing (feature set \${${existing.fqn}.feature_set}); tap needs all features for trusted access, delegated administrators and SCPs. Enable them from the management account (aws organizations enable-all-features; every member account accepts the handshake), then deploy again.`,
          },
        ],
      },
    });
    adoptExisting(organization, props.organizationId);
    this.trusted = organization;
    this.rootId = organization.roots.get(0).id;
    const found = this.existingUnits(props, existing);
    const unitIds = new Map<string, string>();
    props.units.forEach((unit, index) => {
      const unitId = this.unit(props, unit, index, found);
      unitIds.set(unit.name, unitId);
      for (const account of unit.accounts) this.placeAccount(props, account, unitId);
    });
    this.unitIds = unitIds;
    this.delegateAdministration(props, organization);
    if (rootAccess) this.centralizeRootAccess(props, organization);
  }

  /**
   * The units under the root as they are, read at plan, when a unit is to be adopted or used as it
   * is; each such unit's absence fails the plan there, naming the unit and what to set.
   */
  private existingUnits(props: OrganizationManagementProps, existing: DataAwsOrganizationsOrganization): ((name: string) => string) | undefined {
    const wanted = props.units.filter((unit) => (unit.mode ?? "create") !== "create");
    if (wanted.length === 0) return undefined;
    const units = new DataAwsOrganizationsOrganizationalUnits(this, "existing-units", {
      provider: props.provider,
      // The root as read, not the imported organization's: a data source that reads a resource
      // with changes planned would be read only at apply, and the imports need its ids at plan.
      parentId: existing.roots.get(0).id,
      lifecycle: {
        postcondition: wanted.map((unit) => ({
          condition: `\${contains(self.children[*].name, ${JSON.stringify(unit.name)})}`,
          errorMessage: `Organizational unit "${unit.name}" is to be ${unit.mode === "adopt" ? "adopted" : "used as it is"} (mode ${unit.mode}), but the root has no unit of that name (it has: \${join(", ", self.children[*].name)}). Create it first, correct the name, or set the unit's mode to create so that tap creates it.`,
        })),
      },
    });
    // Resolved at synth, after any logical-id change: the id of the child of that name.
    const address = Lazy.stringValue({ produce: () => `data.${units.terraformResourceType}.${units.friendlyUniqueId}` });
    return (name) => `\${lookup(zipmap(${address}.children[*].name, ${address}.children[*].id), ${JSON.stringify(name)}, "")}`;
  }

  /** One unit's id: created, adopted (imported by the id found at plan) or used as it is. */
  private unit(props: OrganizationManagementProps, unit: OrganizationManagementProps["units"][number], index: number, found: ((name: string) => string) | undefined): string {
    const mode = unit.mode ?? "create";
    if (mode === "external") return found!(unit.name);
    const ou = new OrganizationsOrganizationalUnit(this, `unit-${index + 1}`, {
      provider: props.provider,
      name: unit.name,
      parentId: this.rootId,
      tags: { Name: unit.name },
      // What tap adopted it never deletes (its accounts, and Control Tower, would be left without it).
      lifecycle: mode === "adopt" ? { preventDestroy: true } : undefined,
    });
    if (mode === "adopt") adoptExisting(ou, found!(unit.name));
    return ou.id;
  }

  /**
   * Centralized root access (CIS v7 2.1.1): members' root credentials can be removed from here,
   * accounts created from now on have none, and root tasks run as short root sessions
   * (sts:AssumeRoot) from this account. Needs IAM's trusted access first.
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html
   */
  private centralizeRootAccess(props: OrganizationManagementProps, organization: OrganizationsOrganization): void {
    new IamOrganizationsFeatures(this, "root-access", { provider: props.provider, enabledFeatures: [...CENTRALIZED_ROOT_ACCESS_FEATURES], dependsOn: [organization] });
  }

  /**
   * Moves an existing account into its unit: imported with its name and e-mail, which tap never
   * changes (both would replace the account); the role AWS created it with is not readable.
   */
  private placeAccount(props: OrganizationManagementProps, account: UnitAccount, parentId: string): void {
    const resource = new OrganizationsAccount(this, `account-${account.id}`, {
      provider: props.accountsProvider ?? props.provider,
      name: account.name,
      email: account.email,
      parentId,
      lifecycle: { preventDestroy: true, ignoreChanges: ["name", "email", "role_name", "iam_user_access_to_billing", "tags", "tags_all"] },
    });
    adoptExisting(resource, account.id);
    suppressRule(resource, "Tags.Required", "an adopted account keeps the tags its owners gave it; tap changes only its organizational unit");
  }

  /** The security account administers each service: GuardDuty in every Region, Security Hub from the home Region (central configuration). */
  private delegateAdministration(props: OrganizationManagementProps, organization: OrganizationsOrganization): void {
    const afterTrust = { dependsOn: [organization] };
    for (const service of DELEGATED_THROUGH_ORGANIZATIONS) {
      new OrganizationsDelegatedAdministrator(this, `delegated-${service.split(".")[0]}`, { provider: props.provider, accountId: props.securityAccountId, servicePrincipal: service, ...afterTrust });
    }
    for (const [region, provider] of props.regionProviders) {
      new GuarddutyOrganizationAdminAccount(this, `guardduty-admin-${region}`, { provider, adminAccountId: props.securityAccountId, ...afterTrust });
    }
    new SecurityhubOrganizationAdminAccount(this, "securityhub-admin", { provider: props.provider, adminAccountId: props.securityAccountId, ...afterTrust });
  }

  private validate(props: OrganizationManagementProps): void {
    const problems: string[] = [];
    if (!Token.isUnresolved(props.organizationId) && !/^o-[a-z0-9]{10,32}$/.test(props.organizationId)) problems.push(`'organizationId' "${props.organizationId}" is not an organization id (o-...)`);
    if (!/^\d{12}$/.test(props.securityAccountId)) problems.push(`'securityAccountId' "${props.securityAccountId}" is not a 12-digit account id`);
    if (props.regionProviders.size === 0) problems.push("'regionProviders' is empty; GuardDuty's administrator is designated in each Region the organization uses");
    const names = props.units.map((unit) => unit.name.toLowerCase());
    const ids = props.units.flatMap((unit) => unit.accounts.map((account) => account.id));
    for (const name of names.filter((name, index) => names.indexOf(name) !== index)) problems.push(`'units' has "${name}" twice; AWS refuses two units of one name under a parent`);
    for (const accountId of ids.filter((accountId, index) => ids.indexOf(accountId) !== index)) problems.push(`'units' places account ${accountId} twice; an account is in one unit`);
    if (props.units.length === 0) problems.push("'units' is empty; name at least one organizational unit");
    for (const service of props.otherTrustedServices ?? []) {
      if (!/^[a-z0-9.-]+\.amazonaws\.com$/.test(service)) problems.push(`'otherTrustedServices' "${service}" is not a service principal (<service>.amazonaws.com)`);
    }
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
  }
}
