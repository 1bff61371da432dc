/**
 * The network's settings: which regions are deployed (and which are being retired), each
 * region's VPC CIDR, the availability zones, who may reach workloads on SSH and HTTPS, and the
 * execute-api endpoint's private DNS. Their schema fragments, variables and defaults, and the
 * checks that need more than one value (overlapping CIDRs, sources too wide together).
 */
import { ADMIN_SOURCES_EXPECTED, adminSourcesProblem } from "./admin-sources";
import { cidrsOverlap, Ipv4Cidr, parseIpv4Cidr } from "./cidr";
import { DEFAULT_AVAILABILITY_ZONE_COUNT, MAX_SSH_SOURCES, NACL_RULES_PER_DIRECTION, VPC_PREFIX_RANGE } from "./network-facts";
import { defaultVpcCidr, SUPPORTED_REGION_NAMES } from "./regions";
import { Problems, Setting, StackSettingsView } from "../settings/problems";
import { BooleanSchema, IntegerSchema, ListSchema, RecordSchema, Schema, StringSchema } from "../settings/schema";
import { closest } from "../settings/suggest";

/** One deployed region and the CIDR of its VPC. */
export interface RegionSettings {
  readonly region: string;
  readonly vpcCidr: string;
}

export const NETWORK_DEFAULTS = {
  regions: ["us-east-1", "us-west-2", "eu-central-1"] as readonly string[],
  availabilityZoneCount: DEFAULT_AVAILABILITY_ZONE_COUNT,
  endpointPrivateDns: true,
} as const;

const CIDR_SHAPE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2}$/;

/** One of the regions tap supports (every concern that names a region uses this). */
export const REGION_SCHEMA = new StringSchema({
  description: "An AWS region a new account has enabled by default.",
  enum: SUPPORTED_REGION_NAMES,
  refusal: "is not a supported region",
  expected: `one of ${SUPPORTED_REGION_NAMES.join(", ")}`,
});

/** Why `key` is not a region a record may be keyed by. */
export function regionKeyProblem(key: string): string | undefined {
  if (SUPPORTED_REGION_NAMES.includes(key)) return undefined;
  const suggestion = closest(key, SUPPORTED_REGION_NAMES);
  return `is not a supported region;${suggestion ? ` did you mean "${suggestion}"?` : ""} expected one of ${SUPPORTED_REGION_NAMES.join(", ")}`;
}

const cidr = (description: string) =>
  new StringSchema({
    description,
    pattern: CIDR_SHAPE,
    expected: "an IPv4 CIDR (a.b.c.d/n)",
    check: (value) => {
      const parsed = parseIpv4Cidr(value);
      return typeof parsed === "string" ? parsed : undefined;
    },
  });

/** An SSH source: world-open ones, IPv6 included, get their own message before the IPv4 shape check. */
const sshSource = new StringSchema({
  description: "A source allowed to reach workloads on SSH (22).",
  expected: "an IPv4 CIDR (a.b.c.d/n)",
  check: (value) => {
    const world = adminSourcesProblem([value], "SSH");
    if (world && /\/0$/.test(value)) return `${world.replace(/^"[^"]*" /, "")}; expected ${ADMIN_SOURCES_EXPECTED}`;
    const parsed = CIDR_SHAPE.test(value) ? parseIpv4Cidr(value) : "is not allowed; expected an IPv4 CIDR (a.b.c.d/n)";
    return typeof parsed === "string" ? parsed : undefined;
  },
});

export const NETWORK_FIELDS = {
  regions: new ListSchema(REGION_SCHEMA, {
    description: "Regions to deploy, in order; the first is the home region unless homeRegion says otherwise.",
    unique: true,
    minItems: 1,
  }),
  retiringRegions: new ListSchema(REGION_SCHEMA, {
    description: "Regions being removed: their providers stay declared, with no resources, so Terraform can destroy what state still holds there.",
    unique: true,
  }),
  vpcCidrs: new RecordSchema(cidr("VPC CIDR of the region, /16 to /24."), {
    description: "VPC CIDR per region, keyed by region; regions not listed get their fixed default 10.<n>.0.0/16.",
    keyCheck: (key) => regionKeyProblem(key),
    keyPattern: /^[a-z]{2}-[a-z]+-\d$/,
    textFormat: "json",
    example: '{"us-east-1": "10.100.0.0/16"}',
  }),
  availabilityZoneCount: new IntegerSchema({ description: "Availability zones per region (us-west-1 always gets its two).", min: 2, max: 3 }),
  allowedSshCidrs: new ListSchema(sshSource, {
    description: `SSH (22) sources; [] for no SSH rule. Default: the region's VPC CIDR. Sources wider than /8, or that together cover more than a /8 of public addresses, are refused. At most ${MAX_SSH_SOURCES}.`,
    unique: true,
    maxItems: { count: MAX_SSH_SOURCES, why: `(each is an entry of the default network ACL, and AWS allows ${NACL_RULES_PER_DIRECTION} per direction)` },
    emptyText: "none",
  }),
  allowedHttpsCidrs: new ListSchema(cidr("A source allowed to reach workloads on HTTPS (443)."), {
    description: "HTTPS (443) sources; [] for no HTTPS rule. Default: the region's VPC CIDR.",
    unique: true,
    emptyText: "none",
  }),
  endpointPrivateDns: new BooleanSchema("Private DNS on the execute-api endpoint: every execute-api name then resolves to the endpoint inside the VPC."),
} as const;

export const NETWORK_VARIABLES: Readonly<Record<keyof typeof NETWORK_FIELDS, string>> = {
  regions: "TAP_REGIONS",
  retiringRegions: "TAP_RETIRING_REGIONS",
  vpcCidrs: "TAP_VPC_CIDRS",
  availabilityZoneCount: "TAP_AZ_COUNT",
  allowedSshCidrs: "TAP_ALLOWED_SSH_CIDRS",
  allowedHttpsCidrs: "TAP_ALLOWED_HTTPS_CIDRS",
  endpointPrivateDns: "TAP_ENDPOINT_PRIVATE_DNS",
};

/**
 * Where a variable's form differs from the file's. TAP_VPC_CIDRS lists one CIDR per region
 * in TAP_REGIONS order (the variable predates the file); the file keys them by region.
 */
export const NETWORK_VARIABLE_SCHEMAS: Partial<Record<keyof typeof NETWORK_FIELDS, Schema<unknown>>> = {
  vpcCidrs: new ListSchema(cidr("VPC CIDR."), { description: "One VPC CIDR per region, in TAP_REGIONS order." }),
};

/** The network of one stack, resolved. */
export interface NetworkSettings {
  /** The deployed regions as given (or the default), in order. */
  readonly regionNames: readonly string[];
  /** Each deployed region with its VPC CIDR; empty when the regions or CIDRs were refused. */
  readonly regions: readonly RegionSettings[];
  readonly retiringRegions: readonly string[];
  readonly availabilityZoneCount: number;
  readonly allowedSshCidrs?: readonly string[];
  readonly allowedHttpsCidrs?: readonly string[];
  readonly endpointPrivateDns: boolean;
}

/** One stack's network settings, resolved and checked: a region is deployed or retiring, CIDRs fit, SSH sources are narrow together. */
export function resolveNetwork(view: StackSettingsView, problems: Problems): NetworkSettings {
  const regionNames = view.valueOf<readonly string[]>("regions", NETWORK_DEFAULTS.regions);
  const regionsValid = !view.refused("regions");
  const retiringRegions = view.valueOf<string[]>("retiringRegions", []);
  for (const region of regionsValid ? retiringRegions.filter((r) => regionNames.includes(r)) : []) {
    problems.error(`${view.where("retiringRegions")}: "${region}" is also in ${view.where("regions")}; a region is either deployed or retiring`);
  }
  const regions = regionsValid && !view.refused("vpcCidrs") ? resolveVpcCidrs(regionNames, view.given("vpcCidrs"), view.where("vpcCidrs"), view.where("regions"), problems) : [];
  const allowedSshCidrs = view.given<string[]>("allowedSshCidrs")?.value;
  const sshProblem = allowedSshCidrs ? adminSourcesProblem(allowedSshCidrs, "SSH") : undefined;
  if (sshProblem) problems.error(`${view.where("allowedSshCidrs")}: ${sshProblem}; expected ${ADMIN_SOURCES_EXPECTED}`);
  return {
    regionNames,
    regions,
    retiringRegions,
    availabilityZoneCount: view.valueOf("availabilityZoneCount", NETWORK_DEFAULTS.availabilityZoneCount),
    allowedSshCidrs,
    allowedHttpsCidrs: view.given<string[]>("allowedHttpsCidrs")?.value,
    endpointPrivateDns: view.valueOf("endpointPrivateDns", NETWORK_DEFAULTS.endpointPrivateDns),
  };
}

/** One CIDR per region: from the variable's list (TAP_REGIONS order), the file's map, or the default. */
function resolveVpcCidrs(regions: readonly string[], given: Setting | undefined, where: string, regionsWhere: string, problems: Problems): RegionSettings[] {
  let byRegion: Record<string, string> = {};
  if (Array.isArray(given?.value)) {
    const list = given!.value as string[];
    if (list.length !== regions.length) {
      problems.error(`${where}: "${list.join(",")}" has ${list.length} CIDR(s) but ${regionsWhere} has ${regions.length} region(s); expected one CIDR per region, in the same order`);
      return [];
    }
    byRegion = Object.fromEntries(regions.map((region, i) => [region, list[i]]));
  } else if (given) {
    byRegion = given.value as Record<string, string>;
    for (const region of Object.keys(byRegion).filter((r) => !regions.includes(r))) {
      problems.error(`${where}: has a CIDR for "${region}", which is not in ${regionsWhere}; remove it or add the region`);
    }
  }
  const parsed: { region: string; text: string; cidr: Ipv4Cidr }[] = [];
  for (const region of regions) {
    const text = byRegion[region] ?? defaultVpcCidr(region);
    const cidr = parseIpv4Cidr(text) as Ipv4Cidr;
    if (cidr.prefixLength < VPC_PREFIX_RANGE.min || cidr.prefixLength > VPC_PREFIX_RANGE.max) {
      problems.error(`${where}: "${text}" has prefix /${cidr.prefixLength}; expected a prefix from /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}`);
      continue;
    }
    const clash = parsed.find((other) => cidrsOverlap(other.cidr, cidr));
    if (clash) problems.error(`${where}: "${text}" (${region}) overlaps "${clash.text}" (${clash.region}); each region needs its own range so VPCs can be peered`);
    parsed.push({ region, text, cidr });
  }
  return regions.map((region) => ({ region, vpcCidr: byRegion[region] ?? defaultVpcCidr(region) }));
}

/**
 * No two VPCs of a fleet overlap, so accounts can be peered or joined by a transit gateway.
 * `where(index)` names the account's vpcCidrs setting.
 */
export function checkFleetVpcCidrs(stacks: readonly { readonly stackName: string; readonly regions: readonly RegionSettings[] }[], where: (index: number) => string, problems: Problems): void {
  const seen: { stack: string; index: number; region: string; text: string; cidr: Ipv4Cidr }[] = [];
  stacks.forEach((stack, index) => {
    for (const { region, vpcCidr } of stack.regions) {
      const cidr = parseIpv4Cidr(vpcCidr);
      if (typeof cidr === "string") continue;
      const clash = seen.find((other) => other.index !== index && cidrsOverlap(other.cidr, cidr));
      if (clash) {
        problems.error(
          `${where(index)}: ${region} "${vpcCidr}" overlaps ${clash.region} "${clash.text}" of account "${clash.stack}"; VPC CIDRs must not overlap across the fleet (so accounts can be peered or joined by a transit gateway): give each account its own vpcCidrs`,
        );
      }
      seen.push({ stack: stack.stackName, index, region, text: vpcCidr, cidr });
    }
  });
}
