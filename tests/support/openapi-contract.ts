/**
 * Holds JSON bodies to Clerk's published OpenAPI 3.0.3 specifications (the way stripe-mock is held
 * to Stripe's), so tests fail as soon as the emulator emits something real Clerk would not.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { parse } from "yaml";

// The specifications are vendored with the emulator (emulator/openapi/README.md).
const SPEC_DIR =
  process.env.CLERK_OPENAPI_DIR ??
  fileURLToPath(new URL("../../emulator/openapi/", import.meta.url));

export const BAPI_SPEC = join(SPEC_DIR, "bapi-2026-05-12.yml");
export const FAPI_SPEC = join(SPEC_DIR, "fapi-2026-05-12.yml");
export const WEBHOOKS_SPEC = join(SPEC_DIR, "webhooks-2025-04-15.yml");

export type ContractResult = { ok: true; operation: string } | { ok: false; errors: string[] };

export interface ResponseInput {
  method: string;
  /**
   * The request URL pathname as sent, e.g. `/v1/users/user_123` or `//api_keys`, optionally with
   * its query string (only `paginated=true` changes the expected shape, see `SPEC_ERRATA`).
   */
  path: string;
  status: number;
  body: unknown;
}

export interface Contract {
  /** Validates a response body against the operation the spec documents for this request. */
  validateResponse(input: ResponseInput): ContractResult;
  /** Validates a value against `#/components/schemas/<name>`. */
  validateComponent(name: string, value: unknown): ContractResult;
  /** Validates a webhook event against `x-webhooks[<payload.type>]`. */
  validateWebhook(payload: unknown): ContractResult;
}

type JsonObject = Record<string, unknown>;

interface Located {
  pointer: string;
  node: JsonObject;
}

interface PathTemplate {
  template: string;
  segments: (string | RegExp)[];
  /** Per segment: 0 literal, 1 partly templated, 2 a whole parameter; lower sorts first. */
  rank: number[];
}

const MAX_ERRORS = 20;
const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const COMPOSITION_KEYWORDS = ["$ref", "allOf", "anyOf", "oneOf", "not"];
// Values under these keys are literal data, not schemas, so normalisation must leave them alone.
const DATA_KEYWORDS = new Set(["example", "examples", "default", "enum", "const"]);
// Values under these keys are maps from arbitrary names (which may be "default" or "example").
const MAP_KEYWORDS = new Set([
  "properties",
  "patternProperties",
  "definitions",
  "schemas",
  "responses",
  "requestBodies",
  "parameters",
  "headers",
  "content",
  "encoding",
  "callbacks",
  "links",
  "paths",
  "x-webhooks",
]);

/**
 * The only places where this validator accepts something Clerk's specs, as written, do not. Each
 * is a spec defect or gap confirmed by Clerk's own examples or SDK, and is scoped as narrowly as
 * possible; the rest of every affected schema is enforced unchanged.
 */
const SPEC_ERRATA = {
  /**
   * `allOf`s, by spec label, that extend a schema declaring `additionalProperties: false` with
   * more properties. JSON Schema evaluates the branches independently, so the closed branch rejects
   * exactly the properties the other branch adds (and requires): no instance can pass, Clerk's own
   * examples included, and OpenAPI 3.0 has no `unevaluatedProperties`. Each is closed as a whole
   * instead: the union of its branches' properties is allowed, nothing else. An entry that stops
   * matching the spec throws, so it is removed once Clerk fixes the spec.
   */
  closedAllOf: {
    webhooks: [
      // session.*: Session (closed) plus `user`.
      "/components/schemas/SessionEventPayload",
      // organizationInvitation.accepted: OrganizationInvitation (closed) plus `user_id`, `data`.
      "/components/schemas/OrganizationInvitationAcceptedPayload",
      // organizationInvitation.created/revoked: OrganizationInvitation (closed) plus `data`.
      ...["organizationInvitation.created", "organizationInvitation.revoked"].map(
        (type) =>
          `${pointer("x-webhooks", type, "post", "requestBody", "content", "application/json", "schema")}/allOf/1/properties/data`,
      ),
    ],
  } as Record<string, string[]>,
  /**
   * Properties, by spec label and schema, that Clerk sends and its SDK reads but the spec's closed
   * schema does not list. Each is allowed with the type given, nothing else is; an entry the spec
   * comes to list throws, so it is removed then.
   */
  unlistedProperties: {
    fapi: {
      // "Membership required": clerk-js reads it (OrganizationSettings.forceOrganizationSelection),
      // and @clerk/ui hides personal accounts with it; Clerk sends it where the instance has it.
      "/components/schemas/Client.OrganizationSettings": {
        force_organization_selection: { type: "boolean" },
      },
    },
  } as Record<string, Record<string, Record<string, JsonObject>>>,
  /**
   * @clerk/backend's list methods (`sessions.getSessionList`, `jwtTemplates.list`, ...) send
   * `paginated=true`, a query parameter the BAPI spec does not document, and read the answer as
   * `{ data, total_count }` although the spec describes those lists as bare arrays. With that
   * parameter, and only for an array response, that envelope around the documented items is
   * what is expected.
   */
  paginatedEnvelope: { parameter: "paginated", value: "true" },
  /**
   * Operations the spec lists without a 401 although, like every Backend API call, they answer a
   * missing or unknown secret key with one: the M2M token operations, which take a machine's
   * secret key (or the instance's) and whose responses were written without Clerk's shared ones.
   * Such a 401 is held to the `AuthenticationInvalid` response every other operation documents.
   */
  undocumentedUnauthorized: {
    templates: ["/m2m_tokens", "/m2m_tokens/verify", "/m2m_tokens/{m2m_token_id}/revoke"],
    response: "/components/responses/AuthenticationInvalid",
  },
};

const contracts = new Map<string, Contract>();

export function loadContract(specFile: string): Contract {
  const file = resolve(specFile);
  let contract = contracts.get(file);
  if (!contract) {
    contract = createContract(file);
    contracts.set(file, contract);
  }
  return contract;
}

// Parsing a spec's YAML takes about half a second of CPU, and every test file's process needs one
// or more: the parsed document is kept as JSON (read in milliseconds) under node_modules/.cache,
// by the hash of the YAML, so a changed spec is parsed again.
const PARSED_CACHE = fileURLToPath(
  new URL("../../node_modules/.cache/openapi-contract/", import.meta.url),
);

function parseSpec(file: string): unknown {
  const yaml = readFileSync(file, "utf8");
  const cached = join(PARSED_CACHE, `${createHash("sha256").update(yaml).digest("hex")}.json`);
  try {
    return JSON.parse(readFileSync(cached, "utf8"));
  } catch {
    const parsed: unknown = parse(yaml);
    // Written whole and renamed into place: processes parsing at once never read half a file.
    mkdirSync(PARSED_CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(parsed));
    renameSync(partial, cached);
    return parsed;
  }
}

export function validateWebhookPayload(payload: unknown): ContractResult {
  return loadContract(WEBHOOKS_SPEC).validateWebhook(payload);
}

function createContract(file: string): Contract {
  const label = basename(file).split("-")[0] ?? file;
  const parsed = parseSpec(file);
  if (!isObject(parsed)) throw new Error(`${file} is not an OpenAPI document`);
  const doc = parsed;
  for (const site of SPEC_ERRATA.closedAllOf[label] ?? []) closeAllOf(doc, site);
  for (const [site, properties] of Object.entries(SPEC_ERRATA.unlistedProperties[label] ?? {})) {
    addUnlistedProperties(doc, site, properties);
  }
  normalize(doc);

  // The whole document is registered once; validators are compiled lazily per schema location, so
  // `#/components/...` references resolve against it and only the schemas a test touches are built.
  const id = pathToFileURL(file).href;
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    verbose: true,
    discriminator: true,
    validateFormats: false,
    validateSchema: false,
  });
  ajv.addSchema(doc, id);
  const validators = new Map<string, ValidateFunction>();
  let templates: PathTemplate[] | undefined;

  function validateAt(
    schemaPointer: string,
    value: unknown,
    operation: string,
    envelope: "paginated" | "none" = "none",
  ): ContractResult {
    const key = `${envelope} ${schemaPointer}`;
    let validate = validators.get(key);
    if (!validate) {
      const schema = { $ref: `${id}#${uriFragment(schemaPointer)}` };
      validate = ajv.compile(envelope === "none" ? schema : paginatedEnvelope(schema));
      validators.set(key, validate);
    }
    return validate(value) ? { ok: true, operation } : fail(...formatErrors(validate.errors ?? []));
  }

  function findOperation(
    method: string,
    path: string,
  ): { template: string; operation: Located } | undefined {
    templates ??= Object.keys(isObject(doc.paths) ? doc.paths : {})
      .map(compileTemplate)
      .sort((a, b) => compareRanks(a.rank, b.rank));
    const segments = path.split("/").slice(1);
    for (const { template, segments: pattern } of templates) {
      if (pattern.length !== segments.length) continue;
      const matches = pattern.every((p, i) => {
        const segment = segments[i] ?? "";
        return typeof p === "string" ? p === segment : p.test(segment);
      });
      if (!matches) continue;
      const item = follow(doc, pointer("paths", template));
      const operation = item && follow(doc, `${item.pointer}${pointer(method)}`);
      // A literal path without this method falls through to a parameterised one that has it.
      if (operation) return { template, operation };
    }
    return undefined;
  }

  return {
    validateResponse({ method, path, status, body }) {
      const verb = method.toLowerCase();
      const requestPath = normalizeRequestPath(path);
      const request = `${method.toUpperCase()} ${requestPath}`;
      if (!HTTP_METHODS.has(verb)) return fail(`no operation in ${label} spec for ${request}`);
      // The spec's server URL carries `/v1` while its paths do not; the SDK sends both forms.
      const unversioned = requestPath.replace(/^\/v1(?=\/|$)/, "") || "/";
      const found = findOperation(verb, requestPath) ?? findOperation(verb, unversioned);
      if (!found) return fail(`no operation in ${label} spec for ${request}`);

      const operation = `${method.toUpperCase()} ${found.template}`;
      const responses = follow(doc, `${found.operation.pointer}/responses`);
      const documented = Object.keys(responses?.node ?? {});
      const key = [String(status), `${Math.floor(status / 100)}XX`, "default"]
        .map((wanted) => documented.find((k) => k.toUpperCase() === wanted.toUpperCase()))
        .find((k) => k !== undefined);
      const { templates, response: unauthorized } = SPEC_ERRATA.undocumentedUnauthorized;
      if (key === undefined && status === 401 && templates.includes(found.template)) {
        const located = follow(doc, unauthorized);
        const schema = located && jsonSchemaPointer(doc, located);
        if (schema) return validateAt(schema, body, operation);
      }
      if (!responses || key === undefined) {
        return fail(
          `no response for status ${status} in ${label} spec for ${operation} (documented: ${documented.join(", ") || "none"})`,
        );
      }
      const response = follow(doc, `${responses.pointer}${pointer(key)}`);
      const schema = response && jsonSchemaPointer(doc, response);
      if (!schema) {
        return fail(`no application/json schema in ${label} spec for ${operation} response ${key}`);
      }
      const { parameter, value } = SPEC_ERRATA.paginatedEnvelope;
      const paginated =
        new URLSearchParams(path.split("?")[1]?.split("#")[0]).get(parameter) === value &&
        resolveSchema(doc, lookup(doc, schema)).type === "array";
      return validateAt(schema, body, operation, paginated ? "paginated" : "none");
    },

    validateComponent(name, value) {
      const schema = pointer("components", "schemas", name);
      if (lookup(doc, schema) === undefined) return fail(`no schema ${name} in ${label} spec`);
      return validateAt(schema, value, `#${schema}`);
    },

    validateWebhook(payload) {
      const type = isObject(payload) ? payload.type : undefined;
      if (typeof type !== "string") return fail('webhook payload has no string "type"');
      const operation = follow(doc, pointer("x-webhooks", type, "post"));
      const body = operation && follow(doc, `${operation.pointer}/requestBody`);
      const schema = body && jsonSchemaPointer(doc, body);
      if (!schema) return fail(`no webhook event ${type} in ${label} spec`);
      return validateAt(schema, payload, `webhook ${type}`);
    },
  };
}

function fail(...errors: string[]): ContractResult {
  return { ok: false, errors };
}

function paginatedEnvelope(list: JsonObject): JsonObject {
  return {
    type: "object",
    additionalProperties: false,
    required: ["data", "total_count"],
    properties: { data: list, total_count: { type: "integer" } },
  };
}

function normalizeRequestPath(path: string): string {
  const pathname = (path.split(/[?#]/, 1)[0] ?? "").replace(/\/{2,}/g, "/");
  const trimmed = pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname;
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

function compileTemplate(template: string): PathTemplate {
  const segments = template.split("/").slice(1);
  return {
    template,
    segments: segments.map((segment) =>
      segment.includes("{")
        ? new RegExp(
            `^${segment
              .split(/\{[^}]+\}/)
              .map(escapeRegExp)
              .join("[^/]+")}$`,
          )
        : segment,
    ),
    rank: segments.map((segment) =>
      !segment.includes("{") ? 0 : /^\{[^}]+\}$/.test(segment) ? 2 : 1,
    ),
  };
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Where the `application/json` schema of a response or request body object sits, if anywhere. */
function jsonSchemaPointer(doc: JsonObject, holder: Located): string | undefined {
  const content = holder.node.content;
  if (!isObject(content)) return undefined;
  const mediaType =
    "application/json" in content
      ? "application/json"
      : Object.keys(content).find((type) => /^application\/([\w.-]+\+)?json\b/i.test(type));
  if (mediaType === undefined) return undefined;
  const schema = `${holder.pointer}${pointer("content", mediaType, "schema")}`;
  return lookup(doc, schema) === undefined ? undefined : schema;
}

/** Resolves a non-schema object (path item, response, request body), following local `$ref`s. */
function follow(doc: JsonObject, start: string): Located | undefined {
  let location = start;
  for (let hops = 0; hops < 32; hops++) {
    const node = lookup(doc, location);
    if (!isObject(node)) return undefined;
    if (typeof node.$ref !== "string") return { pointer: location, node };
    if (!node.$ref.startsWith("#")) throw new Error(`non-local $ref ${node.$ref} is not supported`);
    location = decodeURIComponent(node.$ref.slice(1));
  }
  throw new Error(`$ref cycle at ${start}`);
}

function lookup(doc: JsonObject, location: string): unknown {
  let node: unknown = doc;
  for (const token of location.split("/").slice(1)) {
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    const key = token.replace(/~1/g, "/").replace(/~0/g, "~");
    node = Object.hasOwn(node, key) ? (node as JsonObject)[key] : undefined;
  }
  return node;
}

function pointer(...tokens: string[]): string {
  return tokens.map((token) => `/${token.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

function uriFragment(location: string): string {
  return location.split("/").map(encodeURIComponent).join("/");
}

function closeAllOf(doc: JsonObject, site: string): void {
  const schema = lookup(doc, site);
  const branches = isObject(schema) && Array.isArray(schema.allOf) ? schema.allOf : [];
  const resolved = branches.map((branch) => resolveSchema(doc, branch));
  const names = new Set<string>();
  for (const branch of [schema, ...resolved]) {
    if (isObject(branch) && isObject(branch.properties)) {
      for (const name of Object.keys(branch.properties)) names.add(name);
    }
  }
  const closed = resolved.filter(
    (branch) =>
      branch.additionalProperties === false &&
      [...names].some((name) => !isObject(branch.properties) || !(name in branch.properties)),
  );
  // Fail loudly once Clerk fixes the spec, so the allowance is removed rather than left behind.
  if (!isObject(schema) || closed.length === 0) {
    throw new Error(`SPEC_ERRATA.closedAllOf entry ${site} no longer matches the spec; remove it`);
  }
  schema.allOf = resolved.map((branch, i) => {
    if (!closed.includes(branch)) return branches[i];
    const { additionalProperties: _, ...open } = branch;
    return open;
  });
  const properties = isObject(schema.properties) ? schema.properties : {};
  schema.properties = {
    ...Object.fromEntries([...names].map((name) => [name, {}])),
    ...properties,
  };
  schema.additionalProperties = false;
}

function addUnlistedProperties(
  doc: JsonObject,
  site: string,
  properties: Record<string, JsonObject>,
): void {
  const schema = lookup(doc, site);
  const listed = isObject(schema) && isObject(schema.properties) ? schema.properties : undefined;
  if (!listed || Object.keys(properties).some((name) => name in listed)) {
    throw new Error(
      `SPEC_ERRATA.unlistedProperties entry ${site} no longer matches the spec; remove it`,
    );
  }
  Object.assign(listed, properties);
}

/** Follows a schema's own `$ref` chain; refs inside it stay document-absolute, so copies work. */
function resolveSchema(doc: JsonObject, schema: unknown): JsonObject {
  let current = schema;
  for (let hops = 0; hops < 32 && isObject(current) && typeof current.$ref === "string"; hops++) {
    current = lookup(doc, decodeURIComponent(current.$ref.slice(1)));
  }
  return isObject(current) ? current : {};
}

/**
 * Rewrites OpenAPI 3.0 schema dialect into something Ajv compiles with the intended meaning:
 *
 * - `nullable: true` means "null is also accepted" (OpenAPI 3.1 spells it `type: [T, "null"]`).
 *   Ajv only honours it next to `type` and throws without one, and a sibling `enum`, `$ref`,
 *   `allOf` or `oneOf` would still reject null where the spec plainly means to allow it.
 * - `discriminator` is evaluated by Ajv where it can be (one branch's errors instead of every
 *   branch's); a `mapping` that only restates the branches' tag enums is dropped, as Ajv rejects
 *   it. Anything else falls back to the plain `oneOf`, which still constrains the value.
 */
function normalize(doc: JsonObject): void {
  const schemas = new Set<JsonObject>();
  collectSchemaObjects(doc, false, schemas);
  for (const schema of [...schemas].map(normalizeNullable)) normalizeDiscriminator(doc, schema);
}

function collectSchemaObjects(node: unknown, isMap: boolean, into: Set<JsonObject>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectSchemaObjects(item, false, into);
    return;
  }
  // Shared objects (YAML aliases, erratum copies) are normalised once.
  if (!isObject(node) || into.has(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (isMap) collectSchemaObjects(value, false, into);
    else if (!DATA_KEYWORDS.has(key) && (key === "x-webhooks" || !key.startsWith("x-"))) {
      collectSchemaObjects(value, MAP_KEYWORDS.has(key), into);
    }
  }
  // Children first, so a wrapped schema's contents are already normalised.
  if (!isMap) into.add(node);
}

/** Returns the object that now holds the schema's own keywords (moved when wrapped). */
function normalizeNullable(schema: JsonObject): JsonObject {
  if (schema.nullable !== true) return schema;
  if (COMPOSITION_KEYWORDS.some((keyword) => keyword in schema)) {
    const rest = { ...schema };
    delete rest.nullable;
    for (const key of Object.keys(schema)) delete schema[key];
    // `if` rather than `anyOf`, so a non-null value reports only the real schema's errors.
    Object.assign(schema, { if: { type: "null" }, else: rest });
    return rest;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(null))
    schema.enum = [...schema.enum, null];
  if (!("type" in schema)) delete schema.nullable;
  return schema;
}

function normalizeDiscriminator(doc: JsonObject, schema: JsonObject): void {
  const discriminator = schema.discriminator;
  if (!isObject(discriminator)) return;
  delete schema.discriminator;
  const tag = discriminator.propertyName;
  const oneOf = Array.isArray(schema.oneOf) ? schema.oneOf : [];
  if (typeof tag !== "string" || oneOf.length === 0) return;

  const tagValues = oneOf.map((branch) => {
    const property = resolveSchema(doc, branch).properties;
    const tagSchema = isObject(property) ? property[tag] : undefined;
    if (!isObject(tagSchema)) return undefined;
    return "const" in tagSchema ? [tagSchema.const] : tagSchema.enum;
  });
  const all = tagValues.flatMap((values) => (Array.isArray(values) ? values : [undefined]));
  const evaluable =
    all.every((value) => typeof value === "string") && new Set(all).size === all.length;
  const mapping = isObject(discriminator.mapping) ? Object.entries(discriminator.mapping) : [];
  const mappingIsImplied = mapping.every(([value, target]) => {
    const index = oneOf.findIndex((branch) => isObject(branch) && branch.$ref === target);
    const values = tagValues[index];
    return Array.isArray(values) && values.includes(value);
  });
  if (!evaluable || !mappingIsImplied) return;

  // Clerk's branches leave the tag optional, which Ajv's discriminator refuses: use it when the
  // tag is present and let the plain `oneOf` decide when it is absent.
  delete schema.oneOf;
  const select = {
    if: { type: "object", required: [tag] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's `then` keyword, not a thenable.
    then: { required: [tag], oneOf, discriminator: { propertyName: tag } },
    else: { oneOf },
  };
  schema.allOf = [...(Array.isArray(schema.allOf) ? schema.allOf : []), select];
}

function formatErrors(errors: ErrorObject[]): string[] {
  const lines = new Set<string>();
  for (const error of errors) {
    // The `if`s added by `normalize` only say which branch failed; that branch's errors say why.
    if (error.keyword === "if") continue;
    lines.add(`${error.instancePath || "(root)"}: ${describeError(error)}`);
  }
  const all = [...lines];
  return all.length > MAX_ERRORS
    ? [...all.slice(0, MAX_ERRORS), `... and ${all.length - MAX_ERRORS} more`]
    : all;
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return `must NOT have additional property "${String(params.additionalProperty)}"`;
    case "required":
      return `must have required property "${String(params.missingProperty)}"`;
    case "type":
      return `${error.message} (got ${typeName(error.data)})`;
    case "enum":
      return `${error.message} ${JSON.stringify(params.allowedValues)} (got ${JSON.stringify(error.data)})`;
    case "const":
      return `must be ${JSON.stringify(params.allowedValue)} (got ${JSON.stringify(error.data)})`;
    case "pattern":
      return `${error.message} (got ${JSON.stringify(error.data)})`;
    case "discriminator":
      return `${error.message} (got ${JSON.stringify(params.tagValue)})`;
    default:
      return error.message ?? error.keyword;
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
