import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import {
  checkCallbackUrl,
  EMPTY_ALLOW_LIST,
  forbiddenReason,
  isAllowedAddress,
  isAllowedHost,
  isForbiddenAddress,
  type LookupAll,
  parseAllowList,
  resolveAndCheck,
} from "../../src/webhooks/address-policy.js";

function appError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected an AppError");
}

async function rejected(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected a rejection");
}

describe("isForbiddenAddress (IPv4)", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.0.1", "link-local"],
    ["169.254.169.254", "cloud metadata"],
    ["100.100.100.200", "cloud metadata"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "this network"],
    ["255.255.255.255", "broadcast"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.10", "documentation"],
    ["198.18.0.1", "benchmarking"],
  ])("%s is %s", (ip, reason) => {
    expect(isForbiddenAddress(ip)).toBe(true);
    expect(forbiddenReason(ip)).toContain(reason);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.15.255.255",
    "172.32.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "169.253.255.255",
    "192.167.255.255",
    "11.0.0.1",
    "126.255.255.255",
    "128.0.0.1",
    "223.255.255.255",
  ])("%s is allowed", (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe("isForbiddenAddress (IPv6)", () => {
  it.each([
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "unique local"],
    ["fd12:3456:789a::1", "unique local"],
    ["fd00:ec2::254", "cloud metadata"],
    ["fe80::1", "link-local"],
    ["febf:ffff::1", "link-local"],
    ["fec0::1", "site-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["100::1", "discard"],
    ["::7f00:1", "IPv4-compatible"],
    ["4000::1", "not global unicast"],
    // IPv4-mapped: the embedded address decides.
    ["::ffff:127.0.0.1", "loopback address (IPv4-mapped 127.0.0.1)"],
    ["::ffff:7f00:1", "loopback address (IPv4-mapped 127.0.0.1)"],
    ["::ffff:10.1.2.3", "private address (IPv4-mapped 10.1.2.3)"],
    ["::ffff:169.254.169.254", "cloud metadata"],
    ["0:0:0:0:0:ffff:a9fe:a9fe", "cloud metadata"],
    ["::ffff:0:192.168.0.1", "IPv4-translated"],
    // NAT64 well-known prefix: judged by the embedded address too.
    ["64:ff9b::127.0.0.1", "loopback address (NAT64 127.0.0.1)"],
    ["64:ff9b::a00:1", "private address (NAT64 10.0.0.1)"],
    ["64:ff9b::a9fe:a9fe", "cloud metadata"],
    ["64:ff9b:1::1", "local-use NAT64"],
    // 6to4 embeds the IPv4 address in bits 16–47.
    ["2002:c0a8:101::1", "private address (6to4 192.168.1.1)"],
    ["2002:7f00:1::", "loopback address (6to4 127.0.0.1)"],
  ])("%s is %s", (ip, reason) => {
    expect(isForbiddenAddress(ip)).toBe(true);
    expect(forbiddenReason(ip)).toContain(reason);
  });

  it.each([
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "::ffff:808:808",
    "64:ff9b::8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "[2606:4700:4700::1111]",
  ])("%s is allowed", (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });

  it("refuses what is not an IP address", () => {
    for (const text of ["", "example.com", "1.2.3", "256.1.1.1", "::g", "1::2::3", "1:2:3:4:5:6:7:8:9"]) {
      expect(isForbiddenAddress(text)).toBe(true);
    }
  });
});

describe("parseAllowList", () => {
  it("is empty for an unset or blank variable", () => {
    for (const text of [undefined, "", " , ,"]) {
      const allow = parseAllowList(text);
      expect(allow.entries).toEqual([]);
      expect(isAllowedAddress(allow, "127.0.0.1")).toBe(false);
    }
  });

  it("takes addresses, CIDR ranges and host names", () => {
    const allow = parseAllowList(
      " 127.0.0.1 , ::1,10.1.0.0/16, fd00::/8,Receiver.Example.,192.168.7.9/24,büro.example",
    );
    expect(allow.entries).toHaveLength(7);
    const table: [string, boolean][] = [
      ["127.0.0.1", true],
      ["127.0.0.2", false],
      ["::1", true],
      ["::ffff:127.0.0.1", true],
      ["10.1.200.3", true],
      ["10.2.0.1", false],
      ["fd12::1", true],
      ["fc00::1", false],
      ["192.168.7.200", true],
      ["192.168.8.1", false],
      ["8.8.8.8", false],
      ["not-an-ip", false],
    ];
    for (const [ip, allowed] of table) expect([ip, isAllowedAddress(allow, ip)]).toEqual([ip, allowed]);
    expect(isAllowedHost(allow, "receiver.example")).toBe(true);
    expect(isAllowedHost(allow, "RECEIVER.EXAMPLE.")).toBe(true);
    expect(isAllowedHost(allow, "other.receiver.example")).toBe(false);
    expect(isAllowedHost(allow, "xn--bro-hoa.example")).toBe(true);
  });

  it("takes 0.0.0.0/0 and ::/0", () => {
    const allow = parseAllowList("0.0.0.0/0,::/0");
    expect(isAllowedAddress(allow, "10.0.0.1")).toBe(true);
    expect(isAllowedAddress(allow, "fe80::1")).toBe(true);
  });

  it.each([
    "10.0.0.0/33",
    "::/129",
    "10.0.0.0/",
    "10.0.0.0/x",
    "999.1.1.1/8",
    "http://example.com",
    "example.com:8080",
    "exa mple.com",
    "user@example.com",
    "1.2.3",
    "-bad.example",
    "*.example.com",
  ])("refuses the entry %s", (entry) => {
    const error = appError(() => parseAllowList(`127.0.0.1,${entry}`));
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toContain("OPENINSIGHTS_CALLBACK_ALLOW");
    expect(error.message).toContain(`'${entry}'`);
  });
});

describe("checkCallbackUrl (at report creation)", () => {
  const none = EMPTY_ALLOW_LIST;

  it.each([
    "https://www.contosso.com/callback",
    "http://example.com:8080/cb?x=1",
    "https://93.184.216.34/cb",
    "https://[2606:4700:4700::1111]/cb",
    "https://receiver.example.",
    "https://xn--bro-hoa.example/cb",
  ])("accepts %s", (url) => {
    expect(() => checkCallbackUrl(url, none)).not.toThrow();
  });

  it.each([
    ["ftp://example.com/cb", "http or https"],
    ["file:///etc/passwd", "http or https"],
    ["javascript:alert(1)", "http or https"],
    ["not a url", "absolute http or https URL"],
    ["https://user:pw@example.com/cb", "credentials"],
    ["http://127.0.0.1/cb", "loopback"],
    ["http://127.1/cb", "loopback"],
    ["http://2130706433/cb", "loopback"],
    ["http://0x7f.0.0.1/cb", "loopback"],
    ["http://[::1]:8080/cb", "loopback"],
    ["http://[::ffff:127.0.0.1]/cb", "loopback"],
    ["http://[64:ff9b::a00:1]/cb", "private"],
    ["http://10.0.0.1/cb", "private"],
    ["http://192.168.0.10/cb", "private"],
    ["http://169.254.169.254/latest/meta-data/", "cloud metadata"],
    ["http://[fd00:ec2::254]/", "cloud metadata"],
    ["http://100.100.100.200/", "cloud metadata"],
    ["http://0.0.0.0:8080/", "unspecified"],
    ["http://localhost:8080/cb", "loopback name"],
    ["http://LOCALHOST./cb", "loopback name"],
    ["http://app.localhost/cb", "loopback name"],
    ["http://metadata.google.internal/computeMetadata/v1/", ".internal"],
    ["http://printer.local/", ".local"],
    ["http://router.home.arpa/", ".home.arpa"],
    ["http://receiver/cb", "single-label"],
  ])("refuses %s", (url, reason) => {
    const error = appError(() => checkCallbackUrl(url, none));
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toContain(reason);
  });

  it("mentions the allow-list variable when refusing an address", () => {
    expect(appError(() => checkCallbackUrl("http://10.0.0.1/", none)).message).toContain(
      "OPENINSIGHTS_CALLBACK_ALLOW",
    );
  });

  it("accepts allow-listed addresses, ranges and names", () => {
    const allow = parseAllowList("127.0.0.1,::1,10.0.0.0/8,metadata.google.internal,intranet");
    for (const url of [
      "http://127.0.0.1:9/cb",
      "http://[::1]:9/cb",
      "http://[::ffff:127.0.0.1]/cb",
      "http://10.20.30.40/cb",
      "http://localhost:9/cb",
      "http://metadata.google.internal/",
      "http://intranet/cb",
    ]) {
      expect(() => checkCallbackUrl(url, allow)).not.toThrow();
    }
    for (const url of [
      "http://127.0.0.2/cb",
      "http://192.168.0.1/",
      "http://169.254.169.254/",
      "http://x.internal/",
    ]) {
      expect(() => checkCallbackUrl(url, allow)).toThrow(AppError);
    }
  });
});

function fakeLookup(answers: Record<string, string[]>): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    const addresses = answers[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

describe("resolveAndCheck (at delivery time)", () => {
  const lookup = fakeLookup({
    "public.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "private.example": ["10.0.0.1"],
    "loop.example": ["127.0.0.1"],
    "rebind.example": ["93.184.216.34", "10.0.0.1"],
    "mixed-loop.example": ["127.0.0.1", "192.168.1.1"],
    "mapped.example": ["::ffff:169.254.169.254"],
    localhost: ["::1", "127.0.0.1"],
    "empty.example": [],
  });

  it("returns the first address of a public name, and all the checked ones", async () => {
    await expect(resolveAndCheck("https://public.example/cb", EMPTY_ALLOW_LIST, lookup)).resolves.toEqual({
      address: "93.184.216.34",
      family: 4,
      addresses: [
        { address: "93.184.216.34", family: 4 },
        { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 },
      ],
    });
  });

  it("refuses a name that resolves to a private address", async () => {
    const error = await rejected(resolveAndCheck("https://private.example/cb", EMPTY_ALLOW_LIST, lookup));
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toContain("resolves to 10.0.0.1, a private address");
  });

  it("allows a name resolving to loopback only when loopback is allow-listed", async () => {
    await expect(resolveAndCheck("http://loop.example/cb", EMPTY_ALLOW_LIST, lookup)).rejects.toThrow(
      "loopback",
    );
    await expect(
      resolveAndCheck("http://loop.example/cb", parseAllowList("127.0.0.1"), lookup),
    ).resolves.toMatchObject({ address: "127.0.0.1", family: 4 });
  });

  it("refuses rebinding-style mixed answers", async () => {
    await expect(resolveAndCheck("https://rebind.example/", EMPTY_ALLOW_LIST, lookup)).rejects.toThrow(
      "10.0.0.1",
    );
    // One allow-listed address does not excuse another forbidden one.
    await expect(
      resolveAndCheck("http://mixed-loop.example/", parseAllowList("127.0.0.1"), lookup),
    ).rejects.toThrow("192.168.1.1");
    await expect(resolveAndCheck("http://mapped.example/", EMPTY_ALLOW_LIST, lookup)).rejects.toThrow(
      "cloud metadata",
    );
  });

  it("does not judge a host allow-listed by name", async () => {
    await expect(
      resolveAndCheck("http://private.example/cb", parseAllowList("Private.Example"), lookup),
    ).resolves.toMatchObject({ address: "10.0.0.1", family: 4 });
  });

  it("resolves localhost only if all its addresses are allow-listed", async () => {
    await expect(resolveAndCheck("http://localhost:1/", parseAllowList("127.0.0.1"), lookup)).rejects.toThrow(
      "::1",
    );
    await expect(
      resolveAndCheck("http://localhost:1/", parseAllowList("127.0.0.1,::1"), lookup),
    ).resolves.toMatchObject({ address: "::1", family: 6 });
  });

  it("does not resolve literal addresses, and applies the static check first", async () => {
    const counting = fakeLookup({});
    await expect(resolveAndCheck("http://93.184.216.34/", EMPTY_ALLOW_LIST, counting)).resolves.toMatchObject(
      {
        address: "93.184.216.34",
        family: 4,
      },
    );
    await expect(resolveAndCheck("http://[::1]:5/", parseAllowList("::1"), counting)).resolves.toMatchObject({
      address: "::1",
      family: 6,
    });
    await expect(resolveAndCheck("http://127.0.0.1/", EMPTY_ALLOW_LIST, counting)).rejects.toThrow(
      "loopback",
    );
    await expect(resolveAndCheck("http://x.internal/", EMPTY_ALLOW_LIST, counting)).rejects.toThrow(
      ".internal",
    );
    expect(counting.calls).toEqual([]);
  });

  it("reports names that do not resolve as unavailable", async () => {
    const missing = await rejected(resolveAndCheck("https://missing.example/", EMPTY_ALLOW_LIST, lookup));
    expect(missing.code).toBe("unavailable");
    expect(missing.message).toContain("ENOTFOUND");
    const empty = await rejected(resolveAndCheck("https://empty.example/", EMPTY_ALLOW_LIST, lookup));
    expect(empty.code).toBe("unavailable");
  });
});
