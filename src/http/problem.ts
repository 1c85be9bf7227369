// RFC 9457 problem details: every API error is application/problem+json with a stable `type`.
export type ProblemType =
  | "bad-request"
  | "unauthenticated"
  | "forbidden"
  | "not-found"
  | "method-not-allowed"
  | "request-timeout"
  | "invalid-request"
  | "conflict"
  | "content-too-large"
  | "unsupported-media-type"
  | "too-many-requests"
  | "service-unavailable"
  | "internal";

const TITLES: Record<ProblemType, string> = {
  "bad-request": "Bad request",
  unauthenticated: "Unauthenticated",
  forbidden: "Forbidden",
  "not-found": "Not found",
  "method-not-allowed": "Method not allowed",
  "request-timeout": "Request timeout",
  "invalid-request": "Invalid request",
  conflict: "Conflict",
  "content-too-large": "Content too large",
  "unsupported-media-type": "Unsupported media type",
  "too-many-requests": "Too many requests",
  "service-unavailable": "Service unavailable",
  internal: "Internal error",
};

const STATUS: Record<ProblemType, number> = {
  "bad-request": 400,
  unauthenticated: 401,
  forbidden: 403,
  "not-found": 404,
  "method-not-allowed": 405,
  "request-timeout": 408,
  "invalid-request": 422,
  conflict: 409,
  "content-too-large": 413,
  "unsupported-media-type": 415,
  "too-many-requests": 429,
  "service-unavailable": 503,
  internal: 500,
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
} & Record<string, unknown>;

export function problem(
  type: ProblemType,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  return { type: `/problems/${type}`, title: TITLES[type], status: STATUS[type], detail, ...extra };
}

// `requestId` becomes the problem's `instance`, so a client can quote it and an operator can find
// the request's log line. Problems depend on the request: no cache may keep them.
export function problemResponse(
  p: Problem,
  headers: Record<string, string> = {},
  requestId?: string,
): Response {
  const body = requestId ? { ...p, instance: requestId } : p;
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      ...(requestId && { "x-request-id": requestId }),
      ...headers,
    },
  });
}
