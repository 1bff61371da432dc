import { cidrsOverlap, Ipv4Cidr, parseIpv4Cidr } from "../aws/cidr";
import { defaultVpcCidr, isSupportedRegion, SUPPORTED_REGION_NAMES } from "../aws/regions";
import { dataBucketName, RESERVED_TAG_KEYS } from "../aws/naming";
import { bucketNameProblem, LOG_RETENTION_DAYS_ALLOWED } from "../aws/limits";
import { BASELINE } from "../aws/baseline";
import { DEFAULT_AVAILABILITY_ZONE_COUNT, VPC_PREFIX_RANGE } from "../constructs/regional-network";

/** One deployed region and the CIDR of its VPC. */
export interface RegionSettings {
  readonly region: string;
  readonly vpcCidr: string;
}

/** Where Terraform keeps state (an S3 bucket that must exist before the first deploy). */
export interface StateBackendSettings {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
}

/** The validated configuration of one tap deployment. Built only by `loadConfig`. */
export interface TapConfig {
  readonly project: string;
  readonly environment: string;
  /** Regions in the order given; the first one hosts the account-wide IAM resources. */
  readonly regions: readonly RegionSettings[];
  readonly availabilityZoneCount: number;
  /** SSH (22) sources; `undefined` means the region's own VPC CIDR, `[]` means no SSH rule. */
  readonly allowedSshCidrs?: readonly string[];
  /** HTTPS (443) sources; `undefined` means the region's own VPC CIDR, `[]` means no HTTPS rule. */
  readonly allowedHttpsCidrs?: readonly string[];
  readonly logRetentionDays: number;
  readonly passwordReusePrevention: number;
  readonly endpointPrivateDns: boolean;
  /** Extra tags from the user; never contains a reserved key. */
  readonly tags: Readonly<Record<string, string>>;
  readonly state: StateBackendSettings;
}

export const DEFAULT_PROJECT = "tap";
export const DEFAULT_ENVIRONMENT = "dev";
export const DEFAULT_REGIONS: readonly string[] = ["us-east-1", "us-west-2", "eu-central-1"];
export const DEFAULT_LOG_RETENTION_DAYS = BASELINE.logRetentionDays;
export const DEFAULT_PASSWORD_REUSE_PREVENTION = 5;
export const DEFAULT_STATE_BUCKET_REGION = "us-east-1";

/** Every configuration problem found, one readable line each. */
export class ConfigError extends Error {
  public readonly name = "ConfigError";
  constructor(public readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }

  /** What the command-line entry points print: a heading, then one indented line per problem. */
  describe(): string {
    return `tap: configuration error\n${this.problems.map((problem) => `  ${problem}`).join("\n")}`;
  }
}

const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const PROJECT_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_PROJECT_LENGTH = 16;

/**
 * Reads and validates the whole configuration from environment variables. Collects
 * every problem and throws one ConfigError, before any construct exists.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TapConfig {
  const problems: string[] = [];
  const setting = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };

  const project = setting("TAP_PROJECT") ?? DEFAULT_PROJECT;
  if (!PROJECT_PATTERN.test(project) || project.length > MAX_PROJECT_LENGTH) {
    problems.push(
      `TAP_PROJECT: "${project}" is not allowed; expected 1-${MAX_PROJECT_LENGTH} lowercase letters, digits and single hyphens, starting with a letter`,
    );
  }

  const environment = setting("ENVIRONMENT_SUFFIX") ?? DEFAULT_ENVIRONMENT;
  const environmentValid = NAME_PATTERN.test(environment);
  if (!environmentValid) {
    problems.push(
      `ENVIRONMENT_SUFFIX: "${environment}" is not allowed; expected lowercase letters, digits and single hyphens (for example dev, staging, prod)`,
    );
  }

  const regions = parseRegions(setting("TAP_REGIONS"), problems);
  const vpcCidrs = parseVpcCidrs(setting("TAP_VPC_CIDRS"), regions, problems);

  if (environmentValid && PROJECT_PATTERN.test(project)) {
    for (const region of regions) {
      const problem = bucketNameProblem(dataBucketName({ project, environment, region }, "123456789012"));
      if (problem) {
        problems.push(
          `ENVIRONMENT_SUFFIX: "${environment}" makes the ${region} data bucket name invalid (${problem}); use a shorter environment or project name`,
        );
        break;
      }
    }
  }

  const availabilityZoneCount = parseInteger(
    "TAP_AZ_COUNT",
    setting("TAP_AZ_COUNT"),
    DEFAULT_AVAILABILITY_ZONE_COUNT,
    { min: 2, max: 3 },
    problems,
  );
  const allowedSshCidrs = parseSourceCidrs("TAP_ALLOWED_SSH_CIDRS", setting("TAP_ALLOWED_SSH_CIDRS"), true, problems);
  const allowedHttpsCidrs = parseSourceCidrs("TAP_ALLOWED_HTTPS_CIDRS", setting("TAP_ALLOWED_HTTPS_CIDRS"), false, problems);

  const retentionText = setting("TAP_LOG_RETENTION_DAYS");
  const logRetentionDays = retentionText === undefined ? DEFAULT_LOG_RETENTION_DAYS : Number(retentionText);
  if (!LOG_RETENTION_DAYS_ALLOWED.includes(logRetentionDays)) {
    problems.push(
      `TAP_LOG_RETENTION_DAYS: "${retentionText}" is not a retention CloudWatch Logs accepts; expected one of ${LOG_RETENTION_DAYS_ALLOWED.join(", ")} (0 = never expire)`,
    );
  }

  const passwordReusePrevention = parseInteger(
    "TAP_PASSWORD_REUSE_PREVENTION",
    setting("TAP_PASSWORD_REUSE_PREVENTION"),
    DEFAULT_PASSWORD_REUSE_PREVENTION,
    { min: 1, max: 24 },
    problems,
  );
  const endpointPrivateDns = parseBoolean("TAP_ENDPOINT_PRIVATE_DNS", setting("TAP_ENDPOINT_PRIVATE_DNS"), true, problems);
  const tags = parseTags(setting("TAP_TAGS"), problems);

  // The derived default is valid whenever project and environment are; only a given name needs checking.
  const stateBucket = setting("TERRAFORM_STATE_BUCKET") ?? `${project}-terraform-state-${environment}`;
  const stateBucketProblem = setting("TERRAFORM_STATE_BUCKET") === undefined ? undefined : bucketNameProblem(stateBucket);
  if (stateBucketProblem) {
    problems.push(`TERRAFORM_STATE_BUCKET: "${stateBucket}" is not a valid S3 bucket name (${stateBucketProblem})`);
  }
  const stateRegion = setting("TERRAFORM_STATE_BUCKET_REGION") ?? DEFAULT_STATE_BUCKET_REGION;
  if (!isSupportedRegion(stateRegion)) {
    problems.push(
      `TERRAFORM_STATE_BUCKET_REGION: "${stateRegion}" is not a supported region; expected one of ${SUPPORTED_REGION_NAMES.join(", ")}`,
    );
  }
  const stateKey = setting("TERRAFORM_STATE_BUCKET_KEY") ?? `${project}/${environment}/terraform.tfstate`;
  if (stateKey.startsWith("/") || stateKey.endsWith("/") || stateKey.length > 1024) {
    problems.push(
      `TERRAFORM_STATE_BUCKET_KEY: "${stateKey}" is not allowed; expected an S3 object key of at most 1024 characters that neither starts nor ends with "/"`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    project,
    environment,
    regions: regions.map((region, i) => ({ region, vpcCidr: vpcCidrs[i] })),
    availabilityZoneCount,
    allowedSshCidrs,
    allowedHttpsCidrs,
    logRetentionDays,
    passwordReusePrevention,
    endpointPrivateDns,
    tags,
    state: { bucket: stateBucket, key: stateKey, region: stateRegion },
  };
}

/** Production environments keep their data when someone runs `destroy`. */
export function isProductionEnvironment(environment: string): boolean {
  return environment === "prod" || environment === "production";
}

function splitList(text: string): string[] {
  return text.split(",").map((item) => item.trim());
}

function parseRegions(text: string | undefined, problems: string[]): string[] {
  if (text === undefined) return [...DEFAULT_REGIONS];
  const regions = splitList(text);
  if (regions.includes("")) {
    problems.push(`TAP_REGIONS: "${text}" has an empty entry; expected a comma-separated list of regions`);
  }
  const seen = new Set<string>();
  for (const region of regions.filter((r) => r !== "")) {
    if (!isSupportedRegion(region)) {
      problems.push(
        `TAP_REGIONS: "${region}" is not a supported region; expected one of ${SUPPORTED_REGION_NAMES.join(", ")}`,
      );
    } else if (seen.has(region)) {
      problems.push(`TAP_REGIONS: "${region}" is listed more than once; each region may appear once`);
    }
    seen.add(region);
  }
  return regions.filter((region) => isSupportedRegion(region));
}

function parseVpcCidrs(text: string | undefined, regions: readonly string[], problems: string[]): string[] {
  if (text === undefined) return regions.map(defaultVpcCidr);
  const cidrs = splitList(text);
  if (cidrs.length !== regions.length) {
    problems.push(
      `TAP_VPC_CIDRS: "${text}" has ${cidrs.length} CIDR(s) but TAP_REGIONS has ${regions.length} region(s); expected one CIDR per region, in the same order`,
    );
  }
  const parsed: { text: string; cidr: Ipv4Cidr }[] = [];
  for (const cidrText of cidrs) {
    const cidr = parseIpv4Cidr(cidrText);
    if (typeof cidr === "string") {
      problems.push(`TAP_VPC_CIDRS: "${cidrText}" ${cidr}`);
    } else if (cidr.prefixLength < VPC_PREFIX_RANGE.min || cidr.prefixLength > VPC_PREFIX_RANGE.max) {
      problems.push(
        `TAP_VPC_CIDRS: "${cidrText}" has prefix /${cidr.prefixLength}; expected a prefix from /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}`,
      );
    } else {
      const clash = parsed.find((other) => cidrsOverlap(other.cidr, cidr));
      if (clash) {
        problems.push(`TAP_VPC_CIDRS: "${cidrText}" overlaps "${clash.text}"; each region needs its own range so VPCs can be peered`);
      }
      parsed.push({ text: cidrText, cidr });
    }
  }
  return cidrs;
}

function parseSourceCidrs(
  name: string,
  text: string | undefined,
  refuseWorld: boolean,
  problems: string[],
): string[] | undefined {
  if (text === undefined) return undefined;
  if (text === "none") return [];
  const cidrs = splitList(text);
  for (const cidrText of cidrs) {
    if (refuseWorld && (cidrText === "::/0" || /\/0$/.test(cidrText))) {
      problems.push(`${name}: "${cidrText}" opens SSH to the whole internet; expected specific IPv4 CIDRs (for example a bastion or VPN range)`);
      continue;
    }
    const cidr = parseIpv4Cidr(cidrText);
    if (typeof cidr === "string") {
      problems.push(`${name}: "${cidrText}" ${cidr}; expected comma-separated IPv4 CIDRs, or "none"`);
    }
  }
  return [...new Set(cidrs)];
}

function parseInteger(
  name: string,
  text: string | undefined,
  fallback: number,
  range: { min: number; max: number },
  problems: string[],
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range.min || value > range.max) {
    problems.push(`${name}: "${text}" is not allowed; expected a whole number from ${range.min} to ${range.max}`);
  }
  return value;
}

function parseBoolean(name: string, text: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (text === undefined) return fallback;
  if (text !== "true" && text !== "false") {
    problems.push(`${name}: "${text}" is not allowed; expected true or false`);
  }
  return text === "true";
}

function parseTags(text: string | undefined, problems: string[]): Record<string, string> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`TAP_TAGS: "${text}" is not valid JSON; expected a JSON object of strings, for example {"CostCenter":"1234"}`);
    return {};
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(`TAP_TAGS: "${text}" is not a JSON object; expected a JSON object of strings, for example {"CostCenter":"1234"}`);
    return {};
  }
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") {
      problems.push(`TAP_TAGS: the value of "${key}" is ${JSON.stringify(value)}; expected a string`);
    } else if ((RESERVED_TAG_KEYS as readonly string[]).includes(key)) {
      problems.push(`TAP_TAGS: "${key}" is set by tap itself; expected keys other than ${RESERVED_TAG_KEYS.join(", ")}`);
    } else if (key.length === 0 || key.length > 128 || key.toLowerCase().startsWith("aws:")) {
      problems.push(`TAP_TAGS: key "${key}" is not allowed; expected 1-128 characters, not starting with "aws:"`);
    } else if (value.length > 256) {
      problems.push(`TAP_TAGS: the value of "${key}" has ${value.length} characters; expected at most 256`);
    } else {
      tags[key] = value;
    }
  }
  return tags;
}
