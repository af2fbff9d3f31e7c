import { describe, expect, it } from "vitest";
import { builtInCatalogs } from "../../src/datasets/catalog.js";
import type { Program } from "../../src/datasets/types.js";
import { analyzeQuery } from "../../src/query/index.js";

/** Reference §2.6 and §5: every documented query that names a dataset, verbatim (typographic quotes included). */
const VALID: [Program, string][] = [
  ["mpn", "SELECT CustomerTenantId, PaidAvailableUnits FROM OfficeUsage TIMESPAN LAST_MONTH"],
  [
    "mpn",
    "SELECT CustomerTenantId, PaidAvailableUnits FROM OfficeUsage ORDER BY PaidAvailableUnits LIMIT 10",
  ],
  [
    "mpn",
    "SELECT CustomerTenantId, PaidAvailableUnits, MonthlyActiveUsers FROM OfficeUsage WHERE MonthlyActiveUsers > 100000 ORDER BY MonthlyActiveUsers TIMESPAN LAST_6_MONTHS",
  ],
  [
    "mpn",
    "SELECT CustomerTenantId, Month, MonthlyActiveUsers FROM OfficeUsage WHERE CustomerTpId IN ('2a31c234-1f4e-4c60-909e-76d234f93161', '80780748-3f9a-11eb-b378-0242ac130002')",
  ],
  [
    "mpn",
    "SELECT CustomerName, CustomerTpid, Product FROM CustomersAndTenants WHERE CustomerMarket='United States' TIMESPAN LAST_MONTH",
  ],
  [
    "mpn",
    "SELECT CustomerName, CustomerTpid, SKU, Month, BilledRevenueUSD FROM CustomersAndTenants WHERE SKU='MICROSOFT 365 BUSINESS STANDARD' AND BilledRevenueUSD>20000 TIMESPAN LAST_6_MONTHS",
  ],
  [
    "mpn",
    "SELECT CustomerName, CustomerTpid, Product, AvailableSeats FROM CustomersAndTenants ORDER BY AvailableSeats DESC LIMIT 10 TIMESPAN LAST_MONTH",
  ],
  ["mpn", "SELECT MPNId, PartnerName FROM Profile WHERE Country='United States'"],
  ["mpn", "SELECT MPNId, PartnerName, PGAPartnerID FROM Profile WHERE PGAMpnID='1001xx'"],
  [
    "mpn",
    "SELECT ResellerMpnId, ResellerName FROM ResellerPerformance WHERE ResellerMarket='US' TIMESPAN LAST_MONTH",
  ],
  [
    "mpn",
    "SELECT ResellerMpnId, ResellerName, CustomerCount, SubscriptionCount, TotalAvailableSeats, TotalAssignedSeats, TotalRevenue FROM ResellerPerformance WHERE ResellerMpnId='1051xxx'",
  ],
  [
    "mpn",
    "SELECT ResellerMpnId, ResellerName, TotalRevenue FROM ResellerPerformance ORDER BY TotalRevenue LIMIT 10 TIMESPAN LAST_MONTH",
  ],
  [
    "mpn",
    "SELECT SubscriptionId, SubscriptionEndDate, CustomerName, CustomerTpid, Product FROM SeatsSubscriptionsAndRevenue WHERE IsAutoRenew='N' TIMESPAN LAST_MONTH",
  ],
  [
    "mpn",
    "SELECT SubscriptionId, SubscriptionEndDate, CustomerName, CustomerTpid, Product FROM SeatsSubscriptionsAndRevenue WHERE SubscriptionState='Disabled' TIMESPAN LAST_MONTH",
  ],
  [
    "mpn",
    "SELECT SubscriptionId, CustomerName, Month, UsageUnits, UsageQuantity, TotalACR FROM AzureUsage WHERE MeterCategory='Azure DNS' TIMESPAN LAST_6_MONTHS",
  ],
  [
    "mpn",
    "SELECT SubscriptionId, ServiceName, CustomerName, Month, UsageUnits, UsageQuantity, TotalACR FROM AzureUsage WHERE TotalACR>20000 TIMESPAN LAST_6_MONTHS",
  ],
  [
    "mpn",
    "SELECT CustomerName, Product, BilledRevenueUSD FROM CustomersAndTenants ORDER BY BilledRevenueUSD LIMIT 10 TIMESPAN LAST_MONTH",
  ],
  ["mpn", "SELECT SubscriptionId from DynamicsUsage"],
  [
    "mpn",
    "SELECT CustomerTenantId, CustomerTpId, WorkloadName, Month, MonthlyActiveUsers FROM OfficeUsage WHERE IsDuplicateRowForPGA = 'False' ORDER BY CustomerTenantId DESC",
  ],
  ["mpn", "SELECT TrainingActivityId from TrainingCompletions TIMESPAN LAST_6_MONTHS"],
  ["cmp", "SELECT MarketplaceSubscriptionId,CustomerId FROM ISVUsage TIMESPAN LAST_MONTH"],
  [
    "cmp",
    "SELECT MarketplaceSubscriptionId, EstimatedExtendedChargeCC FROM ISVUsage ORDER BY EstimatedExtendedChargeCC LIMIT 10",
  ],
  [
    "cmp",
    "SELECT CustomerId, NormalizedUsage, RawUsage FROM ISVUsage WHERE NormalizedUsage > 100000 ORDER BY NormalizedUsage TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT MarketplaceSubscriptionId, MonthStartDate, NormalizedUsage FROM ISVUsage WHERE CustomerId IN (\u20182a31c234-1f4e-4c60-909e-76d234f93161\u2019, \u201880780748-3f9a-11eb-b378-0242ac130002\u2019)",
  ],
  ["cmp", "SELECT OfferName, NormalizedUsage FROM ISVUsage"],
  ["cmp", "SELECT DISTINCT MarketplaceSubscriptionId, OfferType FROM ISVUsage"],
  ["cmp", "SELECT DateAcquired,CustomerCompanyName,CustomerId FROM ISVCustomer WHERE IsActive = 1"],
  ["cmp", "SELECT DateAcquired,CustomerCompanyName,CustomerId FROM ISVCustomer WHERE IsActive = 0"],
  [
    "cmp",
    "SELECT DateAcquired,CustomerCompanyName,CustomerId FROM ISVCustomer WHERE DateAcquired <= \u20182020-06-30\u2019 AND CustomerCountryRegion = \u2018United States\u2019",
  ],
  [
    "cmp",
    "SELECT MonthStartDate, NormalizedUsage FROM ISVUsage WHERE MarketplaceLicenseType = \u2018Billed Through Azure\u2019 AND OfferType NOT IN (\u2018Azure Applications\u2019, \u2018SaaS\u2019) TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT MonthStartDate, RawUsage FROM ISVUsage WHERE MarketplaceLicenseType = \u2018Billed Through Azure\u2019 AND OfferType NOT IN (\u2018Azure Applications\u2019, \u2018SaaS\u2019) TIMESPAN LAST_1_YEAR",
  ],
  [
    "cmp",
    "SELECT UsageDate, NormalizedUsage, EstimatedExtendedChargePC FROM ISVUsage WHERE SKUBillingType = \u2018Paid\u2019 ORDER BY UsageDate DESC TIMESPAN LAST_MONTH",
  ],
  [
    "cmp",
    "SELECT OfferName, MeteredUsage FROM ISVUsage WHERE OfferName = \u2018Example Offer Name\u2019 AND OfferType IN (\u2018SaaS\u2019, \u2018Azure Applications\u2019) TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT OfferType, OfferName, SKU, IsPrivateOffer, UsageReference, UsageDate, RawUsage, EstimatedPricePC FROM ISVUsage WHERE IsPrivateOffer = '1' ORDER BY UsageDate DESC TIMESPAN LAST_MONTH",
  ],
  [
    "cmp",
    "SELECT AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate FROM ISVOrder WHERE AzureLicenseType = 'Enterprise' TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT OfferName, AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate, OrderStatus, OrderCancelDate FROM ISVOrder WHERE AzureLicenseType = 'Pay as You Go' TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT OfferName, AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate FROM ISVOrder WHERE OrderStatus = 'Cancelled' TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT AssetId, Quantity, PurchaseRecordId, PurchaseRecordLineItemId, TermStartDate, TermEndDate, BilledRevenue, Currency from ISVOrder WHERE OrderStatus = 'Active' TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT AssetId, Quantity, PurchaseRecordId, PurchaseRecordLineItemId from ISVOrder WHERE OrderStatus = 'Active' and IsTrial = 'True' TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT OfferName, SKU, IsPrivateOffer, AssetId, PurchaseRecordId, PurchaseRecordLineItemId, OrderPurchaseDate, BilledRevenue FROM ISVOrder WHERE IsPrivateOffer = '1' and OrderStatus = 'Active' TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT BillingAccountId, OfferName, OfferType, Revenue, EarningAmountCC, EstimatedRevenueUSD, EarningAmountUSD, PayoutStatus, PurchaseRecordId, LineItemId,TransactionAmountCC,TransactionAmountUSD, Quantity,Units FROM ISVRevenue TIMESPAN LAST_MONTH",
  ],
  [
    "cmp",
    "SELECT BillingAccountId, OfferName, OfferType, EstimatedRevenueUSD, EarningAmountUSD, PayoutStatus, PurchaseRecordId, LineItemId, TransactionAmountUSD FROM ISVRevenue where PayoutStatus='Sent' TIMESPAN LAST_3_MONTHS",
  ],
  [
    "cmp",
    "SELECT OfferId, Sku, DeploymentStatus, DeploymentCorrelationId, SubscriptionId, CustomerTenantId, CustomerName, TemplateType, StartTime, EndTime, DeploymentDurationInMilliSeconds, DeploymentRegion FROM ISVQualityOfService TIMESPAN LAST_6_MONTHS",
  ],
  [
    "cmp",
    "SELECT OfferCategory, OfferName, Sku, ProductId, OfferType, FirstUsageDate, Offset, CustomerId, CustomerName, CustomerCompanyName, CustomerCountryName, CustomerCountryCode, CustomerCurrencyCode FROM ISVOfferRetention TIMESPAN LAST_6_MONTHS",
  ],
  ["cmp", "SELECT OrderId from ISVOrder"],
  [
    "cmp",
    "SELECT MarketplaceSubscriptionId,OfferType,AzureLicenseType,MarketplaceLicenseType,SKU,CustomerCountry,VMSize,CloudInstanceName,OfferName,DeploymentMethod,CustomerName,CustomerCompanyName,UsageDate,IsNewCustomer,CustomerId,BillingAccountId,NormalizedUsage,RawUsage,EstimatedExtendedChargePC,TrialEndDate,SKUBillingType,CustomerCurrencyCC,PriceCC,EstimatedPricePC FROM ISVUsage WHERE OfferType IN ('vm core image', 'Virtual Machine Licenses', 'multisolution') TIMESPAN LAST_MONTH",
  ],
];

/** Queries the reference (§2.5) lists as broken in the docs: each must fail with a clear diagnostic. */
const BROKEN: [Program, string, string][] = [
  [
    "cmp",
    "SELECT AssetId, PurchaseRecordId, PurchaseRecordLineItemId , OrderPurchaseDate FROM ISVOrder WHERE OfferName = Contoso test Services' TIMESPAN LAST_6_MONTHS",
    "SYNTAX_ERROR",
  ],
  [
    "cmp",
    "SELECT BillingAccountId, OfferName,OfferType, TrialDeployment EstimatedRevenueUSD, EarningAmountUSD FROM ISVRevenue WHERE TrialDeployment=\u2019False\u2019 and BillingModel=\u2019SubscriptionBased\u2019",
    "SYNTAX_ERROR",
  ],
  [
    "mpn",
    "SELECT MPNId, SubscriptionCount, TotalSoldSeats, BilledRevenueUSD, CustomerCount FROM SeatsSubscriptionsAndRevenue WHERE MPNId=6096xxx TIMESPAN LAST_6_MONTHS",
    "SYNTAX_ERROR",
  ],
  [
    "cmp",
    "SELECT UsageDate, RawUsage, EstimatedExtendedChargePC FROM ISVUsage WHERE SKUBillingType = \u2018Paid\u2019 ORDER BY UsageDate DESC TIMESPAN LAST\\_MONTH",
    "INVALID_CHARACTER",
  ],
  [
    "cmp",
    "SELECT MarketplaceSubscriptionId, NormalizedUsage FROM ISVUsage ORDER BY NormalizedUsage ASC, EstimatedExtendedCharge(CC) DESC",
    "INCORRECT_COLUMN_NAME",
  ],
  ["cmp", "SELECT OfferName FROM ISVUsage ORDER BY OfferName WHERE OfferName = 'x'", "CLAUSE_ORDER"],
];

describe("documented example queries", () => {
  it.each(VALID)("%s: %s is valid", (program, text) => {
    const analysis = analyzeQuery(text, builtInCatalogs.get(program).datasets);
    expect(analysis.ok ? [] : analysis.diagnostics).toEqual([]);
  });

  it.each(BROKEN)("%s: %s fails with %s", (program, text, code) => {
    const analysis = analyzeQuery(text, builtInCatalogs.get(program).datasets);
    expect(analysis.ok).toBe(false);
    if (!analysis.ok) expect(analysis.diagnostics.map((d) => d.code)).toContain(code);
  });
});

describe("system queries", () => {
  const rows = (["mpn", "cmp"] as const).flatMap((program) =>
    builtInCatalogs.get(program).systemQueries.map((q) => [program, q.name, q.query] as const),
  );
  it.each(rows)("%s system query %s is valid", (program, _name, text) => {
    const analysis = analyzeQuery(text, builtInCatalogs.get(program).datasets);
    expect(analysis.ok ? [] : analysis.diagnostics).toEqual([]);
  });
});
