// lib/ip: IPv4 and IPv6 addresses and prefixes as small immutable values, in the style of Go's
// net/netip, and the set operations on them. Library code: throws SyntaxError/RangeError with
// messages naming the bad value, never prints.
//
// API (stable; other commands import it from "../ip/mod.ts"):
//   Addr      Addr.parse(text) / Addr.mustParse(text), Addr.fromUint32(n), Addr.fromBigInt(v, fam),
//             Addr.fromBytes(b); .family (4|6), .zone, .bitLength, is4(), is6(), is4In6(),
//             unmap(), mapTo6(), toUint32(), toBigInt(), toBytes(), withZone(z), prefix(bits),
//             next(), prev(), compare(b), equals(b), isUnspecified(), isLoopback(),
//             isMulticast(), isLinkLocalUnicast(), isLinkLocalMulticast(), isPrivate(),
//             isGlobalUnicast(), toString() (RFC 5952, ::ffff:192.0.2.1 for mapped, %zone kept),
//             toExpandedString(), toBinaryString(), reverseName()
//   Prefix    Prefix.parse("a/len" | "a/netmask" | "a/wildcard", {bareAddr}) / Prefix.mustParse,
//             Prefix.from(addr, bits); .addr (host bits kept, as given), .bits, .family,
//             masked(), isMasked(), network(), last(), broadcast() (IPv4 <= /30 only),
//             size() (bigint), usableHosts() (bigint; /31 = 2, /32 = 1, /127 = 2, /128 = 1),
//             firstHost(), lastHost(), netmask(), hostmask(), contains(addr),
//             containsPrefix(p), overlaps(p), supernet(bits?), compare(p), equals(p), toString()
//   parseNetwork(text, {bareAddr})   a Prefix that must have no host bits (RangeError otherwise)
//   parseIpv4(text) -> number, formatIpv4(n), formatIpv6(bigint)
//   netmaskOf(bits, fam), wildcardOf(bits, fam), mask4(bits), mask6(bits),
//   prefixLengthOfNetmask(addr), prefixLengthOfWildcard(addr), parseMask(text, fam?)
//   summarizeRange(first, last) -> Prefix[]; rangeToPrefixes(start, end, fam, emit)
//   collapsePrefixes(iterable) -> Prefix[]; PrefixAggregator (streaming: add(text), result())
//   excludePrefixes(prefix, excluded[]) -> Prefix[]
//   subnets(prefix, bits) (lazy generator), lengthForCount(prefix, n), lengthForHosts(n, fam),
//   allocateVlsm(prefix, hosts[]) -> { allocations, leftover }
//   specialPurpose(addr | prefix) -> { prefix, label, name, rfc, globallyReachable } | undefined,
//   specialPurposeRegistry
export * from "./addr.ts";
export * from "./prefix.ts";
export * from "./mask.ts";
export * from "./range.ts";
export * from "./collapse.ts";
export * from "./exclude.ts";
export * from "./split.ts";
export * from "./special.ts";
