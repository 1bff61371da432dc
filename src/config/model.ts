/**
 * The validated configuration: what `loadConfig` returns and the app builds from. Every value
 * here has passed validation; nothing downstream re-checks user input.
 */

import type { SingletonKey, SingletonMode } from "../aws/singletons";
import type { GuardDutyProtectionPlan, SecurityHubStandard } from "../guardrails/guardrail-facts";
import type { AcceptedRisk, ConfigRecordingSettings, RegionStackConfig, SecurityContact } from "../guardrails/guardrail-settings";
import type { SeverityLabel } from "../audit/findings-facts";
import type { RegionSettings } from "../network/network-settings";
import type { FleetAccount, OrganizationConfig } from "../organization/organization-settings";
import type { BootstrapConfig, StateBackend } from "../storage/storage-settings";

// The parts each concern resolves are defined with its settings; the whole configuration is assembled here.
export type { AcceptedRisk, SecurityContact, BootstrapConfig, FleetAccount, OrganizationConfig, RegionSettings, RegionStackConfig, StateBackend };
export type { OrganizationMember, OrganizationRoleAccount } from "../organization/organization-settings";

/** Everything one TapStack (one account) needs. */
export interface StackConfig {
  /** Folder under cdktf.out/stacks and the stack's id: `tap` alone, the account name in a fleet. */
  readonly stackName: string;
  readonly project: string;
  readonly environment: string;
  /** Set in a fleet; absent when the stack runs with the ambient credentials. */
  readonly account?: FleetAccount;
  /** The only account the stack's providers may reach (allowed_account_ids): the fleet member's id, or accountId. */
  readonly accountId?: string;
  /** In configuration order. */
  readonly regions: readonly RegionSettings[];
  /** Where the account-wide resources live (one of `regions`), and why there. */
  readonly homeRegion: { readonly region: string; readonly reason: string };
  /** With accountSettings skip: the regions the owner deployment covers (each of `regions` is one). */
  readonly ownerRegions?: readonly string[];
  /**
   * Regions with the regional guardrails (owner only, else the workload regions): the workload
   * regions in configuration order, then the others in the supported list's order.
   */
  readonly guardrailRegions: readonly string[];
  /** Split layout: stacks holding the guarded regions without workload; empty when this stack holds them all. */
  readonly regionStacks: readonly RegionStackConfig[];
  /** Regions being removed: providers declared, no resources. */
  readonly retiringRegions: readonly string[];
  readonly availabilityZoneCount: number;
  /** SSH (22) sources; `undefined` means the region's own VPC CIDR, `[]` means no SSH rule. */
  readonly allowedSshCidrs?: readonly string[];
  /** HTTPS (443) sources; `undefined` means the region's own VPC CIDR, `[]` means no HTTPS rule. */
  readonly allowedHttpsCidrs?: readonly string[];
  readonly logRetentionDays: number;
  /** Lowest Security Hub severity label routed to the security topic (findingsSeverity). */
  readonly findingsSeverity: SeverityLabel;
  readonly passwordReusePrevention: number;
  readonly endpointPrivateDns: boolean;
  /** Extra tags from the user; never a reserved key. */
  readonly tags: Readonly<Record<string, string>>;
  readonly acceptedRisks: readonly AcceptedRisk[];
  /** This deployment owns the account-wide settings (TAP_ACCOUNT_SETTINGS=manage). */
  readonly manageAccountSettings: boolean;
  /** What this deployment does about each account or region singleton; all external with accountSettings skip. */
  readonly singletons: Readonly<Record<SingletonKey, SingletonMode>>;
  /** Names adopted resources keep (`adoptNames`); read with `adoptedName`. */
  readonly adoptNames: Readonly<Record<string, string>>;
  readonly protectData: { readonly enabled: boolean; readonly reason: string };
  /** Data buckets replicate to the next region; false with a single region. */
  readonly replication: boolean;
  readonly guardrails: {
    readonly guardDuty: boolean;
    /** The GuardDuty protection plans on while guardDuty is on; the others are declared off. */
    readonly guardDutyProtection: readonly GuardDutyProtectionPlan[];
    readonly securityHub: boolean;
    /** The standards each guarded region subscribes while securityHub is on. */
    readonly securityHubStandards: readonly SecurityHubStandard[];
    readonly awsConfig: boolean;
    /** How the recorders record while awsConfig is on. */
    readonly configRecording: ConfigRecordingSettings;
    /** The default VPC's default security group emptied in every guarded region (owner only). */
    readonly defaultVpcLockdown: boolean;
    readonly alarmEmail?: string;
    /** The account's security alternate contact (owner only; required in an organization). */
    readonly securityContact?: SecurityContact;
  };
  readonly backend: StateBackend;
  /**
   * An organization member's AWS Config delivers here: the log-archive account's bucket, whose
   * policy lets every account of the organization deliver. Absent: to this stack's own trail bucket.
   */
  readonly configDelivery?: { readonly bucketName: string; readonly keyPrefix: string };
}

/**
 * The organization's management, security and log-archive accounts, each resolved like a fleet
 * account without settings of its own (the top level's), in the organization's environment, with
 * what the organization runs for it external; their AWS Config delivers to the log archive.
 */
export interface RoleBaselines {
  readonly logArchive?: StackConfig;
  readonly management?: StackConfig;
  readonly security?: StackConfig;
}

/** The whole app: one stack per account. */
export interface TapConfig {
  readonly project: string;
  /** The account Terraform runs as (accountId): a single account, or a fleet's deployment account. */
  readonly accountId?: string;
  /** Set for an S3 backend when accountId is known. */
  readonly bootstrap?: BootstrapConfig;
  readonly stacks: readonly StackConfig[];
  /** Set when the file has an organization section: its stacks come before the members (stacks). */
  readonly organization?: OrganizationConfig;
  /**
   * With an organization: its own accounts' baselines, the account and regional guardrails every
   * member gets, built in each role account's stack (absent for an account whose settings tap does not own).
   */
  readonly roleBaselines?: RoleBaselines;
  /** The configuration file read, if any. */
  readonly file?: string;
  /** Not errors, but worth saying (printed by synth and audit). */
  readonly warnings: readonly string[];
}
