/** Word lists the demo generator draws realistic-looking values from. All names are fictitious. */

export const COMPANY_FIRST = [
  "Adventure",
  "Alpine",
  "Blue",
  "Bright",
  "Cedar",
  "Coho",
  "Contour",
  "Crimson",
  "Datum",
  "Fourth",
  "Graphic",
  "Humongous",
  "Liberty",
  "Litware",
  "Lucerne",
  "Margie's",
  "Nod",
  "Northwind",
  "Proseware",
  "Relecloud",
  "Southridge",
  "Tailspin",
  "Trey",
  "Wide World",
  "Wingtip",
  "Woodgrove",
  "Summit",
  "Harbor",
  "Silver",
  "Golden",
  "Maple",
  "Granite",
  "Evergreen",
  "Pioneer",
  "Atlas",
  "Beacon",
  "Horizon",
  "Meridian",
  "Orchid",
  "Sapphire",
];

export const COMPANY_SECOND = [
  "Works",
  "Ski House",
  "Yonder",
  "Software",
  "Winery",
  "Coffee",
  "Corporation",
  "Publishing",
  "Design Institute",
  "Insurance",
  "Bank",
  "Pharmaceuticals",
  "Traders",
  "Airlines",
  "Gear",
  "Toys",
  "Analytics",
  "Logistics",
  "Foods",
  "Energy",
  "Health",
  "Motors",
  "Learning",
  "Media",
  "Labs",
  "Systems",
  "Partners",
  "Hospitality",
  "Construction",
  "Retail",
];

export const COMPANY_SUFFIX = [
  "Ltd",
  "Inc.",
  "GmbH",
  "LLC",
  "Corp.",
  "S.A.",
  "AG",
  "Pty Ltd",
  "B.V.",
  "KK",
  "",
];

export interface Country {
  readonly name: string;
  readonly code: string;
  readonly currency: string;
  readonly cities: readonly string[];
  readonly states: readonly string[];
  readonly culture: string;
}

/** Ordered roughly by how often they appear (the generator skews towards the front). */
export const COUNTRIES: readonly Country[] = [
  {
    name: "United States",
    code: "US",
    currency: "USD",
    cities: ["Seattle", "New York", "Chicago", "Austin", "Atlanta", "Denver", "Boston", "San Diego"],
    states: ["WA", "NY", "IL", "TX", "GA", "CO", "MA", "CA"],
    culture: "en-US",
  },
  {
    name: "United Kingdom",
    code: "GB",
    currency: "GBP",
    cities: ["London", "Manchester", "Leeds", "Bristol", "Edinburgh"],
    states: ["England", "Scotland"],
    culture: "en-GB",
  },
  {
    name: "Germany",
    code: "DE",
    currency: "EUR",
    cities: ["Berlin", "Munich", "Hamburg", "Frankfurt", "Cologne"],
    states: ["BE", "BY", "HH", "HE", "NW"],
    culture: "de-DE",
  },
  {
    name: "Canada",
    code: "CA",
    currency: "CAD",
    cities: ["Toronto", "Vancouver", "Montreal", "Calgary"],
    states: ["ON", "BC", "QC", "AB"],
    culture: "en-CA",
  },
  {
    name: "France",
    code: "FR",
    currency: "EUR",
    cities: ["Paris", "Lyon", "Marseille", "Toulouse"],
    states: ["Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie"],
    culture: "fr-FR",
  },
  {
    name: "Japan",
    code: "JP",
    currency: "JPY",
    cities: ["Tokyo", "Osaka", "Nagoya", "Fukuoka"],
    states: ["Tokyo", "Osaka", "Aichi", "Fukuoka"],
    culture: "ja-JP",
  },
  {
    name: "Australia",
    code: "AU",
    currency: "AUD",
    cities: ["Sydney", "Melbourne", "Brisbane", "Perth"],
    states: ["NSW", "VIC", "QLD", "WA"],
    culture: "en-AU",
  },
  {
    name: "India",
    code: "IN",
    currency: "INR",
    cities: ["Bengaluru", "Mumbai", "Hyderabad", "Pune", "Delhi"],
    states: ["Karnataka", "Maharashtra", "Telangana", "Delhi"],
    culture: "en-IN",
  },
  {
    name: "Netherlands",
    code: "NL",
    currency: "EUR",
    cities: ["Amsterdam", "Rotterdam", "Utrecht"],
    states: ["North Holland", "South Holland", "Utrecht"],
    culture: "nl-NL",
  },
  {
    name: "Brazil",
    code: "BR",
    currency: "BRL",
    cities: ["São Paulo", "Rio de Janeiro", "Curitiba"],
    states: ["SP", "RJ", "PR"],
    culture: "pt-BR",
  },
  {
    name: "Spain",
    code: "ES",
    currency: "EUR",
    cities: ["Madrid", "Barcelona", "Valencia"],
    states: ["Madrid", "Catalonia", "Valencia"],
    culture: "es-ES",
  },
  {
    name: "Sweden",
    code: "SE",
    currency: "SEK",
    cities: ["Stockholm", "Gothenburg", "Malmö"],
    states: ["Stockholm", "Västra Götaland", "Skåne"],
    culture: "sv-SE",
  },
  {
    name: "Singapore",
    code: "SG",
    currency: "SGD",
    cities: ["Singapore"],
    states: ["Singapore"],
    culture: "en-SG",
  },
  {
    name: "Mexico",
    code: "MX",
    currency: "MXN",
    cities: ["Mexico City", "Guadalajara", "Monterrey"],
    states: ["CDMX", "Jalisco", "Nuevo León"],
    culture: "es-MX",
  },
  {
    name: "Switzerland",
    code: "CH",
    currency: "CHF",
    cities: ["Zurich", "Geneva", "Basel"],
    states: ["ZH", "GE", "BS"],
    culture: "de-CH",
  },
  {
    name: "Denmark",
    code: "DK",
    currency: "DKK",
    cities: ["Copenhagen", "Aarhus"],
    states: ["Capital Region", "Central Jutland"],
    culture: "da-DK",
  },
];

export const SEGMENTS = ["Small, Medium & Corporate Commercial", "Major Commercial", "Major Public Sector"];
export const SUB_SEGMENTS = ["SMB", "Corporate", "Enterprise", "Strategic", "Government", "Education"];
export const ORG_SIZES = ["1-9", "10-49", "50-249", "250-999", "1000-4999", "5000+"];

export const INDUSTRIES: readonly { readonly name: string; readonly verticals: readonly string[] }[] = [
  { name: "Financial Services", verticals: ["Banking & Capital Markets", "Insurance"] },
  { name: "Retail & Consumer Goods", verticals: ["Retail", "Consumer Goods"] },
  {
    name: "Manufacturing & Resources",
    verticals: ["Discrete Manufacturing", "Process Manufacturing", "Energy"],
  },
  { name: "Health", verticals: ["Health Provider", "Health Payor", "Pharmaceuticals"] },
  { name: "Education", verticals: ["Higher Education", "Primary & Secondary Education"] },
  { name: "Government", verticals: ["National Government", "State & Local Government"] },
  { name: "Media & Communications", verticals: ["Telecommunications", "Media & Entertainment"] },
  { name: "Professional Services", verticals: ["Legal", "Consulting", "IT Services"] },
];

export const EOUS = [
  "SMC Commercial",
  "USA - Northeast",
  "USA - West",
  "UK - Enterprise",
  "Germany - Corporate",
  "JPN - Kansai",
  "ANZ - Commercial",
  "Canada - SMC",
];

export interface ProductDef {
  readonly family: string;
  readonly name: string;
  readonly sku: string;
  readonly division: string;
  readonly workload: string;
  readonly solutionArea: string;
}

export const PRODUCTS: readonly ProductDef[] = [
  {
    family: "Microsoft 365",
    name: "Microsoft 365 E3",
    sku: "SPE_E3",
    division: "Modern Work",
    workload: "Exchange Online",
    solutionArea: "Modern Work",
  },
  {
    family: "Microsoft 365",
    name: "Microsoft 365 Business Premium",
    sku: "SPB",
    division: "Modern Work",
    workload: "Teams",
    solutionArea: "Modern Work",
  },
  {
    family: "Microsoft 365",
    name: "Office 365 E1",
    sku: "STANDARDPACK",
    division: "Modern Work",
    workload: "SharePoint Online",
    solutionArea: "Modern Work",
  },
  {
    family: "Microsoft 365",
    name: "Microsoft 365 E5",
    sku: "SPE_E5",
    division: "Modern Work",
    workload: "Teams",
    solutionArea: "Modern Work",
  },
  {
    family: "Microsoft Azure",
    name: "Azure plan",
    sku: "AZURE_PLAN",
    division: "Azure",
    workload: "Compute",
    solutionArea: "Azure",
  },
  {
    family: "Microsoft Azure",
    name: "Azure Reserved VM Instances",
    sku: "AZURE_RI",
    division: "Azure",
    workload: "Compute",
    solutionArea: "Azure",
  },
  {
    family: "Dynamics 365",
    name: "Dynamics 365 Sales Enterprise",
    sku: "DYN365_ENTERPRISE_SALES",
    division: "Business Applications",
    workload: "Sales",
    solutionArea: "Business Applications",
  },
  {
    family: "Dynamics 365",
    name: "Dynamics 365 Customer Service",
    sku: "DYN365_CS",
    division: "Business Applications",
    workload: "Customer Service",
    solutionArea: "Business Applications",
  },
  {
    family: "Dynamics 365",
    name: "Dynamics 365 Business Central",
    sku: "DYN365_BUSCENTRAL",
    division: "Business Applications",
    workload: "Finance",
    solutionArea: "Business Applications",
  },
  {
    family: "Power BI",
    name: "Power BI Pro",
    sku: "POWER_BI_PRO",
    division: "Business Applications",
    workload: "Power BI",
    solutionArea: "Business Applications",
  },
  {
    family: "Power BI",
    name: "Power BI Premium Per User",
    sku: "PBI_PREMIUM_PER_USER",
    division: "Business Applications",
    workload: "Power BI",
    solutionArea: "Business Applications",
  },
  {
    family: "Enterprise Mobility + Security",
    name: "Enterprise Mobility + Security E3",
    sku: "EMS",
    division: "Security",
    workload: "Intune",
    solutionArea: "Security",
  },
  {
    family: "Enterprise Mobility + Security",
    name: "Microsoft Entra ID P2",
    sku: "AAD_PREMIUM_P2",
    division: "Security",
    workload: "Entra ID",
    solutionArea: "Security",
  },
  {
    family: "Microsoft Teams",
    name: "Microsoft Teams Essentials",
    sku: "TEAMS_ESSENTIALS",
    division: "Modern Work",
    workload: "Teams",
    solutionArea: "Modern Work",
  },
];

export const OFFER_NOUNS = [
  "Analytics Platform",
  "Secure Gateway",
  "Backup Vault",
  "Field Service Hub",
  "Data Connector",
  "AI Assistant",
  "Identity Bridge",
  "Cost Optimizer",
];
export const PLAN_NAMES = ["Standard", "Premium", "Enterprise", "Basic", "Developer", "Free Trial"];
export const OFFER_TYPES = ["SaaS", "Azure Applications", "Virtual Machine Licenses", "vm core image"];

export const AZURE_SERVICES: readonly {
  readonly service: string;
  readonly category: string;
  readonly unit: string;
}[] = [
  { service: "Virtual Machines", category: "Compute", unit: "1 Hour" },
  { service: "Storage", category: "Storage", unit: "1 GB/Month" },
  { service: "Azure SQL Database", category: "Databases", unit: "1 vCore Hour" },
  { service: "Azure Kubernetes Service", category: "Containers", unit: "1 Hour" },
  { service: "Azure App Service", category: "Web", unit: "1 Hour" },
  { service: "Bandwidth", category: "Networking", unit: "1 GB" },
  { service: "Azure Cosmos DB", category: "Databases", unit: "100 RU/s Hours" },
  { service: "Azure OpenAI Service", category: "AI + Machine Learning", unit: "1K Tokens" },
  { service: "Azure Monitor", category: "Management and Governance", unit: "1 GB" },
  { service: "Azure Functions", category: "Compute", unit: "1M Executions" },
];

export const AZURE_REGIONS = [
  "East US",
  "East US 2",
  "West US 2",
  "West Europe",
  "North Europe",
  "UK South",
  "Germany West Central",
  "Japan East",
  "Australia East",
  "Southeast Asia",
];

export const FIRST_NAMES = [
  "Alex",
  "Maria",
  "Jun",
  "Priya",
  "Lukas",
  "Sofia",
  "Omar",
  "Emma",
  "Kenji",
  "Chloe",
  "Mateo",
  "Aisha",
  "Noah",
  "Ingrid",
  "Diego",
  "Hana",
  "Liam",
  "Fatima",
  "Erik",
  "Mei",
];

export const LAST_NAMES = [
  "Smith",
  "Garcia",
  "Tanaka",
  "Patel",
  "Müller",
  "Rossi",
  "Haddad",
  "Johnson",
  "Sato",
  "Dubois",
  "Silva",
  "Khan",
  "Brown",
  "Larsen",
  "López",
  "Kim",
  "Wilson",
  "Nguyen",
  "Andersson",
  "Chen",
];

export const TRAININGS = [
  "Azure Fundamentals",
  "Azure Administrator Associate",
  "Azure Solutions Architect Expert",
  "Microsoft 365 Fundamentals",
  "Dynamics 365 Fundamentals (CRM)",
  "Power Platform Fundamentals",
  "Security, Compliance, and Identity Fundamentals",
  "Azure AI Engineer Associate",
  "Azure Data Engineer Associate",
  "Teams Administrator Associate",
];

export const COMPETENCIES = [
  "Cloud Platform",
  "Cloud Productivity",
  "Data Analytics",
  "Security",
  "Application Development",
  "Enterprise Resource Planning",
];

export const SALES_CHANNELS = ["Direct", "CSP Direct", "CSP Indirect", "Enterprise Agreement", "MCA-E"];
export const ATTRIBUTION_TYPES = ["PAL", "DPOR", "CSP", "Claiming Partner of Record", "Transacting Partner"];
export const STATUSES = ["Active", "Inactive", "Suspended"];
export const LEVELS = ["High", "Medium", "Low"];
export const GENERIC = [
  "Standard",
  "Premium",
  "Basic",
  "Enterprise",
  "Professional",
  "Essentials",
  "Advanced",
  "Business",
];
export const CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CAD", "AUD"];
