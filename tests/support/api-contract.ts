import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";

// Holds the app's live API responses (/api/v1 and the machine routes) to the OpenAPI document the
// app itself serves: the
// status must be documented for the operation, the content type must be the documented one, and
// the body must match its schema.

type JsonObject = Record<string, unknown>;
type OpenApiOperation = { servers?: { url: string }[]; responses: Record<string, JsonObject> };
type OpenApiDocument = {
  servers: { url: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
};

export type ApiContract = {
  // Problems found with one response; empty when it conforms.
  check(response: {
    method: string;
    path: string;
    status: number;
    contentType: string | null;
    body: unknown;
  }): string[];
  // "METHOD /full/path/template STATUS" for every response checked so far.
  seen: Set<string>;
  documented: string[];
};

// One operation, at its full path: its own server's (the machine routes) or the document's.
type Located = { template: string; full: string; method: string; operation: OpenApiOperation };

function matches(full: string, path: string): boolean {
  const parts = full.split("/");
  const segments = path.split("/");
  return (
    parts.length === segments.length &&
    parts.every((part, i) => /^\{.+\}$/.test(part) || part === segments[i])
  );
}

export function apiContract(doc: OpenApiDocument): ApiContract {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc, "api");
  const validators = new Map<string, ValidateFunction>();
  const base = doc.servers[0]?.url ?? "";
  const operations: Located[] = Object.entries(doc.paths)
    .flatMap(([template, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        template,
        full: `${operation.servers?.[0]?.url ?? base}${template}`,
        method,
        operation,
      })),
    )
    // Literal paths before templated ones, so /projects never matches a `{id}`.
    .sort((a, b) => (a.full.match(/\{/g)?.length ?? 0) - (b.full.match(/\{/g)?.length ?? 0));
  const seen = new Set<string>();
  const documented = operations.flatMap(({ full, method, operation }) =>
    Object.keys(operation.responses).map((status) => `${method.toUpperCase()} ${full} ${status}`),
  );

  function validatorAt(pointer: string): ValidateFunction {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `api#${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  }

  return {
    seen,
    documented,
    check({ method, path, status, contentType, body }) {
      const url = new URL(path, "http://app.test");
      const verb = method.toLowerCase();
      const found = operations.find((o) => o.method === verb && matches(o.full, url.pathname));
      if (!found) return [`no operation documented for ${method} ${path}`];
      const { template, full, operation } = found;
      const response = operation.responses[String(status)];
      if (!response) return [`${method} ${full} does not document status ${status}`];
      seen.add(`${method.toUpperCase()} ${full} ${status}`);
      const content = response.content as Record<string, unknown> | undefined;
      const mediaType = contentType?.split(";")[0]?.trim() ?? null;
      if (!content) {
        return body === null ? [] : [`${status} is documented without a body, got ${mediaType}`];
      }
      if (!mediaType || !(mediaType in content)) {
        return [`${status} is documented as ${Object.keys(content).join(", ")}, got ${mediaType}`];
      }
      const pointer = `/paths/${template.replaceAll("~", "~0").replaceAll("/", "~1")}/${verb}/responses/${status}/content/${mediaType.replace("/", "~1")}/schema`;
      const validate = validatorAt(pointer);
      if (validate(body)) return [];
      return (validate.errors ?? []).map(
        (e) => `${method} ${full} ${status}: ${e.instancePath || "(body)"} ${e.message}`,
      );
    },
  };
}
