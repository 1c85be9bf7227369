// Where each of Clerk's session tasks is done in this app (ClerkProvider's `taskUrls`): choosing
// an organization, when the instance requires membership, on onboarding. A session with a task to
// do is pending, and counts as signed out everywhere but on its task's page (route-table.ts marks
// it); elsewhere Clerk's redirect to sign in sends it to <SignIn/>'s tasks, and <SignIn/> on here.
export const TASK_URLS = {
  "choose-organization": "/onboarding",
} as const;
