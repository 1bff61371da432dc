import type { PlannedStack } from "../terraform/planned-stack";
import { defaultVpcId } from "../../scripts/terraform/zones";
import { TEST_ACCOUNT_ID } from "../../scripts/terraform/workdir";

/** The Terraform tier's checks of the guardrails concern in a real plan (see describePlannedStack). */
export function describePlannedGuardrails(stack: PlannedStack): void {
  const { config, changes, inRegion } = stack;
  describe("guardrails: account and regional controls", () => {
    test("account guardrails: account-wide S3 block; per region EBS default encryption with the region's key, Access Analyzer, GuardDuty, Security Hub FSBP and CIS v5.0.0, AWS Config", () => {
      const perRegion = (type: string) => changes(type).map(inRegion).sort();
      const everyRegion = config.manageAccountSettings ? config.regions.map(({ region }) => region).sort() : [];
      const { guardDuty, securityHub, awsConfig } = config.guardrails;
      expect(changes("aws_s3_account_public_access_block").map((c) => c.change.after)).toEqual(
        config.manageAccountSettings ? [expect.objectContaining({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true })] : [],
      );
      expect(perRegion("aws_ebs_encryption_by_default")).toEqual(everyRegion);
      expect(perRegion("aws_ebs_default_kms_key")).toEqual(everyRegion);
      expect(perRegion("aws_accessanalyzer_analyzer")).toEqual(everyRegion);
      expect(perRegion("aws_guardduty_detector")).toEqual(guardDuty ? everyRegion : []);
      // Every protection plan's feature on each detector (FSBP GuardDuty.5-13), ENABLED while every plan is listed (the default).
      const everyPlan = config.guardrails.guardDutyProtection.length === 8;
      const features = ["EBS_MALWARE_PROTECTION", "EKS_AUDIT_LOGS", "LAMBDA_NETWORK_LOGS", "RDS_LOGIN_EVENTS", "RUNTIME_MONITORING", "S3_DATA_EVENTS"];
      expect(changes("aws_guardduty_detector_feature").map((c) => `${inRegion(c)} ${c.change.after.name}`).sort()).toEqual((guardDuty ? everyRegion : []).flatMap((region) => features.map((name) => `${region} ${name}`)).sort());
      if (everyPlan) for (const feature of changes("aws_guardduty_detector_feature")) expect(feature.change.after.status).toBe("ENABLED");
      // The default standards; a configuration that names its own is checked by the unit tests.
      const standards: Record<string, string> = {
        fsbp: "standards/aws-foundational-security-best-practices/v/1.0.0",
        "cis-v5": "standards/cis-aws-foundations-benchmark/v/5.0.0",
        "cis-v3": "standards/cis-aws-foundations-benchmark/v/3.0.0",
      };
      expect(changes("aws_securityhub_standards_subscription").map((c) => [inRegion(c), c.change.after.standards_arn]).sort()).toEqual(
        (securityHub ? everyRegion : []).flatMap((region) => config.guardrails.securityHubStandards.map((standard) => [region, `arn:aws:securityhub:${region}::${standards[standard]}`])).sort(),
      );
      const recorders = changes("aws_config_configuration_recorder");
      expect(recorders.map(inRegion).sort()).toEqual(awsConfig ? everyRegion : []);
      for (const recorder of recorders) {
        expect(recorder.change.after.recording_group).toEqual([expect.objectContaining({ all_supported: true, include_global_resource_types: inRegion(recorder) === config.homeRegion.region })]);
      }
    });

    test("per region the default VPC's default security group emptied, found by the is-default lookup (never tap's own VPC's group, which the network manages)", () => {
      const everyRegion = config.manageAccountSettings && config.guardrails.defaultVpcLockdown ? config.regions.map(({ region }) => region).sort() : [];
      const lockdowns = changes("aws_default_security_group").filter((change) => change.address.includes("_default-vpc_"));
      expect(lockdowns.map(inRegion).sort()).toEqual(everyRegion);
      for (const group of lockdowns) {
        const vpcId = defaultVpcId(inRegion(group));
        // One instance per id the lookup returned, keyed by it (for_each): a region without a default VPC would have none.
        expect({ address: group.address.replace(/^.*\[/, "["), after: group.change.after }).toEqual({
          address: `["${vpcId}"]`,
          after: expect.objectContaining({ vpc_id: vpcId, ingress: [], egress: [] }),
        });
      }
      // tap's own VPCs keep their own locked-down group, a separate instance per region.
      const own = changes("aws_default_security_group").filter((change) => change.address.startsWith("aws_default_security_group.network-"));
      expect(own.map(inRegion).sort()).toEqual(config.regions.map(({ region }) => region).sort());
      expect(own.every((change) => !lockdowns.some((lockdown) => lockdown.change.after.vpc_id === change.change.after?.vpc_id))).toBe(true);
      // Nothing creates a default VPC or touches its NACL, subnets or routes.
      for (const type of ["aws_default_vpc", "aws_default_subnet", "aws_default_route_table"]) expect(changes(type)).toEqual([]);
      expect(changes("aws_default_network_acl").every((change) => change.address.startsWith("aws_default_network_acl.network-"))).toBe(true);
    });

    test("per region public sharing blocked: EBS snapshots (block-all-sharing), new AMIs, SSM documents; SSM Automation logs to CloudWatch; the account's security contact when configured", () => {
      const everyRegion = config.manageAccountSettings ? config.regions.map(({ region }) => region).sort() : [];
      const byRegion = (type: string, attribute: string) => changes(type).map((change) => [inRegion(change), change.change.after[attribute]]).sort();
      expect(byRegion("aws_ebs_snapshot_block_public_access", "state")).toEqual(everyRegion.map((region) => [region, "block-all-sharing"]));
      expect(byRegion("aws_ec2_image_block_public_access", "state")).toEqual(everyRegion.map((region) => [region, "block-new-sharing"]));
      const accountId = config.account?.id ?? TEST_ACCOUNT_ID;
      expect(changes("aws_ssm_service_setting").map((change) => [inRegion(change), change.change.after.setting_id, change.change.after.setting_value]).sort()).toEqual(
        everyRegion.flatMap((region) => [
          [region, `arn:aws:ssm:${region}:${accountId}:servicesetting/ssm/automation/customer-script-log-destination`, "CloudWatch"],
          [region, `arn:aws:ssm:${region}:${accountId}:servicesetting/ssm/documents/console/public-sharing-permission`, "Disable"],
        ]),
      );
      const contact = config.manageAccountSettings ? config.guardrails.securityContact : undefined;
      expect(changes("aws_account_alternate_contact").map((change) => [inRegion(change), change.change.after])).toEqual(
        contact
          ? [[config.homeRegion.region, expect.objectContaining({ alternate_contact_type: "SECURITY", name: contact.name, title: contact.title, email_address: contact.email, phone_number: contact.phone })]]
          : [],
      );
    });
  });
}
