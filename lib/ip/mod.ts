// lib/ip: IPv4 and IPv6 addresses and prefixes as small immutable values, in the style of Go's
// net/netip, and the set operations on them. Library code: throws SyntaxError/RangeError with
// messages naming the bad value, never prints.
//
// API (stable; other commands import it from "../ip/mod.ts"). Modules build on one another in
// one direction only (addr <- mask <- prefix <- the rest); none imports its way back.
//   Addr      Addr.parse(text) / Addr.mustParse(text), Addr.fromUint32(n), Addr.fromBigInt(v, fam),
//             Addr.fromBytes(b); .family (4|6), .zone (never holds "%" or "/"), .bitLength,
//             is4(), is6(), is4In6(), unmap(), mapTo6(), toUint32(), toBigInt(), toBytes(),
//             withZone(z), next(), prev(), compare(b), equals(b), isUnspecified(), and, judging
//             an IPv4-mapped address by the IPv4 inside (Go, CPython 3.13): isLoopback(),
//             isMulticast(), isLinkLocalUnicast(), isLinkLocalMulticast(), isPrivate(),
//             isGlobalUnicast(); toString() (RFC 5952, ::ffff:192.0.2.1 for mapped, %zone kept),
//             toExpandedString() (exploded), toBinaryString(), reverseName()
//   Prefix    Prefix.parse("a/len" | "a/netmask" | "a/wildcard", {bareAddr}) / Prefix.mustParse,
//             Prefix.from(addr, bits) (Prefix.from(a, n).masked() is Go's Addr.Prefix(n));
//             .addr (host bits kept, as given), .bits, .family, masked(), isMasked(), network(),
//             last(), broadcast() (IPv4 <= /30 only), size() (bigint), usableHosts() (bigint;
//             /31 = 2, /32 = 1, /127 = 2, /128 = 1), firstHost(), lastHost(), netmask(),
//             hostmask(), contains(addr), containsPrefix(p), overlaps(p), supernet(bits?),
//             compare(p), equals(p), toString(). Lengths may have leading zeros (/024).
//   parseNetwork(text, {bareAddr})   a Prefix that must have no host bits (RangeError otherwise)
//   parseIpv4(text) -> number, formatIpv4(n), formatIpv6(bigint)
//   netmaskOf(bits, fam), wildcardOf(bits, fam), mask4(bits), mask6(bits), decimalLength(text),
//   prefixLengthOfNetmask(addr), prefixLengthOfWildcard(addr), parseMask(text, fam?)
//   summarizeRange(first, last) -> Prefix[]; rangeToPrefixes(start, end, fam, emit)
//   collapsePrefixes(iterable) -> Prefix[]; PrefixAggregator (streaming: add(text), result())
//   excludePrefixes(prefix, excluded[]) -> Prefix[]
//   subnets(prefix, bits) (lazy generator), lengthForCount(prefix, n),
//   lengthForHosts(n, fam, rule?), hostsInBits(bits, fam, rule?) with rule "textbook" (2^n - 2,
//   the default) or "rfc3021", allocateVlsm(prefix, hosts[], {rule}) -> { allocations, leftover }
//   specialPurpose(addr | prefix) -> { prefix, label, name, rfc, globallyReachable } | undefined,
//   specialPurposeWithin(prefix), globallyReachable(addr | prefix), specialPurposeRegistry
//   reverseZone(prefix) (RFC 2317 first-last form off an octet), reverseZones(prefix)
//   addressClass(addr), classfulPrefix(addr)
//   privateBlocks, privateNetworkCount(bits), privateNetworkAt(bits, i), ntpTimestamp(ms),
//   eui64FromMac(mac), ulaGlobalId(ntp, eui64) (RFC 4193), ulaPrefix(globalId),
//   RandomSource: systemRandom, seededRandom(seed); randomBelow(source, n)
export * from "./addr.ts";
export * from "./prefix.ts";
export * from "./mask.ts";
export * from "./range.ts";
export * from "./collapse.ts";
export * from "./exclude.ts";
export * from "./split.ts";
export * from "./special.ts";
export * from "./reverse.ts";
export * from "./classful.ts";
export * from "./random.ts";
