import { DEFAULT_ROLE } from "../../../clerk/organization-roles";
import type { Core } from "../core";
import { ENROLLMENT_MODES, type EnrollmentMode } from "../store/records";

// The instance's verified-domain settings: whether organizations may verify domains, the
// enrollment modes they may choose, and the role people joining through a domain get.
export type DomainSettings = {
  enabled: boolean;
  enrollmentModes: readonly EnrollmentMode[];
  defaultRole: string;
};

export function domainSettings(_core: Core): DomainSettings {
  return { enabled: true, enrollmentModes: ENROLLMENT_MODES, defaultRole: DEFAULT_ROLE };
}
