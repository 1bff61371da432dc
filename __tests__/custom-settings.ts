/**
 * The non-default configuration the Terraform and apply tiers both run: two other regions (one
 * with zone letters that differ per account), explicit CIDRs and sources, two zones, tags,
 * retention, reuse, private DNS off, the alarm e-mail subscription and the security contact. Each tier adds its
 * environment (the Terraform tier production, the apply tier one whose destroy empties buckets).
 */
export const CUSTOM_SETTINGS = {
  TAP_PROJECT: "acme",
  TAP_REGIONS: "eu-west-1,ap-northeast-1",
  TAP_VPC_CIDRS: "10.100.0.0/16,10.101.0.0/20",
  TAP_AZ_COUNT: "2",
  TAP_ALLOWED_SSH_CIDRS: "192.0.2.0/24,198.51.100.7/32",
  TAP_ALLOWED_HTTPS_CIDRS: "0.0.0.0/0",
  TAP_LOG_RETENTION_DAYS: "731",
  TAP_PASSWORD_REUSE_PREVENTION: "24",
  TAP_ENDPOINT_PRIVATE_DNS: "false",
  TAP_TAGS: '{"CostCenter":"1234","Owner":"platform-team"}',
  TAP_ALARM_EMAIL: "secops@example.com",
  TAP_SECURITY_CONTACT: '{"name":"Acme security","title":"Security operations","email":"secops@example.com","phone":"+44 20 7946 0000"}',
} as const;
