/**
 * Per-tenant pools of coherent things (customers, the partner's own locations, resellers, products,
 * subscriptions, people). A generated row picks one member of each pool it needs, and every column
 * about that thing reads the same member: a row's CustomerName, CustomerTenantId and CustomerMarket
 * always belong together, and the same customers recur across datasets of the tenant.
 */

import { Random } from "./random.js";
import type { DemoTenant } from "./tenants.js";
import {
  AZURE_SERVICES,
  COMPANY_FIRST,
  COMPANY_SECOND,
  COMPANY_SUFFIX,
  COUNTRIES,
  EOUS,
  FIRST_NAMES,
  INDUSTRIES,
  LAST_NAMES,
  OFFER_NOUNS,
  OFFER_TYPES,
  ORG_SIZES,
  PLAN_NAMES,
  PRODUCTS,
  SEGMENTS,
  STATUSES,
  SUB_SEGMENTS,
} from "./words.js";

export const ENTITY_ATTRS = {
  customer: [
    "name",
    "id",
    "tenantId",
    "tpid",
    "duns",
    "segment",
    "topSegment",
    "subSegment",
    "orgSize",
    "country",
    "countryCode",
    "area",
    "city",
    "state",
    "postalCode",
    "address",
    "domain",
    "industry",
    "vertical",
    "eou",
    "currency",
    "culture",
    "email",
    "status",
    "billingAccountId",
  ],
  partner: [
    "name",
    "id",
    "locationId",
    "country",
    "countryCode",
    "city",
    "state",
    "pgaId",
    "pgaName",
    "hierarchy",
  ],
  reseller: ["name", "id", "country", "status", "email"],
  provider: ["name", "id", "country"],
  product: [
    "family",
    "name",
    "sku",
    "skuId",
    "partNumber",
    "division",
    "solutionArea",
    "workload",
    "offerName",
    "offerId",
    "offerType",
    "plan",
    "planId",
    "service",
    "meterCategory",
    "meterId",
    "unit",
  ],
  subscription: [
    "id",
    "enrollment",
    "status",
    "orderId",
    "assetId",
    "purchaseRecordId",
    "agreementId",
    "billingId",
  ],
  person: ["firstName", "lastName", "name", "email", "corpEmail", "userId", "mcpId"],
} as const;

export type EntityKind = keyof typeof ENTITY_ATTRS;
export type EntityAttr<K extends EntityKind> = (typeof ENTITY_ATTRS)[K][number];
export const ENTITY_KINDS = Object.keys(ENTITY_ATTRS) as EntityKind[];

/** Subscriptions per customer: subscription member = customer × this + k. */
export const SUBSCRIPTIONS_PER_CUSTOMER = 3;

export interface EntityPool {
  readonly kind: EntityKind;
  readonly size: number;
  /** Attribute name → one value per member (null: unknown for that member). */
  readonly attrs: Readonly<Record<string, readonly (string | null)[]>>;
}

export type EntityPools = Readonly<Record<EntityKind, EntityPool>>;

const OPTIONAL_NULL_RATE = 0.06;

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(value)));
}

function slug(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]/g, "")
    .toLowerCase();
}

function companyName(rng: Random): string {
  const suffix = rng.pick(COMPANY_SUFFIX);
  return `${rng.pick(COMPANY_FIRST)} ${rng.pick(COMPANY_SECOND)}${suffix ? ` ${suffix}` : ""}`;
}

function areaOf(code: string): string {
  if (["US", "CA", "MX", "BR"].includes(code)) return "Americas";
  if (["JP", "AU", "IN", "SG"].includes(code)) return "Asia Pacific";
  return "Western Europe";
}

class PoolBuilder {
  private readonly columns = new Map<string, (string | null)[]>();
  constructor(
    private readonly rng: Random,
    readonly size: number,
  ) {}

  set(member: number, attr: string, value: string | null, optional = false): void {
    let column = this.columns.get(attr);
    if (!column) {
      column = new Array<string | null>(this.size).fill(null);
      this.columns.set(attr, column);
    }
    column[member] = optional && this.rng.chance(OPTIONAL_NULL_RATE) ? null : value;
  }

  build(kind: EntityKind): EntityPool {
    const attrs: Record<string, readonly (string | null)[]> = {};
    for (const attr of ENTITY_ATTRS[kind]) {
      attrs[attr] = this.columns.get(attr) ?? new Array<string | null>(this.size).fill(null);
    }
    return { kind, size: this.size, attrs };
  }
}

/**
 * The pools of one tenant, sized for `rows` generated rows of that tenant. Deterministic in
 * (seed, tenant id, rows).
 */
export function buildEntityPools(seed: number, tenant: DemoTenant, rows: number): EntityPools {
  const rng = new Random(seed, "entities", tenant.id);
  const customers = clamp(rows / 60, 25, 20_000);
  const pools = {
    customer: customerPool(rng, customers),
    partner: partnerPool(rng, tenant),
    reseller: resellerPool(rng, clamp(rows / 2_500, 8, 400), "reseller"),
    provider: resellerPool(rng, 6, "provider"),
    product: productPool(rng, tenant),
    subscription: subscriptionPool(rng, customers * SUBSCRIPTIONS_PER_CUSTOMER),
    person: personPool(rng, clamp(rows / 150, 20, 5_000)),
  };
  return pools;
}

function customerPool(rng: Random, size: number): EntityPool {
  const b = new PoolBuilder(rng, size);
  for (let i = 0; i < size; i++) {
    const name = companyName(rng);
    const country = COUNTRIES[rng.skewed(COUNTRIES.length, 1.8)]!;
    const city = rng.int(country.cities.length);
    const industry = rng.pick(INDUSTRIES);
    const segment = SEGMENTS[rng.skewed(SEGMENTS.length, 1.5)]!;
    const domain = `${slug(name).slice(0, 20)}${rng.int(100)}`;
    b.set(i, "name", name);
    b.set(i, "id", rng.guid());
    b.set(i, "tenantId", rng.guid());
    b.set(i, "tpid", rng.digits(8));
    b.set(i, "duns", rng.digits(9), true);
    b.set(i, "segment", segment);
    b.set(i, "topSegment", segment.startsWith("Major") ? "Enterprise" : "SM&C");
    b.set(i, "subSegment", rng.pick(SUB_SEGMENTS));
    b.set(i, "orgSize", ORG_SIZES[rng.skewed(ORG_SIZES.length, 1.4)]!);
    b.set(i, "country", country.name);
    b.set(i, "countryCode", country.code);
    b.set(i, "area", areaOf(country.code));
    b.set(i, "city", country.cities[city]!, true);
    b.set(i, "state", country.states[city % country.states.length]!, true);
    b.set(i, "postalCode", rng.digits(5), true);
    b.set(i, "address", `${1 + rng.int(9_000)} ${rng.pick(LAST_NAMES)} Street`, true);
    b.set(i, "domain", `${domain}.onmicrosoft.com`, true);
    b.set(i, "industry", industry.name);
    b.set(i, "vertical", rng.pick(industry.verticals), true);
    b.set(i, "eou", rng.pick(EOUS), true);
    b.set(i, "currency", country.currency);
    b.set(i, "culture", country.culture);
    b.set(i, "email", `it-admin@${domain}.example`, true);
    b.set(i, "status", rng.chance(0.92) ? "Active" : "Inactive");
    b.set(i, "billingAccountId", rng.guid());
  }
  return b.build("customer");
}

/** The tenant's own partner organisation: member 0 is the global (HQ) account, the rest locations. */
function partnerPool(rng: Random, tenant: DemoTenant): EntityPool {
  const size = 5;
  const b = new PoolBuilder(rng, size);
  const pgaId = rng.digits(7);
  const countries = [
    COUNTRIES[0]!,
    ...[1, 2, 4, 6].map((i) => COUNTRIES[(i + rng.int(3)) % COUNTRIES.length]!),
  ];
  for (let i = 0; i < size; i++) {
    const country = countries[i]!;
    const locationId = i === 0 ? pgaId : rng.digits(7);
    b.set(i, "name", tenant.name);
    b.set(i, "id", locationId);
    b.set(i, "locationId", locationId);
    b.set(i, "country", country.name);
    b.set(i, "countryCode", country.code);
    b.set(i, "city", country.cities[0]!);
    b.set(i, "state", country.states[0]!);
    b.set(i, "pgaId", pgaId);
    b.set(i, "pgaName", tenant.name);
    b.set(i, "hierarchy", i === 0 ? "Global" : "Location");
  }
  return b.build("partner");
}

/** Resellers (or indirect providers). Member 0 is "none": every attribute NULL (direct sales). */
function resellerPool(rng: Random, size: number, kind: "reseller" | "provider"): EntityPool {
  const b = new PoolBuilder(rng, size + 1);
  for (let i = 1; i <= size; i++) {
    const name = companyName(rng);
    b.set(i, "name", name);
    b.set(i, "id", rng.digits(7));
    b.set(i, "country", COUNTRIES[rng.skewed(COUNTRIES.length, 1.5)]!.name);
    b.set(i, "status", rng.chance(0.9) ? "Active" : rng.pick(STATUSES));
    b.set(i, "email", `partners@${slug(name).slice(0, 16)}.example`);
  }
  return b.build(kind);
}

function productPool(rng: Random, tenant: DemoTenant): EntityPool {
  const size = 24;
  const b = new PoolBuilder(rng, size);
  const publisher = slug(tenant.name);
  for (let i = 0; i < size; i++) {
    const product = PRODUCTS[i % PRODUCTS.length]!;
    const offer = OFFER_NOUNS[i % OFFER_NOUNS.length]!;
    const plan = PLAN_NAMES[Math.floor(i / OFFER_NOUNS.length) % PLAN_NAMES.length]!;
    const service = AZURE_SERVICES[i % AZURE_SERVICES.length]!;
    b.set(i, "family", product.family);
    b.set(i, "name", product.name);
    b.set(i, "sku", product.sku);
    b.set(i, "skuId", rng.guid());
    b.set(
      i,
      "partNumber",
      `${String.fromCharCode(65 + rng.int(26))}${String.fromCharCode(65 + rng.int(26))}${rng.digits(1)}-${rng.digits(5)}`,
    );
    b.set(i, "division", product.division);
    b.set(i, "solutionArea", product.solutionArea);
    b.set(i, "workload", product.workload);
    b.set(i, "offerName", `${tenant.name} ${offer}`);
    b.set(i, "offerId", `${publisher}.${slug(offer)}`);
    b.set(i, "offerType", OFFER_TYPES[i % OFFER_TYPES.length]!);
    b.set(i, "plan", plan);
    b.set(i, "planId", slug(plan));
    b.set(i, "service", service.service);
    b.set(i, "meterCategory", service.category);
    b.set(i, "meterId", rng.guid());
    b.set(i, "unit", service.unit);
  }
  return b.build("product");
}

function subscriptionPool(rng: Random, size: number): EntityPool {
  const b = new PoolBuilder(rng, size);
  for (let i = 0; i < size; i++) {
    b.set(i, "id", rng.guid());
    b.set(i, "enrollment", rng.digits(8), true);
    b.set(i, "status", rng.chance(0.85) ? "Active" : rng.pick(["Suspended", "Disabled", "Expired"]));
    b.set(i, "orderId", rng.guid());
    b.set(i, "assetId", rng.guid());
    b.set(i, "purchaseRecordId", rng.guid());
    b.set(i, "agreementId", `AGR-${rng.digits(8)}`);
    b.set(i, "billingId", rng.digits(10));
  }
  return b.build("subscription");
}

function personPool(rng: Random, size: number): EntityPool {
  const b = new PoolBuilder(rng, size);
  for (let i = 0; i < size; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const handle = `${slug(first)}.${slug(last)}${rng.int(100)}`;
    b.set(i, "firstName", first);
    b.set(i, "lastName", last);
    b.set(i, "name", `${first} ${last}`);
    b.set(i, "email", `${handle}@example.com`);
    b.set(i, "corpEmail", `${handle}@corp.example`, true);
    b.set(i, "userId", rng.guid());
    b.set(i, "mcpId", rng.digits(7), true);
  }
  return b.build("person");
}
