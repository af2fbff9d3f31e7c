/**
 * Partner Center insights (program "mpn") dataset catalog: every dataset named in the reference
 * (§3.1) and the 21 system queries (§4.1: 19 current + the two Competency queries removed after 2021).
 *
 * Columns are the union of the documented dataset JSON (DynamicsUsage, OfficeUsage), the system and
 * sample queries and the data-definition names that are identifiers. Types, metrics, time columns,
 * ranges and every choice the reference leaves open are explained in docs/datasets.md.
 */

import { summedAmount } from "./summed.js";
import type { ColumnDef, DatasetDef, ProgramCatalog, SystemQueryDef } from "./types.js";

/** Column definitions that several datasets share, word for word. */
const COLUMN = {
  PGAMpnId: { name: "PGAMpnId", type: "string", description: "Identifier of the partner global account." },
  PartnerName: { name: "PartnerName", type: "string", description: "Name of the partner." },
  CustomerName1: { name: "CustomerName", type: "string", description: "Name of the customer." },
  CustomerName2: { name: "CustomerName", type: "string", description: "Customer name." },
  CustomerTpid1: {
    name: "CustomerTpid",
    type: "string",
    description: "Identifier of the customer top parent.",
  },
  CustomerTpid2: { name: "CustomerTpid", type: "string", description: "Customer top parent identifier." },
  CustomerTpid3: { name: "CustomerTpid", type: "string", description: "Customer top parent ID." },
  DUNSNumber: {
    name: "DUNSNumber",
    type: "string",
    description: "Global Data Universal Number System Identifier of customer.",
  },
  CustomerSegment1: {
    name: "CustomerSegment",
    type: "string",
    description: "Customer segment.",
    values: ["Major Commercial", "Major Public Sector", "Small, Medium & Corporate Commercial"],
    decision: "Values are the examples the Teams report definitions give; used for every PC CustomerSegment.",
  },
  CustomerSegment2: {
    name: "CustomerSegment",
    type: "string",
    description: "Market segment of the customer.",
    values: ["Major Commercial", "Major Public Sector", "Small, Medium & Corporate Commercial"],
    decision: "Values are the examples the Teams report definitions give; used for every PC CustomerSegment.",
  },
  CustomerSegment3: {
    name: "CustomerSegment",
    type: "string",
    description:
      "Type of Customer segment, for example Major Commercial, Major Public Sector, Small, Medium & Corporate Commercial, and so on.",
    values: ["Major Commercial", "Major Public Sector", "Small, Medium & Corporate Commercial"],
    decision: "Values are the examples the Teams report definitions give; used for every PC CustomerSegment.",
  },
  TopSegment: {
    name: "TopSegment",
    type: "string",
    description: "Higher-level segment classification of customer.",
  },
  CustomerMarket: {
    name: "CustomerMarket",
    type: "string",
    description: "Geographical market of the customer.",
  },
  RawProductName: {
    name: "RawProductName",
    type: "string",
    description: "Detailed product name sold to the customer.",
  },
  ProductPartNumber: {
    name: "ProductPartNumber",
    type: "string",
    description: "Part number of the product.",
  },
  SKU1: { name: "SKU", type: "string", description: "Product SKU." },
  SKU2: { name: "SKU", type: "string", description: "SKU of the product." },
  Month1: { name: "Month", type: "date", description: "Month for which usage and revenue are reported." },
  Month2: { name: "Month", type: "date", description: "Date aggregated by month." },
  Month3: { name: "Month", type: "date", description: "Month for which usage is reported." },
  PartnerLocationID: {
    name: "PartnerLocationID",
    type: "string",
    description:
      "Identifier of the partner location (2023 programmatic name; the download report has PartnerLocation).",
  },
  PartnerAttributionType: {
    name: "PartnerAttributionType",
    type: "string",
    description: "Attribution type of the partner.",
  },
  AzureConsumedRevenueUSD: {
    name: "AzureConsumedRevenueUSD",
    type: "decimal",
    description: "Azure Consumed Revenue in USD.",
  },
  PartnerLocation1: {
    name: "PartnerLocation",
    type: "string",
    description: "Geographical location of partner.",
  },
  PartnerLocation2: {
    name: "PartnerLocation",
    type: "string",
    description: "Geographical location of the partner.",
  },
  PartnerLocation3: {
    name: "PartnerLocation",
    type: "string",
    description: "Geographical country/region location of the partner.",
  },
  IndustryName: {
    name: "IndustryName",
    type: "string",
    description: "Type of Industry the customer belongs.",
  },
  VerticalName: {
    name: "VerticalName",
    type: "string",
    description: "Business Vertical within the Industry of the Customer.",
  },
  EOU: {
    name: "EOU",
    type: "string",
    description:
      "Enterprise Organizational Unit, Focus areas for Subsidiary levels. For example, SMC Commercial, USA – Northeast, JPN - Kansai.",
  },
  CPORRevenue: {
    name: "CPORRevenue",
    type: "decimal",
    description: "Revenue from the CPOR Partner attaches type.",
  },
  CPORPaidSeats: {
    name: "CPORPaidSeats",
    type: "integer",
    description: "Paid seats with CPOR Partner attach type.",
  },
  CPORActiveUsers: {
    name: "CPORActiveUsers",
    type: "integer",
    description: "Active users with CPOR Partner attach type.",
  },
  MpnId: { name: "MpnId", type: "string", description: "Microsoft AI Cloud Partner Program ID." },
  SubscriptionId: { name: "SubscriptionId", type: "string", description: "GUID of the subscription." },
  SubscriptionStartDate1: {
    name: "SubscriptionStartDate",
    type: "date",
    description: "Start date of the subscription.",
  },
  SubscriptionStartDate2: {
    name: "SubscriptionStartDate",
    type: "date",
    description: "The date of the start of the subscription.",
  },
  SubscriptionEndDate: {
    name: "SubscriptionEndDate",
    type: "date",
    description: "End date of the subscription.",
  },
  EnrollmentNumber: {
    name: "EnrollmentNumber",
    type: "string",
    description: "Enrollment number of the subscription.",
  },
  IsDuplicateRowForPGA: {
    name: "IsDuplicateRowForPGA",
    type: "integer",
    description:
      "For multiple partner attributions under single PGA, this value is set to 0 for only one PartnerID. If the value is set to 1, then it indicates a duplicate row.",
    values: ["0", "1"],
  },
  ResellerID: { name: "ResellerID", type: "string", description: "ID of reseller." },
  ResellerName: { name: "ResellerName", type: "string", description: "Reseller name." },
  CustomerTenantId1: { name: "CustomerTenantId", type: "string", description: "Tenant ID of customer." },
  CustomerTenantId2: { name: "CustomerTenantId", type: "string", description: "Tenant ID of the customer." },
  CustomerTenantId3: {
    name: "CustomerTenantId",
    type: "string",
    description: "GUID of the customer tenant.",
  },
  MPNId: { name: "MPNId", type: "string", description: "Identifier of Microsoft AI Cloud Partner Program." },
  PaidAvailableUnits: {
    name: "PaidAvailableUnits",
    type: "integer",
    description: "Number of paid available units.",
  },
  MonthlyActiveUsers: {
    name: "MonthlyActiveUsers",
    type: "integer",
    description: "Number of monthly active users.",
  },
  SKUId: { name: "SKUId", type: "string", description: "SKU ID of the product." },
  DetailedSalesModel: {
    name: "DetailedSalesModel",
    type: "string",
    description: "Detailed sales model for the subscription.",
  },
  PartnerAttachType: {
    name: "PartnerAttachType",
    type: "string",
    description: "Attribution type for the subscription.",
  },
  AvailableSeats: { name: "AvailableSeats", type: "integer", description: "Current paid available seats." },
  AssignedSeats: { name: "AssignedSeats", type: "integer", description: "Current assigned seats." },
  ActiveSeats: { name: "ActiveSeats", type: "integer", description: "Current active seats." },
  DeploymentOpportunity: {
    name: "DeploymentOpportunity",
    type: "integer",
    description: "Deployment opportunity is the number of seats that aren't assigned.",
  },
  ActiveUsagePercent: {
    name: "ActiveUsagePercent",
    type: "decimal",
    description: "Current active usage as a percentage of available seats.",
  },
  CompetencyName: { name: "CompetencyName", type: "string", description: "Name of the competency." },
  PartnerHierarchy: {
    name: "PartnerHierarchy",
    type: "string",
    description: "Hierarchy of partner (HeadQuarters or Location)",
    values: ["HeadQuarters", "Location"],
  },
  PGAMpnID: { name: "PGAMpnID", type: "string", description: "Identifier of the partner global account." },
  HasGoogle: {
    name: "HasGoogle",
    type: "string",
    description: "Identifies whether the customer shows competitive signals for owning Google products.",
  },
  HasAWS: {
    name: "HasAWS",
    type: "string",
    description: "Identifies whether the customer shows competitive signals for owning AWS products.",
  },
  AzureCluster: {
    name: "AzureCluster",
    type: "string",
    description:
      "Identifies the customer's propensity to purchase Azure by consolidating the Fit and Intent recommendations into a cluster.",
  },
  D365FOCluster: {
    name: "D365FOCluster",
    type: "string",
    description: "Identifies the customer's propensity to purchase Dynamics 365 Finance and Operations.",
  },
  D365CECluster: {
    name: "D365CECluster",
    type: "string",
    description: "Identifies the customer's propensity to purchase Dynamics 365 Customer Engagement.",
  },
  D365BCCluster: {
    name: "D365BCCluster",
    type: "string",
    description: "Identifies the customer's propensity to purchase Dynamics 365 Business Central.",
  },
  HasEA: {
    name: "HasEA",
    type: "string",
    description: "Identifies whether a renewal is an EA or an EA subscription.",
  },
  HasOpen: {
    name: "HasOpen",
    type: "string",
    description: "Identifies whether a renewal is an Open or Open Value agreement.",
  },
  Transactedinthelast36months: {
    name: "Transactedinthelast36months",
    type: "string",
    description: "Identifies if the customer has purchased in the trailing 36 month period.",
  },
  CustomerCountry: { name: "CustomerCountry", type: "string", description: "Customer country/region." },
  DateKey: { name: "DateKey", type: "date", description: "Date for which usage is reported." },
  CustomerCountryCode: {
    name: "CustomerCountryCode",
    type: "string",
    description: "Country Code of the customer.",
  },
  CustomerId: { name: "CustomerId", type: "string", description: "Identifier of the customer top parent." },
} satisfies Record<string, ColumnDef>;

const customersAndTenants: DatasetDef = {
  name: "CustomersAndTenants",
  description:
    "Customers and revenue: one row per customer, tenant, product/SKU and month with seats and billed revenue.",
  columns: [
    COLUMN.PGAMpnId,
    {
      name: "MpnId",
      type: "string",
      description: "Identifier of Microsoft AI Cloud Partner Program (formerly MPN)",
    },
    COLUMN.PartnerName,
    COLUMN.CustomerName1,
    COLUMN.CustomerTpid1,
    COLUMN.DUNSNumber,
    COLUMN.CustomerSegment1,
    COLUMN.TopSegment,
    COLUMN.CustomerMarket,
    {
      name: "CustomerStatus",
      type: "string",
      description: "Customer Status (Active or Inactive)",
      values: ["Active", "Inactive"],
    },
    { name: "CustomerTenantId", type: "string", description: "Identifier of the customer tenant." },
    { name: "CustomerTenantName", type: "string", description: "Name of customer tenant." },
    { name: "CustomerTenantCountry", type: "string", description: "Country/region of customer tenant." },
    { name: "TenantDomainName", type: "string", description: "Domain name of customer tenant." },
    {
      name: "Product",
      type: "string",
      description:
        "The product sold to the customer by the partner: Microsoft 365, Dynamics 365, Enterprise Mobility + Security, Power BI, or Microsoft Azure.",
      values: [
        "Microsoft 365",
        "Dynamics 365",
        "Enterprise Mobility + Security",
        "Power BI",
        "Microsoft Azure",
      ],
    },
    COLUMN.RawProductName,
    COLUMN.ProductPartNumber,
    COLUMN.SKU1,
    COLUMN.Month1,
    COLUMN.PartnerLocationID,
    COLUMN.PartnerAttributionType,
    { name: "SalesChannel", type: "string", description: "Sales Channel." },
    {
      name: "IsDuplicateRowForPGA",
      type: "integer",
      description:
        "For multiple partner attributions under single PGA, this value is set to 0 for only one MPNId. If the value is set to 1, then it indicates a duplicate row.",
      values: ["0", "1"],
    },
    COLUMN.PartnerLocation1,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
    {
      ...COLUMN.CPORActiveUsers,
      decision:
        "Not summed (a column, not a measure): a user active on several products or months would be counted once per row.",
    },
  ],
  // The dataset documents no metrics; its additive amounts are summed over the selected columns
  // (issue #14: the seed's "top 10 customers by revenue" only holds when revenue is summed per
  // customer and product). Each is a hidden measure and a sum metric of the same name.
  measures: [
    { name: "AvailableSeats", type: "integer", description: "Available seats." },
    { name: "BilledRevenueUSD", type: "decimal", description: "Billed revenue in US dollar." },
    COLUMN.AzureConsumedRevenueUSD,
    { ...COLUMN.CPORRevenue },
    { ...COLUMN.CPORPaidSeats },
  ],
  metrics: [
    {
      name: "AvailableSeats",
      aggregation: "sum",
      source: "AvailableSeats",
      description: "Available seats.",
      decision:
        "Summed over the selected columns: seats of several products, tenants or months add up (over several months, seat-months).",
    },
    {
      name: "BilledRevenueUSD",
      aggregation: "sum",
      source: "BilledRevenueUSD",
      description: "Billed revenue in US dollar.",
      decision:
        "Summed over the selected columns: revenue is additive, and the seed's 'top 10 customers by revenue' ranks customers and products by their total.",
    },
    {
      name: "AzureConsumedRevenueUSD",
      aggregation: "sum",
      source: "AzureConsumedRevenueUSD",
      description: "Azure Consumed Revenue in USD.",
      decision: "Summed over the selected columns, as BilledRevenueUSD.",
    },
    {
      name: "CPORRevenue",
      aggregation: "sum",
      source: "CPORRevenue",
      description: "Revenue from the CPOR Partner attaches type.",
      decision: "Summed over the selected columns, as BilledRevenueUSD.",
    },
    {
      name: "CPORPaidSeats",
      aggregation: "sum",
      source: "CPORPaidSeats",
      description: "Paid seats with CPOR Partner attach type.",
      decision: "Summed over the selected columns, as AvailableSeats.",
    },
  ],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
};

const seatsSubscriptionsAndRevenue: DatasetDef = {
  name: "SeatsSubscriptionsAndRevenue",
  description: "Subscription details: one row per subscription and month with seats and revenue.",
  rowKey: ["SubscriptionId", "Month"],
  decision:
    "Row key (SubscriptionId, Month) as the description says: one row per subscription and month. Exports that select both skip the distinct-rows grouping (docs/datasets.md).",
  columns: [
    COLUMN.PGAMpnId,
    COLUMN.MpnId,
    COLUMN.SubscriptionId,
    COLUMN.SubscriptionStartDate1,
    COLUMN.SubscriptionEndDate,
    {
      name: "SubscriptionState",
      type: "string",
      description: "State of the subscription (Active or Churned)",
      values: ["Active", "Churned", "Disabled"],
      decision:
        "Definition says 'Active or Churned'; 'Disabled' added because the sample query filters SubscriptionState='Disabled'.",
    },
    COLUMN.Month1,
    {
      name: "IsAutoRenew",
      type: "string",
      description: "Indicates whether the subscription is autorenewed (Yes or No)",
      values: ["Y", "N"],
      decision:
        "Definition says 'Yes or No' but the sample query filters IsAutoRenew='N'; values 'Y'/'N' follow the query.",
    },
    COLUMN.CustomerName1,
    { name: "CustomerTenantId", type: "string", description: "GUID of the customer." },
    COLUMN.CustomerTpid2,
    COLUMN.DUNSNumber,
    COLUMN.CustomerSegment2,
    COLUMN.TopSegment,
    COLUMN.CustomerMarket,
    { name: "ProductFamily", type: "string", description: "Product family (system-query column)." },
    { name: "ReportingProductName", type: "string", description: "Granular product name." },
    { name: "Product", type: "string", description: "Product sold to the customer by the partner." },
    COLUMN.RawProductName,
    COLUMN.ProductPartNumber,
    COLUMN.SKU2,
    { name: "RevSumDivisionName", type: "string", description: "Revenue reporting product hierarchy name." },
    COLUMN.PartnerName,
    {
      name: "SolutionArea",
      type: "string",
      description: "Business application classification of the product.",
    },
    COLUMN.PartnerLocationID,
    { name: "PartnerAttributionType", type: "string", description: "Attribution type for the subscription." },
    {
      name: "SalesChannel",
      type: "string",
      description: "Channel of the sales - Direct, CSP (Cloud Solution Provider), and so on.",
    },
    { name: "PricingLevel", type: "string", description: "Price point of the sale." },
    COLUMN.EnrollmentNumber,
    COLUMN.IsDuplicateRowForPGA,
    {
      name: "SubscriptionStartMonth",
      type: "date",
      description: "Start month of the subscription.",
      decision: "First day of the start month (date).",
    },
    { name: "BilledRevenueUSD", type: "decimal", description: "Revenue in USD." },
    COLUMN.AzureConsumedRevenueUSD,
    COLUMN.PartnerLocation2,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
    COLUMN.ResellerID,
    COLUMN.ResellerName,
    {
      name: "AvailableSeatsEOP",
      type: "integer",
      description: "Overall Available seats until End of Period.",
    },
    { name: "AvailableSeats", type: "integer", description: "Available seat difference Month on month." },
    COLUMN.CPORRevenue,
    COLUMN.CPORPaidSeats,
    COLUMN.CPORActiveUsers,
  ],
  measures: [
    {
      name: "AssignedSeats",
      type: "integer",
      description: "Assigned seats (hidden; read only by TotalAssignedSeats).",
    },
  ],
  metrics: [
    { name: "SubscriptionCount", aggregation: "countDistinct", source: "SubscriptionId" },
    {
      name: "TotalSoldSeats",
      aggregation: "sum",
      source: "AvailableSeatsEOP",
      decision:
        "Sold seats = paid available seats at the end of the period (AvailableSeatsEOP); AvailableSeats is only the month-on-month difference.",
    },
    {
      name: "TotalAssignedSeats",
      aggregation: "sum",
      source: "AssignedSeats",
      decision:
        "No assigned-seats column is documented for this dataset; summed from the hidden measure AssignedSeats.",
    },
    {
      name: "CustomerCount",
      aggregation: "countDistinct",
      source: "CustomerTpid",
      decision: "Distinct customers counted by top-parent ID (CustomerTpid), not by tenant or name.",
    },
  ],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
};

const azureUsage: DatasetDef = {
  name: "AzureUsage",
  description:
    "Azure usage: one row per subscription, meter and month with usage quantity and Azure consumed revenue (ACR).",
  columns: [
    COLUMN.PGAMpnId,
    COLUMN.SubscriptionId,
    COLUMN.SubscriptionStartDate2,
    { name: "SubscriptionEndDate", type: "date", description: "The date of the end of the subscription." },
    { name: "FirstUseDate", type: "date", description: "Date when Azure services were used first." },
    {
      name: "SubscriptionState",
      type: "string",
      description: "Current State of the subscription (Open, Closed Active or In Grace Period)",
    },
    COLUMN.Month2,
    { name: "ServiceName", type: "string", description: "Azure service name (system-query column)." },
    {
      name: "MeterCategory",
      type: "string",
      description: "Azure meter category, e.g. 'Azure DNS' (system/sample-query column).",
    },
    {
      name: "UsageUnits",
      type: "string",
      description: "The number of units that are used during the billing cycle.",
      decision:
        "The definition says 'number of units', but in Azure usage data this is the unit of measure (e.g. '1 Hour'); string holds either reading.",
    },
    { name: "UsageQuantity", type: "decimal", description: "Quantity of usage of resource." },
    COLUMN.CustomerName1,
    COLUMN.CustomerTenantId1,
    COLUMN.CustomerTpid3,
    {
      name: "CustomerSegment",
      type: "string",
      description: "Segment of the customer.",
      values: ["Major Commercial", "Major Public Sector", "Small, Medium & Corporate Commercial"],
      decision:
        "Values are the examples the Teams report definitions give; used for every PC CustomerSegment.",
    },
    COLUMN.CustomerMarket,
    { name: "MpnId", type: "string", description: "PartnerID of the customer." },
    COLUMN.PartnerName,
    COLUMN.PartnerLocationID,
    COLUMN.PartnerAttributionType,
    {
      name: "SalesChannel",
      type: "string",
      description: "Channel of the sales (Direct/CSP, Indirect/CSP, Direct, and so on)",
    },
    COLUMN.EnrollmentNumber,
    {
      name: "IsACRDuplicateAtPGALevel",
      type: "integer",
      description:
        "For multiple partner attributions under single PGA, this value is set to 0 for only one MPNId. If the value is set to 1, then it indicates a duplicate row.",
      values: ["0", "1"],
    },
    COLUMN.ResellerID,
    COLUMN.ResellerName,
    {
      name: "ServiceLevel1",
      type: "string",
      description:
        "Service Level 1 – Corresponds to Service Pillar such as Containers, Databases, Networking, and so on.",
    },
    {
      name: "ServiceLevel2",
      type: "string",
      description: "Service Level 2 – Corresponds to the Workload for the Service Pillar.",
    },
    {
      name: "ServiceLevel3",
      type: "string",
      description: "Service name used by Azure.Microsoft.Com to white listing Azure offerings.",
    },
    {
      name: "ServiceLevel4",
      type: "string",
      description: "Logical groupings of high-level feature set differentiations within the service.",
    },
    {
      name: "ServiceGroup2",
      type: "string",
      description: "Field Revenue Accountability (FRA) areas such as AI, App Dev, IoT, and so on.",
    },
    {
      name: "ServiceGroup3",
      type: "string",
      description: "More Detail for FRA such as IoT Hub, Maps for IoT FRA.",
    },
    {
      name: "ServiceInfluencer",
      type: "string",
      description:
        "PaaS services that drive consumption of infra resources, such as Service Fabric, Azure Databricks, AKS, and so on.",
    },
    { name: "ComputeOS", type: "string", description: "Operating System for the Compute." },
    { name: "ComputeCoreSoftware", type: "string", description: "Compute Core Software." },
    COLUMN.PartnerLocation3,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
    {
      name: "AdminType",
      type: "string",
      description:
        'When the Partner Attribution Type is "Partner Admin Link (PAL)," this column indicates the assigned role in the customer\'s subscription.',
    },
    { name: "AssociationType", type: "string", description: "Type of Association." },
  ],
  measures: [
    {
      name: "ACR_USD",
      type: "decimal",
      description: "Azure consumed revenue (ACR) in US dollars (hidden; read by the ACR metrics).",
    },
  ],
  metrics: [
    {
      name: "MonthlySubscriptionLevelACR",
      aggregation: "sum",
      source: "ACR_USD",
      decision:
        "Sum of ACR in USD; identical to TotalACR (the system query groups it by subscription and month).",
    },
    { name: "TotalACR", aggregation: "sum", source: "ACR_USD", decision: "Sum of ACR in USD." },
  ],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
};

const msLearn: DatasetDef = {
  name: "MSLearn",
  description: "Microsoft Learn modules and learning paths completed by the partner's users.",
  columns: [
    { name: "UserName", type: "string", description: "Name of the user." },
    { name: "UserId", type: "string", description: "GUID of the user." },
    { name: "TrainingName", type: "string", description: "Name of the training." },
    {
      name: "TrainingType",
      type: "string",
      description: "Type of training (module or learning path)",
      values: ["Module", "Learning path"],
    },
    { name: "Products", type: "string", description: "Product for which the learning module is applicable." },
    { name: "Roles", type: "string", description: "Applicable roles of the training." },
    { name: "CompletionDate", type: "date", description: "Date of completion of the training." },
    COLUMN.MPNId,
    COLUMN.PartnerName,
    {
      name: "CustomerMarket",
      type: "string",
      description: "Market of the user (system-query column; not in the definitions).",
    },
    COLUMN.PGAMpnId,
    { name: "Country", type: "string", description: "Geographical country/region location of the partner." },
  ],
  metrics: [],
  timeColumn: "CompletionDate",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
  decision: "No Month column: TIMESPAN filters CompletionDate.",
};

const officeUsage: DatasetDef = {
  name: "OfficeUsage",
  description:
    "Office 365 license usage: one row per customer tenant, workload and month with paid units and monthly active users.",
  columns: [
    COLUMN.CustomerTenantId2,
    COLUMN.CustomerTpid3,
    {
      name: "WorkloadName",
      type: "string",
      description: "Skype for Business, Teams, Exchange Online.",
      values: ["Exchange Online", "Skype for Business", "Teams"],
      decision: "Values are the examples the definition gives (Skype for Business, Teams, Exchange Online).",
    },
    COLUMN.Month3,
    COLUMN.PaidAvailableUnits,
    COLUMN.MonthlyActiveUsers,
    COLUMN.CustomerName1,
    {
      name: "CustomerMarket",
      type: "string",
      description: "Geographical country/region location of the customer's market.",
    },
    COLUMN.CustomerSegment1,
    {
      name: "MPNId",
      type: "string",
      description: "Microsoft AI Cloud Partner Program (MPN) ID of the partner.",
    },
    COLUMN.PartnerName,
    COLUMN.PartnerLocationID,
    COLUMN.PartnerAttributionType,
    COLUMN.IsDuplicateRowForPGA,
    COLUMN.PartnerLocation2,
    { name: "PGAPartnerID", type: "string", description: "Identifier of the partner global account." },
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
    { name: "PartnerID", type: "string", description: "Identifier of Microsoft AI Cloud Partner Program." },
  ],
  metrics: [
    {
      name: "CustomerCount",
      aggregation: "countDistinct",
      source: "CustomerTpid",
      decision: "Distinct customers counted by top-parent ID (CustomerTpid), not by tenant or name.",
    },
    { name: "CustomerTenantCount", aggregation: "countDistinct", source: "CustomerTenantId" },
    { name: "TotalPaidAvailableUnits", aggregation: "sum", source: "PaidAvailableUnits" },
    { name: "TotalMonthlyActiveUsers", aggregation: "sum", source: "MonthlyActiveUsers" },
  ],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
};

const profile: DatasetDef = {
  name: "Profile",
  description:
    "Partner profile: the partner's MPN/PGA IDs, names, location and hierarchy level (snapshot, no TIMESPAN).",
  columns: [
    COLUMN.MpnId,
    COLUMN.PartnerName,
    { name: "PGA_MPNId", type: "string", description: "Identifier of the partner global account." },
    { name: "PGA_PartnerName", type: "string", description: "Partner global account name." },
    { name: "City", type: "string", description: "City location of the partner." },
    { name: "Country", type: "string", description: "Country/region location of the partner." },
    {
      name: "HierarchyLevel",
      type: "string",
      description: "Indicates whether it's a Global ID or Location ID.",
    },
    {
      name: "PGAPartnerID",
      type: "string",
      description:
        "Partner global account ID; spelling used by the 2023 sample query ('SELECT ... PGAPartnerID').",
      decision: "Only the 2023 sample query uses this name; kept as its own column so the sample validates.",
    },
    {
      name: "PGAMpnID",
      type: "string",
      description:
        "Partner global account ID; spelling used by the 2021 sample query ('WHERE PGAMpnId=...').",
      decision:
        "Only the sample queries use this name (PGA_MPNId is the system-query spelling); kept as its own column so the documented samples validate.",
    },
  ],
  metrics: [],
  timeColumn: null,
  availableDateRanges: [],
  minimumRecurrenceInterval: 24,
};

const trainingCompletions: DatasetDef = {
  name: "TrainingCompletions",
  description: "Trainings, exams and certifications completed by the partner's individuals, by month.",
  columns: [
    { name: "TrainingActivityId", type: "string", description: "Identifier of the training." },
    { name: "TrainingTitle", type: "string", description: "Title of the training." },
    {
      name: "TrainingType",
      type: "string",
      description: "Type of training (certification or exam)",
      values: ["Certification", "Exam"],
    },
    {
      name: "AADUserId",
      type: "string",
      description: "Microsoft Entra (Azure AD) object ID of the individual (system-query column).",
    },
    { name: "TrainingCompletionDate", type: "date", description: "Completion date of the training." },
    { name: "Month", type: "date", description: "Month for which the data is reported." },
    {
      name: "IcMCP",
      type: "string",
      description: "Indicates whether the user is a Microsoft Certified Professional (MCP)",
      decision: "Whether the user is an MCP; value domain not documented, kept as text.",
    },
    { name: "MCPID", type: "string", description: "MCP ID of the user." },
    { name: "MPNID", type: "string", description: "Identifier of Microsoft AI Cloud Partner Program." },
    COLUMN.PartnerName,
    {
      name: "PartnerCityLocation",
      type: "string",
      description: "Geographical city location of the partner.",
    },
    {
      name: "PartnerCountryLocation",
      type: "string",
      description: "Geographical country/region location of the partner.",
    },
    COLUMN.PGAMpnId,
    { name: "IndividualFirstName", type: "string", description: "First name of the customer." },
    { name: "IndividualLastName", type: "string", description: "Last name of the customer." },
    { name: "Email", type: "string", description: "Personal email ID of the customer." },
    { name: "CorpEmail", type: "string", description: "Office email ID of the customer." },
    { name: "ExpirationDate", type: "date", description: "Expiration Date of the Certification." },
    { name: "ActivationStatus", type: "string", description: "Status of the Certification." },
  ],
  metrics: [],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
};

const dynamicsUsage: DatasetDef = {
  name: "DynamicsUsage",
  description:
    "Dynamics 365 license usage: one row per subscription, SKU and month with available, assigned and active seats.",
  columns: [
    COLUMN.SubscriptionId,
    COLUMN.SubscriptionStartDate1,
    COLUMN.SubscriptionEndDate,
    { name: "SubscriptionStatus", type: "string", description: "State of the subscription." },
    COLUMN.Month3,
    { name: "RevSumDivisionName", type: "string", description: "Name of the rev sum division." },
    { name: "RevSumCategoryName", type: "string", description: "Name of the rev sum category." },
    COLUMN.SKU2,
    COLUMN.SKUId,
    {
      name: "FreeVsPaidSKU",
      type: "string",
      description: "Indicates whether it's a free or paid SKU.",
      values: ["Free", "Paid"],
      decision: "Described as 'free or paid SKU'; values 'Free'/'Paid' assumed.",
    },
    {
      name: "SalesModel",
      type: "string",
      description: "Sales channel that's used for selling the subscription.",
    },
    COLUMN.DetailedSalesModel,
    COLUMN.CustomerName1,
    COLUMN.CustomerTenantId3,
    COLUMN.CustomerTpid2,
    COLUMN.CustomerSegment2,
    COLUMN.CustomerMarket,
    COLUMN.MPNId,
    COLUMN.PartnerName,
    COLUMN.PartnerLocationID,
    COLUMN.PartnerAttachType,
    COLUMN.AvailableSeats,
    COLUMN.AssignedSeats,
    COLUMN.ActiveSeats,
    COLUMN.DeploymentOpportunity,
    COLUMN.ActiveUsagePercent,
    COLUMN.PGAMpnId,
    COLUMN.PartnerLocation3,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
  ],
  measures: [
    {
      name: "RevenueAndACRUSD",
      type: "decimal",
      description: "Billed revenue plus Azure consumed revenue in USD (hidden; read by TotalRevenueAndACR).",
    },
  ],
  metrics: [
    { name: "SubscriptionCount", aggregation: "countDistinct", source: "SubscriptionId" },
    { name: "TotalAssignedSeats", aggregation: "sum", source: "AssignedSeats" },
    {
      name: "TotalSoldSeats",
      aggregation: "sum",
      source: "AvailableSeats",
      decision: "Sold seats = paid available seats (AvailableSeats).",
    },
    { name: "TotalActiveSeats", aggregation: "sum", source: "ActiveSeats" },
    {
      name: "TotalRevenueAndACR",
      aggregation: "sum",
      source: "RevenueAndACRUSD",
      decision:
        "No revenue column is documented for this dataset; summed from the hidden measure RevenueAndACRUSD.",
    },
    {
      name: "CustomerCount",
      aggregation: "countDistinct",
      source: "CustomerTpid",
      decision: "Distinct customers counted by top-parent ID (CustomerTpid), not by tenant or name.",
    },
    { name: "CustomerTenantCount", aggregation: "countDistinct", source: "CustomerTenantId" },
  ],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
};

const competencySummaryHistory: DatasetDef = {
  name: "CompetencySummaryHistory",
  description:
    "Competency summary and history (2021; removed from the 2023 docs): competencies with level, status and dates.",
  columns: [
    COLUMN.CompetencyName,
    {
      name: "CompetencyLevel",
      type: "string",
      description: "Level of the competency (Gold or Silver)",
      values: ["Gold", "Silver"],
    },
    {
      name: "CompetencyStatus",
      type: "string",
      description: "Current status of the competency (Active, Inactive, or In Grace Period)",
      values: ["Active", "Inactive", "In Grace Period"],
    },
    { name: "CompetencyStartDate", type: "date", description: "Start date of the competency." },
    { name: "CompetencyEndDate", type: "date", description: "End date of the competency." },
  ],
  metrics: [],
  timeColumn: "CompetencyStartDate",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
  decision: "No Month column: TIMESPAN filters CompetencyStartDate.",
};

const powerBIUsage: DatasetDef = {
  name: "PowerBIUsage",
  description:
    "Power BI license usage: one row per subscription, SKU and month with available, assigned and active seats.",
  columns: [
    COLUMN.SubscriptionId,
    COLUMN.SubscriptionStartDate1,
    COLUMN.SubscriptionEndDate,
    {
      name: "SubscriptionStatus",
      type: "string",
      description: "State of the subscription (Active, Inactive, or In Grace Period)",
      values: ["Active", "Inactive", "In Grace Period"],
    },
    COLUMN.Month2,
    COLUMN.SKU2,
    COLUMN.SKUId,
    {
      name: "FreeVsPaidSKU",
      type: "string",
      description: "Free or paid SKU differentiator.",
      values: ["Free", "Paid"],
      decision: "Described as 'free or paid SKU'; values 'Free'/'Paid' assumed.",
    },
    { name: "SalesModel", type: "string", description: "Sales model that's used to sell the subscription." },
    COLUMN.DetailedSalesModel,
    COLUMN.CustomerName1,
    COLUMN.CustomerTenantId3,
    COLUMN.CustomerTpid1,
    COLUMN.CustomerSegment2,
    COLUMN.CustomerMarket,
    COLUMN.MPNId,
    COLUMN.PartnerName,
    COLUMN.PartnerLocationID,
    COLUMN.PartnerAttachType,
    COLUMN.PartnerHierarchy,
    COLUMN.AvailableSeats,
    COLUMN.AssignedSeats,
    COLUMN.ActiveSeats,
    COLUMN.DeploymentOpportunity,
    COLUMN.ActiveUsagePercent,
    COLUMN.PGAMpnID,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
    COLUMN.PartnerLocation3,
  ],
  metrics: [
    { name: "SubscriptionCount", aggregation: "countDistinct", source: "SubscriptionId" },
    {
      name: "TotalAssignedSeats",
      aggregation: "sum",
      source: "AssignedSeats",
      decision: "Undocumented metric, by analogy with DynamicsUsage (same seat columns).",
    },
    {
      name: "TotalSoldSeats",
      aggregation: "sum",
      source: "AvailableSeats",
      decision: "Undocumented metric, by analogy with DynamicsUsage.",
    },
    {
      name: "TotalActiveSeats",
      aggregation: "sum",
      source: "ActiveSeats",
      decision: "Undocumented metric, by analogy with DynamicsUsage.",
    },
    {
      name: "CustomerCount",
      aggregation: "countDistinct",
      source: "CustomerTpid",
      decision: "Distinct customers counted by top-parent ID (CustomerTpid), not by tenant or name.",
    },
    { name: "CustomerTenantCount", aggregation: "countDistinct", source: "CustomerTenantId" },
  ],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
  decision:
    "Metrics are not documented for PowerBIUsage; the DynamicsUsage seat metrics are offered because the column sets match (TotalRevenueAndACR is left out: no revenue field).",
};

const emsUsage: DatasetDef = {
  name: "EMSUsage",
  description:
    "Enterprise Mobility + Security license usage: one row per subscription, SKU and month with paid units and active users per workload.",
  columns: [
    { name: "SubscriptionId", type: "string", description: "GUID of the Subscription." },
    COLUMN.SubscriptionStartDate2,
    { name: "SubscriptionEndDate", type: "date", description: "The date when the subscription ends." },
    {
      name: "SubscriptionStatus",
      type: "string",
      description: "Current state of the subscription (Open, Closed, Active or In Grace Period)",
      values: ["Open", "Closed", "Active", "In Grace Period"],
    },
    COLUMN.Month2,
    COLUMN.SKU1,
    COLUMN.SKUId,
    {
      name: "FreeVsPaidSKU",
      type: "string",
      description: "Indicates Free or Paid SKU.",
      values: ["Free", "Paid"],
      decision: "Described as 'free or paid SKU'; values 'Free'/'Paid' assumed.",
    },
    { name: "SalesModel", type: "string", description: "Sales channel used for selling the subscription." },
    COLUMN.DetailedSalesModel,
    COLUMN.CustomerName1,
    COLUMN.CustomerTenantId1,
    COLUMN.CustomerTpid3,
    COLUMN.CustomerSegment1,
    {
      name: "CustomerMarket",
      type: "string",
      description: "Geographical country/region location of the market of customer.",
    },
    { name: "MPNId", type: "string", description: "PartnerID." },
    COLUMN.PartnerName,
    COLUMN.PartnerLocationID,
    COLUMN.PartnerAttachType,
    COLUMN.PartnerHierarchy,
    COLUMN.PaidAvailableUnits,
    COLUMN.MonthlyActiveUsers,
    {
      name: "AADPPaidAvailableUnits",
      type: "integer",
      description: "Number of paid available units for Azure Active Directory Premium (AADP)",
    },
    {
      name: "IntunePaidAvailableUnits",
      type: "integer",
      description: "Number of paid available units for Intune.",
    },
    {
      name: "AzipPaidAvailableUnits",
      type: "integer",
      description: "Number of paid available units for Azure Information Protection.",
    },
    {
      name: "AADPMonthlyActiveUsers",
      type: "integer",
      description: "Number of monthly active users for Azure Active Directory Premium (AADP)",
    },
    {
      name: "IntuneMonthlyActiveUsers",
      type: "integer",
      description: "Number of monthly active users for Intune.",
    },
    {
      name: "AzipMonthlyActiveUsers",
      type: "integer",
      description:
        "Number of monthly active users for Azure Information Protection. It's a workload reported under EMS.",
    },
    COLUMN.PGAMpnID,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
    COLUMN.PartnerLocation1,
    { name: "PartnerAttributionType", type: "string", description: "Attribution type of partner." },
    {
      name: "AATPActiveUsage",
      type: "integer",
      description: "Azure Advanced Threat Protection (AATP) active usage.",
      decision: "Count of active users (integer); not stated.",
    },
    {
      name: "MCASActiveUsage",
      type: "integer",
      description: "Microsoft 365 Defender for Cloud Apps active usage.",
      decision: "Count of active users (integer); not stated.",
    },
    {
      name: "MDM",
      type: "integer",
      description: "Mobile Device Management.",
      decision:
        "Assumed to be a count of users/devices using Mobile Device Management (integer); not stated.",
    },
    {
      name: "MAM",
      type: "integer",
      description: "Mobile Application Management.",
      decision: "Assumed to be a count of users using Mobile Application Management (integer); not stated.",
    },
    {
      name: "SSPR",
      type: "integer",
      description: "Self-Service Password Reset.",
      decision: "Assumed to be a count of users using Self-Service Password Reset (integer); not stated.",
    },
  ],
  metrics: [
    {
      name: "CustomerCount",
      aggregation: "countDistinct",
      source: "CustomerTpid",
      decision: "Distinct customers counted by top-parent ID (CustomerTpid), not by tenant or name.",
    },
    { name: "CustomerTenantCount", aggregation: "countDistinct", source: "CustomerTenantId" },
    {
      name: "TotalPaidAvailableUnits",
      aggregation: "sum",
      source: "PaidAvailableUnits",
      decision: "Undocumented metric, by analogy with OfficeUsage.",
    },
    {
      name: "TotalMonthlyActiveUsers",
      aggregation: "sum",
      source: "MonthlyActiveUsers",
      decision: "Undocumented metric, by analogy with OfficeUsage.",
    },
  ],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
  decision:
    "Metrics are not documented for EMSUsage; the OfficeUsage metrics are offered because both report paid available units and monthly active users.",
};

const competencyPeformanceRequirement: DatasetDef = {
  name: "CompetencyPeformanceRequirement",
  aliases: ["CompetencyPerformanceRequirement"],
  description:
    "Competency performance requirements (2021; removed from the 2023 docs): monthly metric contributions against Gold/Silver thresholds.",
  columns: [
    COLUMN.CompetencyName,
    {
      name: "CompetencyAttainmentOptionName",
      type: "string",
      description: "Name of the competency attainment option.",
    },
    { name: "Month", type: "date", description: "Month for which the metrics are reported." },
    {
      name: "MetricName",
      type: "string",
      description: "Name of the metric that's relevant to the competency.",
    },
    {
      name: "MetricMonthlyContribution",
      type: "decimal",
      description: "Monthly contribution of the metric.",
      decision: "Decimal: the competency metrics mix counts and revenue.",
    },
    {
      name: "TTMAggregate",
      type: "decimal",
      description: "Aggregated metric for the trailing 12 months.",
      decision: "Decimal: the competency metrics mix counts and revenue.",
    },
    {
      name: "AnniversaryYearAggregate",
      type: "decimal",
      description: "Aggregated metric for the current anniversary year.",
      decision: "Decimal: the competency metrics mix counts and revenue.",
    },
    {
      name: "GoldThreshold",
      type: "decimal",
      description: "Performance requirement to meet Gold competency.",
      decision: "Decimal: the competency metrics mix counts and revenue.",
    },
    {
      name: "SilverThreshold",
      type: "decimal",
      description: "Performance requirement to meet Silver competency.",
      decision: "Decimal: the competency metrics mix counts and revenue.",
    },
  ],
  metrics: [],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
  decision:
    "Listed spelling 'CompetencyPeformanceRequirement' (sic) is the name; the refresh table's correct spelling is accepted as an alias.",
};

const resellerPerformance: DatasetDef = {
  name: "ResellerPerformance",
  description:
    "Reseller performance: one row per reseller, customer subscription and month with seats and billed revenue. Same table as CloudProductsResellerPerformance.",
  columns: [
    {
      name: "ResellerMpnId",
      type: "string",
      description: "Reseller Microsoft AI Cloud Partner Program identifier.",
    },
    COLUMN.ResellerName,
    { name: "ResellerMarket", type: "string", description: "Reseller country/region of market." },
    {
      name: "IndirectProviderMPNId",
      type: "string",
      description: "Identifier of the indirect provider Microsoft AI Cloud Partner Program.",
    },
    { name: "IndirectProviderName", type: "string", description: "Indirect provider name." },
    { name: "Month", type: "date", description: "Month for which usage and revenue is reported." },
    { name: "Product", type: "string", description: "Product name." },
    { name: "SubscriptionID", type: "string", description: "Identifier of the subscription." },
    { name: "AvailableSeats", type: "integer", description: "Number of seats available." },
    { name: "AssignedSeats", type: "integer", description: "Number of assigned seats." },
    { name: "BilledRevenueUSD", type: "decimal", description: "Billed revenue in US dollars." },
    COLUMN.CustomerName1,
    { name: "CustomerTPid", type: "string", description: "Identifier of the customer top parent." },
    COLUMN.CustomerSegment1,
    COLUMN.CustomerMarket,
    { name: "ResellerStatus", type: "string", description: "Reseller status." },
    COLUMN.PGAMpnID,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
  ],
  metrics: [
    {
      name: "CustomerCount",
      aggregation: "countDistinct",
      source: "CustomerTPid",
      decision: "Distinct customers counted by top-parent ID (CustomerTPid).",
    },
    { name: "SubscriptionCount", aggregation: "countDistinct", source: "SubscriptionID" },
    { name: "TotalAvailableSeats", aggregation: "sum", source: "AvailableSeats" },
    { name: "TotalAssignedSeats", aggregation: "sum", source: "AssignedSeats" },
    { name: "TotalRevenue", aggregation: "sum", source: "BilledRevenueUSD" },
  ],
  timeColumn: "Month",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
  decision:
    "Named in the dataset list and used by the sample queries; the system query c09c2eda-… reads the same data as CloudProductsResellerPerformance, so both names share one table.",
};

const cloudProductsResellerPerformance: DatasetDef = {
  ...resellerPerformance,
  name: "CloudProductsResellerPerformance",
  table: "ResellerPerformance",
  description:
    "Cloud products reseller performance (system query c09c2eda-…): the ResellerPerformance data under the name the system query uses; same table.",
  decision: "Shares the ResellerPerformance table (same columns and metrics); only the name differs.",
};

/** The account columns every CLAS propensity dataset starts with (their system queries share them). */
const CLAS_ACCOUNT_COLUMNS: readonly ColumnDef[] = [
  { name: "MPNID", type: "string", description: "Microsoft AI Cloud Partner Program ID." },
  { name: "PartnerName", type: "string", description: "Name of the partner." },
  {
    name: "CustomerID",
    type: "string",
    description: "Customer identifier number as defined by Microsoft.",
  },
  {
    name: "DUNSNumber",
    type: "string",
    description: "The Dun & Bradstreet number of the customer who's being scored for propensity.",
  },
  { name: "AccountName", type: "string", description: "Name of the Customer." },
  { name: "Domain", type: "string", description: "Domain of the Customer." },
  { name: "OrgSize", type: "string", description: "Size of the organization." },
  { name: "Industry", type: "string", description: "Industry that the organization belongs." },
  {
    name: "Vertical",
    type: "string",
    description:
      "The vertical of the customer who's being scored for propensity, as identified by Microsoft, D&B, and other industry standards.",
  },
  { name: "Area", type: "string", description: "Geographical area of the Customer." },
  {
    name: "Subsidiary",
    type: "string",
    description: "The subsidiary of the customer who's being scored for propensity.",
  },
  {
    name: "SalesTerritory",
    type: "string",
    description: "The sales territory of the customer who's being scored for propensity.",
  },
  { name: "City", type: "string", description: "Geographical city location of the customer." },
  { name: "State", type: "string", description: "Geographical state location of the customer." },
  { name: "PostalCode", type: "string", description: "Postal code of the organization of the customer." },
  { name: "Country", type: "string", description: "Geographical country/region location of the customer." },
  { name: "Segment", type: "string", description: "Market segment as defined by Microsoft." },
  { name: "SubSegment", type: "string", description: "Market subsegments as defined by Microsoft." },
  {
    name: "SMCTypeSummary",
    type: "string",
    description:
      "The categorization of a customer as defined by Microsoft: Corporate Scale Businesses meet at least one of the following criteria - High Revenue ($100 K+), High Growth (20%+), High Potential ($100…",
  },
  {
    name: "IsNonProfit",
    type: "string",
    description:
      'Indicates whether the organization is nonprofit and approved by Microsoft or not: "Nonprofit" defines customers with an industry of nonprofit but they aren\'t approved by Microsoft.',
  },
];

/** The propensity columns of the Microsoft 365 and Surface datasets (identical system-query lists). */
const DIGITAL_WORKFORCE_COLUMNS: readonly ColumnDef[] = [
  { name: "DigitalWorkforce3rdPartyHostingService", type: "string" },
  {
    name: "DigitalWorkforceAcquirenewcustomerstoMicrosoftHighPropensityProspectforM365ActNowEvaluate",
    type: "string",
  },
  { name: "DigitalWorkforceM365A3targetedforA5", type: "string" },
  { name: "DigitalWorkforceSkypeforBusiness", type: "string" },
  { name: "DigitalWorkforceOnPremAcquisitionCurrentVersion", type: "string" },
  { name: "DigitalWorkforceOnPremAcquisitionEOS", type: "string" },
  { name: "DigitalWorkforceTransitionCustomerCompeteZoomwithM365", type: "string" },
  { name: "DigitalWorkforceTransitionCustomerCompeteZoomwithoutM365", type: "string" },
  { name: "DigitalWorkforceTransitionCustomerCompeteGoogleWorkspace", type: "string" },
  { name: "DigitalWorkforceUpsellexistingcloudcustomerIntune", type: "string" },
  { name: "DigitalWorkforceUpsellexistingcloudcustomerM365BBBScustomerstargetedforM365BP", type: "string" },
  { name: "DigitalWorkforceUpsellexistingcloudcustomerM365E3targetedforM365E5", type: "string" },
  { name: "DigitalWorkforceUpsellexistingcloudcustomerTargetExchangeonline", type: "string" },
  { name: "NextGenWindowsExperiencesCompeteAmazonWorkspaceAWSWorkspaces", type: "string" },
  { name: "NextGenWindowsExperiencesCompeteCitrix", type: "string" },
  { name: "NextGenWindowsExperiencesCompeteGoogleDaaScompeteitopiaNutanixFrameWorkspot", type: "string" },
  { name: "NextGenWindowsExperiencesCompeteVmwareHorizons", type: "string" },
  { name: "NextGenWindowsExperiencesCustomerhashardwareandalsoaddlastHWpurchase3years", type: "string" },
  { name: "NextGenWindowsExperiencesCustomerhasW10ProorearlierversionsW11ProTargetW365", type: "string" },
  {
    name: "CustomerswithWindowsProendpointsWindows10EnterpriseE3EMSE3orMicrosoft365F3E3E5BPTargetforW365",
    type: "string",
  },
  { name: "NextGenWindowsExperiencesGoogleWorkspacecustomerswithoutWindows", type: "string" },
  {
    name: "UserswithnonWindowsProendpointsWindowsVDAE3EMSE3orMicrosoft365F3E3F5BPTargetW365",
    type: "string",
  },
  { name: "RefreshyourDevicesBusinessPremiumESKUAttach50", type: "string" },
  { name: "RefreshyourDevicesEDUforSurface", type: "string" },
  { name: "RefreshyourDevicesSurfaceDevices25purchasedinthelast3years", type: "string" },
  { name: "RefreshyourDevicesTargetSurfaceforBS", type: "string" },
  { name: "RefreshyourDevicesTeamsMeetingPresence50", type: "string" },
  { name: "SeamlessSecurityTransitionCustomerCompeteEndpointSecurityMDB", type: "string" },
  { name: "SeamlessSecurityUpsellexistingcloudcustomerCompeteEndpointSecurityMDB", type: "string" },
  { name: "SeamlessSecurityUpsellexistingcloudcustomerCompeteGoogleWorkspace", type: "string" },
  { name: "SeamlessSecurityUpsellexistingcloudcustomerM365BBBScustomerstargetedforM365BP", type: "string" },
  { name: "SeamlessSecurityUpsellexistingcloudcustomerOnPremAcquisitionCurrentVersion", type: "string" },
  { name: "SeamlessSecurityUpsellexistingcloudcustomerTargetExchangeOnline", type: "string" },
  {
    name: "M365Cluster",
    type: "string",
    description:
      "Identifies a customer's propensity to purchase Microsoft 365. Target Act Now and Evaluate clusters because they produce higher yield.",
  },
  {
    name: "M365Fit",
    type: "string",
    description: "Internal and external data points that define firmographics.",
  },
  {
    name: "M365Intent",
    type: "string",
    description:
      "Signals related to social media and a customer's online behavior define Intent. Intent scoring is overlaid on Fit to define the clusters.",
  },
  {
    name: "SurfaceCluster",
    type: "string",
    description:
      "Identifies a customer's propensity to purchase Surface by consolidating the Fit and Intent recommendations into a cluster.",
  },
  {
    name: "SurfaceFit",
    type: "string",
    description: "Internal and external data points that define firmographics.",
  },
  {
    name: "SurfaceIntent",
    type: "string",
    description:
      "Signals related to social media and a customer's online behavior define Intent. Intent scoring is overlaid on Fit to define the clusters.",
  },
  {
    name: "M365UpsellCustomer",
    type: "string",
    description: "Identifies whether the existing customer shows upsell propensity for Microsoft 365.",
  },
  {
    name: "HasGoogle",
    type: "string",
    description: "Identifies whether the customer shows competitive signals for owning Google products.",
  },
  {
    name: "HasAWS",
    type: "string",
    description: "Identifies whether the customer shows competitive signals for owning AWS products.",
  },
  {
    name: "HasEA",
    type: "string",
    description: "Identifies whether a renewal is an EA or an EA subscription.",
  },
  {
    name: "HasOpen",
    type: "string",
    description: "Identifies whether a renewal is an Open or Open Value agreement.",
  },
  {
    name: "Transactedinthelast36months",
    type: "string",
    description: "Identifies if the customer has purchased in the trailing 36 month period.",
  },
];

/**
 * Expiring revenue adds up over agreements, products and customers; the workload counts of the other
 * CLAS datasets stay columns (a property of the customer, repeated on each of its rows).
 */
const EXPIRING_REVENUE = summedAmount(
  {
    name: "ExpiringRevenue",
    type: "decimal",
    description: "Revenue associated with expiring subscriptions.",
  },
  "Summed over the selected columns (issue #14): the revenue of expiring subscriptions adds up over agreements, products and customers.",
);

const clasAgreementRenewalsPropensity: DatasetDef = {
  name: "CLASAgreementRenewalsPropensity",
  description:
    "Cloud Ascent agreement-renewal propensity: one row per partner and customer agreement up for renewal.",
  columns: [
    ...CLAS_ACCOUNT_COLUMNS,
    COLUMN.HasGoogle,
    COLUMN.HasAWS,
    COLUMN.AzureCluster,
    COLUMN.D365FOCluster,
    COLUMN.D365CECluster,
    COLUMN.D365BCCluster,
    {
      name: "M365Cluster",
      type: "string",
      description:
        "Identifies a customer's propensity to purchase Microsoft 365. Target Act Now and Evaluate clusters because they produce higher yield.",
    },
    {
      name: "PowerAppsCluster",
      type: "string",
      description:
        "Identifies the customer's propensity to purchase Power Apps. Target Act Now and Evaluate clusters, because they produce higher yield.",
    },
    {
      name: "LicenseProgram",
      type: "string",
      description: "Identifies the license program type for the renewal.",
    },
    {
      name: "AgreementID",
      type: "string",
      description: "Identifier of the agreement as defined by Microsoft.",
    },
    { name: "AgreementEndDate", type: "date", description: "End date of the agreement." },
    { name: "ExpirationType", type: "string", description: "Type of expiration." },
    COLUMN.HasEA,
    COLUMN.HasOpen,
    {
      name: "M365UpsellCustomer",
      type: "string",
      description: "Whether the existing customer shows upsell propensity for Microsoft 365.",
    },
    {
      name: "RevSumDivisionName",
      type: "string",
      description: "Identifies the product that's up for renewal.",
    },
    {
      name: "TransactedInTheLast36Months",
      type: "string",
      description: "Identifies if the customer has purchased in the trailing 36 month period.",
    },
  ],
  measures: [EXPIRING_REVENUE.measure],
  metrics: [EXPIRING_REVENUE.metric],
  timeColumn: null,
  availableDateRanges: [],
  minimumRecurrenceInterval: 24,
  decision:
    "Snapshot propensity dataset: no system query uses TIMESPAN, so no time column and no date ranges. Columns are exactly the system query's list (the definitions table gives human-readable names with spaces, not programmatic names). Propensity, cluster, fit, intent and Has* flags are text (string): their value domains are not documented.",
};

const clasAzurePropensity: DatasetDef = {
  name: "CLASAzurePropensity",
  description:
    "Cloud Ascent Azure propensity: one row per partner and customer with Azure propensity signals.",
  columns: [
    ...CLAS_ACCOUNT_COLUMNS,
    {
      name: "DataAIInnovatewithAIandcloudscaledatabasesineveryappBuildnewintelligentcloudnativeapplications",
      type: "string",
    },
    { name: "DataAIMigrateandmodernizeyourdatacenterSQLServerIBCurrentVersion", type: "string" },
    { name: "DataAIMigrateandmodernizeyourdatacenterSQLServerIBEOS", type: "string" },
    { name: "DataAIMigrateandmodernizeyourdatacenterSQLServer2012IBEOS", type: "string" },
    {
      name: "DataAIMigrateandmodernizeyourdatacenterHomogenousmigrationofPostgreSQLandMySQLtoAzure",
      type: "string",
    },
    {
      name: "DataAIMigrateandmodernizeyourdatacenterMigrateSQLServertoAzureSQLManagedInstanceandVMs",
      type: "string",
    },
    { name: "RealtimeanalyticswithSynapseLinkPBIforlandeddataplatformworkloads", type: "string" },
    {
      name: "DataAIPowerbusinessdecisionswithCloudScaleAnalyticsMigrationOnPremDWMigrationtoAzureSynapse",
      type: "string",
    },
    {
      name: "DataAIPowerbusinessdecisionswithCloudScaleAnalyticsMigrationOnPremHadoopMigrationtoAzureDatabricks",
      type: "string",
    },
    { name: "NetNewWinNewAnalyticUseCaseswithSynapseandPBIandAML", type: "string" },
    {
      name: "DigitalAppInnovationAccelerateinnovationwithLowCodeBuildandmodernizelineofbusinessapplications",
      type: "string",
    },
    { name: "AcceleratesoftwaredeliverythroughDevSecOpswithGitHubandVisualStudio", type: "string" },
    {
      name: "DigitalAppInnovationEnabledeveloperproductivityandAccelerateDeliveryDrivedeveloperengagement",
      type: "string",
    },
    { name: "BuildcloudnativeappswithKubernetesServerlessanddataModernizeAppswAKS", type: "string" },
    {
      name: "BuildcloudnativeappswithKubernetesServerlessanddataModernizeAppswRHOpenShiftHighConsumingLinuxIBISV",
      type: "string",
    },
    {
      name: "DigitalAppInnovationInnovateandscalewithcloudnativeappsDrivedeveloperengagement",
      type: "string",
    },
    { name: "DigitalAppInnovationModernizeenterpriseapplicationsModernizeNETappswithdata", type: "string" },
    { name: "DigitalAppInnovationModernizeenterpriseapplicationsModernizeJavaappswithdata", type: "string" },
    { name: "HighPropensityHighPropensity", type: "string" },
    { name: "DevelopoperateandsecurewithAzureArcArcenabledservicesandAzureStackHCI", type: "string" },
    {
      name: "InfraMigrateandModernizeyourInfrastructureandworkloadsAttachMonitorStorageNetworkingandSecurity",
      type: "string",
    },
    {
      name: "InfraMigrateandModernizeyourInfrastructureandworkloadsWindowsServerIBCurrentVersion",
      type: "string",
    },
    { name: "InfraMigrateandModernizeyourInfrastructureandworkloadsWindowsServerIBEOS", type: "string" },
    { name: "InfraMigrateandModernizeyourInfrastructureandworkloadsWindowsServer2012IBEOS", type: "string" },
    {
      name: "InfraMigrateandModernizeyourInfrastructureandworkloadsMigrateandmodernizeLinuxOSSDBtoAzure",
      type: "string",
    },
    {
      name: "InfraMigrateandModernizeyourInfrastructureandworkloadsMigrateandmodernizeVMwaretoAVS",
      type: "string",
    },
    {
      name: "InfraMigrateandModernizeyourInfrastructureandworkloadsMigrateandmodernizeWindowsServerSQLtoAzure",
      type: "string",
    },
    {
      name: "InfraMigrateandModernizeyourInfrastructureandworkloadsModernizeVDItoAVDMigrateCitrixIB",
      type: "string",
    },
    {
      name: "InfraMigrateandModernizeyourInfrastructureandworkloadsModernizeVDItoAVDMigrateVMWareIB",
      type: "string",
    },
    {
      name: "InfraMigrateandModernizeyourInfrastructureandworkloadsModernizeVDItoAVDCrossSellMWtoAzureWVD",
      type: "string",
    },
    { name: "InfraMigrateandModernizeyourInfrastructureandworkloadsModernizeVDItoAVDRDSIB", type: "string" },
    {
      name: "InfraModernizeSAPontheMicrosoftCloudExtendandinnovateSAPwithMicrosoftCloudservices",
      type: "string",
    },
    {
      name: "InfraModernizeSAPontheMicrosoftCloudMigrateandmodernizetoS4HANAviaRISEwithSAPorAzurenative",
      type: "string",
    },
    { name: "ExtendEdgeInferencingwithcloudbasedmodeltrainingusingAzureAIInfrastructure", type: "string" },
    {
      name: "InfraModernizeyourworkloadswithAzureatanyscalewithHPCAIExtendtoAVDworkloadsrequiringGPUrendering",
      type: "string",
    },
    {
      name: "InfraModernizeyourworkloadswithAzureatanyscalewithHPCAIModernizeHPCworkloadswithAzureHPCAI",
      type: "string",
    },
    { name: "AttachAzureBackupandASRtoeveryproductionVMnewandgoback", type: "string" },
    {
      name: "InfraProtectyourdataandensurebusinessresiliencywithBCDRBackuponpremdataandSaaSdatatoAzure",
      type: "string",
    },
    {
      name: "SecurityDefendAgainstThreatswithSIEMXDRDriveSIEMXDRtomodernizesecurityopcenter",
      type: "string",
    },
    {
      name: "SecuritySecureMultiCloudInfrastructureCloudworkloadprotectionDefenderAttachinWindowsMigration",
      type: "string",
    },
    {
      name: "SecuritySecureMultiCloudInfrastructureCloudworkloadprotectionWellArchitectedSecurityGoBack",
      type: "string",
    },
    {
      name: "AzureFit",
      type: "string",
      description: "Internal and external data points that define firmographics.",
    },
    {
      name: "AzureIntent",
      type: "string",
      description:
        "Signals related to social media and a customer's online behavior define Intent. Intent scoring is overlaid on Fit to define the clusters.",
    },
    COLUMN.AzureCluster,
    {
      name: "WindowsServerDataCenter_HasOpenRenewal",
      type: "string",
      description: "Identifies whether the customer has an open renewal for Windows Server Datacenter.",
    },
    {
      name: "WindowsServerStandard_HasOpenRenewal",
      type: "string",
      description: "Identifies whether the customer has an open renewal for Windows Server Standard.",
    },
    COLUMN.HasGoogle,
    COLUMN.HasAWS,
    COLUMN.HasEA,
    COLUMN.HasOpen,
    {
      name: "NumberofExistingWorkloads",
      type: "integer",
      description: "The number of existing Azure workloads that the customer has.",
    },
    {
      name: "ExistingWorkloads",
      type: "string",
      description: "The existing Azure workloads that the customer has purchased.",
    },
    {
      name: "NumberofRecommendedWorkloads",
      type: "integer",
      description:
        "The number of recommended Azure workloads that the customer could be targeted for based on their past purchase history and the propensity recommendations.",
    },
    {
      name: "RecommendedWorkloads",
      type: "string",
      description:
        "The recommended Azure workloads that the customer could be targeted for based on their past purchase history and the propensity recommendations.",
    },
    COLUMN.Transactedinthelast36months,
  ],
  metrics: [],
  timeColumn: null,
  availableDateRanges: [],
  minimumRecurrenceInterval: 24,
  decision:
    "Snapshot propensity dataset: no system query uses TIMESPAN, so no time column and no date ranges. Columns are exactly the system query's list (the definitions table gives human-readable names with spaces, not programmatic names). Propensity, cluster, fit, intent and Has* flags are text (string): their value domains are not documented.",
};

const clasD365Propensity: DatasetDef = {
  name: "CLASD365Propensity",
  description:
    "Cloud Ascent Dynamics 365 propensity: one row per partner and customer with Dynamics 365 propensity signals.",
  columns: [
    ...CLAS_ACCOUNT_COLUMNS,
    {
      name: "AccelerateInnovationwithLowCodeDynamicsCompeteBaseMendixOutsystemsSalesforcePowerAppsPowerAutomateModel",
      type: "string",
    },
    { name: "ConnectedSalesMarketingUnlockDatatoMaximizeSalesImpact", type: "string" },
    {
      name: "EnableaResilientSustainableSupplyChainCrossSellD365SupplyChainAndOrRetailCommercetoexistingD365Sales",
      type: "string",
    },
    {
      name: "CrossSellD365SupplyChainAndOrRetailCommercetoexistingD365SalesandOracleorSAPCustomers",
      type: "string",
    },
    { name: "WinandActivateFirstD365WorkloadasD365SupplyChainwithNonOracleSAPERPCustomers", type: "string" },
    {
      name: "ModernizetheServiceExperienceD365CustomerServicesandD365FieldServicesD365SalesPropensity",
      type: "string",
    },
    {
      name: "OptimizeFinancialOperatingModelsDynamicsOnPremInstallBaseGreatPlainsBCFinancePropensityModel",
      type: "string",
    },
    {
      name: "OptimizeFinancialOperatingModelsDynamicsOnPremInstallBaseNavisionBCFinancePropensityModel",
      type: "string",
    },
    {
      name: "OptimizeFinancialOperatingModelsDynamicsOnPremInstallBaseOthersBCFinancePropensityModel",
      type: "string",
    },
    {
      name: "OptimizeFinancialOperatingModelsDynamicsOnPremInstallBaseSolomonBCFinancePropensityModel",
      type: "string",
    },
    { name: "OptimizeFinancialOperatingModelsTransformBusinessOperationsExperience", type: "string" },
    COLUMN.D365BCCluster,
    {
      name: "D365BCFit",
      type: "string",
      description: "Internal and external data points that define firmographics.",
    },
    {
      name: "D365BCIntent",
      type: "string",
      description:
        "Signals related to social media and a customer's online behavior define Intent. Intent scoring is overlaid on Fit to define the clusters.",
    },
    COLUMN.D365FOCluster,
    {
      name: "D365FOFit",
      type: "string",
      description: "Internal and external data points that define firmographics.",
    },
    {
      name: "D365FOIntent",
      type: "string",
      description:
        "Signals related to social media and a customer's online behavior define Intent. Intent scoring is overlaid on Fit to define the clusters.",
    },
    COLUMN.D365CECluster,
    { name: "D365CEFit", type: "string", description: "Indicates Fit for Dynamics 365 Customer Engagement." },
    {
      name: "D365CEIntent",
      type: "string",
      description: "Indicates Intent for Dynamics 365 Customer Engagement.",
    },
    {
      name: "PowerAppsCluster",
      type: "string",
      description:
        "Identifies the customer's propensity to purchase Power Apps. Target Act Now and Evaluate clusters because they produce higher yield.",
    },
    {
      name: "PowerAppsFit",
      type: "string",
      description: "Internal and external data points that define firmographics.",
    },
    {
      name: "PowerAppsIntent",
      type: "string",
      description:
        "Signals related to social media and a customer's online behavior define Intent. Intent scoring is overlaid on Fit to define the clusters.",
    },
    {
      name: "DynamicsOnPremAXorCRM_HasOpenRenewal",
      type: "string",
      description: "Identifies whether the customer has an open renewal for Dynamics on-premises AX or CRM.",
    },
    {
      name: "M365UpsellCustomer",
      type: "string",
      description: "Identifies whether the existing customer shows upsell propensity for Microsoft 365.",
    },
    COLUMN.HasGoogle,
    COLUMN.HasAWS,
    COLUMN.HasEA,
    COLUMN.HasOpen,
    COLUMN.Transactedinthelast36months,
  ],
  metrics: [],
  timeColumn: null,
  availableDateRanges: [],
  minimumRecurrenceInterval: 24,
  decision:
    "Snapshot propensity dataset: no system query uses TIMESPAN, so no time column and no date ranges. Columns are exactly the system query's list (the definitions table gives human-readable names with spaces, not programmatic names). Propensity, cluster, fit, intent and Has* flags are text (string): their value domains are not documented.",
};

const clasM365Propensity: DatasetDef = {
  name: "CLASM365Propensity",
  description:
    "Cloud Ascent Microsoft 365 propensity: one row per partner and customer with Microsoft 365 propensity signals.",
  columns: [...CLAS_ACCOUNT_COLUMNS, ...DIGITAL_WORKFORCE_COLUMNS],
  metrics: [],
  timeColumn: null,
  availableDateRanges: [],
  minimumRecurrenceInterval: 24,
  decision:
    "Snapshot propensity dataset: no system query uses TIMESPAN, so no time column and no date ranges. Columns are exactly the system query's list (the definitions table gives human-readable names with spaces, not programmatic names). Propensity, cluster, fit, intent and Has* flags are text (string): their value domains are not documented.",
};

const clasSurfacePropensity: DatasetDef = {
  name: "CLASSurfacePropensity",
  description:
    "Cloud Ascent Surface propensity: one row per partner and customer with Surface propensity signals (not in the 2021 dataset list; added by 2023).",
  columns: [...CLAS_ACCOUNT_COLUMNS, ...DIGITAL_WORKFORCE_COLUMNS],
  metrics: [],
  timeColumn: null,
  availableDateRanges: [],
  minimumRecurrenceInterval: 24,
  decision:
    "Snapshot propensity dataset: no system query uses TIMESPAN, so no time column and no date ranges. Columns are exactly the system query's list (the definitions table gives human-readable names with spaces, not programmatic names). Propensity, cluster, fit, intent and Has* flags are text (string): their value domains are not documented.",
};

const teamsUsage3PApps: DatasetDef = {
  name: "TeamsUsage3PApps",
  description: "Teams third-party app usage: one row per customer, app and date with the app's user count.",
  columns: [
    { name: "CustomerId", type: "string", description: "Customer top parent ID." },
    COLUMN.CustomerTenantId2,
    COLUMN.CustomerName2,
    COLUMN.CustomerCountry,
    COLUMN.DateKey,
    { name: "AppName", type: "string", description: "Name of the Teams app." },
    {
      name: "UserCount",
      type: "integer",
      description: "Number of users for the app.",
      decision: "A data-definition column ('Usercount'), so a selectable column, not a metric.",
    },
    COLUMN.PGAMpnID,
    COLUMN.CustomerCountryCode,
    COLUMN.CustomerSegment3,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
  ],
  metrics: [],
  timeColumn: "DateKey",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
};

const teamsUsageWorkload: DatasetDef = {
  name: "TeamsUsageWorkload",
  description:
    "Teams monthly usage: one row per customer, subworkload and month with desktop, web and mobile users.",
  columns: [
    COLUMN.CustomerId,
    COLUMN.CustomerTenantId2,
    { name: "MonthKey", type: "date", description: "Month for which usage is reported." },
    {
      name: "SubWorkload",
      type: "string",
      description: "Subworkload for which usage is reported (Meetings, calls or phone systems)",
      values: ["Meetings", "Calls", "Phone systems"],
    },
    { name: "DesktopUsers", type: "integer", description: "Number of users who use Teams on desktop." },
    { name: "WebUsers", type: "integer", description: "Number of users who use Teams on the web." },
    { name: "MobileUsers", type: "integer", description: "Number of users who use Teams on mobile." },
    {
      name: "AllUpPartiticipants",
      type: "integer",
      description:
        "Number of unique users of Teams for the month (system-query spelling of AllUpParticipants).",
      decision:
        "Misspelling used by the system query and kept as the programmatic name; the definition's 'AllUpParticipants' is not a separate column (the catalog has no column aliases).",
    },
    COLUMN.PGAMpnID,
    COLUMN.CustomerName2,
    COLUMN.CustomerCountryCode,
    COLUMN.CustomerCountry,
    COLUMN.CustomerSegment3,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
  ],
  metrics: [],
  timeColumn: "MonthKey",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
};

/** Meetings and their hours per customer, subworkload and date: additive over any selection. */
const MEETING_AMOUNTS = [
  summedAmount(
    {
      name: "MeetingCount",
      type: "integer",
      description: "Number of meetings (definition: 'Meeting count').",
    },
    "The definition's 'Meeting count' without the space; summed over the selected columns (issue #14): meetings of several days, customers or subworkloads add up.",
  ),
  summedAmount(
    {
      name: "MeetingDuration",
      type: "decimal",
      description: "Total meeting duration in hours (definition: 'Meeting duration').",
    },
    "The definition's 'Meeting duration' without the space (decimal hours); summed over the selected columns (issue #14), as MeetingCount.",
  ),
];

const teamsUsageMeetingsAndCalls: DatasetDef = {
  name: "TeamsUsageMeetingsAndCalls",
  description:
    "Teams meetings and calls: one row per customer, subworkload and date with meeting count and duration.",
  columns: [
    COLUMN.CustomerId,
    COLUMN.CustomerTenantId2,
    COLUMN.DateKey,
    {
      name: "SubWorkload",
      type: "string",
      description: "Subworkload for which usage is reported (meetings, calls, or phone systems)",
      values: ["Meetings", "Calls", "Phone systems"],
    },
    COLUMN.PGAMpnID,
    COLUMN.CustomerName2,
    COLUMN.CustomerCountryCode,
    COLUMN.CustomerCountry,
    COLUMN.CustomerSegment3,
    COLUMN.IndustryName,
    COLUMN.VerticalName,
    COLUMN.EOU,
  ],
  measures: MEETING_AMOUNTS.map((a) => a.measure),
  metrics: MEETING_AMOUNTS.map((a) => a.metric),
  timeColumn: "DateKey",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 24,
};

const systemQueries: readonly SystemQueryDef[] = [
  {
    id: "6664daf3-c161-423a-92a1-0ea6db2c0384",
    name: "Customers",
    description: "The Customers report for the last six months",
    query:
      "SELECT PGAMpnId,MpnId,PartnerName,CustomerName,CustomerTpid,DUNSNumber,CustomerSegment,TopSegment, CustomerMarket,CustomerStatus,CustomerTenantId,CustomerTenantName,CustomerTenantCountry,TenantDomainName, Product,RawProductName,ProductPartNumber,SKU,Month,PartnerLocationID,PartnerAttributionType,SalesChannel, IsDuplicateRowForPGA,AvailableSeats,BilledRevenueUSD,AzureConsumedRevenueUSD FROM CustomersAndTenants TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "c9fc1c79-4408-49ff-97f9-e1aa3f155804",
    name: "Seats Subscriptions and Revenue",
    description: "Seats, subscriptions, and revenue report for the last six months",
    query:
      "SELECT PGAMpnId,MpnId,SubscriptionId,SubscriptionStartDate,SubscriptionEndDate,SubscriptionState,month, IsAutoRenew,CustomerName,CustomerTenantId,CustomerTpid,DUNSNumber,CustomerSegment,TopSegment,CustomerMarket, ProductFamily,ReportingProductName,Product,RawProductName,ProductPartNumber,SKU,RevSumDivisionName,PartnerName, SolutionArea,PartnerLocationID,PartnerAttributionType,SalesChannel,PricingLevel,EnrollmentNumber, IsDuplicateRowForPGA,SubscriptionStartMonth,TotalSoldSeats,TotalAssignedSeats,BilledRevenueUSD, AzureConsumedRevenueUSD FROM SeatsSubscriptionsAndRevenue TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "e65f3a4f-fb99-4319-97ff-59e57566a871",
    name: "Partner Profile",
    description: "Profile data",
    query: "SELECT MpnId,PartnerName,PGA_MPNId,PGA_PartnerName,City,Country,HierarchyLevel FROM Profile",
  },
  {
    id: "d1a4d75e-5ca8-4847-845f-ee0a9be6f07b",
    name: "Azure Usage",
    description: "AzureUsage report for the last six months",
    query:
      "SELECT PGAMpnId,SubscriptionId,SubscriptionStartDate,SubscriptionEndDate,FirstUseDate,SubscriptionState,Month, ServiceName,MeterCategory,UsageUnits,UsageQuantity,CustomerName,CustomerTenantId,CustomerTpid,CustomerSegment, CustomerMarket,MpnId,PartnerName,PartnerLocationID,PartnerAttributionType,SalesChannel,EnrollmentNumber, IsACRDuplicateAtPGALevel,ResellerID,ResellerName,MonthlySubscriptionLevelACR,TotalACR FROM AzureUsage TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "d8349f7b-a7d1-467e-b26d-434d4a50f26a",
    name: "Office Usage",
    description: "OfficeUsage report for the last six months",
    query:
      "SELECT CustomerTenantId,CustomerTpid,WorkloadName,Month,PaidAvailableUnits,MonthlyActiveUsers,CustomerName, CustomerMarket,CustomerSegment,MPNId,PartnerName,PartnerLocationID,PartnerAttributionType,IsDuplicateRowForPGA FROM OfficeUsage TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "6209a8fd-93af-442e-8b3f-3df0f77e8463",
    name: "Dynamics Usage",
    description: "DynamicsUsage report for six months",
    query:
      "SELECT SubscriptionId,SubscriptionStartDate,SubscriptionEndDate,SubscriptionStatus,Month,RevSumDivisionName, RevSumCategoryName,SKU,SKUId,FreeVsPaidSKU,SalesModel,DetailedSalesModel,CustomerName,CustomerTenantId, CustomerTpid,CustomerSegment,CustomerMarket,MPNId,PartnerName,PartnerLocationID,PartnerAttachType,AvailableSeats, AssignedSeats,ActiveSeats,DeploymentOpportunity,ActiveUsagePercent FROM DynamicsUsage TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "40ebfe2f-7183-4427-a911-5c9b45b6df15",
    name: "Power BI usage",
    description: "PowerBIUsage report for six months",
    query:
      "SELECT SubscriptionId,SubscriptionStartDate,SubscriptionEndDate,SubscriptionStatus,Month,SKU,SKUId, FreeVsPaidSKU,SalesModel,DetailedSalesModel,CustomerName,CustomerTenantId,CustomerTpid,CustomerSegment, CustomerMarket,MPNId,PartnerName,PartnerLocationID,PartnerAttachType,PartnerHierarchy,AvailableSeats, AssignedSeats,ActiveSeats,DeploymentOpportunity,ActiveUsagePercent FROM PowerBIUsage TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "d7f20ea4-8751-4d6b-b1d7-821c316acd6a",
    name: "EMS Usage",
    description: "EMSUsage report for six months",
    query:
      "SELECT SubscriptionId,SubscriptionStartDate,SubscriptionEndDate,SubscriptionStatus,Month,SKU,SKUId, FreeVsPaidSKU,SalesModel,DetailedSalesModel,CustomerName,CustomerTenantId,CustomerTpid,CustomerSegment, CustomerMarket,MPNId,PartnerName,PartnerLocationID,PartnerAttachType,PartnerHierarchy,PaidAvailableUnits, MonthlyActiveUsers,AADPPaidAvailableUnits,IntunePaidAvailableUnits,AzipPaidAvailableUnits, AADPMonthlyActiveUsers,IntuneMonthlyActiveUsers,AzipMonthlyActiveUsers FROM EMSUsage TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "c09c2eda-861b-4664-8ee8-48a14745a26a",
    name: "Cloud products reseller performance",
    description: "CloudProductsResellerPerformance report for six months",
    query:
      "SELECT ResellerMpnId,ResellerName,ResellerMarket,IndirectProviderMPNId,IndirectProviderName,Month,Product, SubscriptionID,AvailableSeats,AssignedSeats,BilledRevenueUSD,CustomerName,CustomerTPid,CustomerSegment, CustomerMarket,ResellerStatus FROM CloudProductsResellerPerformance TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "c4fc87ac-4cca-44cd-bf4d-835ac513f9ee",
    name: "CLAS Agreement Renewal propensity",
    description: "CLASAgreementRenewalsPropensity report for six months",
    query:
      "SELECT MPNID,PartnerName,CustomerID,DUNSNumber,AccountName,Domain,OrgSize,Industry,Vertical, Area,Subsidiary,SalesTerritory,City,State,PostalCode,Country,Segment,SubSegment,SMCTypeSummary, IsNonProfit,HasGoogle,HasAWS,AzureCluster,D365FOCluster,D365CECluster,D365BCCluster,M365Cluster, PowerAppsCluster,LicenseProgram,AgreementID,AgreementEndDate,ExpirationType,ExpiringRevenue,HasEA, HasOpen,M365UpsellCustomer,RevSumDivisionName,TransactedInTheLast36Months FROM CLASAgreementRenewalsPropensity",
  },
  {
    id: "9a18bd70-8f90-4bd2-8266-5f6e453e3ee7",
    name: "CLAS Azure propensity",
    description: "CLASAzurePropensity report for six months",
    query:
      "SELECT MPNID,PartnerName,CustomerID,DUNSNumber,AccountName,Domain,OrgSize,Industry,Vertical,Area,Subsidiary, SalesTerritory,City,State,PostalCode,Country,Segment,SubSegment,SMCTypeSummary,IsNonProfit, DataAIInnovatewithAIandcloudscaledatabasesineveryappBuildnewintelligentcloudnativeapplications, DataAIMigrateandmodernizeyourdatacenterSQLServerIBCurrentVersion,DataAIMigrateandmodernizeyourdatacenterSQLServerIBEOS, DataAIMigrateandmodernizeyourdatacenterSQLServer2012IBEOS,DataAIMigrateandmodernizeyourdatacenterHomogenousmigrationofPostgreSQLandMySQLtoAzure, DataAIMigrateandmodernizeyourdatacenterMigrateSQLServertoAzureSQLManagedInstanceandVMs, RealtimeanalyticswithSynapseLinkPBIforlandeddataplatformworkloads,DataAIPowerbusinessdecisionswithCloudScaleAnalyticsMigrationOnPremDWMigrationtoAzureSynapse, DataAIPowerbusinessdecisionswithCloudScaleAnalyticsMigrationOnPremHadoopMigrationtoAzureDatabricks, NetNewWinNewAnalyticUseCaseswithSynapseandPBIandAML,DigitalAppInnovationAccelerateinnovationwithLowCodeBuildandmodernizelineofbusinessapplications, AcceleratesoftwaredeliverythroughDevSecOpswithGitHubandVisualStudio,DigitalAppInnovationEnabledeveloperproductivityandAccelerateDeliveryDrivedeveloperengagement, BuildcloudnativeappswithKubernetesServerlessanddataModernizeAppswAKS,BuildcloudnativeappswithKubernetesServerlessanddataModernizeAppswRHOpenShiftHighConsumingLinuxIBISV, DigitalAppInnovationInnovateandscalewithcloudnativeappsDrivedeveloperengagement,DigitalAppInnovationModernizeenterpriseapplicationsModernizeNETappswithdata, DigitalAppInnovationModernizeenterpriseapplicationsModernizeJavaappswithdata,HighPropensityHighPropensity, DevelopoperateandsecurewithAzureArcArcenabledservicesandAzureStackHCI,InfraMigrateandModernizeyourInfrastructureandworkloadsAttachMonitorStorageNetworkingandSecurity, InfraMigrateandModernizeyourInfrastructureandworkloadsWindowsServerIBCurrentVersion,InfraMigrateandModernizeyourInfrastructureandworkloadsWindowsServerIBEOS, InfraMigrateandModernizeyourInfrastructureandworkloadsWindowsServer2012IBEOS,InfraMigrateandModernizeyourInfrastructureandworkloadsMigrateandmodernizeLinuxOSSDBtoAzure, InfraMigrateandModernizeyourInfrastructureandworkloadsMigrateandmodernizeVMwaretoAVS, InfraMigrateandModernizeyourInfrastructureandworkloadsMigrateandmodernizeWindowsServerSQLtoAzure, InfraMigrateandModernizeyourInfrastructureandworkloadsModernizeVDItoAVDMigrateCitrixIB, InfraMigrateandModernizeyourInfrastructureandworkloadsModernizeVDItoAVDMigrateVMWareIB, InfraMigrateandModernizeyourInfrastructureandworkloadsModernizeVDItoAVDCrossSellMWtoAzureWVD,InfraMigrateandModernizeyourInfrastructureandworkloadsModernizeVDItoAVDRDSIB, InfraModernizeSAPontheMicrosoftCloudExtendandinnovateSAPwithMicrosoftCloudservices, InfraModernizeSAPontheMicrosoftCloudMigrateandmodernizetoS4HANAviaRISEwithSAPorAzurenative,ExtendEdgeInferencingwithcloudbasedmodeltrainingusingAzureAIInfrastructure, InfraModernizeyourworkloadswithAzureatanyscalewithHPCAIExtendtoAVDworkloadsrequiringGPUrendering, InfraModernizeyourworkloadswithAzureatanyscalewithHPCAIModernizeHPCworkloadswithAzureHPCAI,AttachAzureBackupandASRtoeveryproductionVMnewandgoback, InfraProtectyourdataandensurebusinessresiliencywithBCDRBackuponpremdataandSaaSdatatoAzure,SecurityDefendAgainstThreatswithSIEMXDRDriveSIEMXDRtomodernizesecurityopcenter, SecuritySecureMultiCloudInfrastructureCloudworkloadprotectionDefenderAttachinWindowsMigration, SecuritySecureMultiCloudInfrastructureCloudworkloadprotectionWellArchitectedSecurityGoBack,AzureFit,AzureIntent,AzureCluster,WindowsServerDataCenter_HasOpenRenewal, WindowsServerStandard_HasOpenRenewal,HasGoogle,HasAWS,HasEA,HasOpen,NumberofExistingWorkloads,ExistingWorkloads,NumberofRecommendedWorkloads,RecommendedWorkloads, Transactedinthelast36months FROM CLASAzurePropensity",
  },
  {
    id: "258fdcac-6e9c-4072-af27-b1b3d97be16c",
    name: "CLAS Dynamics 365 propensity",
    description: "CLASD365Propensity report for six months",
    query:
      "SELECT MPNID,PartnerName,CustomerID,DUNSNumber,AccountName,Domain,OrgSize,Industry,Vertical,Area, Subsidiary,SalesTerritory,City,State,PostalCode,Country,Segment,SubSegment,SMCTypeSummary,IsNonProfit, AccelerateInnovationwithLowCodeDynamicsCompeteBaseMendixOutsystemsSalesforcePowerAppsPowerAutomateModel,ConnectedSalesMarketingUnlockDatatoMaximizeSalesImpact, EnableaResilientSustainableSupplyChainCrossSellD365SupplyChainAndOrRetailCommercetoexistingD365Sales, CrossSellD365SupplyChainAndOrRetailCommercetoexistingD365SalesandOracleorSAPCustomers,WinandActivateFirstD365WorkloadasD365SupplyChainwithNonOracleSAPERPCustomers, ModernizetheServiceExperienceD365CustomerServicesandD365FieldServicesD365SalesPropensity, OptimizeFinancialOperatingModelsDynamicsOnPremInstallBaseGreatPlainsBCFinancePropensityModel, OptimizeFinancialOperatingModelsDynamicsOnPremInstallBaseNavisionBCFinancePropensityModel, OptimizeFinancialOperatingModelsDynamicsOnPremInstallBaseOthersBCFinancePropensityModel, OptimizeFinancialOperatingModelsDynamicsOnPremInstallBaseSolomonBCFinancePropensityModel,OptimizeFinancialOperatingModelsTransformBusinessOperationsExperience, D365BCCluster,D365BCFit,D365BCIntent,D365FOCluster,D365FOFit,D365FOIntent,D365CECluster,D365CEFit,D365CEIntent,PowerAppsCluster,PowerAppsFit,PowerAppsIntent, DynamicsOnPremAXorCRM_HasOpenRenewal,M365UpsellCustomer,HasGoogle,HasAWS,HasEA,HasOpen,Transactedinthelast36months FROM CLASD365Propensity",
  },
  {
    id: "fbe00e32-fdde-4465-b3e4-41bbd021a130",
    name: "CLAS Microsoft 365 propensity",
    description: "CLASM365Propensity report for six months",
    query:
      "SELECT MPNID,PartnerName,CustomerID,DUNSNumber,AccountName,Domain,OrgSize,Industry,Vertical,Area, Subsidiary,SalesTerritory,City,State,PostalCode,Country,Segment,SubSegment,SMCTypeSummary,IsNonProfit,DigitalWorkforce3rdPartyHostingService, DigitalWorkforceAcquirenewcustomerstoMicrosoftHighPropensityProspectforM365ActNowEvaluate,DigitalWorkforceM365A3targetedforA5,DigitalWorkforceSkypeforBusiness, DigitalWorkforceOnPremAcquisitionCurrentVersion,DigitalWorkforceOnPremAcquisitionEOS,DigitalWorkforceTransitionCustomerCompeteZoomwithM365, DigitalWorkforceTransitionCustomerCompeteZoomwithoutM365,DigitalWorkforceTransitionCustomerCompeteGoogleWorkspace,DigitalWorkforceUpsellexistingcloudcustomerIntune, DigitalWorkforceUpsellexistingcloudcustomerM365BBBScustomerstargetedforM365BP,DigitalWorkforceUpsellexistingcloudcustomerM365E3targetedforM365E5, DigitalWorkforceUpsellexistingcloudcustomerTargetExchangeonline,NextGenWindowsExperiencesCompeteAmazonWorkspaceAWSWorkspaces,NextGenWindowsExperiencesCompeteCitrix, NextGenWindowsExperiencesCompeteGoogleDaaScompeteitopiaNutanixFrameWorkspot,NextGenWindowsExperiencesCompeteVmwareHorizons, NextGenWindowsExperiencesCustomerhashardwareandalsoaddlastHWpurchase3years,NextGenWindowsExperiencesCustomerhasW10ProorearlierversionsW11ProTargetW365, CustomerswithWindowsProendpointsWindows10EnterpriseE3EMSE3orMicrosoft365F3E3E5BPTargetforW365,NextGenWindowsExperiencesGoogleWorkspacecustomerswithoutWindows, UserswithnonWindowsProendpointsWindowsVDAE3EMSE3orMicrosoft365F3E3F5BPTargetW365,RefreshyourDevicesBusinessPremiumESKUAttach50,RefreshyourDevicesEDUforSurface, RefreshyourDevicesSurfaceDevices25purchasedinthelast3years,RefreshyourDevicesTargetSurfaceforBS,RefreshyourDevicesTeamsMeetingPresence50, SeamlessSecurityTransitionCustomerCompeteEndpointSecurityMDB,SeamlessSecurityUpsellexistingcloudcustomerCompeteEndpointSecurityMDB, SeamlessSecurityUpsellexistingcloudcustomerCompeteGoogleWorkspace,SeamlessSecurityUpsellexistingcloudcustomerM365BBBScustomerstargetedforM365BP, SeamlessSecurityUpsellexistingcloudcustomerOnPremAcquisitionCurrentVersion,SeamlessSecurityUpsellexistingcloudcustomerTargetExchangeOnline,M365Cluster,M365Fit,M365Intent, SurfaceCluster,SurfaceFit,SurfaceIntent,M365UpsellCustomer,HasGoogle,HasAWS,HasEA,HasOpen,Transactedinthelast36months FROM CLASM365Propensity",
  },
  {
    id: "ba339743-7594-439f-bb01-1a2e754df7b7",
    name: "CLAS Surface propensity",
    description: "CLASSurfacePropensity report for six months",
    query:
      "SELECT MPNID,PartnerName,CustomerID,DUNSNumber,AccountName,Domain,OrgSize,Industry,Vertical,Area, Subsidiary,SalesTerritory,City,State,PostalCode,Country,Segment,SubSegment,SMCTypeSummary,IsNonProfit,DigitalWorkforce3rdPartyHostingService, DigitalWorkforceAcquirenewcustomerstoMicrosoftHighPropensityProspectforM365ActNowEvaluate,DigitalWorkforceM365A3targetedforA5,DigitalWorkforceSkypeforBusiness, DigitalWorkforceOnPremAcquisitionCurrentVersion,DigitalWorkforceOnPremAcquisitionEOS,DigitalWorkforceTransitionCustomerCompeteZoomwithM365, DigitalWorkforceTransitionCustomerCompeteZoomwithoutM365,DigitalWorkforceTransitionCustomerCompeteGoogleWorkspace,DigitalWorkforceUpsellexistingcloudcustomerIntune, DigitalWorkforceUpsellexistingcloudcustomerM365BBBScustomerstargetedforM365BP,DigitalWorkforceUpsellexistingcloudcustomerM365E3targetedforM365E5, DigitalWorkforceUpsellexistingcloudcustomerTargetExchangeonline,NextGenWindowsExperiencesCompeteAmazonWorkspaceAWSWorkspaces,NextGenWindowsExperiencesCompeteCitrix, NextGenWindowsExperiencesCompeteGoogleDaaScompeteitopiaNutanixFrameWorkspot,NextGenWindowsExperiencesCompeteVmwareHorizons, NextGenWindowsExperiencesCustomerhashardwareandalsoaddlastHWpurchase3years,NextGenWindowsExperiencesCustomerhasW10ProorearlierversionsW11ProTargetW365, CustomerswithWindowsProendpointsWindows10EnterpriseE3EMSE3orMicrosoft365F3E3E5BPTargetforW365,NextGenWindowsExperiencesGoogleWorkspacecustomerswithoutWindows, UserswithnonWindowsProendpointsWindowsVDAE3EMSE3orMicrosoft365F3E3F5BPTargetW365,RefreshyourDevicesBusinessPremiumESKUAttach50,RefreshyourDevicesEDUforSurface, RefreshyourDevicesSurfaceDevices25purchasedinthelast3years,RefreshyourDevicesTargetSurfaceforBS,RefreshyourDevicesTeamsMeetingPresence50, SeamlessSecurityTransitionCustomerCompeteEndpointSecurityMDB,SeamlessSecurityUpsellexistingcloudcustomerCompeteEndpointSecurityMDB, SeamlessSecurityUpsellexistingcloudcustomerCompeteGoogleWorkspace,SeamlessSecurityUpsellexistingcloudcustomerM365BBBScustomerstargetedforM365BP, SeamlessSecurityUpsellexistingcloudcustomerOnPremAcquisitionCurrentVersion,SeamlessSecurityUpsellexistingcloudcustomerTargetExchangeOnline,M365Cluster,M365Fit,M365Intent, SurfaceCluster,SurfaceFit,SurfaceIntent,M365UpsellCustomer,HasGoogle,HasAWS,HasEA,HasOpen,Transactedinthelast36months FROM CLASSurfacePropensity",
  },
  {
    id: "42d287be-cc76-4109-a066-f3140ad97fe2",
    name: "Teams Usage 3P Apps",
    description: "TeamsUsage3PApps report for six months",
    query:
      "SELECT CustomerId,CustomerTenantId,CustomerName,CustomerCountry,DateKey,AppName,UserCount FROM TeamsUsage3PApps TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "817fe875-acb0-4c45-9201-b7a35a60235a",
    name: "Teams usage workload",
    description: "TeamsUsageWorkload report for six months",
    query:
      "SELECT CustomerId,CustomerTenantId,MonthKey,SubWorkload,DesktopUsers,WebUsers,MobileUsers,AllUpPartiticipants FROM TeamsUsageWorkload TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "b7bd73a8-47e8-4c57-b915-445708cfd7bf",
    name: "Teams usage meetings and calls",
    description: "TeamsUsageMeetingsAndCalls report for six months",
    query:
      "SELECT CustomerId,CustomerTenantId,DateKey,SubWorkload,MeetingCount,MeetingDuration FROM TeamsUsageMeetingsAndCalls TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "20f5da57-3c2a-481b-b6a0-ec34d6db14e2",
    name: "Training completion",
    description: "Training Completions report for six months",
    query:
      "SELECT TrainingActivityId,TrainingTitle,TrainingType,AADUserId,TrainingCompletionDate,Month,IcMCP,MCPID,MPNID, PartnerName,PartnerCityLocation,PartnerCountryLocation FROM TrainingCompletions TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "0e06c7c3-75ab-4cd5-8178-8cf1a2de49cc",
    name: "Microsoft Learn",
    description: "Microsoft Learn report for the last six months",
    query:
      "SELECT UserName,UserId,TrainingName,TrainingType,Products,Roles,CompletionDate,MPNId,PartnerName,CustomerMarket FROM MSLearn TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "3a0e1adc-f5c1-42ac-9422-8e944bf81ae5",
    name: "Competency Performance requirement report",
    description: "CompetencyPeformanceRequirement report for six months",
    query:
      "SELECT CompetencyName,CompetencyAttainmentOptionName,Month,MetricName,MetricMonthlyContribution,TTMAggregate, AnniversaryYearAggregate,GoldThreshold,SilverThreshold FROM CompetencyPeformanceRequirement TIMESPAN LAST_6_MONTHS",
  },
  {
    id: "fddab2aa-523d-47f6-90fe-588557306db4",
    name: "Competency summary history",
    description: "CompetencySummaryHistory report for six months",
    query:
      "SELECT CompetencyName,CompetencyLevel,CompetencyStatus,CompetencyStartDate,CompetencyEndDate FROM CompetencySummaryHistory TIMESPAN LAST_6_MONTHS",
  },
];

export const mpnCatalog: ProgramCatalog = {
  program: "mpn",
  datasets: [
    customersAndTenants,
    seatsSubscriptionsAndRevenue,
    azureUsage,
    msLearn,
    officeUsage,
    profile,
    trainingCompletions,
    dynamicsUsage,
    competencySummaryHistory,
    powerBIUsage,
    emsUsage,
    competencyPeformanceRequirement,
    resellerPerformance,
    cloudProductsResellerPerformance,
    clasAgreementRenewalsPropensity,
    clasAzurePropensity,
    clasD365Propensity,
    clasM365Propensity,
    clasSurfacePropensity,
    teamsUsage3PApps,
    teamsUsageWorkload,
    teamsUsageMeetingsAndCalls,
  ],
  systemQueries,
};
