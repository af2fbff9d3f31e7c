/**
 * Commercial marketplace analytics (program "cmp") dataset catalog: the nine datasets of the
 * reference (§3.2) and the 10 system queries (§4.2).
 *
 * Columns are the union of the documented dataset JSON (ISVOrder 2021, ISVUsage current), the system
 * and sample queries and the dashboards' programmatic column names (spaces and parentheses removed).
 * Types, metrics, time columns, ranges and every choice the reference leaves open are explained in
 * docs/datasets.md.
 */

import { summedAmount } from "./summed.js";
import type { ColumnDef, DatasetDef, ProgramCatalog, SystemQueryDef } from "./types.js";

/** Column definitions that several datasets share, word for word. */
const COLUMN = {
  MarketplaceSubscriptionId: {
    name: "MarketplaceSubscriptionId",
    type: "string",
    description:
      "The unique identifier associated with the Azure subscription the customer used to purchase your commercial marketplace offer.",
  },
  CustomerCompanyName1: {
    name: "CustomerCompanyName",
    type: "string",
    description:
      "The company name provided by the customer. Name could be different than the city in a customer's Azure subscription.",
  },
  CustomerCompanyName2: {
    name: "CustomerCompanyName",
    type: "string",
    description:
      "The company name provided by the customer. The name could be different than the name in a customer's Azure subscription.",
  },
  CustomerId: {
    name: "CustomerId",
    type: "string",
    description:
      "The unique identifier assigned to a customer. A customer may have zero or more Azure Marketplace subscriptions.",
  },
  BillingAccountId: {
    name: "BillingAccountId",
    type: "string",
    description: "The identifier of the account on which billing is generated.",
  },
  OfferName1: {
    name: "OfferName",
    type: "string",
    description: "The name of the commercial marketplace offer.",
  },
  OfferName2: {
    name: "OfferName",
    type: "string",
    description: "The name of the commercial marketplace offering.",
  },
  SKU: { name: "SKU", type: "string", description: "The plan associated with the offer." },
  PrivateOfferName: {
    name: "PrivateOfferName",
    type: "string",
    description: "The name provided during private offer creation.",
  },
  PartnerInfo: {
    name: "PartnerInfo",
    type: "string",
    description:
      "Represents SellerID and name of the partners involved in a Multiparty private offer transaction.",
  },
  SalesNotes: {
    name: "SalesNotes",
    type: "string",
    description:
      "Sales note added by an ISV or a Channel partner during private offer creation. An ISV cannot view Channel Partner’s Sales notes and vice versa.",
  },
  MonthStartDate: {
    name: "MonthStartDate",
    type: "date",
    description: "Month Start Date represents month of Purchase. The format is yyyy-mm-dd.",
  },
  OfferType: {
    name: "OfferType",
    type: "string",
    description: "The type of commercial marketplace offering.",
    values: ["SaaS", "Azure Applications", "vm core image", "Virtual Machine Licenses", "multisolution"],
    decision:
      "Values gathered from the OfferType filters of the CMP system queries (no dictionary lists them).",
  },
  AzureLicenseType: {
    name: "AzureLicenseType",
    type: "string",
    description:
      "The type of licensing agreement used by customers to purchase Azure. Also known as Channel.",
    values: ["Cloud Solution Provider", "Enterprise", "Enterprise through Reseller", "Pay as You Go", "GTM"],
  },
  MarketplaceLicenseType: {
    name: "MarketplaceLicenseType",
    type: "string",
    description:
      "The billing method of the commercial marketplace offer. The possible values are: -Billed through Azure -Bring Your Own License -Free -Microsoft as Reseller.",
    values: ["Billed through Azure", "Bring Your Own License", "Free", "Microsoft as Reseller"],
  },
  Sku: { name: "Sku", type: "string", description: "The plan associated with the offer." },
  CustomerCountry: {
    name: "CustomerCountry",
    type: "string",
    description:
      "The country/region name provided by the customer. Country/region could be different than the country/region in a customer's Azure subscription.",
  },
  IsPreviewSKU: {
    name: "IsPreviewSKU",
    type: "string",
    description: 'The value lets you know if you tagged the SKU as "preview".',
    decision:
      "Value domain not documented; kept as text (string) so either 'Yes'/'No' or 'True'/'False' fits.",
  },
  CloudInstanceName: {
    name: "CloudInstanceName",
    type: "string",
    description: "The Microsoft Cloud in which a VM deployment occurred.",
  },
  IsNewCustomer: {
    name: "IsNewCustomer",
    type: "string",
    description:
      'The value identifies whether a new customer acquired one or more of your offers for the first time. Value is "Yes" if within the same calendar month for "Date Acquired".',
    values: ["Yes", "No"],
    decision:
      'Textual flag: the Orders dictionary says the value is "Yes" for a new customer; "No" assumed for the rest.',
  },
  OrderStatus: {
    name: "OrderStatus",
    type: "string",
    description: "The status of a commercial marketplace order at the time the data was last refreshed.",
    values: ["Active", "Canceled", "Expired", "Abandoned", "Warning"],
  },
  OrderCancelDate: {
    name: "OrderCancelDate",
    type: "date",
    description: "The date the commercial marketplace order was canceled.",
  },
  CustomerName: { name: "CustomerName", type: "string", description: "Name of the customer." },
  OrderPurchaseDate: {
    name: "OrderPurchaseDate",
    type: "date",
    description:
      "The date the commercial marketplace order was created. The format is yyyy-mm-dd. For SaaS, it is the subscription activation date.",
  },
  TrialEndDate: {
    name: "TrialEndDate",
    type: "date",
    description: "The date the trial period for this order ends or has ended.",
  },
  AssetId: {
    name: "AssetId",
    type: "string",
    description:
      "The unique identifier of the customer order for your commercial marketplace service. Virtual Machine usage-based offers aren't associated with an order.",
  },
  PurchaseRecordId: {
    name: "PurchaseRecordId",
    type: "string",
    description: "The identifier of the purchase record for an order purchase.",
  },
  PurchaseRecordLineItemId: {
    name: "PurchaseRecordLineItemId",
    type: "string",
    description: "The identifier of the purchase record line item related to this order.",
  },
  Quantity: {
    name: "Quantity",
    type: "integer",
    description: "Number of assets associated with the order ID for active orders.",
  },
  TermStartDate: {
    name: "TermStartDate",
    type: "date",
    description: "Indicates the start date of a term for an order.",
  },
  TermEndDate: {
    name: "TermEndDate",
    type: "date",
    description: "Indicates the end date of a term for an order.",
  },
  BilledRevenue: {
    name: "BilledRevenue",
    type: "decimal",
    description:
      "The price the customer will be charged for all order units before taxation. This is calculated in customer transaction currency.",
  },
  Currency: { name: "Currency", type: "string", description: "Billing currency for the order purchase." },
  IsTrial: {
    name: "IsTrial",
    type: "string",
    description: "Represents whether an offer SKU is in trial period.",
    values: ["True", "False"],
    decision: "Textual flag: the Orders sample query filters IsTrial = 'True'.",
  },
  IsPrivateOffer: {
    name: "IsPrivateOffer",
    type: "integer",
    description:
      "Indicates whether a marketplace offer is private or a public offer -0 value indicates false -1 value indicates true Note: Private plans are different from Private offers.",
    values: ["0", "1"],
  },
  BillingTerm: {
    name: "BillingTerm",
    type: "string",
    description: "Indicates the term duration of the offer purchased by the customer.",
  },
  BillingPlan: {
    name: "BillingPlan",
    type: "string",
    description: "Indicates the billing frequency of the offer purchased by the customer.",
  },
  HasTrial: {
    name: "HasTrial",
    type: "string",
    description: "Represents whether an offer has trial period enabled.",
    values: ["True", "False"],
    decision: "Value domain not documented; 'True'/'False' by analogy with IsTrial.",
  },
  OrderAction: {
    name: "OrderAction",
    type: "string",
    description:
      "Indicates the customer action for an offer subscription. Possible values are: -Purchase: Order was purchased -Renewed: Order was renewed -Canceled: Order was canceled.",
    values: ["Purchase", "Renewed", "Canceled"],
  },
  QuantityChanged: {
    name: "QuantityChanged",
    type: "integer",
    description:
      "The net change in seats added and seats removed for existing subscription orders. Same applies for sites (flat rate) pricing model.",
  },
  ReferenceId: {
    name: "ReferenceId",
    type: "string",
    description:
      "A key to link orders having usage details in usage report. Map this field value with the value for Reference ID key in usage report.",
  },
  PlanId: {
    name: "PlanId",
    type: "string",
    description:
      "The display name of the plan entered when the offer was created in Partner Center. PlanId was originally a numeric number.",
  },
  AutoRenew: {
    name: "AutoRenew",
    type: "string",
    description:
      "Indicates whether a subscription is due for an automatic renewal. Possible values are: -TRUE: Indicates that on the TermEnd the subscription renews automatically.",
    values: ["TRUE", "FALSE"],
  },
  EventTimestamp: {
    name: "EventTimestamp",
    type: "datetime",
    description:
      "Indicates the timestamp of an order management event, such as an order purchase, cancelation, renewal, and so on.",
  },
  ListPriceUSD: {
    name: "ListPriceUSD",
    type: "decimal",
    description: "The publicly listed price of the offer plan in U.S dollars.",
  },
  DiscountPriceUSD: {
    name: "DiscountPriceUSD",
    type: "decimal",
    description: "The discounted price of the offer plan in U.S dollars.",
  },
  IsPrivatePlan: {
    name: "IsPrivatePlan",
    type: "integer",
    description:
      "Indicates whether an offer plan is private plan -0 value indicates false - 1 value indicates true.",
    values: ["0", "1"],
  },
  OfferId: { name: "OfferId", type: "string", description: "ID to identify a marketplace offer." },
  PrivateOfferId: {
    name: "PrivateOfferId",
    type: "string",
    description: "ID to identify a private marketplace offer.",
  },
  BillingId: { name: "BillingId", type: "string", description: "The Billing ID of the enterprise customer." },
  CustomerAdjustmentUSD: {
    name: "CustomerAdjustmentUSD",
    type: "decimal",
    description: "The price offered by the Channel partner to the billed customer in U.S Dollars.",
  },
  MultiParty: {
    name: "MultiParty",
    type: "integer",
    description:
      "Flag indicating whether a private offer transaction involved multi-parties. -1 indicates both an ISV and a channel partner were involved.",
    values: ["0", "1"],
  },
} satisfies Record<string, ColumnDef>;

const isvCustomer: DatasetDef = {
  name: "ISVCustomer",
  description:
    "Commercial marketplace customers: one row per customer and marketplace subscription with contact and acquisition details.",
  columns: [
    COLUMN.MarketplaceSubscriptionId,
    {
      name: "DateAcquired",
      type: "date",
      description: "The first date the customer purchased any offer you published.",
      decision:
        "Time column: the Customers sample 'new customers … in the last six months' filters DateAcquired.",
    },
    {
      name: "DateLost",
      type: "date",
      description: "The last date the customer canceled the last of all previously purchased offers.",
    },
    {
      name: "ProviderName",
      type: "string",
      description:
        "The name of the provider involved in the relationship between Microsoft and the customer. If the customer is an Enterprise through Reseller, this is the reseller.",
    },
    {
      name: "ProviderEmail",
      type: "string",
      description:
        "The email address of the provider involved in the relationship between Microsoft and the customer. If the customer is an Enterprise through Reseller, this is the reseller.",
    },
    {
      name: "FirstName",
      type: "string",
      description:
        "The first name provided by the customer. Name could be different than the name provided in a customer's Azure subscription.",
    },
    {
      name: "LastName",
      type: "string",
      description:
        "The last name provided by the customer. Name could be different than the name provided in a customer's Azure subscription.",
    },
    {
      name: "Email",
      type: "string",
      description:
        "The e-mail address provided by the end customer. Email could be different than the e-mail address in a customer's Azure subscription.",
    },
    COLUMN.CustomerCompanyName1,
    {
      name: "CustomerCity",
      type: "string",
      description:
        "The city name provided by the customer. City could be different than the city in a customer's Azure subscription.",
    },
    {
      name: "CustomerPostalCode",
      type: "string",
      description:
        "The postal code provided by the customer. Code could be different than the postal code provided in a customer's Azure subscription.",
    },
    {
      name: "CustomerCommunicationCulture",
      type: "string",
      description: "The language preferred by the customer for communication.",
    },
    {
      name: "CustomerCountryRegion",
      type: "string",
      description:
        "The country/region name provided by the customer. Country/region could be different than the country/region in a customer's Azure subscription.",
    },
    {
      name: "AzureLicenseType",
      type: "string",
      description:
        "The type of licensing agreement used by customers to purchase Azure. Also known as the _channel_.",
      values: ["Cloud Solution Provider", "Enterprise", "Enterprise through Reseller", "Pay as You Go"],
    },
    {
      name: "PromotionalCustomers",
      type: "string",
      description:
        "The value lets you know if the customer proactively opted in for promotional contact from publishers.",
      decision: "Value domain not documented; kept as text.",
    },
    {
      name: "CustomerState",
      type: "string",
      description:
        "The state of residence provided by the customer. State could be different than the state provided in a customer's Azure subscription.",
    },
    {
      name: "CommerceRootCustomer",
      type: "string",
      description: "One Billing Account ID can be associated with multiple Customer IDs.",
    },
    COLUMN.CustomerId,
    COLUMN.BillingAccountId,
    {
      name: "ID",
      type: "string",
      description: "Row identifier selected by the Customers system query; not described anywhere.",
      decision: "Only the system query names it; text.",
    },
    {
      name: "IsActive",
      type: "integer",
      description:
        "1 while the customer has an active purchase, 0 once churned (filtered by the Customers sample queries).",
      values: ["0", "1"],
      decision: "0/1 flag (integer): the sample queries filter IsActive = 1 / IsActive = 0.",
    },
    {
      name: "CustomerType",
      type: "string",
      description:
        "The value of this field signifies the type of the customer. The possible values are: - individual - organization.",
      values: ["individual", "organization"],
    },
    COLUMN.OfferName1,
    {
      name: "PlanID",
      type: "string",
      description: "The display name of the plan entered when the offer was created in Partner Center.",
    },
    COLUMN.SKU,
    { name: "lastModifiedAt", type: "datetime", description: "The latest timestamp for customer purchases." },
    {
      name: "AddressLine1",
      type: "string",
      description: "The Address Line 1 section of customer’s street address.",
    },
    { name: "BillingID", type: "string", description: "The Billing ID of the enterprise customer." },
    {
      name: "PrivateOfferId",
      type: "string",
      description: "The ID to identify a private marketplace offer.",
    },
    COLUMN.PrivateOfferName,
    {
      name: "PurchaserEmail",
      type: "string",
      description:
        "Email of the entity purchasing or provisioning an offer. This could be same or different than the email of “bill-to” entity.",
    },
    {
      name: "ReferenceId",
      type: "string",
      description:
        "A unique identifier to indicate provisioned instances or purchased offers by the customer. This key can be used to link with Orders and Usage report.",
    },
    { name: "OfferId", type: "string", description: "The ID to identify a marketplace offer." },
    {
      name: "IsPrivatePlan",
      type: "integer",
      description:
        "Indicates whether a marketplace offer is private plan. -0 value indicates false -1 value indicates true.",
      values: ["0", "1"],
    },
    {
      name: "MultiParty",
      type: "integer",
      description:
        "Flag indicating whether a private offer transaction involved multiple parties. -1 indicates both an ISV and a channel partner were involved.",
      values: ["0", "1"],
    },
    COLUMN.PartnerInfo,
    COLUMN.SalesNotes,
  ],
  metrics: [],
  timeColumn: "DateAcquired",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 4,
  decision: "TIMESPAN filters DateAcquired (the dataset has no MonthStartDate).",
};

const isvOrder: DatasetDef = {
  name: "ISVOrder",
  description:
    "Commercial marketplace orders: one row per order (asset) and month with status, quantity and billed revenue.",
  columns: [
    COLUMN.MarketplaceSubscriptionId,
    COLUMN.MonthStartDate,
    COLUMN.OfferType,
    COLUMN.AzureLicenseType,
    COLUMN.MarketplaceLicenseType,
    COLUMN.Sku,
    COLUMN.CustomerCountry,
    COLUMN.IsPreviewSKU,
    {
      name: "OrderId",
      type: "string",
      description: "Identifier of the order (2021 name; the 2023 dictionary calls it AssetId).",
      decision:
        "2021 programmatic name (fixture, system query fd0f299c-…); the 2023 dictionary calls the order AssetId. Both kept.",
    },
    {
      name: "OrderQuantity",
      type: "integer",
      description: "Number of units ordered (2021 name; the 2023 dictionary calls it Quantity).",
      decision: "2021 programmatic name; the 2023 dictionary calls it Quantity. Both kept.",
    },
    COLUMN.CloudInstanceName,
    COLUMN.IsNewCustomer,
    COLUMN.OrderStatus,
    COLUMN.OrderCancelDate,
    COLUMN.CustomerCompanyName1,
    COLUMN.CustomerName,
    COLUMN.OrderPurchaseDate,
    COLUMN.OfferName2,
    COLUMN.TrialEndDate,
    COLUMN.CustomerId,
    COLUMN.BillingAccountId,
    COLUMN.AssetId,
    COLUMN.PurchaseRecordId,
    COLUMN.PurchaseRecordLineItemId,
    COLUMN.Quantity,
    COLUMN.TermStartDate,
    COLUMN.TermEndDate,
    COLUMN.BilledRevenue,
    COLUMN.Currency,
    COLUMN.IsTrial,
    COLUMN.IsPrivateOffer,
    COLUMN.BillingTerm,
    COLUMN.BillingPlan,
    COLUMN.HasTrial,
    COLUMN.OrderAction,
    COLUMN.QuantityChanged,
    COLUMN.ReferenceId,
    COLUMN.PlanId,
    COLUMN.AutoRenew,
    COLUMN.EventTimestamp,
    {
      name: "OrderVersion",
      type: "integer",
      description:
        "A key to indicate updated versions of an order purchase. The highest value indicates latest key.",
      decision: "Integer: 'the highest value indicates the latest'.",
    },
    COLUMN.ListPriceUSD,
    COLUMN.DiscountPriceUSD,
    COLUMN.IsPrivatePlan,
    COLUMN.OfferId,
    COLUMN.PrivateOfferId,
    COLUMN.PrivateOfferName,
    COLUMN.BillingId,
    COLUMN.CustomerAdjustmentUSD,
    COLUMN.MultiParty,
    COLUMN.PartnerInfo,
    COLUMN.SalesNotes,
  ],
  metrics: [],
  timeColumn: "MonthStartDate",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LIFETIME"],
  minimumRecurrenceInterval: 4,
  decision:
    "Columns = 2021 dataset JSON ∪ system query ∪ sample queries ∪ the 2023 Orders dictionary (2021 and 2023 names for the same facts are separate columns).",
};

const isvOrderV2: DatasetDef = {
  name: "ISVOrderV2",
  description:
    "Commercial marketplace orders, V2 schema (OrdersV2 system query): ISVOrder plus term dates, purchase record IDs, trial flags and estimated charges.",
  columns: [
    COLUMN.MarketplaceSubscriptionId,
    COLUMN.MonthStartDate,
    COLUMN.OfferType,
    COLUMN.AzureLicenseType,
    COLUMN.MarketplaceLicenseType,
    COLUMN.Sku,
    COLUMN.CustomerCountry,
    COLUMN.IsPreviewSKU,
    {
      name: "OrderId",
      type: "string",
      description: "Identifier of the order (2021 name; the 2023 dictionary calls it AssetId).",
    },
    {
      name: "OrderQuantity",
      type: "integer",
      description: "Number of units ordered (2021 name; the 2023 dictionary calls it Quantity).",
    },
    COLUMN.CloudInstanceName,
    COLUMN.IsNewCustomer,
    COLUMN.OrderStatus,
    COLUMN.OrderCancelDate,
    COLUMN.CustomerCompanyName1,
    COLUMN.CustomerName,
    COLUMN.OrderPurchaseDate,
    COLUMN.OfferName2,
    COLUMN.TrialEndDate,
    COLUMN.CustomerId,
    COLUMN.BillingAccountId,
    COLUMN.TermStartDate,
    COLUMN.TermEndDate,
    COLUMN.PurchaseRecordId,
    COLUMN.PurchaseRecordLineItemId,
    COLUMN.HasTrial,
    {
      name: "IsTrialDeployment",
      type: "string",
      description: "Whether the order was a trial deployment.",
      values: ["True", "False"],
      decision: "Value domain not documented; 'True'/'False' by analogy with IsTrial.",
    },
    {
      name: "EstimatedCharges",
      type: "decimal",
      description: "Estimated charges of the order (the UI name of BilledRevenue).",
      decision:
        "System query spells it 'estimatedcharges'; catalog spelling is PascalCase (matching is case-insensitive). Decimal amount column, not a metric.",
    },
    COLUMN.AssetId,
    COLUMN.Quantity,
    COLUMN.IsPrivateOffer,
    COLUMN.BillingTerm,
    COLUMN.BillingPlan,
    COLUMN.BilledRevenue,
    COLUMN.Currency,
    COLUMN.IsTrial,
    COLUMN.OrderAction,
    COLUMN.QuantityChanged,
    COLUMN.ReferenceId,
    COLUMN.PlanId,
    COLUMN.AutoRenew,
    COLUMN.EventTimestamp,
    {
      name: "OrderVersion",
      type: "integer",
      description:
        "A key to indicate updated versions of an order purchase. The highest value indicates latest key.",
    },
    COLUMN.ListPriceUSD,
    COLUMN.DiscountPriceUSD,
    COLUMN.IsPrivatePlan,
    COLUMN.OfferId,
    COLUMN.PrivateOfferId,
    COLUMN.PrivateOfferName,
    COLUMN.BillingId,
    COLUMN.CustomerAdjustmentUSD,
    COLUMN.MultiParty,
    COLUMN.PartnerInfo,
    COLUMN.SalesNotes,
  ],
  metrics: [],
  timeColumn: "MonthStartDate",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LIFETIME"],
  minimumRecurrenceInterval: 4,
  decision:
    "Separate table from ISVOrder. Columns = OrdersV2 system query ∪ the 2023 Orders dictionary; date ranges copied from ISVOrder (undocumented for V2).",
};

const isvUsage: DatasetDef = {
  name: "ISVUsage",
  description:
    "Commercial marketplace usage: one row per usage event (subscription, plan, meter and usage date) with usage quantities and estimated charges.",
  columns: [
    {
      name: "MarketplaceSubscriptionId",
      type: "string",
      description:
        "The unique identifier associated with the Azure subscription the customer used to purchase your commercial marketplace offer. ID was formerly the Azure Subscription GUID.",
    },
    {
      name: "MonthStartDate",
      type: "date",
      description: "Month Start Date represents the month of purchase.",
    },
    {
      name: "OfferType",
      type: "string",
      description:
        "This field indicates the type of commercial marketplace offering. It classifies the nature of the product available through the marketplace.",
      values: ["SaaS", "Azure Applications", "vm core image", "Virtual Machine Licenses", "multisolution"],
      decision:
        "Values gathered from the OfferType filters of the CMP system queries (no dictionary lists them).",
    },
    {
      name: "AzureLicenseType",
      type: "string",
      description:
        "The type of licensing agreement used by customers to purchase Azure. Also known as the Channel.",
      values: ["Cloud Solution Provider", "Enterprise", "Enterprise through Reseller", "Pay as You Go"],
    },
    {
      name: "MarketplaceLicenseType",
      type: "string",
      description:
        "The billing method of the commercial marketplace offer. The possible values are: -Billed Through Azure -Bring Your Own License -Free -Microsoft as Reseller.",
      values: ["Billed Through Azure", "Bring Your Own License", "Free", "Microsoft as Reseller"],
    },
    COLUMN.SKU,
    COLUMN.CustomerCountry,
    {
      name: "IsPreviewSKU",
      type: "string",
      description: 'The value shows if you\'ve tagged the plan as "preview".',
      decision:
        "Value domain not documented; kept as text (string) so either 'Yes'/'No' or 'True'/'False' fits.",
    },
    {
      name: "SKUBillingType",
      type: "string",
      description:
        "The Billing type associated with each plan in the offer. The possible values are: -Free -Paid.",
      values: ["Free", "Paid"],
    },
    {
      name: "IsInternal",
      type: "string",
      description:
        "Whether the usage comes from an internal (Microsoft/publisher) subscription (system-query column).",
      decision: "Value domain not documented; text.",
    },
    {
      name: "VMSize",
      type: "string",
      description:
        "For VM-based offer types, this entity signifies the size of the VM associated with the plan of the offer.",
    },
    {
      name: "CloudInstanceName",
      type: "string",
      description: "Microsoft Cloud Instance in which a VM deployment occurred.",
    },
    { name: "ServicePlanName", type: "string", description: "Plan name of the offer (system-query column)." },
    { name: "OfferName", type: "string", description: "Name of the commercial marketplace offering." },
    { name: "DeploymentMethod", type: "string", description: "Deployment method of the offer." },
    { name: "CustomerName", type: "string", description: 'Name of the "billed to" customer.' },
    COLUMN.CustomerCompanyName2,
    {
      name: "UsageDate",
      type: "date",
      description: "The date of usage event generation for usage-based assets.",
      decision: "Time column: usage rows are daily events; MonthStartDate is the month of UsageDate.",
    },
    {
      name: "IsNewCustomer",
      type: "string",
      description: "This field indicates if the customer is new.",
      values: ["Yes", "No"],
      decision:
        'Textual flag: the Orders dictionary says the value is "Yes" for a new customer; "No" assumed for the rest.',
    },
    { name: "CoreSize", type: "integer", description: "Number of cores associated with the VM-based offer." },
    COLUMN.TrialEndDate,
    {
      name: "CustomerCurrencyCC",
      type: "string",
      description: "The currency used by the customer for the commercial marketplace transaction.",
    },
    { name: "PriceCC", type: "decimal", description: "Unit price of the plan shown in customer currency." },
    {
      name: "PayoutCurrencyPC",
      type: "string",
      description:
        "Publisher is paid for the usage events associated with the asset in the currency configured by the publisher.",
    },
    {
      name: "EstimatedPricePC",
      type: "decimal",
      description: "Unit price of the plan in the currency configured by the publisher.",
    },
    {
      name: "UsageReference",
      type: "string",
      description:
        "A concatenated GUID that is used to connect the Usage Report (in commercial marketplace analytics) with the Payout transaction report.",
    },
    { name: "UsageUnit", type: "string", description: "Unit of consumption associated with the plan." },
    COLUMN.CustomerId,
    COLUMN.BillingAccountId,
    {
      name: "IsPrivateOffer",
      type: "integer",
      description:
        "Indicates whether a marketplace offer is a private or a public offer: -0 value indicates false -1 value indicates true.",
      values: ["0", "1"],
    },
    {
      name: "MeterDimension",
      type: "string",
      description:
        "Applicable for offers with custom meter dimensions. Metered dimension of the custom meter. For example, user/device - billing unit.",
    },
    {
      name: "MeterId",
      type: "string",
      description:
        "Applicable for offers with custom meter dimensions. Signifies the meter ID for the offer.",
    },
    {
      name: "PartnerCenterDetectedAnomaly",
      type: "integer",
      description: "Applicable for offers with custom meter dimensions.",
      values: ["0", "1"],
    },
    {
      name: "PublisherMarkedAnomaly",
      type: "integer",
      description: "Applicable for offers with custom meter dimensions.",
      values: ["0", "1"],
    },
    {
      name: "NewReportedUsage",
      type: "decimal",
      description:
        "Applicable for offers with custom meter dimensions. For overage usage by the customer for the offer’s custom meter dimension identified as anomalous by the publisher.",
    },
    {
      name: "ActionTakenAt",
      type: "datetime",
      description: "Applicable for offers with custom meter dimensions.",
    },
    {
      name: "ActionTakenBy",
      type: "string",
      description: "Applicable for offers with custom meter dimensions.",
    },
    {
      name: "PlanId",
      type: "string",
      description:
        "The display name of the plan entered when the offer was created in Partner Center. PlanId was originally a number.",
    },
    {
      name: "ReferenceId",
      type: "string",
      description:
        "A key to link transactions of usage-based offers with corresponding transactions in the orders report. For SaaS offers with custom meters, this key represents the AssetId.",
    },
    COLUMN.ListPriceUSD,
    {
      name: "DiscountedPriceUSD",
      type: "decimal",
      description: "The discounted price of the offer plan in U.S. dollars.",
    },
    {
      name: "IsPrivatePlan",
      type: "integer",
      description:
        "Indicates whether an offer plan is private plan: -0 value indicates false -1 value indicates true.",
      values: ["0", "1"],
    },
    COLUMN.OfferId,
    COLUMN.PrivateOfferId,
    COLUMN.PrivateOfferName,
    COLUMN.BillingId,
    {
      name: "PlanType",
      type: "string",
      description:
        "Type of Azure App deployed. It can be either Managed Application or Solution Templates and it can't be private.",
      values: ["Managed Application", "Solution Templates"],
    },
    {
      name: "CustomerAccess",
      type: "string",
      description:
        "This column denotes if customer has Full access or Restricted access for deployment of Azure app.",
      values: ["Full", "Restricted"],
    },
    {
      name: "PublisherAccess",
      type: "string",
      description:
        "This column denotes if publisher access is Enabled or Disabled for deployment of Azure app.",
      values: ["Enabled", "Disabled"],
    },
    COLUMN.CustomerAdjustmentUSD,
    COLUMN.MultiParty,
    COLUMN.PartnerInfo,
    COLUMN.SalesNotes,
    {
      name: "IsCustomMeter",
      type: "string",
      description: "Whether the usage is reported on a custom meter.",
      decision: "Value domain not documented; text.",
    },
    {
      name: "AssetId",
      type: "string",
      description: "Unique identifier of the customer's order subscription (custom-meter offers).",
    },
    {
      name: "IsMultisolution",
      type: "string",
      description: "Whether the offer is a multisolution offer type.",
      decision: "Value domain not documented; text.",
    },
    {
      name: "VMSubscription",
      type: "string",
      description: "Subscription of the virtual machine (not described in the reference).",
      decision: "Not described anywhere; text.",
    },
  ],
  measures: [
    {
      name: "NormalizedUsage",
      type: "decimal",
      description: "Normalized usage units (hidden; summed by the NormalizedUsage metric).",
    },
    {
      name: "MeteredUsage",
      type: "decimal",
      description: "Metered usage units (hidden; summed by the MeteredUsage metric).",
    },
    {
      name: "RawUsage",
      type: "decimal",
      description: "Raw usage units (hidden; summed by the RawUsage metric).",
    },
    {
      name: "EstimatedExtendedChargeCC",
      type: "decimal",
      description: "Estimated extended charge in customer currency (hidden).",
    },
    {
      name: "EstimatedExtendedChargePC",
      type: "decimal",
      description: "Estimated extended charge in payout currency (hidden).",
    },
    {
      name: "EstimatedFinancialImpactUSD",
      type: "decimal",
      description: "Estimated financial impact in USD (hidden).",
    },
  ],
  metrics: [
    { name: "NormalizedUsage", aggregation: "sum", source: "NormalizedUsage" },
    { name: "MeteredUsage", aggregation: "sum", source: "MeteredUsage" },
    { name: "RawUsage", aggregation: "sum", source: "RawUsage" },
    { name: "EstimatedExtendedChargeCC", aggregation: "sum", source: "EstimatedExtendedChargeCC" },
    { name: "EstimatedExtendedChargePC", aggregation: "sum", source: "EstimatedExtendedChargePC" },
    { name: "EstimatedFinancialImpactUSD", aggregation: "sum", source: "EstimatedFinancialImpactUSD" },
  ],
  timeColumn: "UsageDate",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LAST_3_YEARS"],
  minimumRecurrenceInterval: 4,
  decision:
    "TIMESPAN filters UsageDate (daily), not MonthStartDate. The dictionary's DiscountPriceUSD/PlanID are the fixture's DiscountedPriceUSD/PlanId and are not added twice.",
};

/** Page visits and call-to-action clicks per date: event counts, additive over any selection. */
const MARKETPLACE_COUNT_DECISION =
  "Summed over the selected columns (issue #14): an event count of one offer, date, domain and country adds up over any of them.";
const MARKETPLACE_COUNTS = [
  summedAmount(
    {
      name: "PageVisits",
      type: "integer",
      description: "The number of page visits associated with the Offer Name for a particular date.",
    },
    MARKETPLACE_COUNT_DECISION,
  ),
  summedAmount(
    {
      name: "GetItNow",
      type: "integer",
      description: "The number of clicks to the “Get It Now” CTA on the offer’s page for a particular date.",
    },
    MARKETPLACE_COUNT_DECISION,
  ),
  summedAmount(
    {
      name: "ContactMe",
      type: "integer",
      description: "The number of clicks to the “Contact Me” CTA on the offer’s page for a particular date.",
    },
    MARKETPLACE_COUNT_DECISION,
  ),
  summedAmount(
    {
      name: "TestDrive",
      type: "integer",
      description: "The number of clicks to the “Test Drive” CTA on the offer’s page for a particular date.",
    },
    MARKETPLACE_COUNT_DECISION,
  ),
  summedAmount(
    {
      name: "FreeTrial",
      type: "integer",
      description: "The number of clicks to the “Free Trial” CTA on the offer’s page for a particular date.",
    },
    MARKETPLACE_COUNT_DECISION,
  ),
  summedAmount(
    {
      name: "consentGivenCount",
      type: "integer",
      description: "Total count of clicks for customer-provided consent to Microsoft or the partner.",
    },
    `${MARKETPLACE_COUNT_DECISION} Spelled as the dictionary spells it.`,
  ),
];

const isvMarketplaceInsights: DatasetDef = {
  name: "ISVMarketplaceInsights",
  description:
    "Marketplace Insights: one row per offer, date, referral domain and country with page visits and call-to-action clicks.",
  columns: [
    {
      name: "Date",
      type: "date",
      description:
        "The date of page visit and/or CTA click event generation on the offer’s page in Azure Marketplace and/or AppSource.",
    },
    COLUMN.OfferName2,
    {
      name: "ReferralDomain",
      type: "string",
      description: "The name of the referral domain from where the page visit happened.",
    },
    {
      name: "CountryName",
      type: "string",
      description: "The name of the country from where the page visit has happened.",
    },
    {
      name: "Campaign",
      type: "string",
      description:
        "Ability to understand web telemetry (page visit and CTA clicks) against the campaign name.",
    },
    {
      name: "platforms",
      type: "string",
      description:
        "Indicates website or client (in-product store) as the source for page view, CTA, or consent clicks.",
      decision: "Spelled as documented (lower case).",
    },
    {
      name: "Site",
      type: "string",
      description:
        "The name of the storefront from which the page visit or CTA click occurred. The possible values are: - AZUREMARKETPLACE - APPSOURCE.",
      values: ["AZUREMARKETPLACE", "APPSOURCE"],
    },
  ],
  measures: MARKETPLACE_COUNTS.map((c) => c.measure),
  metrics: MARKETPLACE_COUNTS.map((c) => c.metric),
  timeColumn: "Date",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 4,
};

/**
 * The revenue of one day since first usage adds up over days, offers and customers; the running
 * total `RevenueGeneratedUSD` ("accumulated up to days from first usage") stays a column: summed over
 * offsets it would count each day's revenue once per later day.
 */
const REVENUE_PER_DAY = summedAmount(
  {
    name: "RevenueGeneratedPerDayUSD",
    type: "decimal",
    description: "Revenue generated for the specific day value in the *Days from first usage* column.",
  },
  "Summed over the selected columns (issue #14): one day's revenue adds up over days, offers and customers. Dictionary name 'RevenueGeneratedPerDay(USD)' is not an identifier; parentheses dropped.",
);

const isvOfferRetention: DatasetDef = {
  name: "ISVOfferRetention",
  description:
    "Customer retention: one row per customer, offer and day offset since first usage, with revenue generated.",
  columns: [
    { name: "OfferCategory", type: "string", description: "Azure Marketplace category for the offer." },
    COLUMN.OfferName1,
    { name: "ProductId", type: "string", description: "Unique identifier for the offer in the marketplace." },
    {
      name: "DeploymentMethod",
      type: "string",
      description: "Deployment method of the offer (system-query column).",
    },
    { name: "ServicePlanName", type: "string", description: "The plan associated with the offer." },
    { name: "Sku", type: "string", description: "The plan associated with the offer (system-query column)." },
    {
      name: "SkuBillingType",
      type: "string",
      description: "Indicates offer has a free or paid plan.",
      values: ["Free", "Paid"],
      decision: "Described as 'free or paid plan'; values as SKUBillingType.",
    },
    COLUMN.CustomerId,
    { name: "CustomerName", type: "string", description: "Name of the customer using the offer." },
    COLUMN.CustomerCompanyName2,
    {
      name: "CustomerCountryName",
      type: "string",
      description:
        "The country/region name provided by the customer. Country/region could be different than the country/region in a customer's Azure subscription.",
    },
    {
      name: "CustomerCountryCode",
      type: "string",
      description: "Unique code associated with customer country.",
    },
    {
      name: "CustomerCurrencyCode",
      type: "string",
      description: "Unique code associated with the currency used by the customer for the usage transaction.",
    },
    {
      name: "FirstUsageDate",
      type: "date",
      description: "Calendar date when the customer first started using the offer.",
    },
    {
      name: "AzureLicenseType",
      type: "string",
      description:
        "The type of licensing agreement used by customers to purchase offers. Also known as the *channel*.",
      values: ["Cloud Solution Provider", "Enterprise", "Enterprise through Reseller", "Pay as You Go"],
    },
    {
      name: "OfferType",
      type: "string",
      description: "Indicates the available offer types listed in the marketplace.",
      values: ["SaaS", "Azure Applications", "vm core image", "Virtual Machine Licenses", "multisolution"],
      decision:
        "Values gathered from the OfferType filters of the CMP system queries (no dictionary lists them).",
    },
    {
      name: "Offset",
      type: "integer",
      description: "Number of days since the customer first started using the offer.",
      decision: "Days since first usage (integer).",
    },
    {
      name: "RevenueGeneratedUSD",
      type: "decimal",
      description: "Total revenue accumulated up to *days from first usage*.",
      decision: "Dictionary name 'RevenueGenerated(USD)' is not an identifier; parentheses dropped.",
    },
  ],
  measures: [REVENUE_PER_DAY.measure],
  metrics: [REVENUE_PER_DAY.metric],
  timeColumn: "FirstUsageDate",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 4,
  decision: "TIMESPAN filters FirstUsageDate (the customer's cohort date).",
};

/**
 * Revenue amounts in USD or the partner's one payout currency, and billed quantities: additive over
 * line items, offers, customers and months. Amounts in each transaction's own currency (`*CC`), the
 * billed `Revenue` (currency undocumented), the channel partner's price (`CustomerAdjustmentUSD`) and
 * the exchange and incentive rates stay columns: a sum of them over rows means nothing.
 */
const REVENUE_AMOUNT_DECISION =
  "Summed over the selected columns (issue #14): an amount in USD or in the partner's payout currency adds up over line items, offers, customers and months.";
const REVENUE_AMOUNTS = [
  summedAmount(
    {
      name: "EarningAmountPC",
      type: "decimal",
      description: "Earnings amount in the partner's payout currency.",
    },
    REVENUE_AMOUNT_DECISION,
  ),
  summedAmount(
    { name: "EarningAmountUSD", type: "decimal", description: "Earnings amount in USD." },
    REVENUE_AMOUNT_DECISION,
  ),
  summedAmount(
    {
      name: "EstimatedRevenuePC",
      type: "decimal",
      description: "Estimated revenue in the partner's preferred currency.",
    },
    REVENUE_AMOUNT_DECISION,
  ),
  summedAmount(
    { name: "EstimatedRevenueUSD", type: "decimal", description: "Estimated revenue in USD." },
    REVENUE_AMOUNT_DECISION,
  ),
  summedAmount(
    {
      name: "TransactionAmountPC",
      type: "decimal",
      description: "Transaction amount in the partner's preferred currency.",
    },
    REVENUE_AMOUNT_DECISION,
  ),
  summedAmount(
    { name: "TransactionAmountUSD", type: "decimal", description: "Transaction amount in USD." },
    REVENUE_AMOUNT_DECISION,
  ),
  summedAmount(
    { name: "Quantity", type: "integer", description: "Billed quantity." },
    "Summed over the selected columns (issue #14): quantities of several line items add up.",
  ),
  summedAmount(
    {
      name: "Units",
      type: "decimal",
      description: "Purchased seats/sites for SaaS, core hours for VM offers.",
    },
    "Summed over the selected columns (issue #14), as seats are. Decimal (core hours can be fractional); the UI shows 'NA' for custom meters, stored as null (a sum skips it).",
  ),
];

const isvRevenue: DatasetDef = {
  name: "ISVRevenue",
  description:
    "Commercial marketplace revenue: one row per billed transaction line item with transaction, revenue and earnings amounts and payout status.",
  columns: [
    {
      name: "AssetId",
      type: "string",
      description: "Identifier of the software asset (the order ID of the Orders report).",
    },
    {
      name: "SalesChannel",
      type: "string",
      description: "Sales channel of the customer (same values as AzureLicenseType).",
      values: [
        "Cloud Solution Provider",
        "Enterprise",
        "Enterprise through Reseller",
        "Pay as You Go",
        "GTM",
      ],
      decision: "Dictionary text is truncated; values = AzureLicenseType values plus GTM.",
    },
    {
      name: "BillingAccountId",
      type: "string",
      description: "Identifier of the customer's billing account.",
    },
    { name: "CustomerCity", type: "string", description: "City of the bill-to customer." },
    { name: "CustomerCompanyName", type: "string", description: "Name of the customer's company." },
    { name: "CustomerCountry", type: "string", description: "Country/region of the customer." },
    { name: "CustomerEmail", type: "string", description: "E-mail address of the end customer." },
    { name: "CustomerId", type: "string", description: "Unique identifier of the customer." },
    COLUMN.CustomerName,
    { name: "CustomerState", type: "string", description: "State of the bill-to customer." },
    {
      name: "EarningAmountCC",
      type: "decimal",
      description: "Earnings amount in the original transaction currency.",
    },
    { name: "EarningCurrencyCode", type: "string", description: "Currency code of the earnings." },
    { name: "EarningExchangeRatePC", type: "decimal", description: "Exchange rate to the payout currency." },
    {
      name: "EstimatedPayoutMonth",
      type: "date",
      description: "Month in which the estimated earnings are paid out.",
      decision: "First day of the payout month (date).",
    },
    { name: "Revenue", type: "decimal", description: "Billed revenue." },
    { name: "ExchangeRateDate", type: "date", description: "Date used for currency conversion." },
    { name: "ExchangeRatePC", type: "decimal", description: "Exchange rate to the payout currency." },
    { name: "ExchangeRateUSD", type: "decimal", description: "Transaction exchange rate to USD." },
    {
      name: "PayoutStatus",
      type: "string",
      description: "Payout status of the revenue.",
      values: [
        "Sent",
        "Unprocessed",
        "Upcoming",
        "Rejected",
        "Not eligible",
        "Reprocessed",
        "Unreconciled",
        "Uncollected",
      ],
    },
    {
      name: "IncentiveRate",
      type: "decimal",
      description: "Incentive rate applied to the earnings.",
      decision: "Decimal rate; not stated.",
    },
    {
      name: "TrialDeployment",
      type: "string",
      description: "Whether the offer was in trial deployment at billing time.",
      values: ["True", "False"],
    },
    { name: "LineItemId", type: "string", description: "Line item of the customer's invoice." },
    {
      name: "MonthStartDate",
      type: "date",
      description: "Billed month (first day).",
      decision: "Time column (the billed month).",
    },
    { name: "OfferName", type: "string", description: "Display name of the offer." },
    {
      name: "OfferType",
      type: "string",
      description: "Type of offer (SaaS, VM, …).",
      values: ["SaaS", "Azure Applications", "vm core image", "Virtual Machine Licenses", "multisolution"],
      decision:
        "Values gathered from the OfferType filters of the CMP system queries (no dictionary lists them).",
    },
    {
      name: "PaymentInstrumentType",
      type: "string",
      description: "Payment instrument used by the customer.",
    },
    { name: "PaymentSentDate", type: "date", description: "Date the payment was sent to the partner." },
    { name: "PurchaseRecordId", type: "string", description: "Purchase record (customer invoice) ID." },
    { name: "SKU", type: "string", description: "Offer plan." },
    { name: "TermEndDate", type: "date", description: "End date of the order's subscription term." },
    { name: "TermStartDate", type: "date", description: "Start date of the order's subscription term." },
    {
      name: "TransactionAmountCC",
      type: "decimal",
      description: "Transaction amount in the original transaction currency.",
    },
    {
      name: "BillingModel",
      type: "string",
      description: "UsageBased or SubscriptionBased.",
      values: ["UsageBased", "SubscriptionBased"],
    },
    {
      name: "IsPrivateOffer",
      type: "integer",
      description: "0/1: whether the offer is a private offer (dictionary 'Is Private Offer').",
      values: ["0", "1"],
    },
    { name: "PlanId", type: "string", description: "The display name of the plan (dictionary 'PlanId')." },
    {
      name: "CustomerPostalCode",
      type: "string",
      description: "Postal code of the bill-to customer (dictionary 'Customer postal code').",
    },
    {
      name: "CustomerAdjustmentUSD",
      type: "decimal",
      description: "Price offered by the channel partner to the billed customer in USD.",
    },
    {
      name: "MultiParty",
      type: "integer",
      description: "1 when a private offer transaction involved an ISV and a channel partner.",
      values: ["0", "1"],
    },
    {
      name: "PartnerInfo",
      type: "string",
      description: "Seller IDs and names of the partners in a multiparty private offer.",
    },
    { name: "SalesNotes", type: "string", description: "Sales note added during private offer creation." },
  ],
  measures: REVENUE_AMOUNTS.map((a) => a.measure),
  metrics: REVENUE_AMOUNTS.map((a) => a.metric),
  timeColumn: "MonthStartDate",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 4,
  decision:
    "No programmatic names in the dictionary: columns = Revenue system query ∪ sample queries ∪ seven dictionary terms whose programmatic names other CMP datasets document (IsPrivateOffer, PlanId, CustomerPostalCode, CustomerAdjustmentUSD, MultiParty, PartnerInfo, SalesNotes).",
};

const isvQualityOfService: DatasetDef = {
  name: "ISVQualityOfService",
  description:
    "Quality of service: one row per Azure Application deployment (and deployed resource) with status, duration and errors.",
  columns: [
    { name: "OfferId", type: "string", description: "The name of the deployed offer." },
    { name: "Sku", type: "string", description: "The deployed offer plan/SKU." },
    {
      name: "DeploymentStatus",
      type: "string",
      description: "Deployment status: successful or failed.",
      values: ["Succeeded", "Failed"],
      decision: "Described as 'successful or failed'; values 'Succeeded'/'Failed' assumed.",
    },
    {
      name: "DeploymentCorrelationId",
      type: "string",
      description: "Identifier shared by all resources of one deployment.",
    },
    { name: "SubscriptionId", type: "string", description: "Subscription ID of the customer." },
    { name: "CustomerTenantId", type: "string", description: "Tenant ID of the customer." },
    COLUMN.CustomerName,
    {
      name: "TemplateType",
      type: "string",
      description: "Type of Azure App deployed (dictionary 'Plan Type').",
      values: ["Managed Application", "Solution Templates"],
      decision: "Assumed to be the dictionary's 'Plan Type' (Managed Application or Solution Templates).",
    },
    {
      name: "StartTime",
      type: "datetime",
      description: "Deployment start time.",
      decision: "Time column; a timestamp (datetime).",
    },
    { name: "EndTime", type: "datetime", description: "Deployment end time." },
    {
      name: "DeploymentDurationInMilliSeconds",
      type: "integer",
      description: "Deployment duration in milliseconds.",
    },
    { name: "DeploymentRegion", type: "string", description: "Location of the deployment." },
    { name: "ResourceProvider", type: "string", description: "Resource provider of the deployed resource." },
    { name: "ResourceUri", type: "string", description: "URI of the deployed resource." },
    { name: "ResourceGroup", type: "string", description: "Resource group of the deployed resource." },
    { name: "ResourceType", type: "string", description: "Type of the deployed resource." },
    { name: "ResourceName", type: "string", description: "Name of the deployed resource." },
    { name: "ErrorCode", type: "string", description: "Error code of a failed deployment." },
    { name: "ErrorName", type: "string", description: "Error name of a failed deployment." },
    { name: "ErrorMessage", type: "string", description: "Error message of a failed deployment." },
    { name: "DeepErrorCode", type: "string", description: "Further error code, if any." },
    { name: "DeepErrorMessage", type: "string", description: "Further error message, if any." },
    {
      name: "CustomerAccess",
      type: "string",
      description: "Full or Restricted customer access for the Azure app deployment.",
      values: ["Full", "Restricted"],
    },
    {
      name: "PublisherAccess",
      type: "string",
      description: "Publisher access Enabled or Disabled for the Azure app deployment.",
      values: ["Enabled", "Disabled"],
    },
  ],
  metrics: [],
  timeColumn: "StartTime",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 4,
  decision:
    "No programmatic names in the dictionary: columns = QoS system query ∪ CustomerAccess/PublisherAccess (names as in ISVUsage). TIMESPAN filters StartTime.",
};

/** Licenses per customer tenant, product and plan: additive over tenants, products and plans, as seats are. */
const LICENSE_COUNT_DECISION =
  "Summed over the selected columns (issue #14), as seats are: licenses of several tenants, products or plans add up.";
const LICENSE_COUNTS = [
  summedAmount(
    {
      name: "LicensesProvisioned",
      type: "integer",
      description: "Number of licenses activated into the customer's account.",
    },
    LICENSE_COUNT_DECISION,
  ),
  summedAmount(
    {
      name: "LicensesAssigned",
      type: "integer",
      description: "Number of licenses the customer has assigned to users.",
    },
    LICENSE_COUNT_DECISION,
  ),
];

const isvLicense: DatasetDef = {
  name: "ISVLicense",
  description:
    "Licenses of ISV apps (AppSource license management): one row per customer tenant, product and plan with provisioned and assigned licenses.",
  columns: [
    { name: "CustomerCountry", type: "string", description: "Customer's billing country/region." },
    { name: "CustomerCountryCode", type: "string", description: "Customer's billing country code." },
    { name: "CustomerName", type: "string", description: "Customer name." },
    { name: "ActivationDate", type: "date", description: "Date when licenses were activated." },
    { name: "ProductDisplayName", type: "string", description: "Offer title as shown in AppSource." },
    { name: "ProductId", type: "string", description: "Product ID." },
    { name: "SkuName", type: "string", description: "Name of the plan in the offer." },
    { name: "TenantId", type: "string", description: "Unique ID of the tenant." },
    { name: "LicenseState", type: "string", description: "License state." },
    {
      name: "ServiceId",
      type: "string",
      description: "Identifier used in the package to map the plan to license checks.",
    },
  ],
  measures: LICENSE_COUNTS.map((c) => c.measure),
  metrics: LICENSE_COUNTS.map((c) => c.metric),
  timeColumn: "ActivationDate",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 4,
  decision:
    "No programmatic names and no system query are documented: column names are the dictionary's data terms with spaces removed. TIMESPAN filters ActivationDate.",
};

const systemQueries: readonly SystemQueryDef[] = [
  {
    id: "b9df4929-073f-4795-b0cb-a2c81b11e28d",
    name: "Customers report for the last 6M",
    description: "Customers report for the last 6M",
    query:
      "SELECT MarketplaceSubscriptionId,DateAcquired,DateLost,ProviderName,ProviderEmail,FirstName,LastName,Email,CustomerCompanyName,CustomerCity,CustomerPostalCode,CustomerCommunicationCulture,CustomerCountryRegion,AzureLicenseType,PromotionalCustomers,CustomerState,CommerceRootCustomer,CustomerId,BillingAccountId,ID FROM ISVCustomer TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "fd0f299c-5a1c-4929-9f48-bfc6cc44355d",
    name: "Orders report for the last 6M",
    description: "Orders report for the last 6M",
    query:
      "SELECT MarketplaceSubscriptionId,MonthStartDate,OfferType,AzureLicenseType,MarketplaceLicenseType,Sku,CustomerCountry,IsPreviewSKU,OrderId,OrderQuantity,CloudInstanceName,IsNewCustomer,OrderStatus,OrderCancelDate,CustomerCompanyName,CustomerName,OrderPurchaseDate,OfferName,TrialEndDate,CustomerId,BillingAccountId FROM ISVOrder TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "bd1b0cc1-ce45-4578-beba-6fe5a69fd421",
    name: "OrdersV2 report for the last 6M",
    description: "OrdersV2 report for the last 6M",
    query:
      "SELECT MarketplaceSubscriptionId,MonthStartDate,OfferType,AzureLicenseType,MarketplaceLicenseType,Sku,CustomerCountry,IsPreviewSKU,OrderId,OrderQuantity,CloudInstanceName,IsNewCustomer,OrderStatus,OrderCancelDate,CustomerCompanyName,CustomerName,OrderPurchaseDate,OfferName,TrialEndDate,CustomerId,BillingAccountId,TermStartDate,TermEndDate,PurchaseRecordId,PurchaseRecordLineItemId,HasTrial,IsTrialDeployment,estimatedcharges FROM ISVOrderV2 TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "2c6f384b-ad52-4aed-965f-32bfa09b3778",
    name: "VM Normalized usage report for the last 6M",
    description: "VM Normalized usage report for the last 6M",
    query:
      "SELECT MarketplaceSubscriptionId,MonthStartDate,OfferType,AzureLicenseType,MarketplaceLicenseType,SKU,CustomerCountry,IsPreviewSKU,SKUBillingType,IsInternal,VMSize,CloudInstanceName,ServicePlanName,OfferName,DeploymentMethod,CustomerName,CustomerCompanyName,UsageDate,IsNewCustomer,CoreSize,TrialEndDate,CustomerCurrencyCC,PriceCC,PayoutCurrencyPC,EstimatedPricePC,UsageReference,UsageUnit,CustomerId,BillingAccountId,NormalizedUsage,EstimatedExtendedChargeCC,EstimatedExtendedChargePC FROM ISVUsage WHERE OfferType IN ('vm core image', 'Virtual Machine Licenses', 'multisolution') TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "3f19fb95-5bc4-4ee0-872e-cedd22578512",
    name: "VM Raw usage report for the last 6M",
    description: "VM Raw usage report for the last 6M",
    query:
      "SELECT MarketplaceSubscriptionId,MonthStartDate,OfferType,AzureLicenseType,MarketplaceLicenseType,SKU,CustomerCountry,IsPreviewSKU,SKUBillingType,IsInternal,VMSize,CloudInstanceName,ServicePlanName,OfferName,DeploymentMethod,CustomerName,CustomerCompanyName,UsageDate,IsNewCustomer,CoreSize,TrialEndDate,CustomerCurrencyCC,PriceCC,PayoutCurrencyPC,EstimatedPricePC,UsageReference,UsageUnit,CustomerId,BillingAccountId,RawUsage,EstimatedExtendedChargeCC,EstimatedExtendedChargePC FROM ISVUsage WHERE OfferType IN ('vm core image', 'Virtual Machine Licenses', 'multisolution') TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "f0c4927f-1f23-4c99-be4a-1371a5a9a086",
    name: "Metered usage report for the last 6M",
    description: "Metered usage report for the last 6M",
    query:
      "SELECT MarketplaceSubscriptionId,MonthStartDate,OfferType,AzureLicenseType,MarketplaceLicenseType,SKU,CustomerCountry,IsPreviewSKU,SKUBillingType,IsInternal,VMSize,CloudInstanceName,ServicePlanName,OfferName,DeploymentMethod,CustomerName,CustomerCompanyName,UsageDate,IsNewCustomer,CoreSize,TrialEndDate,CustomerCurrencyCC,PriceCC,PayoutCurrencyPC,EstimatedPricePC,UsageReference,UsageUnit,CustomerId,BillingAccountId,MeteredUsage,EstimatedExtendedChargeCC,EstimatedExtendedChargePC FROM ISVUsage WHERE OfferType IN ('SaaS', 'Azure Applications') TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "6fd7624b-aa9f-42df-a61d-67d42fd00e92",
    name: "Marketplace Insights report for the last 6M",
    description: "Marketplace Insights report for the last 6M",
    query:
      "SELECT Date,OfferName,ReferralDomain,CountryName,PageVisits,GetItNow,ContactMe,TestDrive, FreeTrial FROM ISVMarketplaceInsights TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "bf54dde4-7dc4-492f-a69a-f45de049bfcb",
    name: "Revenue report for the last 6M",
    description: "Revenue report for the last 6M",
    query:
      "SELECT AssetId,SalesChannel,BillingAccountId,CustomerCity,CustomerCompanyName,CustomerCountry,CustomerEmail,CustomerId,CustomerName,CustomerState,EarningAmountCC,EarningAmountPC,EarningAmountUSD,EarningCurrencyCode,EarningExchangeRatePC,EstimatedPayoutMonth,Revenue,EstimatedRevenuePC,EstimatedRevenueUSD,ExchangeRateDate,ExchangeRatePC,ExchangeRateUSD,PayoutStatus,IncentiveRate,TrialDeployment,LineItemId,MonthStartDate,OfferName,OfferType,PaymentInstrumentType,PaymentSentDate,PurchaseRecordId,Quantity,SKU,TermEndDate,TermStartDate,TransactionAmountCC,TransactionAmountPC,TransactionAmountUSD,BillingModel,Units FROM ISVRevenue TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "q9df4939-073f-5795-b0cb-v2c81d11e58d",
    name: "Quality of service report for the last 3M",
    description: "Quality of service report for the last 3M",
    query:
      "SELECT OfferId,Sku,DeploymentStatus,DeploymentCorrelationId,SubscriptionId,CustomerTenantId,CustomerName,TemplateType,StartTime,EndTime,DeploymentDurationInMilliSeconds,DeploymentRegion,ResourceProvider,ResourceUri,ResourceGroup,ResourceType,ResourceName,ErrorCode,ErrorName,ErrorMessage,DeepErrorCode,DeepErrorMessage FROM ISVQualityOfService TIMESPAN LAST_3_MONTHS",
  },
  {
    id: "6d37d057-06f3-45aa-a971-3a34415e8511",
    name: "Customer retention for the last 6M",
    description: "Customer retention for the last 6M",
    query:
      "SELECT OfferCategory,OfferName,ProductId,DeploymentMethod,ServicePlanName,Sku,SkuBillingType,CustomerId,CustomerName,CustomerCompanyName,CustomerCountryName,CustomerCountryCode,CustomerCurrencyCode,FirstUsageDate,AzureLicenseType,OfferType,Offset FROM ISVOfferRetention TIMESPAN LAST_6_MONTHS",
  },
];

export const cmpCatalog: ProgramCatalog = {
  program: "cmp",
  // The current Learn pages document v1.1 (reference §1.1).
  alsoServedAt: ["/insights/v1.1/cmp"],
  datasets: [
    isvCustomer,
    isvOrder,
    isvOrderV2,
    isvUsage,
    isvMarketplaceInsights,
    isvOfferRetention,
    isvRevenue,
    isvQualityOfService,
    isvLicense,
  ],
  systemQueries,
};
