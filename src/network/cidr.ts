/**
 * IPv4 CIDR arithmetic used to validate configuration and to carve subnets at synth
 * time, so that subnet ranges are plain values that tests and reviews can read.
 */
export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`. Returns a reason string instead of throwing, so callers can
 * collect every problem before reporting.
 */
export function parseIpv4Cidr(text: string): Ipv4Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return "is not an IPv4 CIDR (a.b.c.d/n)";
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o) => o > 255)) return "has an octet above 255";
  if (prefixLength > 32) return "has a prefix length above 32";
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const network = address - (address % blockSize(prefixLength));
  if (network !== address) return `has host bits set (the network address is ${formatIpv4Cidr({ network, prefixLength })})`;
  return { network, prefixLength };
}

export function formatIpv4Cidr(cidr: Ipv4Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.network / 2 ** shift) % 256);
  return `${octets.join(".")}/${cidr.prefixLength}`;
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const aEnd = a.network + blockSize(a.prefixLength);
  const bEnd = b.network + blockSize(b.prefixLength);
  return a.network < bEnd && b.network < aEnd;
}

/** Same contract as Terraform's `cidrsubnet(prefix, newbits, netnum)`. */
export function cidrSubnet(parent: Ipv4Cidr, newBits: number, netNum: number): Ipv4Cidr {
  const prefixLength = parent.prefixLength + newBits;
  if (prefixLength > 32 || netNum < 0 || netNum >= 2 ** newBits) {
    throw new RangeError(`cidrSubnet: ${formatIpv4Cidr(parent)} has no subnet ${netNum} with ${newBits} new bits`);
  }
  return { network: parent.network + netNum * blockSize(prefixLength), prefixLength };
}

function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/** RFC 1918 private ranges: reachable only through your own network. */
export const PRIVATE_RANGES: readonly Ipv4Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((text) => parseIpv4Cidr(text) as Ipv4Cidr);

/** How many addresses outside the private ranges the CIDRs cover together (overlaps counted once). */
export function publicAddressCount(cidrs: readonly Ipv4Cidr[]): number {
  const covered = mergeIntervals(cidrs.map(interval));
  const privateIntervals = mergeIntervals(PRIVATE_RANGES.map(interval));
  const total = covered.reduce((sum, [start, end]) => sum + (end - start), 0);
  const privateOverlap = covered.reduce(
    (sum, [start, end]) => sum + privateIntervals.reduce((inner, [ps, pe]) => inner + Math.max(0, Math.min(end, pe) - Math.max(start, ps)), 0),
    0,
  );
  return total - privateOverlap;
}

function interval(cidr: Ipv4Cidr): [number, number] {
  return [cidr.network, cidr.network + blockSize(cidr.prefixLength)];
}

function mergeIntervals(intervals: [number, number][]): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
