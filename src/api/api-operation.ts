import type { NextRequest } from "next/server";
import type { ApiScope } from "@/auth/api-scopes";
import {
  type Access,
  authorizeApi,
  authorizeMachine,
  type SensitiveAction,
} from "@/auth/authorize";
import { newRequestState } from "@/auth/gates/request-state";
import { methodNotAllowed, optionsAnswer } from "@/auth/gates/up-front";
import type {
  AdmittedBearer,
  MachinePrincipal,
  Principal,
  TenantPrincipal,
} from "@/auth/principal";
import { databaseErrorReason, isDatabaseUnavailable } from "@/db/database-errors";
import { type Problem, problem, problemResponse } from "@/http/problem";
import { type RequestContext, requestContext } from "@/http/request-context";
import {
  CLIENT_REQUEST_ID_HEADER,
  REQUEST_START_HEADER,
  wellFormedRequestId,
} from "@/http/request-identity";
import { logger } from "@/observability/logger";
import { operationBearer } from "./operation-bearer";

// The one wrapper every API operation runs in (/api/v1, and the machine routes). It admits a
// bearer token the proxy did not see (src/api/operation-bearer.ts), authenticates and authorizes
// (the proxy is not the only gate), bounds the operation's time, turns a database
// in trouble into a 503 problem rather than a 500 or a hang, gives every answer the request id and
// `Cache-Control: no-store`, and writes the request's one log line with the principal's ids.

// Longer than one statement may take (src/db/client.ts), shorter than any client's patience.
export const OPERATION_DEADLINE_MS = 8_000;
const RETRY_AFTER_SECONDS = "5";

export type OperationInput<P, Who extends Principal = TenantPrincipal> = {
  req: NextRequest;
  params: P;
  principal: Who;
  context: RequestContext;
  // Aborted at the deadline: long operations stop at their next step.
  signal: AbortSignal;
};

// An operation answers with a Response, or with a Problem the wrapper renders.
export type Operation<P, Who extends Principal = TenantPrincipal> = (
  input: OperationInput<P, Who>,
) => Promise<Response | Problem>;

class DeadlineExceeded extends Error {}

function withDeadline<T>(work: Promise<T>, ms: number, controller: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineExceeded());
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

// What the request log says of the caller: never a token, only ids.
function principalIds(p: Principal | undefined) {
  if (!p) return {};
  switch (p.tokenType) {
    case "api_key":
      return { token_type: p.tokenType, key_id: p.keyId, user_id: p.userId, org_id: p.orgId };
    case "session_token":
      return { token_type: p.tokenType, user_id: p.userId, org_id: p.orgId };
    case "m2m_token":
      return { token_type: p.tokenType, machine_id: p.machineId, token_id: p.tokenId };
    case "oauth_token":
      return {
        token_type: p.tokenType,
        user_id: p.userId,
        org_id: p.orgId,
        client_id: p.clientId,
        token_id: p.tokenId,
      };
  }
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

function operation<P, Who extends Principal>(
  route: string,
  authorize: (bearer: AdmittedBearer | null) => Promise<Access<Who>>,
  run: Operation<P, Who>,
  deadlineMs: number,
) {
  return async (req: NextRequest, segment?: { params: Promise<P> }): Promise<Response> => {
    const admission = await operationBearer(req);
    if (admission instanceof Response) return admission;
    const { bearer, direct } = admission;
    // The request as the proxy passed it on, or as the operation's own gate saw it.
    const context: RequestContext = direct
      ? { requestId: direct.state.requestId, clientAddress: direct.state.clientAddress }
      : await requestContext();
    const { requestId } = context;
    const started =
      direct?.state.started ?? (Number(req.headers.get(REQUEST_START_HEADER)) || Date.now());
    const clientRequestId = direct
      ? direct.state.clientRequestId
      : wellFormedRequestId(req.headers.get(CLIENT_REQUEST_ID_HEADER));
    const controller = new AbortController();
    let principal: Who | undefined;
    let outcome: Response | Problem;
    try {
      outcome = await withDeadline(
        (async () => {
          const access = await authorize(bearer);
          if (!access.ok) return access.problem;
          principal = access.principal;
          const params = ((await segment?.params) ?? {}) as P;
          return run({ req, params, principal, context, signal: controller.signal });
        })(),
        deadlineMs,
        controller,
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
    for (const [name, value] of Object.entries(direct?.headers ?? {})) res.headers.set(name, value);
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

// What an operation asks of its caller: a scope (null: any valid credential), and for a sensitive
// operation a fresh verification of a session (authorize.ts).
export type OperationAccess = ApiScope | null | { scope: ApiScope; sensitive: SensitiveAction };

// An /api/v1 operation: a person or a key acting in a tenant, with the access it needs.
export function apiOperation<P = Record<string, never>>(
  route: string,
  access: OperationAccess,
  run: Operation<P>,
) {
  const [scope, sensitive] =
    access !== null && typeof access === "object"
      ? [access.scope, access.sensitive]
      : [access, undefined];
  return operation(
    route,
    (bearer) => authorizeApi(route, bearer, scope, sensitive),
    run,
    OPERATION_DEADLINE_MS,
  );
}

// A machine route: a machine of this deployment with a scope to the app's machine.
export function machineOperation<P = Record<string, never>>(
  route: string,
  run: Operation<P, MachinePrincipal>,
  deadlineMs = OPERATION_DEADLINE_MS,
) {
  return operation(route, (bearer) => authorizeMachine(route, bearer), run, deadlineMs);
}

// What an operation's route answers to the methods it does not serve, for its route file to
// export under their names: the proxy answers them before anything else (src/proxy.ts), but a
// request with a bearer token comes straight to the route (src/api/operation-bearer.ts), where
// Next would answer an empty 405 (and an OPTIONS of its own).
const refuseMethod = async (req: NextRequest) =>
  methodNotAllowed(newRequestState(req, new Headers()));
const answerOptions = async (req: NextRequest) =>
  optionsAnswer(newRequestState(req, new Headers()));

export const UNSERVED_METHODS = {
  GET: refuseMethod,
  HEAD: refuseMethod,
  POST: refuseMethod,
  PUT: refuseMethod,
  PATCH: refuseMethod,
  DELETE: refuseMethod,
  OPTIONS: answerOptions,
};
