import { redirect } from "next/navigation";

// Settings start with the account (Clerk's <UserProfile/>, under /settings/account); the personal
// API keys are at /settings/api-keys.
export default function SettingsPage() {
  redirect("/settings/account");
}
