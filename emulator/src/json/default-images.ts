import type { OrganizationRecord, UserRecord } from "../store/records";

// The pictures Clerk generates for a user without one and for an organization without a logo
// (`has_image` stays false, `image_url` is never empty: Clerk's own components, such as the
// organization picker of <OAuthConsent/>, draw `image_url` as it is). Clerk serves them from its
// image host (img.clerk.com); here they are data: URLs, so the browser fetches nothing from
// outside. `avatar_placeholder` in one is how @clerk/ui tells a generated picture from an upload
// (`isDefaultImage`), so it offers no "Remove" for it.

function initialsImage(initials: string, seed: string): string {
  let hue = 0;
  for (const ch of seed) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="hsl(${hue} 45% 45%)"/>` +
    `<text x="32" y="41" font-family="sans-serif" font-size="26" font-weight="600" fill="#fff" text-anchor="middle">${initials.replace(/[<>&"]/g, "")}</text></svg>`;
  return `data:image/svg+xml;name=avatar_placeholder;base64,${Buffer.from(svg).toString("base64")}`;
}

// A user's initials on a colour of their own.
export function defaultUserImage(user: UserRecord): string {
  const email = user.emailAddresses.find((e) => e.id === user.primaryEmailAddressId)?.emailAddress;
  const initials =
    [user.firstName, user.lastName]
      .map((n) => n?.trim()[0] ?? "")
      .join("")
      .toUpperCase() || (email?.[0] ?? "?").toUpperCase();
  return initialsImage(initials, user.id);
}

// The organization's first letter, as @clerk/ui's own fallback for an organization draws it.
export function defaultOrganizationLogo(org: OrganizationRecord): string {
  return initialsImage((org.name.trim()[0] ?? "?").toUpperCase(), org.id);
}
