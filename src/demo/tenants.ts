/** The demo tenants: fixed ids so demo tokens, tests and docs can name them. */
export interface DemoTenant {
  /** Azure AD tenant id (a fixed v4 GUID). */
  readonly id: string;
  /** Organisation name; also used as the partner's / publisher's name in generated rows. */
  readonly name: string;
}

export const DEMO_TENANTS: readonly DemoTenant[] = [
  { id: "8f3c2a91-5b7e-4d2a-9c41-6e0b3f7d2a58", name: "Contoso" },
  { id: "2d7e9b14-c3a6-4f85-b0d2-91a4e6c7f3b0", name: "Fabrikam" },
  { id: "c5a1f8e3-7d92-4b6c-a3e5-0f8d2b9c4e71", name: "Northwind Traders" },
];
