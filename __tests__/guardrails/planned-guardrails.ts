import type { PlannedStack } from "../terraform/planned-stack";

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
  });
}
