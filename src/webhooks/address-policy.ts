/**
 * Where callbacks may go. A callback URL is chosen by API users, so without a policy the service
 * could be made to call its own loopback interface, the private network it runs in, or the cloud
 * metadata endpoint (server-side request forgery). Such targets are refused twice: statically when
 * a report is created (literal addresses and names that are never public), and at delivery time
 * after DNS resolution (every resolved address is judged; the connection is then pinned to the
 * checked address, see deliver.ts). The operator can allow-list exceptions with
 * OPENINSIGHTS_CALLBACK_ALLOW: host names, addresses and CIDR ranges, comma-separated.
 */
import { promises as dns } from "node:dns";
import { isIPv4, isIPv6 } from "node:net";
import { domainToASCII } from "node:url";
import { AppError, ERROR_CODES } from "../core/errors.js";

/** The name of the allow-list variable, for messages. */
export const CALLBACK_ALLOW_ENV = "OPENINSIGHTS_CALLBACK_ALLOW";

type Family = 4 | 6;

interface Address {
  readonly family: Family;
  readonly value: bigint;
}

interface Range {
  readonly family: Family;
  readonly network: bigint;
  readonly prefix: number;
}

export interface AllowList {
  /** Lower-case ASCII host names without a trailing dot; matched exactly. */
  readonly hosts: ReadonlySet<string>;
  /** Single addresses are /32 or /128 ranges. */
  readonly ranges: readonly Range[];
  /** The entries as given, for logs. */
  readonly entries: readonly string[];
}

export const EMPTY_ALLOW_LIST: AllowList = Object.freeze({
  hosts: new Set<string>(),
  ranges: [],
  entries: [],
});

// --- Addresses -------------------------------------------------------------------------------

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** Parses a textual IPv4 or IPv6 address (an IPv6 zone id is ignored); null when it is neither. */
function parseAddress(text: string): Address | null {
  const ip = stripBrackets(text.trim());
  if (isIPv4(ip)) return { family: 4, value: v4ToBigInt(ip) };
  if (isIPv6(ip)) {
    const value = v6ToBigInt(ip.replace(/%.*$/, ""));
    return value === null ? null : { family: 6, value };
  }
  return null;
}

function v4ToBigInt(ip: string): bigint {
  return ip.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBigInt(ip: string): bigint | null {
  let text = ip.toLowerCase();
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1]) {
    if (!isIPv4(tail[1])) return null;
    const v4 = v4ToBigInt(tail[1]);
    text = `${text.slice(0, tail.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn)).join(".");
}

function range(text: string): Range {
  const [ip, prefix] = text.split("/");
  const address = parseAddress(ip ?? "");
  if (!address) throw new Error(`bad built-in range ${text}`);
  return masked(address, prefix === undefined ? BITS[address.family] : Number(prefix));
}

function masked(address: Address, prefix: number): Range {
  const hostBits = BigInt(BITS[address.family] - prefix);
  return { family: address.family, network: (address.value >> hostBits) << hostBits, prefix };
}

function inRange(address: Address, r: Range): boolean {
  if (address.family !== r.family) return false;
  const hostBits = BigInt(BITS[r.family] - r.prefix);
  return address.value >> hostBits === r.network >> hostBits;
}

/** First match wins, so the more specific ranges come first. */
const V4_RULES: readonly (readonly [Range, string])[] = [
  [range("169.254.169.254"), "a cloud metadata address"],
  [range("100.100.100.200"), "a cloud metadata address"],
  [range("0.0.0.0"), "the unspecified address"],
  [range("255.255.255.255"), "the broadcast address"],
  [range("0.0.0.0/8"), "a reserved ('this network') address"],
  [range("127.0.0.0/8"), "a loopback address"],
  [range("10.0.0.0/8"), "a private address"],
  [range("172.16.0.0/12"), "a private address"],
  [range("192.168.0.0/16"), "a private address"],
  [range("169.254.0.0/16"), "a link-local address"],
  [range("100.64.0.0/10"), "a shared (carrier-grade NAT) address"],
  [range("192.0.0.0/24"), "a reserved (IETF protocol assignment) address"],
  [range("192.0.2.0/24"), "a documentation address"],
  [range("198.51.100.0/24"), "a documentation address"],
  [range("203.0.113.0/24"), "a documentation address"],
  [range("198.18.0.0/15"), "a benchmarking address"],
  [range("224.0.0.0/4"), "a multicast address"],
  [range("240.0.0.0/4"), "a reserved address"],
];

/** IPv6 forms that carry an IPv4 address in their low 32 bits (or, for 6to4, bits 16–47). */
const V6_EMBEDDING: readonly (readonly [Range, string, (value: bigint) => bigint])[] = [
  [range("::ffff:0:0/96"), "IPv4-mapped", (v) => v & 0xffffffffn],
  [range("::ffff:0:0:0/96"), "IPv4-translated", (v) => v & 0xffffffffn],
  [range("64:ff9b::/96"), "NAT64", (v) => v & 0xffffffffn],
  [range("2002::/16"), "6to4", (v) => (v >> 80n) & 0xffffffffn],
];

const V6_RULES: readonly (readonly [Range, string])[] = [
  [range("fd00:ec2::254"), "a cloud metadata address"],
  [range("::"), "the unspecified address"],
  [range("::1"), "a loopback address"],
  [range("64:ff9b:1::/48"), "a private (local-use NAT64) address"],
  [range("::/96"), "a deprecated IPv4-compatible address"],
  [range("100::/64"), "a discard-only address"],
  [range("2001:db8::/32"), "a documentation address"],
  [range("3fff::/20"), "a documentation address"],
  [range("fc00::/7"), "a private (unique local) address"],
  [range("fe80::/10"), "a link-local address"],
  [range("fec0::/10"), "a deprecated site-local address"],
  [range("ff00::/8"), "a multicast address"],
];

/** Only 2000::/3 is allocated as global unicast; everything else (bar the embeddings) is refused. */
const V6_GLOBAL_UNICAST = range("2000::/3");

function classify(address: Address): string | null {
  if (address.family === 4) {
    for (const [r, reason] of V4_RULES) if (inRange(address, r)) return reason;
    return null;
  }
  for (const [r, form, extract] of V6_EMBEDDING) {
    if (!inRange(address, r)) continue;
    const inner = extract(address.value);
    const reason = classify({ family: 4, value: inner });
    return reason === null ? null : `${reason} (${form} ${formatV4(inner)})`;
  }
  for (const [r, reason] of V6_RULES) if (inRange(address, r)) return reason;
  if (!inRange(address, V6_GLOBAL_UNICAST)) return "a reserved (not global unicast) address";
  return null;
}

/**
 * Why a callback must not go to `ip` ("a loopback address", "a private address (IPv4-mapped
 * 10.0.0.1)", …), or null when it may. Anything that is not an IP address is refused.
 */
export function forbiddenReason(ip: string): string | null {
  const address = parseAddress(ip);
  return address ? classify(address) : "not an IP address";
}

/**
 * True for loopback, private, link-local, unspecified, cloud metadata, carrier-grade NAT,
 * multicast, broadcast and other reserved addresses; IPv4 addresses embedded in IPv6 (mapped,
 * translated, NAT64 64:ff9b::/96, 6to4) are judged by the embedded address.
 */
export function isForbiddenAddress(ip: string): boolean {
  return forbiddenReason(ip) !== null;
}

// --- The allow list --------------------------------------------------------------------------

/**
 * Parses OPENINSIGHTS_CALLBACK_ALLOW: comma-separated host names (matched exactly,
 * case-insensitively), IPv4/IPv6 addresses and CIDR ranges. Empty entries are ignored.
 */
export function parseAllowList(text: string | undefined): AllowList {
  const hosts = new Set<string>();
  const ranges: Range[] = [];
  const entries: string[] = [];
  for (const raw of (text ?? "").split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    entries.push(entry);
    const slash = entry.indexOf("/");
    if (slash >= 0) {
      const address = parseAddress(entry.slice(0, slash));
      const prefixText = entry.slice(slash + 1);
      const prefix = Number(prefixText);
      if (!address || !/^\d{1,3}$/.test(prefixText) || prefix > BITS[address.family]) {
        throw badEntry(entry, "not a valid CIDR range (like 10.0.0.0/8 or fd00::/8)");
      }
      ranges.push(masked(address, prefix));
      continue;
    }
    const address = parseAddress(entry);
    if (address) {
      ranges.push(masked(address, BITS[address.family]));
      continue;
    }
    const host = normalizeHostName(entry);
    if (host === null) throw badEntry(entry, "not a host name, an IP address or a CIDR range");
    hosts.add(host);
  }
  return Object.freeze({ hosts, ranges: Object.freeze(ranges), entries: Object.freeze(entries) });
}

function badEntry(entry: string, why: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, `${CALLBACK_ALLOW_ENV}: '${entry}' is ${why}`);
}

/** Lower-case ASCII (punycode) without a trailing dot, or null when it is not a host name. */
function normalizeHostName(text: string): string | null {
  const trimmed = text.trim().replace(/\.$/, "");
  if (!/^[^\s/:@?#[\]\\]+$/.test(trimmed)) return null;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split(".");
  const label = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
  if (!labels.every((l) => label.test(l))) return null;
  // A name ending in a number is parsed as an IPv4 address by URL parsers ("1.2.3" = 1.2.0.3).
  if (/^\d+$/.test(labels[labels.length - 1] ?? "")) return null;
  return ascii;
}

/** True when `host` (a name, in any case, with or without a trailing dot) is allow-listed by name. */
export function isAllowedHost(allow: AllowList, host: string): boolean {
  return allow.hosts.has(stripBrackets(host).toLowerCase().replace(/\.$/, ""));
}

/** True when `ip` is in an allow-listed address or range (an IPv4-mapped address also by its IPv4 form). */
export function isAllowedAddress(allow: AllowList, ip: string): boolean {
  const address = parseAddress(ip);
  if (!address) return false;
  if (allow.ranges.some((r) => inRange(address, r))) return true;
  const [mapped] = V6_EMBEDDING;
  if (mapped && address.family === 6 && inRange(address, mapped[0])) {
    const inner: Address = { family: 4, value: address.value & 0xffffffffn };
    return allow.ranges.some((r) => inRange(inner, r));
  }
  return false;
}

// --- Callback URLs ---------------------------------------------------------------------------

/** Names that never lead to a public host (RFC 6761/6762/8375/ICANN's .internal, and common private TLDs). */
const PRIVATE_SUFFIXES = ["localhost", "local", "internal", "localdomain", "home.arpa", "lan", "intranet"];

interface ParsedTarget {
  readonly url: URL;
  /** The host without brackets, lower case, no trailing dot. */
  readonly host: string;
  /** Set when the host is a literal IP address. */
  readonly ip: string | null;
}

function parseTarget(text: string): ParsedTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid("CallbackUrl must be an absolute http or https URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid(`CallbackUrl must use http or https, not ${url.protocol.replace(":", "")}`);
  }
  if (url.username || url.password) throw invalid("CallbackUrl must not carry credentials");
  // WHATWG URL parsing already turned 2130706433, 0x7f.1 and friends into dotted IPv4.
  const host = stripBrackets(url.hostname).toLowerCase().replace(/\.$/, "");
  if (!host) throw invalid("CallbackUrl must have a host");
  return { url, host, ip: parseAddress(host) ? host : null };
}

/**
 * The check at report creation: http or https, no credentials, and no host that is certainly not
 * public — a literal loopback/private/link-local/metadata/… address, `localhost` and `*.localhost`,
 * `*.internal`, `*.local` and similar private names, or a single-label name — unless allow-listed.
 * Other host names pass here and are judged after resolution at delivery time.
 */
export function checkCallbackUrl(url: string, allow: AllowList): void {
  const target = parseTarget(url);
  if (isAllowedHost(allow, target.host)) return;
  if (target.ip !== null) {
    if (isAllowedAddress(allow, target.ip)) return;
    const reason = forbiddenReason(target.ip);
    if (reason !== null) throw refused(target.host, reason);
    return;
  }
  const labels = target.host.split(".");
  const suffix = PRIVATE_SUFFIXES.find((s) => target.host === s || target.host.endsWith(`.${s}`));
  if (suffix === "localhost") {
    // localhost always means the loopback interface (RFC 6761), so allow-listing loopback covers it.
    if (isAllowedAddress(allow, "127.0.0.1") || isAllowedAddress(allow, "::1")) return;
    throw refused(target.host, "a loopback name");
  }
  if (suffix !== undefined) throw refused(target.host, `a private name (.${suffix})`);
  if (labels.length < 2) throw refused(target.host, "a single-label name, which is not publicly resolvable");
}

function refused(host: string, reason: string): AppError {
  return invalid(
    `CallbackUrl host '${host}' is ${reason}; callbacks must go to a publicly reachable host ` +
      `(the operator can allow-list it in ${CALLBACK_ALLOW_ENV})`,
  );
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** The first checked address, and all of them in resolver order (the literal one for an IP host). */
export interface CheckedTarget extends ResolvedAddress {
  readonly addresses: readonly ResolvedAddress[];
}

/** The shape of `dns.promises.lookup` with `{ all: true }`, injectable for tests. */
export type LookupAll = (
  hostname: string,
  options: { all: true },
) => Promise<readonly { address: string; family: number }[]>;

const systemLookup: LookupAll = (hostname, options) => dns.lookup(hostname, options);

/**
 * The check at delivery time: the static check again (the allow list may have changed), then the
 * host is resolved and EVERY address must be either not forbidden or allow-listed — a name that
 * resolves to one public and one private address (DNS rebinding, split answers) is refused. A host
 * allow-listed by name is not judged. Returns the address to connect to (the first one resolved)
 * and all the checked addresses; the caller must pin the connection to them. Throws AppError
 * (invalid_argument when refused, unavailable when the name does not resolve).
 */
export async function resolveAndCheck(
  url: string,
  allow: AllowList,
  lookup: LookupAll = systemLookup,
): Promise<CheckedTarget> {
  checkCallbackUrl(url, allow);
  const target = parseTarget(url);
  if (target.ip !== null) {
    const literal = { address: target.ip, family: familyOf(target.ip) };
    return { ...literal, addresses: [literal] };
  }
  let answers: readonly { address: string; family: number }[];
  try {
    answers = await lookup(target.host, { all: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new AppError(
      ERROR_CODES.UNAVAILABLE,
      `cannot resolve callback host '${target.host}'${typeof code === "string" ? ` (${code})` : ""}`,
      undefined,
      { cause: error },
    );
  }
  const addresses = answers.filter((a) => parseAddress(a.address) !== null);
  const first = addresses[0];
  if (!first) {
    throw new AppError(ERROR_CODES.UNAVAILABLE, `callback host '${target.host}' has no address`);
  }
  if (!isAllowedHost(allow, target.host)) {
    for (const { address } of addresses) {
      if (isAllowedAddress(allow, address)) continue;
      const reason = forbiddenReason(address);
      if (reason !== null) {
        throw invalid(
          `callback host '${target.host}' resolves to ${address}, ${reason}; refused ` +
            `(the operator can allow-list it in ${CALLBACK_ALLOW_ENV})`,
        );
      }
    }
  }
  const checked = addresses.map((a) => ({ address: a.address, family: familyOf(a.address) }));
  return { ...checked[0]!, addresses: checked };
}

function familyOf(ip: string): 4 | 6 {
  return isIPv4(ip) ? 4 : 6;
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
