// @clerk/nextjs's client exports as a documented flow written for the SDK's earlier hooks sees
// them: everything from @clerk/react, but useSignIn() and useSignUp() returning the resources
// with isLoaded and setActive (@clerk/react/legacy) instead of the signal-based ones.
export * from "@clerk/react";
export { useSignIn, useSignUp } from "@clerk/react/legacy";
