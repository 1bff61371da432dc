import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
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
  /** Organizational units under the root, with the accounts moved into each. */
  readonly units: readonly { readonly name: string; readonly accounts: readonly UnitAccount[] }[];
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
 * organizational units, the accounts moved into them (keeping their names, e-mail addresses and
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
    const organization = new OrganizationsOrganization(this, "organization", {
      provider: props.provider,
      featureSet: "ALL",
      awsServiceAccessPrincipals: [...this.trustedServices],
      // Resource control policies guard the log archive (OrganizationGuardrails' ProtectLogArchive).
      enabledPolicyTypes: [...new Set(["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY", ...(props.otherPolicyTypes ?? [])])].sort(),
      lifecycle: { preventDestroy: true },
    });
    adoptExisting(organization, props.organizationId);
    this.trusted = organization;
    this.rootId = organization.roots.get(0).id;
    const unitIds = new Map<string, string>();
    props.units.forEach((unit, index) => {
      const ou = new OrganizationsOrganizationalUnit(this, `unit-${index + 1}`, { provider: props.provider, name: unit.name, parentId: this.rootId, tags: { Name: unit.name } });
      unitIds.set(unit.name, ou.id);
      for (const account of unit.accounts) this.placeAccount(props, account, ou.id);
    });
    this.unitIds = unitIds;
    this.delegateAdministration(props, organization);
    if (rootAccess) this.centralizeRootAccess(props, organization);
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
