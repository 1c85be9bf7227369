import { auth } from "@clerk/nextjs/server";
import { Fragment } from "react";
import { type JsonSchema, type OpenApiOperation, openApiDocument } from "@/api/openapi";
import { ApiConsole, TokenField, TryIt } from "@/components/api-reference/api-console";
import { AppHeader } from "@/components/app-header";

export const metadata = { title: "API reference" };

// Rendered from the same OpenAPI document /api/v1/openapi.json serves; no assets from elsewhere,
// so it works offline.

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-800",
  post: "bg-green-100 text-green-800",
  patch: "bg-amber-100 text-amber-800",
  delete: "bg-red-100 text-red-800",
};

// The document's descriptions use `backticks` for code and blank lines between paragraphs.
function Inline({ text }: { text: string }) {
  let offset = 0;
  return text.split(/`([^`]+)`/).map((part, i) => {
    const key = offset;
    offset += part.length + 2;
    // Odd parts were between backticks.
    return i % 2 === 1 ? (
      <code key={key} className="rounded bg-slate-100 px-1 font-mono text-sm">
        {part}
      </code>
    ) : (
      <Fragment key={key}>{part}</Fragment>
    );
  });
}

function Prose({ text }: { text: string }) {
  return text.split("\n\n").map((paragraph) => (
    <p key={paragraph} className="text-slate-700">
      <Inline text={paragraph} />
    </p>
  ));
}

function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map(typeOf).join(" | ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : String(schema.type ?? "any");
  const limits = [
    schema.minLength !== undefined && `min length ${schema.minLength}`,
    schema.maxLength !== undefined && `max length ${schema.maxLength}`,
    schema.minimum !== undefined && `min ${schema.minimum}`,
    schema.maximum !== undefined && `max ${schema.maximum}`,
    schema.default !== undefined && `default ${JSON.stringify(schema.default)}`,
    schema.format !== undefined && String(schema.format),
  ].filter(Boolean);
  return limits.length > 0 ? `${type} (${limits.join(", ")})` : type;
}

function FieldTable({ caption, rows }: { caption: string; rows: [string, string, string][] }) {
  return (
    <table className="w-full text-left text-sm">
      <caption className="mb-1 text-left font-medium">{caption}</caption>
      <thead className="text-slate-600">
        <tr>
          <th scope="col" className="py-1 pr-4 font-medium">
            Name
          </th>
          <th scope="col" className="py-1 pr-4 font-medium">
            Type
          </th>
          <th scope="col" className="py-1 font-medium">
            Notes
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, type, notes]) => (
          <tr key={name} className="border-t border-slate-100 align-top">
            <td className="py-1 pr-4 font-mono">{name}</td>
            <td className="py-1 pr-4">{type}</td>
            <td className="py-1 text-slate-700">
              <Inline text={notes} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Operation({
  method,
  path,
  op,
  schemas,
}: {
  method: string;
  path: string;
  op: OpenApiOperation;
  schemas: Record<string, JsonSchema>;
}) {
  const bodyMedia = op.requestBody?.content["application/json"];
  const bodyName =
    String(bodyMedia?.schema.$ref ?? "")
      .split("/")
      .pop() ?? "";
  const bodySchema = schemas[bodyName];
  const bodyFields = Object.entries((bodySchema?.properties ?? {}) as Record<string, JsonSchema>);
  const required = new Set((bodySchema?.required ?? []) as string[]);
  return (
    <section
      id={op.operationId}
      aria-labelledby={`${op.operationId}-heading`}
      className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4"
    >
      <h2 id={`${op.operationId}-heading`} className="flex flex-wrap items-center gap-2">
        <span
          className={`rounded px-2 py-0.5 font-mono text-xs font-bold ${METHOD_STYLE[method] ?? ""}`}
        >
          {method.toUpperCase()}
        </span>
        <code className="font-mono">{path}</code>
        <span className="font-semibold">{op.summary}</span>
      </h2>
      <Prose text={op.description} />
      {op.parameters.length > 0 && (
        <FieldTable
          caption="Parameters"
          rows={op.parameters.map((p) => [
            p.name,
            typeOf(p.schema),
            `${p.in}${p.required ? ", required" : ""}${p.description ? `. ${p.description}` : ""}`,
          ])}
        />
      )}
      {bodyFields.length > 0 && (
        <FieldTable
          caption="Body (application/json; unknown fields are rejected)"
          rows={bodyFields.map(([name, schema]) => [
            name,
            typeOf(schema),
            required.has(name) ? "required" : "optional",
          ])}
        />
      )}
      <div>
        <p className="text-sm font-medium">Responses</p>
        <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
          {Object.entries(op.responses).map(([status, response]) => (
            <div key={status} className="contents">
              <dt className="font-mono">{status}</dt>
              <dd className="text-slate-700">
                <Inline text={response.description} />
              </dd>
            </div>
          ))}
        </dl>
      </div>
      <TryIt
        method={method}
        path={path}
        parameters={op.parameters.map(({ name, in: where, required }) => ({
          name,
          in: where,
          required,
        }))}
        exampleBody={bodyMedia ? JSON.stringify(bodyMedia.example, null, 2) : undefined}
      />
    </section>
  );
}

export default async function ApiReferencePage() {
  const { orgSlug } = await auth();
  const doc = openApiDocument();
  return (
    <>
      <AppHeader orgSlug={orgSlug ?? undefined} />
      <main className="mx-auto flex max-w-5xl flex-col gap-6 px-4 py-8">
        <div className="flex flex-col gap-2">
          <h1 className="text-2xl font-semibold">API reference</h1>
          <Prose text={doc.info.description} />
          <p className="text-sm text-slate-600">
            Machine-readable:{" "}
            <a href="/api/v1/openapi.json" className="text-brand-700 underline">
              /api/v1/openapi.json
            </a>{" "}
            (OpenAPI {doc.openapi}).
          </p>
        </div>
        <ApiConsole>
          <TokenField />
          {Object.entries(doc.paths).flatMap(([path, item]) =>
            Object.entries(item).map(([method, op]) => (
              <Operation
                key={op.operationId}
                method={method}
                path={`${op.servers?.[0]?.url ?? doc.servers[0]?.url ?? ""}${path}`}
                op={op}
                schemas={doc.components.schemas}
              />
            )),
          )}
        </ApiConsole>
        <section aria-labelledby="schemas-heading" className="flex flex-col gap-2">
          <h2 id="schemas-heading" className="text-xl font-semibold">
            Schemas
          </h2>
          {Object.entries(doc.components.schemas).map(([name, schema]) => (
            <details key={name} className="rounded-lg border border-slate-200 bg-white p-3">
              <summary className="cursor-pointer font-mono text-sm">{name}</summary>
              <pre className="mt-2 overflow-x-auto text-xs">{JSON.stringify(schema, null, 2)}</pre>
            </details>
          ))}
        </section>
      </main>
    </>
  );
}
