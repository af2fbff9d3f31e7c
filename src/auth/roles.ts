/**
 * The operator role: a token whose `roles` claim holds it may call the `/admin/` API (Entra ID's
 * app-role convention, so a deployment maps it to a role in its identity provider).
 */
export const ADMIN_ROLE = "OpenInsights.Admin";

export function isAdmin(principal: { readonly roles: readonly string[] }): boolean {
  return principal.roles.includes(ADMIN_ROLE);
}
