/**
 * Zones as one account sees them, for the Terraform tier's override_data: zone names map to
 * AZ IDs differently in every account (in older regions), which is why tap places subnets by
 * AZ ID and maps the names the endpoint service reports back to IDs at plan time. Mappings
 * where moto 5.1.22 records real ones are taken from it; the others are plausible shuffles.
 */
export const ACCOUNT_ZONES: Readonly<Record<string, readonly [name: string, id: string][]>> = {
  "us-east-1": [["us-east-1a", "use1-az6"], ["us-east-1b", "use1-az1"], ["us-east-1c", "use1-az2"], ["us-east-1d", "use1-az4"], ["us-east-1e", "use1-az3"], ["us-east-1f", "use1-az5"]],
  "us-east-2": [["us-east-2a", "use2-az1"], ["us-east-2b", "use2-az2"], ["us-east-2c", "use2-az3"]],
  "us-west-1": [["us-west-1a", "usw1-az3"], ["us-west-1b", "usw1-az1"]],
  "us-west-2": [["us-west-2a", "usw2-az2"], ["us-west-2b", "usw2-az1"], ["us-west-2c", "usw2-az3"], ["us-west-2d", "usw2-az4"]],
  "ca-central-1": [["ca-central-1a", "cac1-az1"], ["ca-central-1b", "cac1-az2"], ["ca-central-1d", "cac1-az4"]],
  "sa-east-1": [["sa-east-1a", "sae1-az2"], ["sa-east-1b", "sae1-az1"], ["sa-east-1c", "sae1-az3"]],
  "eu-central-1": [["eu-central-1a", "euc1-az2"], ["eu-central-1b", "euc1-az3"], ["eu-central-1c", "euc1-az1"]],
  "eu-west-1": [["eu-west-1a", "euw1-az3"], ["eu-west-1b", "euw1-az1"], ["eu-west-1c", "euw1-az2"]],
  "eu-west-2": [["eu-west-2a", "euw2-az2"], ["eu-west-2b", "euw2-az3"], ["eu-west-2c", "euw2-az1"]],
  "eu-west-3": [["eu-west-3a", "euw3-az1"], ["eu-west-3b", "euw3-az2"], ["eu-west-3c", "euw3-az3"]],
  "eu-north-1": [["eu-north-1a", "eun1-az1"], ["eu-north-1b", "eun1-az2"], ["eu-north-1c", "eun1-az3"]],
  "ap-south-1": [["ap-south-1a", "aps1-az1"], ["ap-south-1b", "aps1-az3"], ["ap-south-1c", "aps1-az2"]],
  "ap-northeast-1": [["ap-northeast-1a", "apne1-az4"], ["ap-northeast-1c", "apne1-az1"], ["ap-northeast-1d", "apne1-az2"]],
  "ap-northeast-2": [["ap-northeast-2a", "apne2-az1"], ["ap-northeast-2b", "apne2-az2"], ["ap-northeast-2c", "apne2-az3"], ["ap-northeast-2d", "apne2-az4"]],
  "ap-northeast-3": [["ap-northeast-3a", "apne3-az3"], ["ap-northeast-3b", "apne3-az1"], ["ap-northeast-3c", "apne3-az2"]],
  "ap-southeast-1": [["ap-southeast-1a", "apse1-az2"], ["ap-southeast-1b", "apse1-az1"], ["ap-southeast-1c", "apse1-az3"]],
  "ap-southeast-2": [["ap-southeast-2a", "apse2-az1"], ["ap-southeast-2b", "apse2-az3"], ["ap-southeast-2c", "apse2-az2"]],
};

/**
 * Zones where this test data says execute-api has no endpoint: use1-az3 is the us-east-1 zone
 * known to lack many endpoint services; euw1-az2 is a simulated gap inside a zone the custom
 * configuration uses, so the tier sees the endpoint leave a chosen zone out instead of failing.
 */
export const EXECUTE_API_UNAVAILABLE: readonly string[] = ["use1-az3", "euw1-az2"];

/** The zone IDs of `region` that offer execute-api in this test data. */
export function executeApiZoneIds(region: string): string[] {
  return ACCOUNT_ZONES[region].map(([, id]) => id).filter((id) => !EXECUTE_API_UNAVAILABLE.includes(id));
}

/**
 * The test account's default VPC in `region` (every region of a new account has one, as in the
 * emulator), for the Terraform tier's override of the is-default aws_vpcs lookup.
 */
export function defaultVpcId(region: string): string {
  const index = Object.keys(ACCOUNT_ZONES).indexOf(region);
  return `vpc-0defa017${String(index + 1).padStart(9, "0")}`;
}
