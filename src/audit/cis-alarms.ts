/**
 * CIS AWS Foundations Benchmark v3.0.0, section 4: a metric filter on the CloudTrail log group
 * and an alarm on it for each of these events. The patterns are the benchmark's own (checkers
 * such as Security Hub match them exactly), so the construct and the rule that checks it both
 * read them from here.
 */
export interface CisAlarm {
  /** CIS v3.0.0 item. */
  readonly cis: string;
  /** Metric and alarm name part. */
  readonly name: string;
  /** What the alarm watches, for its description. */
  readonly watches: string;
  readonly pattern: string;
}

export const CIS_ALARMS: readonly CisAlarm[] = [
  {
    cis: "4.1",
    name: "UnauthorizedApiCalls",
    watches: "unauthorized API calls",
    pattern: '{(($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && (($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket"))}',
  },
  {
    cis: "4.2",
    name: "ConsoleSignInWithoutMfa",
    watches: "Management Console sign-in without MFA",
    pattern: '{($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success")}',
  },
  {
    cis: "4.3",
    name: "RootAccountUsage",
    watches: "usage of the root user",
    pattern: '{$.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent"}',
  },
  {
    cis: "4.4",
    name: "IamPolicyChanges",
    watches: "IAM policy changes",
    pattern:
      "{($.eventSource = iam.amazonaws.com) && (($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy))}",
  },
  {
    cis: "4.5",
    name: "CloudTrailConfigurationChanges",
    watches: "CloudTrail configuration changes",
    pattern: "{($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging)}",
  },
  {
    cis: "4.6",
    name: "ConsoleAuthenticationFailures",
    watches: "Management Console authentication failures",
    pattern: '{($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication")}',
  },
  {
    cis: "4.7",
    name: "DisabledOrDeletedCmks",
    watches: "disabling or scheduled deletion of customer-managed keys",
    pattern: "{($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion))}",
  },
  {
    cis: "4.8",
    name: "S3BucketPolicyChanges",
    watches: "S3 bucket policy changes",
    pattern:
      "{($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication))}",
  },
  {
    cis: "4.9",
    name: "AwsConfigChanges",
    watches: "AWS Config configuration changes",
    pattern:
      "{($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder))}",
  },
  {
    cis: "4.10",
    name: "SecurityGroupChanges",
    watches: "security group changes",
    pattern:
      "{($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup)}",
  },
  {
    cis: "4.11",
    name: "NetworkAclChanges",
    watches: "network ACL changes",
    pattern:
      "{($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation)}",
  },
  {
    cis: "4.12",
    name: "NetworkGatewayChanges",
    watches: "network gateway changes",
    pattern:
      "{($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway)}",
  },
  {
    cis: "4.13",
    name: "RouteTableChanges",
    watches: "route table changes",
    pattern:
      "{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable))}",
  },
  {
    cis: "4.14",
    name: "VpcChanges",
    watches: "VPC changes",
    pattern:
      "{($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink)}",
  },
  {
    cis: "4.15",
    name: "OrganizationsChanges",
    watches: "AWS Organizations changes",
    pattern:
      '{($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit"))}',
  },
];

/** Namespace of the CIS metrics. */
export const CIS_METRIC_NAMESPACE = "CISBenchmark";
