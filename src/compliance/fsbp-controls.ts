/**
 * The AWS Foundational Security Best Practices (FSBP) controls of Security Hub that apply to what
 * tap creates, each with what tap does about it. Plain data (no cdktf): the docs generate the
 * coverage table and count from it, and a unit test holds it and the rule pack's `fsbp` ids to
 * each other (a rule that loses its mapping, or an entry naming a rule that is gone, fails it).
 *
 * Scope: every FSBP control of a service tap configures (Account, API Gateway, CloudTrail,
 * Config, EC2 and VPC, GuardDuty, IAM, Inspector, KMS, S3, SNS, SSM), the ones on resource types
 * tap does not create listed as not applicable with the reason, so that a control becoming
 * relevant is a visible change. CloudWatch, CloudWatch Logs, Organizations and Security Hub have
 * no control in FSBP (theirs are CIS or NIST 800-53 controls).
 *
 * Sources (the list of controls in the standard changes; check it when Security Hub adds one):
 * https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html ("Controls that
 * apply to the FSBP standard") and the per-service pages it links, e.g.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html. KMS.4 (rotation),
 * S3.7 (replication), S3.14 (versioning) and S3.17 (SSE-KMS) are NIST 800-53 or CIS controls, not
 * FSBP ones, so the rules enforcing them carry no FSBP id.
 */

/** What tap does about one control: exactly one of four. */
export type FsbpDisposition =
  /** Rules of the pack (ids) enforce what the control checks, on everything tap creates. */
  | { readonly kind: "covered"; readonly rules: readonly string[] }
  /** tap deliberately does otherwise; Security Hub will report the control as failed. */
  | { readonly kind: "accepted"; readonly reason: string; readonly partly?: readonly string[] }
  /** The control checks a resource or feature tap does not create or use. */
  | { readonly kind: "not-applicable"; readonly reason: string }
  /** An honest gap: no rule enforces it yet (rules in `partly` enforce some of it). */
  | { readonly kind: "not-yet-covered"; readonly reason: string; readonly partly?: readonly string[] };

export interface FsbpControl {
  /** The control's title in Security Hub. */
  readonly title: string;
  readonly disposition: FsbpDisposition;
}

const covered = (...rules: string[]): FsbpDisposition => ({ kind: "covered", rules });
const accepted = (reason: string, partly?: string[]): FsbpDisposition => ({ kind: "accepted", reason, ...(partly ? { partly } : {}) });
const notApplicable = (reason: string): FsbpDisposition => ({ kind: "not-applicable", reason });

const NO_API = "tap creates no API Gateway API, stage or route (only the account's CloudWatch Logs role setting and an execute-api VPC endpoint for workloads)";
const NO_INSTANCES = "tap launches no EC2 instances, launch templates, Auto Scaling groups or Spot Fleets";
const NO_USERS = "tap creates no IAM users: people reach its roles as the account's own principals";
const NO_MANAGED_POLICIES = "tap creates no customer managed policies: its permissions are inline role policies and AWS managed policies";
const NO_VPN = "tap creates no Site-to-Site or Client VPN";
const ENDPOINTS = "tap's VPCs have only the execute-api interface endpoint: each interface endpoint is billed per zone-hour, so workloads add the ones they use";
const INSPECTOR = "Amazon Inspector scans workloads (EC2 instances, ECR images, Lambda functions) that tap does not create, and is billed per scanned resource: enable it with the workloads";
const ROOT_CREDENTIALS =
  "root credentials are not Terraform resources, so no rule sees them. In an organization, centralized root access (docs/organizations.md) lets the management account delete members' root credentials; a standalone account's root user needs its access keys deleted and a hardware MFA device by hand (docs/deploying.md)";

/** Every FSBP control tap has considered, by control id. */
export const FSBP_CONTROLS: Readonly<Record<string, FsbpControl>> = {
  "Account.1": { title: "Security contact information should be provided for an AWS account", disposition: covered("Account.SecurityContact") },

  "APIGateway.1": { title: "API Gateway REST and WebSocket API execution logging should be enabled", disposition: notApplicable(NO_API) },
  "APIGateway.2": { title: "API Gateway REST API stages should be configured to use SSL certificates for backend authentication", disposition: notApplicable(NO_API) },
  "APIGateway.3": { title: "API Gateway REST API stages should have AWS X-Ray tracing enabled", disposition: notApplicable(NO_API) },
  "APIGateway.4": { title: "API Gateway should be associated with a WAF Web ACL", disposition: notApplicable(NO_API) },
  "APIGateway.5": { title: "API Gateway REST API cache data should be encrypted at rest", disposition: notApplicable(NO_API) },
  "APIGateway.8": { title: "API Gateway routes should specify an authorization type", disposition: notApplicable(NO_API) },
  "APIGateway.9": { title: "Access logging should be configured for API Gateway V2 Stages", disposition: notApplicable(NO_API) },

  "CloudTrail.1": { title: "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events", disposition: covered("CloudTrail.MultiRegionTrail") },
  "CloudTrail.2": { title: "CloudTrail should have encryption at-rest enabled", disposition: covered("CloudTrail.KmsEncryption") },
  "CloudTrail.4": { title: "CloudTrail log file validation should be enabled", disposition: covered("CloudTrail.LogFileValidation") },
  "CloudTrail.5": { title: "CloudTrail trails should be integrated with Amazon CloudWatch Logs", disposition: covered("CloudTrail.CloudWatchLogs") },

  "Config.1": { title: "AWS Config should be enabled and use the service-linked role for resource recording", disposition: covered("Config.Recorder", "Config.ServiceLinkedRole", "Config.RequiredResourceTypes") },

  "EC2.1": { title: "Amazon EBS snapshots should not be publicly restorable", disposition: notApplicable("tap creates no EBS snapshots; EC2.182's account-wide block (block-all-sharing) keeps any snapshot of the account from being shared publicly and treats those shared before as private") },
  "EC2.2": { title: "VPC default security groups should not allow inbound or outbound traffic", disposition: covered("VPC.DefaultSecurityGroupClosed", "EC2.DefaultVpcSecurityGroupClosed") },
  "EC2.3": { title: "Attached Amazon EBS volumes should be encrypted at-rest", disposition: notApplicable("tap creates no EBS volumes (EC2.7, EBS default encryption, encrypts those its users create)") },
  "EC2.4": { title: "Stopped EC2 instances should be removed after a specified time period", disposition: notApplicable(NO_INSTANCES) },
  "EC2.6": { title: "VPC flow logging should be enabled in all VPCs", disposition: covered("VPC.FlowLogs") },
  "EC2.7": { title: "EBS default encryption should be enabled", disposition: covered("EC2.EbsEncryptionByDefault") },
  "EC2.8": { title: "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)", disposition: notApplicable(NO_INSTANCES) },
  "EC2.9": { title: "Amazon EC2 instances should not have a public IPv4 address", disposition: notApplicable(NO_INSTANCES) },
  "EC2.10": { title: "Amazon EC2 should be configured to use VPC endpoints that are created for the Amazon EC2 service", disposition: accepted(ENDPOINTS) },
  "EC2.15": { title: "Amazon EC2 subnets should not automatically assign public IP addresses", disposition: covered("VPC.NoPublicIpOnLaunch") },
  "EC2.16": { title: "Unused Network Access Control Lists should be removed", disposition: notApplicable("tap creates no network ACL beyond each VPC's default one, which every tap subnet uses, so none is unused") },
  "EC2.17": { title: "Amazon EC2 instances should not use multiple ENIs", disposition: notApplicable(NO_INSTANCES) },
  "EC2.18": {
    title: "Security groups should only allow unrestricted incoming traffic for authorized ports",
    disposition: covered("EC2.WorldIngressAuthorizedPortsOnly"),
  },
  "EC2.19": {
    title: "Security groups should not allow unrestricted access to ports with high risk",
    disposition: covered("EC2.NoWorldHighRiskPorts"),
  },
  "EC2.20": { title: "Both VPN tunnels for an AWS Site-to-Site VPN connection should be up", disposition: notApplicable(NO_VPN) },
  "EC2.21": { title: "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389", disposition: covered("VPC.NetworkAclNoAdminFromAnywhere") },
  "EC2.23": { title: "Amazon EC2 Transit Gateways should not automatically accept VPC attachment requests", disposition: notApplicable("tap creates no transit gateway") },
  "EC2.24": { title: "Amazon EC2 paravirtual instance types should not be used", disposition: notApplicable(NO_INSTANCES) },
  "EC2.25": { title: "Amazon EC2 launch templates should not assign public IPs to network interfaces", disposition: notApplicable(NO_INSTANCES) },
  "EC2.51": { title: "EC2 Client VPN endpoints should have client connection logging enabled", disposition: notApplicable(NO_VPN) },
  "EC2.55": { title: "VPCs should be configured with an interface endpoint for ECR API", disposition: accepted(ENDPOINTS) },
  "EC2.56": { title: "VPCs should be configured with an interface endpoint for Docker Registry", disposition: accepted(ENDPOINTS) },
  "EC2.57": { title: "VPCs should be configured with an interface endpoint for Systems Manager", disposition: accepted(ENDPOINTS) },
  "EC2.58": { title: "VPCs should be configured with an interface endpoint for Systems Manager Incident Manager Contacts", disposition: accepted(ENDPOINTS) },
  "EC2.60": { title: "VPCs should be configured with an interface endpoint for Systems Manager Incident Manager", disposition: accepted(ENDPOINTS) },
  "EC2.170": { title: "EC2 launch templates should use Instance Metadata Service Version 2 (IMDSv2)", disposition: notApplicable(NO_INSTANCES) },
  "EC2.171": { title: "EC2 VPN connections should have logging enabled", disposition: notApplicable(NO_VPN) },
  "EC2.172": {
    title: "EC2 VPC Block Public Access settings should block internet gateway traffic",
    disposition: accepted("tap's VPCs have public subnets routed to an internet gateway by design (the public tier); blocking internet gateway traffic account-wide would cut them off"),
  },
  "EC2.173": { title: "EC2 Spot Fleet requests with launch parameters should enable encryption for attached EBS volumes", disposition: notApplicable(NO_INSTANCES) },
  "EC2.180": {
    title: "EC2 network interfaces should have source/destination checking enabled",
    disposition: notApplicable("tap creates no network interface of its own; the execute-api endpoint's are of type vpc_endpoint, which the control does not check"),
  },
  "EC2.182": { title: "Amazon EBS Snapshots should not be publicly accessible", disposition: covered("EC2.SnapshotBlockPublicAccess") },
  "EC2.181": { title: "EC2 launch templates should enable encryption for attached EBS volumes", disposition: notApplicable(NO_INSTANCES) },

  "GuardDuty.1": { title: "GuardDuty should be enabled", disposition: covered("GuardDuty.Enabled") },
  "GuardDuty.5": { title: "GuardDuty EKS Audit Log Monitoring should be enabled", disposition: covered("GuardDuty.ProtectionPlans") },
  "GuardDuty.6": { title: "GuardDuty Lambda Protection should be enabled", disposition: covered("GuardDuty.ProtectionPlans") },
  "GuardDuty.7": { title: "GuardDuty EKS Runtime Monitoring should be enabled", disposition: covered("GuardDuty.ProtectionPlans") },
  "GuardDuty.8": { title: "GuardDuty Malware Protection for EC2 should be enabled", disposition: covered("GuardDuty.ProtectionPlans") },
  "GuardDuty.9": { title: "GuardDuty RDS Protection should be enabled", disposition: covered("GuardDuty.ProtectionPlans") },
  "GuardDuty.10": { title: "GuardDuty S3 Protection should be enabled", disposition: covered("GuardDuty.ProtectionPlans") },
  "GuardDuty.11": { title: "GuardDuty Runtime Monitoring should be enabled", disposition: covered("GuardDuty.ProtectionPlans") },
  "GuardDuty.12": { title: "GuardDuty ECS Runtime Monitoring should be enabled", disposition: covered("GuardDuty.ProtectionPlans") },
  "GuardDuty.13": { title: "GuardDuty EC2 Runtime Monitoring should be enabled", disposition: covered("GuardDuty.ProtectionPlans") },

  "IAM.1": { title: 'IAM policies should not allow full "*" administrative privileges', disposition: covered("IAM.NoAdminStatements") },
  "IAM.2": { title: "IAM users should not have IAM policies attached", disposition: notApplicable(NO_USERS) },
  "IAM.3": { title: "IAM users' access keys should be rotated every 90 days or less", disposition: notApplicable(NO_USERS) },
  "IAM.4": { title: "IAM root user access key should not exist", disposition: accepted(ROOT_CREDENTIALS) },
  "IAM.5": { title: "MFA should be enabled for all IAM users that have a console password", disposition: notApplicable(NO_USERS) },
  "IAM.6": { title: "Hardware MFA should be enabled for the root user", disposition: accepted(ROOT_CREDENTIALS) },
  "IAM.7": { title: "Password policies for IAM users should have strong configurations", disposition: covered("IAM.PasswordMinimumLength", "IAM.PasswordComplexity") },
  "IAM.8": { title: "Unused IAM user credentials should be removed", disposition: notApplicable(NO_USERS) },
  "IAM.21": { title: "IAM customer managed policies that you create should not allow wildcard actions for services", disposition: notApplicable(NO_MANAGED_POLICIES) },

  "Inspector.1": { title: "Amazon Inspector EC2 scanning should be enabled", disposition: accepted(INSPECTOR) },
  "Inspector.2": { title: "Amazon Inspector ECR scanning should be enabled", disposition: accepted(INSPECTOR) },
  "Inspector.3": { title: "Amazon Inspector Lambda code scanning should be enabled", disposition: accepted(INSPECTOR) },
  "Inspector.4": { title: "Amazon Inspector Lambda standard scanning should be enabled", disposition: accepted(INSPECTOR) },

  "KMS.1": { title: "IAM customer managed policies should not allow decryption actions on all KMS keys", disposition: notApplicable(NO_MANAGED_POLICIES) },
  "KMS.2": { title: "IAM principals should not have IAM inline policies that allow decryption actions on all KMS keys", disposition: covered("IAM.InlineNoDecryptOnAllKeys") },
  "KMS.3": {
    title: "AWS KMS keys should not be deleted unintentionally",
    disposition: accepted(
      "the control fails a key pending deletion, and tap's destroy schedules its keys' deletion on purpose: KMS.DeletionWindow keeps the 30-day window in which it can be cancelled, and protectData adds prevent_destroy to the keys",
      ["KMS.DeletionWindow"],
    ),
  },
  "KMS.5": { title: "KMS keys should not be publicly accessible", disposition: covered("KMS.NoUnconditionedWildcardPrincipal") },

  "S3.1": { title: "S3 general purpose buckets should have block public access settings enabled", disposition: covered("S3.AccountPublicAccessBlock") },
  "S3.2": { title: "S3 general purpose buckets should block public read access", disposition: covered("S3.PublicAccessBlock") },
  "S3.3": { title: "S3 general purpose buckets should block public write access", disposition: covered("S3.PublicAccessBlock") },
  "S3.5": { title: "S3 general purpose buckets should require requests to use SSL", disposition: covered("S3.TlsOnly") },
  "S3.6": { title: "S3 general purpose bucket policies should restrict access to other AWS accounts", disposition: covered("S3.NoCrossAccountPolicyActions") },
  "S3.8": { title: "S3 general purpose buckets should block public access", disposition: covered("S3.PublicAccessBlock") },
  "S3.9": {
    title: "S3 general purpose buckets should have server access logging enabled",
    disposition: accepted("S3.AccessLogging requires it of every bucket but the access-log targets, which log nowhere: logging them needs yet another log bucket, and a bucket logging to itself logs its own deliveries endlessly", ["S3.AccessLogging"]),
  },
  "S3.10": { title: "S3 general purpose buckets with versioning enabled should have Lifecycle configurations", disposition: covered("S3.AbortIncompleteUploads") },
  "S3.11": {
    title: "S3 general purpose buckets should have event notifications enabled",
    disposition: accepted(
      "S3.EventNotifications turns on EventBridge delivery for every bucket, but the control's Config rule (s3-event-notifications-enabled) names SNS, Lambda and SQS destinations and AWS does not say it counts EventBridge",
      ["S3.EventNotifications"],
    ),
  },
  "S3.12": { title: "ACLs should not be used to manage user access to S3 general purpose buckets", disposition: covered("S3.OwnershipEnforced") },
  "S3.13": { title: "S3 general purpose buckets should have Lifecycle configurations", disposition: covered("S3.AbortIncompleteUploads") },
  "S3.19": { title: "S3 access points should have block public access settings enabled", disposition: notApplicable("tap creates no S3 access points") },
  "S3.24": { title: "S3 Multi-Region Access Points should have block public access settings enabled", disposition: notApplicable("tap creates no Multi-Region Access Points") },
  "S3.25": { title: "S3 directory buckets should have lifecycle configurations", disposition: notApplicable("tap creates no directory buckets") },

  "SNS.1": { title: "SNS topics should be encrypted at-rest using AWS KMS", disposition: covered("SNS.KmsEncryption") },
  "SNS.2": { title: "Logging of delivery status should be enabled for notification messages sent to a topic", disposition: accepted("tap's topics deliver to e-mail subscriptions, and SNS logs delivery status only for HTTP(S), Amazon SQS, AWS Lambda, Amazon Data Firehose and platform application endpoints (https://docs.aws.amazon.com/sns/latest/dg/sns-topic-attributes.html): there is nothing to log") },
  "SNS.4": { title: "SNS topic access policies should not allow public access", disposition: covered("SNS.NoPublicTopicPolicy") },

  "SSM.1": { title: "Amazon EC2 instances should be managed by AWS Systems Manager", disposition: notApplicable(NO_INSTANCES) },
  "SSM.2": { title: "Amazon EC2 instances managed by Systems Manager should have a patch compliance status of COMPLIANT after a patch installation", disposition: notApplicable(NO_INSTANCES) },
  "SSM.3": { title: "Amazon EC2 instances managed by Systems Manager should have an association compliance status of COMPLIANT", disposition: notApplicable(NO_INSTANCES) },
  "SSM.4": { title: "SSM documents should not be public", disposition: notApplicable("tap creates no SSM documents (SSM.7 blocks public sharing of any)") },
  "SSM.6": { title: "SSM Automation should have CloudWatch logging enabled", disposition: covered("SSM.AutomationLogging") },
  "SSM.7": { title: "SSM documents should have the block public sharing setting enabled", disposition: covered("SSM.DocumentPublicSharingBlocked") },
};

export type FsbpKind = FsbpDisposition["kind"];

/** How many catalogued controls have each disposition; `applicable` is every one but the not-applicable. */
export function fsbpCoverage(controls: Readonly<Record<string, FsbpControl>> = FSBP_CONTROLS) {
  const count = (kind: FsbpKind) => Object.values(controls).filter((control) => control.disposition.kind === kind).length;
  const catalogued = Object.keys(controls).length;
  const notApplicable = count("not-applicable");
  return { catalogued, applicable: catalogued - notApplicable, covered: count("covered"), accepted: count("accepted"), notApplicable, notYetCovered: count("not-yet-covered") };
}
