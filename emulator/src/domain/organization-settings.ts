import { DEFAULT_ROLE } from "../../../clerk/organization-roles";
import type { Core } from "../core";
import type { EnrollmentMode } from "../store/records";
import { offeredSettings } from "./instance-settings";

// The instance's verified-domain settings (clerk/instance-settings.json `organizations`):
// whether organizations may verify domains, the enrollment modes they may choose (manual
// invitations always), and the role people joining through a domain get (Clerk's default role).
export type DomainSettings = {
  enabled: boolean;
  enrollmentModes: readonly EnrollmentMode[];
  defaultRole: string;
};

export function domainSettingsOf(declared: {
  enabled: boolean;
  automatic_invitation: boolean;
  automatic_suggestion: boolean;
}): DomainSettings {
  const modes: EnrollmentMode[] = ["manual_invitation"];
  if (declared.automatic_invitation) modes.push("automatic_invitation");
  if (declared.automatic_suggestion) modes.push("automatic_suggestion");
  return {
    enabled: declared.enabled,
    enrollmentModes: declared.enabled ? modes : [],
    defaultRole: DEFAULT_ROLE,
  };
}

export function domainSettings(core: Core): DomainSettings {
  return domainSettingsOf(offeredSettings(core).organizations.verified_domains);
}
