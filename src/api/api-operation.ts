import type { NextRequest } from "next/server";
import type { ApiScope } from "@/auth/api-scopes";
import { authorizeApi } from "@/auth/authorize";
import type { Principal } from "@/auth/principal";
import { databaseErrorReason, isDatabaseUnavailable } from "@/db/database-errors";
import { type Problem, problem, problemResponse } from "@/http/problem";
import { type RequestContext, requestContext } from "@/http/request-context";
import { clientRequestIdFrom, REQUEST_START_HEADER } from "@/http/request-identity";
import { logger } from "@/observability/logger";

// The one wrapper every /api/v1 operation runs in. It authenticates and authorizes (the proxy is
// not the only gate), bounds the operation's time, turns a database in trouble into a 503 problem
// rather than a 500 or a hang, gives every answer the request id and `Cache-Control: no-store`,
// and writes the request's one log line with the principal's ids.

// Longer than one statement may take (src/db/client.ts), shorter than any client's patience.
export const OPERATION_DEADLINE_MS = 8_000;
const RETRY_AFTER_SECONDS = "5";

export type OperationInput<P> = {
  req: NextRequest;
  params: P;
  principal: Principal;
  context: RequestContext;
};

// An operation answers with a Response, or with a Problem the wrapper renders.
export type Operation<P> = (input: OperationInput<P>) => Promise<Response | Problem>;

class DeadlineExceeded extends Error {}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function principalIds(p: Principal | undefined) {
  if (!p) return {};
  return p.tokenType === "api_key"
    ? { token_type: p.tokenType, key_id: p.keyId, user_id: p.userId, org_id: p.orgId }
    : { token_type: p.tokenType, user_id: p.userId, org_id: p.orgId };
}

function failure(err: unknown, requestId: string): Problem {
  if (err instanceof DeadlineExceeded) {
    logger.warn({ request_id: requestId }, "operation exceeded its deadline");
    return problem("service-unavailable", "The request took too long. Try again shortly.");
  }
  if (isDatabaseUnavailable(err)) {
    logger.warn(
      { request_id: requestId, reason: databaseErrorReason(err) },
      "database unavailable",
    );
    return problem("service-unavailable", "The database is not answering. Try again shortly.");
  }
  logger.error(
    {
      request_id: requestId,
      err: { message: databaseErrorReason(err), stack: (err as Error)?.stack },
    },
    "operation failed",
  );
  return problem(
    "internal",
    "Something went wrong on our side. Quote the instance if you report it.",
  );
}

export function apiOperation<P = Record<string, never>>(
  route: string,
  scope: ApiScope | null,
  run: Operation<P>,
) {
  return async (req: NextRequest, segment?: { params: Promise<P> }): Promise<Response> => {
    const context = await requestContext();
    const { requestId } = context;
    const started = Number(req.headers.get(REQUEST_START_HEADER)) || Date.now();
    let principal: Principal | undefined;
    let outcome: Response | Problem;
    try {
      outcome = await withDeadline(
        (async () => {
          const access = await authorizeApi(scope);
          if (!access.ok) return access.problem;
          principal = access.principal;
          const params = ((await segment?.params) ?? {}) as P;
          return run({ req, params, principal, context });
        })(),
        OPERATION_DEADLINE_MS,
      );
    } catch (err) {
      outcome = failure(err, requestId);
    }
    const res =
      outcome instanceof Response
        ? outcome
        : problemResponse(
            outcome,
            outcome.status === 503 ? { "retry-after": RETRY_AFTER_SECONDS } : {},
            requestId,
          );
    res.headers.set("x-request-id", requestId);
    if (!res.headers.has("cache-control")) res.headers.set("cache-control", "no-store");
    const clientRequestId = clientRequestIdFrom(req.headers);
    logger.info({
      request_id: requestId,
      ...(clientRequestId && { client_request_id: clientRequestId }),
      method: req.method,
      route,
      status: res.status,
      duration_ms: Date.now() - started,
      ...principalIds(principal),
    });
    return res;
  };
}
