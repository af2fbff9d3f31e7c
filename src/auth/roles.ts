/** Roles the service gives a meaning to (the token's `roles` claim). */

/** Operators: the /admin/ routes (audit log). */
export const ADMIN_ROLE = "OpenInsights.Admin";

export function isAdmin(principal: { readonly roles: readonly string[] }): boolean {
  return principal.roles.includes(ADMIN_ROLE);
}
