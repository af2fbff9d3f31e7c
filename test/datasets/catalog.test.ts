import { describe, expect, it } from "vitest";
import { builtInCatalogs, datasetTable, metricType, physicalColumns } from "../../src/datasets/catalog.js";
import { type DatasetDef, type Program, TIMESPANS } from "../../src/datasets/types.js";

const PROGRAMS = builtInCatalogs.programs;
const findDataset = (program: Program, name: string) => builtInCatalogs.findDataset(program, name);
const findSystemQuery = (program: Program, id: string) => builtInCatalogs.findSystemQuery(program, id);

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
const KEYWORDS = new Set([
  "SELECT",
  "DISTINCT",
  "FROM",
  "WHERE",
  "AND",
  "IN",
  "NOT",
  "LIKE",
  "ORDER",
  "BY",
  "ASC",
  "DESC",
  "LIMIT",
  "TIMESPAN",
]);

interface QueryShape {
  /** Column/metric names used in SELECT, WHERE and ORDER BY. */
  names: string[];
  dataset: string | undefined;
  timespan: string | undefined;
}

/**
 * A deliberately small tokenizer (the real parser lives in src/query/): drops string literals
 * (straight or typographic quotes), then reads identifiers; FROM, TIMESPAN and LIMIT consume the
 * token after them, keywords and numbers are skipped; every other identifier is a column or metric name.
 */
function shape(query: string): QueryShape {
  const text = query
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\\_/g, "_")
    .replace(/'[^']*'/g, " ");
  const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?|[(),=<>!]+/g) ?? [];
  const out: QueryShape = { names: [], dataset: undefined, timespan: undefined };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const upper = token.toUpperCase();
    if (upper === "FROM") out.dataset = tokens[++i];
    else if (upper === "TIMESPAN") out.timespan = tokens[++i]?.toUpperCase();
    else if (upper === "LIMIT") i++;
    else if (!KEYWORDS.has(upper) && /^[A-Za-z_]/.test(token)) out.names.push(token);
  }
  return out;
}

const lower = (s: string) => s.toLowerCase();
const selectable = (ds: DatasetDef) =>
  new Set([...ds.columns.map((c) => lower(c.name)), ...ds.metrics.map((m) => lower(m.name))]);

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = lower(n);
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  });
}

function datasetForQuery(query: string): { program: Program; ds: DatasetDef } | undefined {
  const { dataset } = shape(query);
  if (!dataset) return undefined;
  for (const program of PROGRAMS) {
    const ds = findDataset(program, dataset);
    if (ds) return { program, ds };
  }
  return undefined;
}

const datasetRows = PROGRAMS.flatMap((program) =>
  builtInCatalogs.get(program).datasets.map((ds) => ({ program, name: ds.name, ds })),
);
const systemQueryRows = PROGRAMS.flatMap((program) =>
  builtInCatalogs.get(program).systemQueries.map((q) => ({ program, id: q.id, q })),
);

describe("catalog shape", () => {
  it.each([
    { program: "mpn" as Program, datasets: 22, systemQueries: 21 },
    { program: "cmp" as Program, datasets: 9, systemQueries: 10 },
  ])(
    "$program has $datasets datasets and $systemQueries system queries",
    ({ program, datasets, systemQueries }) => {
      expect(builtInCatalogs.get(program).program).toBe(program);
      expect(builtInCatalogs.get(program).datasets).toHaveLength(datasets);
      expect(builtInCatalogs.get(program).systemQueries).toHaveLength(systemQueries);
    },
  );

  it("lists every documented dataset name", () => {
    expect(
      builtInCatalogs
        .get("mpn")
        .datasets.map((d) => d.name)
        .sort(),
    ).toEqual(
      [
        "CustomersAndTenants",
        "SeatsSubscriptionsAndRevenue",
        "AzureUsage",
        "MSLearn",
        "OfficeUsage",
        "Profile",
        "TrainingCompletions",
        "DynamicsUsage",
        "CompetencySummaryHistory",
        "PowerBIUsage",
        "EMSUsage",
        "CompetencyPeformanceRequirement",
        "ResellerPerformance",
        "CLASAgreementRenewalsPropensity",
        "CLASAzurePropensity",
        "CLASD365Propensity",
        "CLASM365Propensity",
        "TeamsUsage3PApps",
        "TeamsUsageWorkload",
        "TeamsUsageMeetingsAndCalls",
        "CloudProductsResellerPerformance",
        "CLASSurfacePropensity",
      ].sort(),
    );
    expect(
      builtInCatalogs
        .get("cmp")
        .datasets.map((d) => d.name)
        .sort(),
    ).toEqual(
      [
        "ISVCustomer",
        "ISVOrder",
        "ISVOrderV2",
        "ISVUsage",
        "ISVMarketplaceInsights",
        "ISVOfferRetention",
        "ISVRevenue",
        "ISVQualityOfService",
        "ISVLicense",
      ].sort(),
    );
  });

  it.each(PROGRAMS)("%s: dataset names and aliases are unique case-insensitively", (program) => {
    const names = builtInCatalogs.get(program).datasets.flatMap((d) => [d.name, ...(d.aliases ?? [])]);
    expect(duplicates(names)).toEqual([]);
  });

  it.each(PROGRAMS)("%s: system query ids are unique case-insensitively", (program) => {
    expect(duplicates(builtInCatalogs.get(program).systemQueries.map((q) => q.id))).toEqual([]);
  });

  it("dataset names do not collide across programs", () => {
    const names = PROGRAMS.flatMap((p) =>
      builtInCatalogs.get(p).datasets.flatMap((d) => [d.name, ...(d.aliases ?? [])]),
    );
    expect(duplicates(names)).toEqual([]);
  });
});

describe.each(datasetRows)("$program/$name", ({ ds }) => {
  it("uses identifier-shaped names", () => {
    const names = [
      ds.name,
      ...(ds.aliases ?? []),
      ...(ds.table ? [ds.table] : []),
      ...ds.columns.map((c) => c.name),
      ...(ds.measures ?? []).map((m) => m.name),
      ...ds.metrics.map((m) => m.name),
    ];
    expect(names.filter((n) => !IDENTIFIER.test(n))).toEqual([]);
  });

  it("has no clashing names (a metric may only share its name with a measure)", () => {
    expect(duplicates(physicalColumns(ds).map((c) => c.name))).toEqual([]);
    expect(duplicates(ds.metrics.map((m) => m.name))).toEqual([]);
    const columns = new Set(ds.columns.map((c) => lower(c.name)));
    expect(ds.metrics.filter((m) => columns.has(lower(m.name))).map((m) => m.name)).toEqual([]);
  });

  it("has a description and at least one column", () => {
    expect(ds.description.length).toBeGreaterThan(0);
    expect(ds.columns.length).toBeGreaterThan(0);
  });

  it("has metrics that read existing physical columns", () => {
    const physical = new Map(physicalColumns(ds).map((c) => [lower(c.name), c.type]));
    for (const m of ds.metrics) {
      if (m.aggregation === "count") continue;
      expect(m.source, `${m.name} needs a source`).toBeDefined();
      const type = physical.get(lower(m.source!));
      expect(type, `${m.name} reads ${m.source}`).toBeDefined();
      if (m.aggregation === "sum" || m.aggregation === "avg") expect(["integer", "decimal"]).toContain(type);
    }
  });

  it("has a date/datetime time column with LAST_6_MONTHS, or no time column and no ranges", () => {
    if (ds.timeColumn === null) {
      expect(ds.availableDateRanges).toEqual([]);
      return;
    }
    const time = ds.columns.find((c) => c.name === ds.timeColumn);
    expect(time, `time column ${ds.timeColumn}`).toBeDefined();
    expect(["date", "datetime"]).toContain(time!.type);
    expect(ds.availableDateRanges).toContain("LAST_6_MONTHS");
  });

  it("has valid ranges and recurrence interval", () => {
    for (const r of ds.availableDateRanges) expect(TIMESPANS).toContain(r);
    expect(duplicates(ds.availableDateRanges)).toEqual([]);
    expect(Number.isInteger(ds.minimumRecurrenceInterval)).toBe(true);
    expect(ds.minimumRecurrenceInterval).toBeGreaterThanOrEqual(4);
    expect(ds.minimumRecurrenceInterval).toBeLessThanOrEqual(2160);
  });

  it("has non-empty, duplicate-free value domains", () => {
    for (const c of ds.columns) {
      if (!c.values) continue;
      expect(c.values.length, c.name).toBeGreaterThan(0);
      expect(duplicates(c.values), c.name).toEqual([]);
      if (c.type === "integer") for (const v of c.values) expect(v, c.name).toMatch(/^-?\d+$/);
    }
  });

  it("has metric types for every metric", () => {
    for (const m of ds.metrics) {
      const expected =
        m.aggregation === "count" || m.aggregation === "countDistinct"
          ? "integer"
          : m.aggregation === "avg"
            ? "decimal"
            : physicalColumns(ds).find((c) => lower(c.name) === lower(m.source!))!.type;
      expect(metricType(ds, m)).toBe(expected);
      expect(metricType(ds, lower(m.name))).toBe(expected);
    }
  });
  it("has a row key of its own selectable columns, on a table of its own", () => {
    if (!ds.rowKey) return;
    expect(ds.rowKey.length).toBeGreaterThan(0);
    for (const column of ds.rowKey) expect(ds.columns.map((c) => c.name)).toContain(column);
    const program = PROGRAMS.find((p) => builtInCatalogs.get(p).datasets.includes(ds))!;
    const sharing = builtInCatalogs
      .get(program)
      .datasets.filter((other) => lower(datasetTable(other)) === lower(datasetTable(ds)));
    expect(sharing).toEqual([ds]);
  });
});

describe("row keys", () => {
  it("SeatsSubscriptionsAndRevenue is keyed by subscription and month, as its description says", () => {
    expect(findDataset("mpn", "SeatsSubscriptionsAndRevenue")!.rowKey).toEqual(["SubscriptionId", "Month"]);
  });
});

describe("shared tables", () => {
  it.each(PROGRAMS)("%s: datasets that share a table have the same physical columns", (program) => {
    const byTable = new Map<string, DatasetDef[]>();
    for (const ds of builtInCatalogs.get(program).datasets) {
      const key = lower(datasetTable(ds));
      byTable.set(key, [...(byTable.get(key) ?? []), ds]);
    }
    for (const group of byTable.values()) {
      const [first, ...rest] = group;
      for (const ds of rest) {
        expect(physicalColumns(ds), ds.name).toEqual(physicalColumns(first!));
        expect(ds.metrics, ds.name).toEqual(first!.metrics);
      }
    }
  });

  it("ResellerPerformance and CloudProductsResellerPerformance share one table", () => {
    const a = findDataset("mpn", "ResellerPerformance")!;
    const b = findDataset("mpn", "CloudProductsResellerPerformance")!;
    expect(datasetTable(a)).toBe("ResellerPerformance");
    expect(datasetTable(b)).toBe("ResellerPerformance");
  });
});

describe.each(systemQueryRows)("system query $program/$id", ({ program, q }) => {
  it("is a single line with a name and a description", () => {
    expect(q.query).not.toMatch(/[\r\n]/);
    expect(q.query).not.toMatch(/ {2}/);
    expect(q.name.length).toBeGreaterThan(0);
    expect(q.description.length).toBeGreaterThan(0);
  });

  it("reads an existing dataset and only its columns and metrics", () => {
    const s = shape(q.query);
    const ds = findDataset(program, s.dataset ?? "");
    expect(ds, `FROM ${s.dataset}`).toBeDefined();
    const known = selectable(ds!);
    expect(s.names.filter((n) => !known.has(lower(n)))).toEqual([]);
    if (s.timespan) expect(ds!.availableDateRanges).toContain(s.timespan);
    else if (ds!.timeColumn !== null) expect(ds!.availableDateRanges).toContain("LAST_6_MONTHS");
  });

  it("is found by id, case-insensitively", () => {
    expect(findSystemQuery(program, q.id)).toBe(q);
    expect(findSystemQuery(program, q.id.toUpperCase())).toBe(q);
  });
});

describe("documented dataset JSON fixtures (documented ⊆ catalog)", () => {
  const fixtures: {
    program: Program;
    name: string;
    columns: string[];
    metrics: string[];
    ranges: string[];
    minimumRecurrenceInterval?: number;
  }[] = [
    {
      program: "mpn",
      name: "DynamicsUsage",
      columns:
        "PGAMpnId, SubscriptionId, SubscriptionStartDate, SubscriptionEndDate, SubscriptionStatus, Month, RevSumDivisionName, RevSumCategoryName, SKU, SKUId, FreeVsPaidSKU, SalesModel, DetailedSalesModel, CustomerName, CustomerTenantId, CustomerTpid, CustomerSegment, CustomerMarket, MPNId, PartnerName, PartnerLocation, PartnerAttachType, AvailableSeats, AssignedSeats, ActiveSeats, DeploymentOpportunity, ActiveUsagePercent".split(
          ", ",
        ),
      metrics:
        "SubscriptionCount, TotalAssignedSeats, TotalSoldSeats, TotalActiveSeats, TotalRevenueAndACR, CustomerCount, CustomerTenantCount".split(
          ", ",
        ),
      ranges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
      minimumRecurrenceInterval: 24,
    },
    {
      program: "mpn",
      name: "OfficeUsage",
      columns:
        "CustomerTenantId, CustomerTpid, WorkloadName, Month, PaidAvailableUnits, MonthlyActiveUsers, CustomerName, CustomerMarket, CustomerSegment, MPNId, PartnerName, PartnerLocationID, PartnerLocation, PartnerAttributionType, IsDuplicateRowForPGA".split(
          ", ",
        ),
      metrics: ["CustomerCount", "CustomerTenantCount", "TotalPaidAvailableUnits", "TotalMonthlyActiveUsers"],
      ranges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
      minimumRecurrenceInterval: 24,
    },
    {
      program: "cmp",
      name: "ISVOrder",
      columns:
        "MarketplaceSubscriptionId, MonthStartDate, OfferType, AzureLicenseType, Sku, CustomerCountry, IsPreviewSKU, OrderId, OrderQuantity, CloudInstanceName, IsNewCustomer, OrderStatus, OrderCancelDate, CustomerCompanyName, CustomerName, OrderPurchaseDate, OfferName, TrialEndDate, CustomerId, BillingAccountId".split(
          ", ",
        ),
      metrics: [],
      ranges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LIFETIME"],
    },
    {
      program: "cmp",
      name: "ISVUsage",
      columns:
        "MarketplaceSubscriptionId, MonthStartDate, OfferType, AzureLicenseType, MarketplaceLicenseType, SKU, CustomerCountry, IsPreviewSKU, SKUBillingType, VMSize, CloudInstanceName, OfferName, IsPrivateOffer, DeploymentMethod, CustomerName, CustomerCompanyName, UsageDate, IsNewCustomer, CoreSize, TrialEndDate, CustomerCurrencyCC, PriceCC, PayoutCurrencyPC, EstimatedPricePC, UsageReference, UsageUnit, CustomerId, BillingAccountId, MeterDimension, MeterId, PartnerCenterDetectedAnomaly, PublisherMarkedAnomaly, NewReportedUsage, ActionTakenAt, ActionTakenBy, PlanId, ReferenceId, ListPriceUSD, DiscountedPriceUSD, IsPrivatePlan, OfferId, PrivateOfferId, PrivateOfferName, BillingId, PlanType, CustomerAccess, PublisherAccess, CustomerAdjustmentUSD, MultiParty, PartnerInfo, SalesNotes, IsCustomMeter, AssetId, IsMultisolution, VMSubscription".split(
          ", ",
        ),
      metrics:
        "NormalizedUsage, MeteredUsage, RawUsage, EstimatedExtendedChargeCC, EstimatedExtendedChargePC, EstimatedFinancialImpactUSD".split(
          ", ",
        ),
      ranges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LAST_3_YEARS"],
    },
  ];

  it.each(fixtures)("$program/$name", (f) => {
    const ds = findDataset(f.program, f.name)!;
    expect(ds).toBeDefined();
    const columns = new Set(ds.columns.map((c) => c.name));
    const metrics = new Set(ds.metrics.map((m) => m.name));
    // Exact spelling: the documented selectableColumns/availableMetrics are what E1 must list.
    expect(f.columns.filter((c) => !columns.has(c))).toEqual([]);
    expect(f.metrics.filter((m) => !metrics.has(m))).toEqual([]);
    for (const r of f.ranges) expect(ds.availableDateRanges).toContain(r);
    if (f.minimumRecurrenceInterval !== undefined) {
      expect(ds.minimumRecurrenceInterval).toBe(f.minimumRecurrenceInterval);
    }
  });
});

/** Documented sample and example queries (§2.6, §5, other doc texts, §7.2 clients), minus the two with syntax errors. */
const documentedQueries = [
  "SELECT CustomerName, CustomerTpid, Product FROM CustomersAndTenants WHERE CustomerMarket='United States' TIMESPAN LAST_MONTH",
  "SELECT CustomerName, CustomerTpid, SKU, Month, BilledRevenueUSD FROM CustomersAndTenants WHERE SKU='MICROSOFT 365 BUSINESS STANDARD' AND BilledRevenueUSD>20000 TIMESPAN LAST_6_MONTHS",
  "SELECT CustomerName, CustomerTpid, Product, AvailableSeats FROM CustomersAndTenants ORDER BY AvailableSeats DESC LIMIT 10 TIMESPAN LAST_MONTH",
  "SELECT MPNId, PartnerName FROM Profile WHERE Country='United States'",
  "SELECT MPNId, PartnerName, PGAPartnerID FROM Profile WHERE PGAMpnID='1001xx'",
  "SELECT ResellerMpnId, ResellerName FROM ResellerPerformance WHERE ResellerMarket='US' TIMESPAN LAST_MONTH",
  "SELECT ResellerMpnId, ResellerName, CustomerCount, SubscriptionCount, TotalAvailableSeats, TotalAssignedSeats, TotalRevenue FROM ResellerPerformance WHERE ResellerMpnId='1051xxx'",
  "SELECT ResellerMpnId, ResellerName, TotalRevenue FROM ResellerPerformance ORDER BY TotalRevenue LIMIT 10 TIMESPAN LAST_MONTH",
  "SELECT SubscriptionId, SubscriptionEndDate, CustomerName, CustomerTpid, Product FROM SeatsSubscriptionsAndRevenue WHERE IsAutoRenew='N' TIMESPAN LAST_MONTH",
  "SELECT SubscriptionId, SubscriptionEndDate, CustomerName, CustomerTpid, Product FROM SeatsSubscriptionsAndRevenue WHERE SubscriptionState='Disabled' TIMESPAN LAST_MONTH",
  "SELECT SubscriptionId, CustomerName, Month, UsageUnits, UsageQuantity, TotalACR FROM AzureUsage WHERE MeterCategory='Azure DNS' TIMESPAN LAST_6_MONTHS",
  "SELECT SubscriptionId, ServiceName, CustomerName, Month, UsageUnits, UsageQuantity, TotalACR FROM AzureUsage WHERE TotalACR>20000 TIMESPAN LAST_6_MONTHS",
  "SELECT DateAcquired,CustomerCompanyName,CustomerId FROM ISVCustomer WHERE IsActive = 1",
  "SELECT DateAcquired,CustomerCompanyName,CustomerId FROM ISVCustomer WHERE IsActive = 0",
  "SELECT DateAcquired,CustomerCompanyName,CustomerId FROM ISVCustomer WHERE DateAcquired <= ‘2020-06-30’ AND CustomerCountryRegion = ‘United States’",
  "SELECT MonthStartDate, NormalizedUsage FROM ISVUsage WHERE MarketplaceLicenseType = ‘Billed Through Azure’ AND OfferType NOT IN (‘Azure Applications’, ‘SaaS’) TIMESPAN LAST_6_MONTHS",
  "SELECT MonthStartDate, RawUsage FROM ISVUsage WHERE MarketplaceLicenseType = ‘Billed Through Azure’ AND OfferType NOT IN (‘Azure Applications’, ‘SaaS’) TIMESPAN LAST_1_YEAR",
  "SELECT MonthStartDate, NormalizedUsage FROM ISVUsage WHERE MarketplaceLicenseType = ‘Bring Your Own License’ AND OfferType NOT IN (‘Azure Applications’, ‘SaaS’) TIMESPAN LAST_6_MONTHS",
  "SELECT MonthStartDate, RawUsage FROM ISVUsage WHERE MarketplaceLicenseType = ‘Bring Your Own License’ AND OfferType NOT IN (‘Azure Applications’, ‘SaaS’) TIMESPAN LAST_6_MONTHS",
  "SELECT UsageDate, NormalizedUsage, EstimatedExtendedChargePC FROM ISVUsage WHERE SKUBillingType = ‘Paid’ ORDER BY UsageDate DESC TIMESPAN LAST_MONTH",
  "SELECT UsageDate, RawUsage, EstimatedExtendedChargePC FROM ISVUsage WHERE SKUBillingType = ‘Paid’ ORDER BY UsageDate DESC TIMESPAN LAST\\_MONTH",
  "SELECT OfferName, NormalizedUsage FROM ISVUsage WHERE MarketplaceLicenseType = ‘Billed Through Azure’ AND OfferName = ‘Example Offer Name’ TIMESPAN LAST_6_MONTHS",
  "SELECT OfferName, MeteredUsage FROM ISVUsage WHERE OfferName = ‘Example Offer Name’ AND OfferType IN (‘SaaS’, ‘Azure Applications’) TIMESPAN LAST_6_MONTHS",
  "SELECT OfferType, OfferName, SKU, IsPrivateOffer, UsageReference, UsageDate, RawUsage, EstimatedPricePC FROM ISVUsage ORDER BY UsageDate DESC TIMESPAN LAST_MONTH",
  "SELECT OfferType, OfferName, SKU, IsPrivateOffer, UsageReference, UsageDate, RawUsage, EstimatedPricePC FROM ISVUsage WHERE IsPrivateOffer = '1' ORDER BY UsageDate DESC TIMESPAN LAST_MONTH",
  "SELECT AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate FROM ISVOrder WHERE AzureLicenseType = 'Enterprise' TIMESPAN LAST_6_MONTHS",
  "SELECT OfferName, AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate, OrderStatus, OrderCancelDate FROM ISVOrder WHERE AzureLicenseType = 'Pay as You Go' TIMESPAN LAST_6_MONTHS",
  "SELECT OfferName, AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate FROM ISVOrder WHERE OrderStatus = 'Active' TIMESPAN LAST_6_MONTHS",
  "SELECT OfferName, AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate FROM ISVOrder WHERE OrderStatus = 'Cancelled' TIMESPAN LAST_6_MONTHS",
  "SELECT AssetId, Quantity, PurchaseRecordId, PurchaseRecordLineItemId, TermStartDate, TermEndDate, BilledRevenue, Currency from ISVOrder WHERE OrderStatus = 'Active' TIMESPAN LAST_6_MONTHS",
  "SELECT AssetId, Quantity, PurchaseRecordId, PurchaseRecordLineItemId from ISVOrder WHERE OrderStatus = 'Active' and IsTrial = 'True' TIMESPAN LAST_6_MONTHS",
  "SELECT OfferName, SKU, IsPrivateOffer, AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate, BilledRevenue FROM ISVOrder WHERE OrderStatus = 'Active' TIMESPAN LAST_6_MONTHS",
  "SELECT OfferName, SKU, IsPrivateOffer, AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate, BilledRevenue FROM ISVOrder WHERE IsPrivateOffer = '1' and OrderStatus = 'Active' TIMESPAN LAST_6_MONTHS",
  "SELECT BillingAccountId, OfferName, OfferType, Revenue, EarningAmountCC, EstimatedRevenueUSD, EarningAmountUSD, PayoutStatus, PurchaseRecordId, LineItemId,TransactionAmountCC,TransactionAmountUSD, Quantity,Units FROM ISVRevenue TIMESPAN LAST_MONTH",
  "SELECT BillingAccountId, OfferName, OfferType, EstimatedRevenueUSD, EarningAmountUSD, PayoutStatus, PurchaseRecordId, LineItemId, TransactionAmountUSD FROM ISVRevenue where PayoutStatus='Sent' TIMESPAN LAST_3_MONTHS",
  "SELECT BillingAccountId, OfferName,OfferType, TrialDeployment EstimatedRevenueUSD, EarningAmountUSD FROM ISVRevenue WHERE TrialDeployment=’False’ and BillingModel=’SubscriptionBased’",
  "SELECT OfferId, Sku, DeploymentStatus, DeploymentCorrelationId, SubscriptionId, CustomerTenantId, CustomerName, TemplateType, StartTime, EndTime, DeploymentDurationInMilliSeconds, DeploymentRegion FROM ISVQualityOfService TIMESPAN LAST_6_MONTHS",
  "SELECT OfferCategory, OfferName, ProductId, DeploymentMethod, ServicePlanName, Sku, SkuBillingType, CustomerId, CustomerName, CustomerCompanyName, CustomerCountryName, CustomerCountryCode, CustomerCurrencyCode, FirstUsageDate, AzureLicenseType, OfferType, Offset FROM ISVOfferRetention TIMESPAN LAST_6_MONTHS",
  "SELECT OfferCategory, OfferName, Sku, ProductId, OfferType, FirstUsageDate, Offset, CustomerId, CustomerName, CustomerCompanyName, CustomerCountryName, CustomerCountryCode, CustomerCurrencyCode FROM ISVOfferRetention TIMESPAN LAST_6_MONTHS",
  "SELECT CustomerTenantId, PaidAvailableUnits FROM OfficeUsage TIMESPAN LAST_MONTH",
  "SELECT CustomerTenantId, PaidAvailableUnits FROM OfficeUsage ORDER BY PaidAvailableUnits LIMIT 10",
  "SELECT CustomerTenantId, PaidAvailableUnits, MonthlyActiveUsers FROM OfficeUsage WHERE MonthlyActiveUsers > 100000 ORDER BY MonthlyActiveUsers TIMESPAN LAST_6_MONTHS",
  "SELECT CustomerTenantId, Month, MonthlyActiveUsers FROM OfficeUsage WHERE CustomerTpId IN ('2a31c234-1f4e-4c60-909e-76d234f93161', '80780748-3f9a-11eb-b378-0242ac130002')",
  "SELECT MarketplaceSubscriptionId,CustomerId FROM ISVUsage TIMESPAN LAST_MONTH",
  "SELECT MarketplaceSubscriptionId, EstimatedExtendedChargeCC FROM ISVUsage ORDER BY EstimatedExtendedChargeCC LIMIT 10",
  "SELECT CustomerId, NormalizedUsage, RawUsage FROM ISVUsage WHERE NormalizedUsage > 100000 ORDER BY NormalizedUsage TIMESPAN LAST_6_MONTHS",
  "SELECT MarketplaceSubscriptionId, MonthStartDate, NormalizedUsage FROM ISVUsage WHERE CustomerId IN (‘2a31c234-1f4e-4c60-909e-76d234f93161’, ‘80780748-3f9a-11eb-b378-0242ac130002’)",
  "SELECT CustomerName, Product, BilledRevenueUSD FROM CustomersAndTenants ORDER BY BilledRevenueUSD LIMIT 10 TIMESPAN LAST_MONTH",
  "SELECT SubscriptionId from DynamicsUsage",
  "SELECT CustomerTenantId, CustomerTpId, WorkloadName, Month, MonthlyActiveUsers FROM OfficeUsage WHERE IsDuplicateRowForPGA = 'False' ORDER BY CustomerTenantId DESC",
  "SELECT MPNId, PartnerName, PGAMpnId FROM Profile WHERE PGAMpnId='1001xx'",
  "SELECT UsageDate, NormalizedUsage, EstimatedExtendedChargePC FROM ISVUsage WHERE SKUBillingType = 'Paid' ORDER BY UsageDate DESC TIMESPAN LAST_MONTH",
  "SELECT OrderId from ISVOrder",
  "SELECT TrainingActivityId from TrainingCompletions TIMESPAN LAST_6_MONTHS",
  "SELECT TrainingActivityId, PGAMpnId, IndividualFirstName, IndividualLastName, Email, CorpEmail, ExpirationDate, ActivationStatus from TrainingCompletions TIMESPAN LIFETIME",
  "SELECT MarketplaceSubscriptionId,OfferType,AzureLicenseType,MarketplaceLicenseType,SKU,CustomerCountry,VMSize,CloudInstanceName,OfferName,DeploymentMethod,CustomerName,CustomerCompanyName,UsageDate,IsNewCustomer,CustomerId,BillingAccountId,NormalizedUsage,RawUsage,EstimatedExtendedChargePC,TrialEndDate,SKUBillingType,CustomerCurrencyCC,PriceCC,EstimatedPricePC FROM ISVUsage WHERE OfferType IN ('vm core image', 'Virtual Machine Licenses', 'multisolution') TIMESPAN LAST_MONTH",
];

describe("documented sample queries validate against the catalog", () => {
  it.each(documentedQueries)("%s", (query) => {
    const s = shape(query);
    const found = datasetForQuery(query);
    expect(found, `FROM ${s.dataset}`).toBeDefined();
    const known = selectable(found!.ds);
    expect(s.names.filter((n) => !known.has(lower(n)))).toEqual([]);
    if (s.timespan) expect(found!.ds.availableDateRanges).toContain(s.timespan);
  });
});

describe("lookups", () => {
  it("findDataset matches names and aliases case-insensitively", () => {
    expect(findDataset("mpn", "officeusage")?.name).toBe("OfficeUsage");
    expect(findDataset("mpn", "CompetencyPerformanceRequirement")?.name).toBe(
      "CompetencyPeformanceRequirement",
    );
    expect(findDataset("mpn", "competencypeformancerequirement")?.name).toBe(
      "CompetencyPeformanceRequirement",
    );
    expect(findDataset("cmp", "isvusage")?.name).toBe("ISVUsage");
    expect(findDataset("mpn", "ISVUsage")).toBeUndefined();
    expect(findDataset("cmp", "Nope")).toBeUndefined();
  });

  it("findSystemQuery keeps the documented non-GUID QoS id", () => {
    expect(findSystemQuery("cmp", "q9df4939-073f-5795-b0cb-v2c81d11e58d")?.name).toMatch(
      /Quality of service/,
    );
    expect(findSystemQuery("mpn", "q9df4939-073f-5795-b0cb-v2c81d11e58d")).toBeUndefined();
  });

  it("physicalColumns lists columns then measures", () => {
    const ds = findDataset("cmp", "ISVUsage")!;
    const names = physicalColumns(ds).map((c) => c.name);
    expect(names.slice(0, ds.columns.length)).toEqual(ds.columns.map((c) => c.name));
    expect(names).toContain("NormalizedUsage");
    expect(names).toHaveLength(ds.columns.length + (ds.measures?.length ?? 0));
  });

  it.each([
    { program: "mpn" as Program, dataset: "OfficeUsage", metric: "TotalPaidAvailableUnits", type: "integer" },
    { program: "mpn" as Program, dataset: "OfficeUsage", metric: "CustomerCount", type: "integer" },
    { program: "mpn" as Program, dataset: "AzureUsage", metric: "TotalACR", type: "decimal" },
    { program: "mpn" as Program, dataset: "ResellerPerformance", metric: "TotalRevenue", type: "decimal" },
    { program: "cmp" as Program, dataset: "ISVUsage", metric: "NormalizedUsage", type: "decimal" },
  ])("metricType($dataset.$metric) = $type", ({ program, dataset, metric, type }) => {
    expect(metricType(findDataset(program, dataset)!, metric)).toBe(type);
  });

  it("metricType reports avg as decimal", () => {
    const ds = findDataset("mpn", "OfficeUsage")!;
    expect(metricType(ds, { name: "AvgUnits", aggregation: "avg", source: "PaidAvailableUnits" })).toBe(
      "decimal",
    );
    expect(metricType(ds, { name: "Rows", aggregation: "count" })).toBe("integer");
    expect(metricType(ds, { name: "MaxMonth", aggregation: "max", source: "Month" })).toBe("date");
  });
});
