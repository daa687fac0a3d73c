/** Minimal IPv4 CIDR arithmetic for config validation (no dependency needed). */
export interface Ipv4Cidr {
  readonly network: number;
  readonly prefix: number;
}

export function parseCidr(text: string): Ipv4Cidr | string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return 'is not an IPv4 CIDR block like 10.10.0.0/16';
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) return 'has an octet above 255';
  if (prefix > 32) return 'has a prefix length above 32';
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    const aligned = address - (address % size);
    return `is not aligned to its prefix; the network address is ${formatAddress(aligned)}/${prefix}`;
  }
  return { network: address, prefix };
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const aEnd = a.network + 2 ** (32 - a.prefix);
  const bEnd = b.network + 2 ** (32 - b.prefix);
  return a.network < bEnd && b.network < aEnd;
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}
