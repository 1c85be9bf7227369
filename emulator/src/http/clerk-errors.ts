// Clerk's Backend API error envelope: { errors: [{ code, message, long_message, meta }], clerk_trace_id }.
export type ClerkErrorJSON = {
  code: string;
  message: string;
  long_message: string;
  meta?: { param_name?: string } & Record<string, unknown>;
};

export class ClerkApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ClerkErrorJSON[],
  ) {
    super(errors.map((e) => e.long_message).join("; "));
  }
}

function single(
  status: number,
  code: string,
  message: string,
  longMessage: string,
  paramName?: string,
) {
  const meta = paramName ? { param_name: paramName } : undefined;
  return new ClerkApiError(status, [{ code, message, long_message: longMessage, meta }]);
}

export const errors = {
  unauthenticated: () =>
    single(
      401,
      "authentication_invalid",
      "Unauthorized request",
      "You are not authorized to perform this request",
    ),
  notFound: (what = "resource") =>
    single(404, "resource_not_found", "not found", `The requested ${what} could not be found.`),
  unsupportedContentType: () =>
    single(
      400,
      "unsupported_content_type",
      "unsupported content type",
      "Request bodies must be sent with Content-Type: application/json.",
    ),
  malformedBody: (longMessage = "The request body is not valid JSON.") =>
    single(400, "malformed_request_body", "malformed body", longMessage),
  bodyTooLarge: () =>
    single(400, "request_body_too_large", "body too large", "The request body exceeds 1 MiB."),
  paramMissing: (param: string) =>
    single(422, "form_param_missing", `${param} is missing`, `${param} must be included.`, param),
  paramInvalid: (param: string, why: string, status = 422) =>
    single(status, "form_param_format_invalid", `${param} is invalid`, `${param} ${why}.`, param),
  identifierExists: (param: string) =>
    single(
      422,
      "form_identifier_exists",
      "That identifier is taken. Please try another.",
      `That ${param.replace(/_/g, " ")} is taken. Please try another.`,
      param,
    ),
  passwordTooShort: (param = "password") =>
    single(
      422,
      "form_password_length_too_short",
      "Passwords must be 8 characters or more.",
      "Passwords must be 8 characters or more.",
      param,
    ),
  duplicateRecord: (what: string) =>
    single(
      422,
      "duplicate_record",
      "duplicate record",
      `The ${what} you are trying to create already exists.`,
    ),
  // Frontend API: codes the Clerk UI maps to messages under the right field.
  devBrowserUnauthenticated: () =>
    single(
      401,
      "dev_browser_unauthenticated",
      "Unauthorized request",
      "No dev browser is associated with this request.",
    ),
  signedOut: () =>
    single(401, "signed_out", "Signed out", "You are signed out. Please sign in again."),
  identifierNotFound: () =>
    single(
      422,
      "form_identifier_not_found",
      "Couldn't find your account.",
      "Couldn't find your account.",
      "identifier",
    ),
  passwordIncorrect: (param = "password") =>
    single(
      422,
      "form_password_incorrect",
      "Password is incorrect. Try again, or use another method.",
      "Password is incorrect. Try again, or use another method.",
      param,
    ),
  newPasswordMatchesCurrent: () =>
    single(
      422,
      "form_new_password_matches_current",
      "New password cannot be the same as the current password.",
      "New password cannot be the same as the current password.",
      "new_password",
    ),
  // No field: <UserProfile/> shows it above the remove form.
  identificationDeletionFailed: (longMessage: string) =>
    single(400, "identification_deletion_failed", "Deletion failed", longMessage),
  codeIncorrect: () =>
    single(422, "form_code_incorrect", "Incorrect code", "Incorrect code", "code"),
  verificationExpired: () =>
    single(
      400,
      "verification_expired",
      "Expired",
      "This verification has expired. Request a new code.",
      "code",
    ),
  verificationFailed: () =>
    single(
      400,
      "verification_failed",
      "Too many failed attempts",
      "Too many failed attempts. Request a new code.",
      "code",
    ),
  sessionExists: () =>
    single(400, "session_exists", "You're already signed in.", "You're already signed in."),
  notAllowed: (longMessage: string) =>
    single(403, "not_allowed_access", "Not allowed", longMessage),
  notEmulated: (what: string, instead: string) =>
    single(400, "not_emulated", `${what} are not emulated`, `${what} are not emulated. ${instead}`),
  conflict: (longMessage: string) => single(409, "duplicate_record", "conflict", longMessage),
  apiKeyNotFound: () => single(404, "resource_not_found", "not found", "API key not found."),
};
