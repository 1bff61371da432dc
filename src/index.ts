/**
 * tap as a library: the constructs, the compliance rule pack and the configuration loader, for
 * stacks of your own. Import from the package name only (`tap-aws-baseline`); the folders under
 * it are not part of the API and may move in any release.
 *
 * @example
 * const stack = new TerraformStack(app, "data");
 * new SecureStorage(stack, "storage", { provider, naming, accountId, partition });
 * stack.node.addValidation(new ComplianceValidation(stack, TAP_RULE_PACK)); // synth fails on a broken rule
 */

// The whole baseline, as `npm run synth` builds it.
export { buildApp } from "./app/app";
export { TapStack, type ConfigDeliveryOutput } from "./app/tap-stack";
export { RegionStack, type RegionStackProps, type IAccountStack } from "./app/region-stack";
export { LogArchiveStack, ManagementStack, SecurityStack, ORGANIZATION_OUTPUTS, type IStackState } from "./app/organization-stacks";

// Constructs, one per concern.
export { RegionalNetwork, type RegionalNetworkProps } from "./network/regional-network";
export { SecureStorage, type SecureStorageProps, type ILogEncryptionKey, type IEbsEncryptionKey } from "./storage/secure-storage";
export { HardenedBucket, type HardenedBucketProps, type IAccessLogTarget, type AccessLogDelivery } from "./storage/hardened-bucket";
export { BucketReplication, type BucketReplicationProps, type ReplicatedBucket } from "./storage/bucket-replication";
export { GlobalIdentity, type GlobalIdentityProps, type IFlowLogDeliveryRole } from "./identity/global-identity";
export { AuditTrail, type AuditTrailProps } from "./audit/audit-trail";
export { CIS_ALARMS, type CisAlarm } from "./audit/cis-alarms";
export { AccountGuardrails, type AccountGuardrailsProps, type IConfigRecorderRole } from "./guardrails/account-guardrails";
export { RegionalGuardrails, type RegionalGuardrailsProps } from "./guardrails/regional-guardrails";
export { DefaultVpcLockdown, type DefaultVpcLockdownProps } from "./guardrails/default-vpc-lockdown";
export { StateBucket, type StateBucketProps } from "./storage/state-bucket";
export { OrganizationGuardrails, type OrganizationGuardrailsProps } from "./organization/organization-guardrails";
export { OrganizationManagement, type OrganizationManagementProps, type UnitAccount } from "./organization/organization-management";
export { OrganizationSecurity, type OrganizationSecurityProps } from "./organization/organization-security";
export { LogArchive, type LogArchiveProps } from "./organization/log-archive";
export { GUARDRAIL_POLICIES, guardrailDocuments, type GuardrailPolicyId, type ScpDocument } from "./organization/organization-facts";
export type { NameScope } from "./aws/naming";

// The rule pack and its engine.
export { TAP_RULE_PACK, TAP_RESOURCE_RULES, TAP_REGION_STACK_RULES, ACCOUNT_WIDE_RULE_IDS, isAccountBaselineRule } from "./app/rule-pack";
export { ComplianceValidation, auditStack, type ComplianceReport, type Finding } from "./compliance/audit";
export { auditStacks, formatReport } from "./compliance/report";
export { suppressRule } from "./compliance/suppressions";
export { PASS, fail, unknown, type Outcome, type Rule, type StackView } from "./compliance/rule";

// Configuration: the loader, its error and the JSON Schema of tap.config.json.
export { ConfigError, DEFAULTS } from "./config/load";
export { loadConfig } from "./app/load-config";
export { configJsonSchema } from "./config/settings";
export type { OrganizationConfig, RegionStackConfig, StackConfig, TapConfig } from "./config/model";
