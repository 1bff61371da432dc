import { ADMIN_SOURCE_LIMITS, WORLD } from "./network-facts";
import { parseIpv4Cidr, publicAddressCount, Ipv4Cidr } from "./cidr";

/** What acceptable remote-administration sources look like, for messages. */
export const ADMIN_SOURCES_EXPECTED = `specific IPv4 CIDRs (a VPN or bastion range), each /${ADMIN_SOURCE_LIMITS.minPrefixLength} or narrower and together at most a /${ADMIN_SOURCE_LIMITS.minPrefixLength} of public addresses`;

/**
 * Why these sources are too wide for remote administration on `service` (SSH, RDP), or
 * undefined when they are acceptable. Configuration validation and EC2.NoWorldAdminIngress
 * both ask this.
 */
export function adminSourcesProblem(sources: readonly string[], service: string): string | undefined {
  const world = sources.find((source) => WORLD.includes(source) || /\/0$/.test(source));
  if (world) return `"${world}" opens ${service} to the whole internet`;
  const parsed = sources.map((source) => ({ source, cidr: parseIpv4Cidr(source) }));
  const wide = parsed.find(({ cidr }) => typeof cidr !== "string" && cidr.prefixLength < ADMIN_SOURCE_LIMITS.minPrefixLength);
  if (wide) return `"${wide.source}" opens ${service} to more than a /${ADMIN_SOURCE_LIMITS.minPrefixLength}`;
  const cidrs = parsed.map(({ cidr }) => cidr).filter((cidr): cidr is Ipv4Cidr => typeof cidr !== "string");
  const publicAddresses = publicAddressCount(cidrs);
  if (publicAddresses > ADMIN_SOURCE_LIMITS.maxPublicAddresses) {
    const count = (n: number) => n.toLocaleString("en-US");
    return `"${sources.join(",")}" together open ${service} to ${count(publicAddresses)} public addresses, more than a /${ADMIN_SOURCE_LIMITS.minPrefixLength} (${count(ADMIN_SOURCE_LIMITS.maxPublicAddresses)})`;
  }
  return undefined;
}
