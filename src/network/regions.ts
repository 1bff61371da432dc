/**
 * The regions tap can deploy to, with the facts each needs at synth time.
 *
 * Availability zones are given as AZ IDs (`use1-az1`), not names (`us-east-1a`):
 * in the older regions AWS maps zone letters to physical zones per account, and
 * some letters do not exist for newer accounts (ap-northeast-1 has no usable `b`,
 * us-west-1 offers two zones). AZ IDs are the same in every account, so the table
 * is right for everyone and no `aws_availability_zones` lookup is needed at plan time.
 */
export interface RegionInfo {
  /** AZ IDs offered to new accounts, in the order subnets use them. */
  readonly availabilityZoneIds: readonly string[];
  /**
   * Second octet of the region's default VPC CIDR (`10.<octet>.0.0/16`). Fixed per
   * region, so adding a region never renumbers another and default VPCs never overlap.
   */
  readonly defaultCidrOctet: number;
}

/** Every region that a new AWS account has enabled by default (17). */
export const SUPPORTED_REGIONS: Readonly<Record<string, RegionInfo>> = {
  "us-east-1": { availabilityZoneIds: ["use1-az1", "use1-az2", "use1-az4"], defaultCidrOctet: 10 },
  "us-east-2": { availabilityZoneIds: ["use2-az1", "use2-az2", "use2-az3"], defaultCidrOctet: 11 },
  "us-west-1": { availabilityZoneIds: ["usw1-az1", "usw1-az3"], defaultCidrOctet: 12 },
  "us-west-2": { availabilityZoneIds: ["usw2-az1", "usw2-az2", "usw2-az3"], defaultCidrOctet: 13 },
  "ca-central-1": { availabilityZoneIds: ["cac1-az1", "cac1-az2", "cac1-az4"], defaultCidrOctet: 14 },
  "sa-east-1": { availabilityZoneIds: ["sae1-az1", "sae1-az2", "sae1-az3"], defaultCidrOctet: 15 },
  "eu-central-1": { availabilityZoneIds: ["euc1-az1", "euc1-az2", "euc1-az3"], defaultCidrOctet: 20 },
  "eu-west-1": { availabilityZoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"], defaultCidrOctet: 21 },
  "eu-west-2": { availabilityZoneIds: ["euw2-az1", "euw2-az2", "euw2-az3"], defaultCidrOctet: 22 },
  "eu-west-3": { availabilityZoneIds: ["euw3-az1", "euw3-az2", "euw3-az3"], defaultCidrOctet: 23 },
  "eu-north-1": { availabilityZoneIds: ["eun1-az1", "eun1-az2", "eun1-az3"], defaultCidrOctet: 24 },
  "ap-south-1": { availabilityZoneIds: ["aps1-az1", "aps1-az2", "aps1-az3"], defaultCidrOctet: 30 },
  "ap-northeast-1": { availabilityZoneIds: ["apne1-az1", "apne1-az2", "apne1-az4"], defaultCidrOctet: 31 },
  "ap-northeast-2": { availabilityZoneIds: ["apne2-az1", "apne2-az2", "apne2-az3"], defaultCidrOctet: 32 },
  "ap-northeast-3": { availabilityZoneIds: ["apne3-az1", "apne3-az2", "apne3-az3"], defaultCidrOctet: 33 },
  "ap-southeast-1": { availabilityZoneIds: ["apse1-az1", "apse1-az2", "apse1-az3"], defaultCidrOctet: 34 },
  "ap-southeast-2": { availabilityZoneIds: ["apse2-az1", "apse2-az2", "apse2-az3"], defaultCidrOctet: 35 },
};

export const SUPPORTED_REGION_NAMES: readonly string[] = Object.keys(SUPPORTED_REGIONS);

export function isSupportedRegion(region: string): boolean {
  return Object.prototype.hasOwnProperty.call(SUPPORTED_REGIONS, region);
}

/** The default VPC CIDR of a supported region. */
export function defaultVpcCidr(region: string): string {
  return `10.${SUPPORTED_REGIONS[region].defaultCidrOctet}.0.0/16`;
}

/** The first `count` availability zones (AZ IDs) of a supported region; fewer where the region offers fewer. */
export function availabilityZonesFor(region: string, count: number): readonly string[] {
  return SUPPORTED_REGIONS[region].availabilityZoneIds.slice(0, count);
}

/**
 * The supported regions in fixed groups of `size`, in the table's order: a group keeps its
 * regions whichever others a deployment uses, so a stack built from a group never sees its
 * regions move to another stack (and its state) when the configuration changes elsewhere.
 */
export function regionGroups(size: number): readonly (readonly string[])[] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`regionGroups: size must be a positive integer. Received: ${size}`);
  const groups: string[][] = [];
  for (let start = 0; start < SUPPORTED_REGION_NAMES.length; start += size) groups.push(SUPPORTED_REGION_NAMES.slice(start, start + size));
  return groups;
}
