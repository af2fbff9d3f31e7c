/**
 * How the demo generator fills each column of any dataset: heuristics on the column's name, type,
 * documented values and description. Unknown names still get plausible values of the right type.
 */
import type { ColumnDef, ColumnType, DatasetDef, Program } from "../datasets/types.js";
import type { EntityKind } from "./entities.js";
import {
  ATTRIBUTION_TYPES,
  AZURE_REGIONS,
  COMPETENCIES,
  GENERIC,
  LEVELS,
  SALES_CHANNELS,
  STATUSES,
  TRAININGS,
} from "./words.js";

export type IntGen =
  | "flag"
  | "rareFlag"
  | "year"
  | "monthNumber"
  | "percent"
  | "count"
  | "duration"
  | "small";
export type DecimalGen = "revenue" | "usage" | "percent" | "ratio";
/** A date relative to the row's anchor day: the same day, some time before, some time after, anywhere. */
export type DateRole = "anchor" | "before" | "after";

export type ColumnPlan =
  | { readonly kind: "entity"; readonly entity: EntityKind; readonly attr: string }
  | { readonly kind: "domain"; readonly values: readonly string[]; readonly nullRate: number }
  /** Values unique-ish to the column (ids, references): a pool of GUIDs per dataset and tenant. */
  | { readonly kind: "guid"; readonly nullRate: number }
  | { readonly kind: "intDomain"; readonly values: readonly number[] }
  | { readonly kind: "int"; readonly gen: IntGen }
  | { readonly kind: "decimal"; readonly gen: DecimalGen }
  | { readonly kind: "date"; readonly role: DateRole; readonly monthStart: boolean }
  | { readonly kind: "datetime"; readonly role: DateRole }
  | { readonly kind: "boolean" };

interface Described {
  readonly name: string;
  readonly type: ColumnType;
  readonly values?: readonly string[];
  readonly description?: string;
}

type Target = ColumnPlan | ((ctx: Context) => ColumnPlan);

interface Context {
  readonly program: Program;
  /** Whom bare City/Country/State columns describe: the customer, or the partner itself. */
  readonly subject: "customer" | "partner";
  readonly propensity: boolean;
}

const e = (entity: EntityKind, attr: string): ColumnPlan => ({ kind: "entity", entity, attr });
const d = (values: readonly string[], nullRate = 0): ColumnPlan => ({ kind: "domain", values, nullRate });
const GUID: ColumnPlan = { kind: "guid", nullRate: 0 };

/** String columns: first match wins; names are compared lower-cased with '_' removed. */
const STRING_RULES: readonly (readonly [RegExp, Target])[] = [
  // The tenant's own partner organisation.
  [/^pga(mpn|partner)?id$/, e("partner", "pgaId")],
  [/^pga(partner)?name$/, e("partner", "pgaName")],
  [/^partnerlocationid$/, e("partner", "locationId")],
  [/^(mpnid|partnerid|partneroneid|publisherid)$/, e("partner", "id")],
  [/^(partnername|publishername)$/, e("partner", "name")],
  [/^partner(country)?location$|^partnercountry/, e("partner", "country")],
  [/^partnercity/, e("partner", "city")],
  [/^(partner)?hierarchy(level)?$/, e("partner", "hierarchy")],
  // Resellers, indirect providers.
  [/^reseller(mpn)?id$/, e("reseller", "id")],
  [/^(reseller|provider)name$/, e("reseller", "name")],
  [/^reseller(market|country)$/, e("reseller", "country")],
  [/^resellerstatus$/, e("reseller", "status")],
  [/^provideremail$/, e("reseller", "email")],
  [/^indirectprovider(mpn)?id$/, e("provider", "id")],
  [/^indirectprovidername$/, e("provider", "name")],
  // People.
  [/^(individual)?firstname$/, e("person", "firstName")],
  [/^(individual)?lastname$/, e("person", "lastName")],
  [/^(user|individual)name$/, e("person", "name")],
  [/^(aaduser|user)id$/, e("person", "userId")],
  [/^corpemail$/, e("person", "corpEmail")],
  [/^(email|purchaseremail)$/, e("person", "email")],
  [/^(mcpid|icmcp)$/, e("person", "mcpId")],
  [/^actiontakenby$/, e("person", "email")],
  // Customers.
  [/^(customer)?tenantid$/, e("customer", "tenantId")],
  [/^(customerid|commercerootcustomer)$/, e("customer", "id")],
  [/^customertpid$/, e("customer", "tpid")],
  [/duns/, e("customer", "duns")],
  [/^customername$/, (c) => (c.program === "cmp" ? e("person", "name") : e("customer", "name"))],
  [/^(customercompanyname|accountname|customertenantname|companyname)$/, e("customer", "name")],
  [/countrycode$/, (c) => e(c.subject, "countryCode")],
  [/^customer(market|country|countryregion|countryname|tenantcountry)$/, e("customer", "country")],
  [/^(country|countryname|countryregion|market)$/, (c) => e(c.subject, "country")],
  [/^(customer)?city$/, (c) => e(c.subject, "city")],
  [/^(customer)?state$/, (c) => e(c.subject, "state")],
  [/postalcode$/, e("customer", "postalCode")],
  [/^addressline/, e("customer", "address")],
  [/^(customer)?segment$/, e("customer", "segment")],
  [/^topsegment$/, e("customer", "topSegment")],
  [/^(subsegment|smctypesummary)$/, e("customer", "subSegment")],
  [/^orgsize$/, e("customer", "orgSize")],
  [/^(tenant)?domain(name)?$/, e("customer", "domain")],
  [/^industry(name)?$/, e("customer", "industry")],
  [/^vertical(name)?$/, e("customer", "vertical")],
  [/^(eou|salesterritory)$/, e("customer", "eou")],
  [/^area$/, e("customer", "area")],
  [/^subsidiary$/, e("customer", "country")],
  [/^customerstatus$/, e("customer", "status")],
  [/^customeremail$/, e("customer", "email")],
  [/^billingaccountid$/, e("customer", "billingAccountId")],
  [/currency/, e("customer", "currency")],
  [/(culture|language|locale)$/, e("customer", "culture")],
  // Subscriptions and orders.
  [/^(marketplace)?subscriptionid$|^vmsubscription$/, e("subscription", "id")],
  [/^enrollmentnumber$/, e("subscription", "enrollment")],
  [/^subscription(state|status)$/, e("subscription", "status")],
  [/^orderid$/, e("subscription", "orderId")],
  [/^assetid$/, e("subscription", "assetId")],
  [/^purchaserecordid$/, e("subscription", "purchaseRecordId")],
  [/^agreementid$/, e("subscription", "agreementId")],
  [/^billingid$/, e("subscription", "billingId")],
  // Products, offers, plans, Azure services.
  [/^(product|productfamily)$/, e("product", "family")],
  [/^(rawproductname|reportingproductname|productname|productdisplayname|products)$/, e("product", "name")],
  [/^sku(name)?$/, (c) => (c.program === "cmp" ? e("product", "plan") : e("product", "sku"))],
  [/^skuid$/, e("product", "skuId")],
  [/^productpartnumber$/, e("product", "partNumber")],
  [/^revsum(division|category)name$/, e("product", "division")],
  [/^solutionarea$/, e("product", "solutionArea")],
  [/^(sub)?workload(name)?$/, e("product", "workload")],
  [/^offername$/, e("product", "offerName")],
  [/^(offerid|productid|serviceid)$/, e("product", "offerId")],
  [/^(offertype|offercategory)$/, e("product", "offerType")],
  [/^planid$/, e("product", "planId")],
  [/^(serviceplanname|billingplan|planname)$/, e("product", "plan")],
  [/^(servicename|servicelevel[1-4]|servicegroup[1-3]|serviceinfluencer)$/, e("product", "service")],
  [/^metercategory$/, e("product", "meterCategory")],
  [/^meterid$/, e("product", "meterId")],
  [/^(usageunits?|meterdimension)$/, e("product", "unit")],
  // Domains without an entity.
  [/^privateofferid$/, { kind: "guid", nullRate: 0.8 }],
  [/^privateoffername$/, d(["Volume discount", "Enterprise agreement", "Custom pricing"], 0.8)],
  [
    /^(deep)?error(code|name|message)$/,
    d(["QuotaExceeded", "InvalidTemplateDeployment", "Conflict", "NotFound"], 0.85),
  ],
  [/^resourceprovider$/, d(["Microsoft.Compute", "Microsoft.Storage", "Microsoft.Web", "Microsoft.Sql"])],
  [/^resourcetype$/, d(["virtualMachines", "storageAccounts", "sites", "servers/databases"])],
  [/^deploymentmethod$/, d(["Azure portal", "ARM template", "Azure CLI"])],
  [/^roles$/, d(["Developer", "Administrator", "Solution Architect", "Data Engineer"])],
  [/workloads$/, d(["Azure Virtual Machines", "Azure SQL", "AKS", "Azure Backup", "Azure Virtual Desktop"])],
  [/paymentinstrumenttype/, d(["Credit card", "Invoice"])],
  [/expirationtype/, d(["Renewal", "Expiration"])],
  [/^promotionalcustomers$/, d(["Yes", "No"])],
  [/^(trainingname|trainingtitle)$/, d(TRAININGS)],
  [/^competency(name|attainmentoptionname)$/, d(COMPETENCIES)],
  [/^metricname$/, d(["Revenue", "Active users", "Certified individuals", "Customer deployments"])],
  [/channel|salesmodel|licensetype|licenseprogram/, d(SALES_CHANNELS)],
  [/attribution|attachtype|associationtype|admintype/, d(ATTRIBUTION_TYPES)],
  [/(region|location)$/, d(AZURE_REGIONS)],
  [/(fit|intent|cluster|propensity)$/, d(LEVELS)],
  [/os$/, d(["Windows", "Linux"])],
  [/vmsize$/, d(["Standard_D2s_v5", "Standard_D4s_v5", "Standard_E8s_v5", "Standard_B2ms"])],
  [/(status|state)$/, d(STATUSES)],
  [/^(cloudinstancename)$/, d(["Azure Global", "Azure Government"])],
  [/(pricinglevel|pricing|billingterm)$/, d(["Monthly", "Annual", "Multi-year"])],
  [/(level|tier|type)$/, d(GENERIC)],
  [
    /^(appname|platforms|site|campaign|referraldomain)$/,
    d(["Teams", "Outlook", "Web", "Mobile", "Desktop"], 0.05),
  ],
  [
    /(notes|message|comment|description|partnerinfo)$/,
    d(["Renewal negotiated", "Pilot", "Expansion", "Migration"], 0.6),
  ],
  [/(email)$/, e("person", "email")],
  [/(^|[a-z])(id|guid|uuid|key|uri)$|reference|correlation|lineitem/, GUID],
  [/name$/, e("customer", "name")],
];

function flagValues(description: string | undefined): readonly string[] {
  const text = description ?? "";
  if (/\bY\b.*\bN\b|'Y'|"Y"/.test(text)) return ["Y", "N"];
  if (/\byes\b.*\bno\b/i.test(text)) return ["Yes", "No"];
  return ["True", "False"];
}

const OPTIONAL_RE =
  /(reseller|indirect|secondary|promo|coupon|referral|reference|campaign|notes|comment|description|private|partnerinfo)/i;
const OPTIONAL_DESC_RE = /(optional|if any|if applicable|when known|may be empty|blank|\bnull\b)/i;

function optional(column: Described): boolean {
  return OPTIONAL_RE.test(column.name) || OPTIONAL_DESC_RE.test(column.description ?? "");
}

function planString(column: Described, ctx: Context): ColumnPlan {
  const key = column.name.toLowerCase().replace(/_/g, "");
  if (column.values && column.values.length > 0) return d(column.values, optional(column) ? 0.04 : 0);
  if (/^(?:[Ii]s|[Hh]as)[A-Z0-9_]/.test(column.name) || /^(autorenew|trialdeployment|istrial)$/.test(key)) {
    return d(flagValues(column.description));
  }
  for (const [pattern, target] of STRING_RULES) {
    if (pattern.test(key)) {
      const plan = typeof target === "function" ? target(ctx) : target;
      if ((plan.kind === "domain" || plan.kind === "guid") && plan.nullRate === 0 && optional(column)) {
        return { ...plan, nullRate: 0.05 };
      }
      return plan;
    }
  }
  if (ctx.propensity) return d(LEVELS);
  return d(GENERIC, optional(column) ? 0.05 : 0);
}

function planInteger(column: Described): ColumnPlan {
  const key = column.name.toLowerCase();
  if (column.values && column.values.length > 0) {
    const numbers = column.values.map(Number).filter((n) => Number.isInteger(n));
    if (numbers.length > 0) {
      return /duplicate|anomaly/.test(key)
        ? { kind: "int", gen: "rareFlag" }
        : { kind: "intDomain", values: numbers };
    }
  }
  if (/^(?:[Ii]s|[Hh]as)[A-Z0-9_]/.test(column.name) || /flag$/.test(key)) {
    return { kind: "int", gen: /duplicate|anomaly/.test(key) ? "rareFlag" : "flag" };
  }
  if (/year/.test(key)) return { kind: "int", gen: "year" };
  if (/month/.test(key)) return { kind: "int", gen: "monthNumber" };
  if (/percent|pct|score|rank|propensity/.test(key)) return { kind: "int", gen: "percent" };
  if (/duration|minute|second|hour|days|milli/.test(key)) return { kind: "int", gen: "duration" };
  if (
    /seat|unit|user|licen|quantity|qty|count|number|participant|member|device|app|call|meeting|session|instance|core|visit|trial|getitnow|contactme|testdrive|mdm|mam|sspr|usage|opportunit/.test(
      key,
    )
  ) {
    return { kind: "int", gen: "count" };
  }
  return { kind: "int", gen: "small" };
}

function planDecimal(column: Described): ColumnPlan {
  const key = column.name.toLowerCase();
  if (/percent|pct/.test(key)) return { kind: "decimal", gen: "percent" };
  if (/ratio|propensity|probability|score|share|rate$|exchangerate/.test(key))
    return { kind: "decimal", gen: "ratio" };
  if (/usage|quantity|units|consum|hours|duration|normalized|metered|raw/.test(key)) {
    return { kind: "decimal", gen: "usage" };
  }
  return { kind: "decimal", gen: "revenue" };
}

function dateRole(key: string): DateRole | null {
  if (/end|expir|renew|cancel|churn|lost|termination|payout|sent|actiontaken/.test(key)) return "after";
  if (/start|first|creat|purchase|order|signup|activat|acqui|trial|begin|since/.test(key)) return "before";
  return null;
}

/** The plan for one physical column of `dataset`. */
export function planColumn(program: Program, dataset: DatasetDef, column: Described): ColumnPlan {
  const key = column.name.toLowerCase().replace(/_/g, "");
  const ctx: Context = {
    program,
    subject: dataset.columns.some((c) => /^(customer|account)/i.test(c.name)) ? "customer" : "partner",
    propensity: /propensity/i.test(dataset.name),
  };
  switch (column.type) {
    case "string":
      return planString(column, ctx);
    case "integer":
      return planInteger(column);
    case "decimal":
      return planDecimal(column);
    case "date": {
      const isTime =
        dataset.timeColumn !== null && dataset.timeColumn.toLowerCase() === column.name.toLowerCase();
      return {
        kind: "date",
        role: isTime ? "anchor" : (dateRole(key) ?? "anchor"),
        monthStart: /month/.test(key),
      };
    }
    case "datetime": {
      const isTime =
        dataset.timeColumn !== null && dataset.timeColumn.toLowerCase() === column.name.toLowerCase();
      return { kind: "datetime", role: isTime ? "anchor" : (dateRole(key) ?? "anchor") };
    }
    case "boolean":
      return { kind: "boolean" };
  }
}

/** Plans for every physical column (columns, then measures). */
export function planDataset(program: Program, dataset: DatasetDef): { name: string; plan: ColumnPlan }[] {
  const columns: Described[] = [
    ...dataset.columns.map((c: ColumnDef) => c),
    ...(dataset.measures ?? []).map((m) => ({ name: m.name, type: m.type, description: m.description })),
  ];
  return columns.map((c) => ({ name: c.name, plan: planColumn(program, dataset, c) }));
}
