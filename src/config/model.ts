/**
 * The validated configuration: what `loadConfig` returns and the app builds from. Every value
 * here has passed validation; nothing downstream re-checks user input.
 */

import type { SingletonKey, SingletonMode } from "../aws/singletons";

/** One deployed region and the CIDR of its VPC. */
export interface RegionSettings {
  readonly region: string;
  readonly vpcCidr: string;
}

/** A rule accepted as failing, with the reason and where the acceptance came from. */
export interface AcceptedRisk {
  readonly ruleId: string;
  readonly reason: string;
  /** `TAP_ACCEPT_RISKS`, `tap.config.json $.acceptRisks`, or `tap (...)` for the product's own. */
  readonly source: string;
}

export type StateBackend =
  | {
      readonly type: "s3";
      /** Undefined until it can be named: no backend.bucket and no accountId to derive it from (deploy refuses). */
      readonly bucket?: string;
      readonly key: string;
      readonly region: string;
      /** Key state objects are encrypted with; SSE-S3 without one. */
      readonly kmsKeyId?: string;
    }
  | { readonly type: "hcp"; readonly organization: string; readonly workspace: string; readonly hostname: string };

/** An account of a fleet: reached by assuming `roleArn`, and nothing else is allowed. */
export interface FleetAccount {
  readonly id: string;
  readonly name: string;
  readonly roleArn: string;
}

/**
 * A stack of the split layout: the regional guardrails of one group of regions that are guarded
 * but hold no workload, with its own state, deployed after the account's stack.
 */
export interface RegionStackConfig {
  /** `<account stack>-guardrails-<n>`, n the group's place in the supported list (stable as regions change). */
  readonly stackName: string;
  /** Its regions, in the supported list's order. */
  readonly regions: readonly string[];
  /** The account stack's backend with this stack's own state key (S3) or workspace (HCP Terraform). */
  readonly backend: StateBackend;
}

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
    readonly securityHub: boolean;
    readonly awsConfig: boolean;
    readonly alarmEmail?: string;
  };
  readonly backend: StateBackend;
  /**
   * An organization member's AWS Config delivers here: the log-archive account's bucket, whose
   * policy lets every account of the organization deliver. Absent: to this stack's own trail bucket.
   */
  readonly configDelivery?: { readonly bucketName: string; readonly keyPrefix: string };
}

/** One of the organization's own accounts (security, log archive): its stack, reached by assuming its role. */
export interface OrganizationRoleAccount extends FleetAccount {
  readonly email: string;
  /** Its stack's state: the fleet's backend with the account name's key or workspace. */
  readonly backend: StateBackend;
}

/** An account an organizational unit holds. */
export interface OrganizationMember {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

/** The organization layer (issue #18): the three role stacks around the fleet's member stacks. */
export interface OrganizationConfig {
  /** The existing organization (o-...), which the management stack imports. */
  readonly id: string;
  readonly project: string;
  /** Where the organization trail, the log archive, Security Hub's aggregation and the Config aggregator live. */
  readonly homeRegion: string;
  /** Regions the DenyOutsideRegions guardrail leaves open, and where the security services run. */
  readonly allowedRegions: readonly string[];
  readonly management: {
    readonly id: string;
    /** Assumed from the ambient credentials; absent: they are the management account's own. */
    readonly roleArn?: string;
    readonly stackName: string;
    readonly backend: StateBackend;
  };
  readonly security: OrganizationRoleAccount;
  readonly logArchive: OrganizationRoleAccount;
  readonly units: readonly { readonly name: string; readonly accounts: readonly OrganizationMember[] }[];
  /** Trusted services and policy types the organization keeps besides tap's (the lists are authoritative). */
  readonly otherTrustedServices: readonly string[];
  readonly otherPolicyTypes: readonly string[];
  /** "root", or names of units. */
  readonly guardrailTargets: readonly string[];
  /** Guardrail policies left off, with the reason (organization.acceptRisks). */
  readonly disabledGuardrails: Readonly<Record<string, string>>;
  /** Role ARN patterns (arn:aws:iam::*:role/<name>) of the roles that deploy tap in the accounts: the guardrails let only them change what they protect. */
  readonly deploymentRoleArns: readonly string[];
  /** Names of the member stacks (the fleet's accounts), deployed after the organization's stacks. */
  readonly memberStacks: readonly string[];
  readonly protect: boolean;
  readonly logRetentionDays: number;
  readonly alarmEmail?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The stack `npm run bootstrap` applies: the S3 state bucket the main stacks' backend names. */
export interface BootstrapConfig {
  /** Its stack (cdktf.out/stacks/<name>); its own state is local, in that folder. */
  readonly stackName: string;
  readonly project: string;
  /** The account that holds the bucket (allowed_account_ids). */
  readonly accountId: string;
  readonly bucket: string;
  /** Where every request to it is logged. */
  readonly accessLogBucket: string;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
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
  /** The configuration file read, if any. */
  readonly file?: string;
  /** Not errors, but worth saying (printed by synth and audit). */
  readonly warnings: readonly string[];
}
