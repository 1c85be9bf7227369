import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";

// Holds the app's live /api/v1 responses to the OpenAPI document the app itself serves: the
// status must be documented for the operation, the content type must be the documented one, and
// the body must match its schema.

type JsonObject = Record<string, unknown>;
type OpenApiDocument = {
  servers: { url: string }[];
  paths: Record<string, Record<string, { responses: Record<string, JsonObject> }>>;
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
  // "METHOD /template STATUS" for every response checked so far.
  seen: Set<string>;
  documented: string[];
};

function matchTemplate(templates: string[], path: string): string | undefined {
  const segments = path.split("/");
  // Literal paths before templated ones, so /projects never matches a `{id}`.
  const ordered = [...templates].sort(
    (a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0),
  );
  return ordered.find((template) => {
    const parts = template.split("/");
    return (
      parts.length === segments.length &&
      parts.every((part, i) => /^\{.+\}$/.test(part) || part === segments[i])
    );
  });
}

export function apiContract(doc: OpenApiDocument): ApiContract {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc, "api");
  const validators = new Map<string, ValidateFunction>();
  const base = doc.servers[0]?.url ?? "";
  const templates = Object.keys(doc.paths);
  const seen = new Set<string>();
  const documented = Object.entries(doc.paths).flatMap(([template, item]) =>
    Object.entries(item).flatMap(([method, op]) =>
      Object.keys(op.responses).map((status) => `${method.toUpperCase()} ${template} ${status}`),
    ),
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
      if (!url.pathname.startsWith(base)) return [`${url.pathname} is outside ${base}`];
      const template = matchTemplate(templates, url.pathname.slice(base.length));
      const verb = method.toLowerCase();
      const operation = template ? doc.paths[template]?.[verb] : undefined;
      if (!template || !operation) return [`no operation documented for ${method} ${path}`];
      const response = operation.responses[String(status)];
      if (!response) return [`${method} ${template} does not document status ${status}`];
      seen.add(`${method.toUpperCase()} ${template} ${status}`);
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
        (e) => `${method} ${template} ${status}: ${e.instancePath || "(body)"} ${e.message}`,
      );
    },
  };
}
