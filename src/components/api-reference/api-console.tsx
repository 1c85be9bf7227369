"use client";

import { createContext, type ReactNode, use, useId, useState, useTransition } from "react";

// The reference page's "try it": requests go from this browser to this app, with the bearer
// token typed here (kept in memory only, gone on reload) or, when it is empty, the signed-in
// session's cookie.

type TokenState = { token: string; setToken: (token: string) => void };
const TokenContext = createContext<TokenState | null>(null);

function useToken(): TokenState {
  const state = use(TokenContext);
  if (!state) throw new Error("useToken outside <ApiConsole>");
  return state;
}

export function ApiConsole({ children }: { children: ReactNode }) {
  const [token, setToken] = useState("");
  return <TokenContext value={{ token, setToken }}>{children}</TokenContext>;
}

export function TokenField() {
  const { token, setToken } = useToken();
  return (
    <div className="flex flex-col gap-1 rounded-lg border border-slate-200 bg-white p-4">
      <label htmlFor="api-token" className="text-sm font-medium">
        Bearer token for “Try it”
      </label>
      <input
        id="api-token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="ak_..."
        value={token}
        onChange={(e) => setToken(e.target.value)}
        aria-describedby="api-token-hint"
        className="rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
      />
      <p id="api-token-hint" className="text-sm text-slate-600">
        An API key from settings or a session token (an M2M token for the machine routes). It stays
        in this page and is forgotten on reload. Leave it empty to call the API as your signed-in
        session.
      </p>
    </div>
  );
}

export type TryItParameter = { name: string; in: "path" | "query"; required: boolean };

type Result = { status: number; statusText: string; body: string } | { error: string };

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function TryIt({
  method,
  path,
  parameters,
  exampleBody,
}: {
  method: string;
  path: string;
  parameters: TryItParameter[];
  exampleBody?: string | undefined;
}) {
  const { token } = useToken();
  const id = useId();
  const [values, setValues] = useState<Record<string, string>>({});
  const [body, setBody] = useState(exampleBody ?? "");
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();

  function url(): string {
    const filled = path.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(values[name] ?? ""),
    );
    const query = new URLSearchParams();
    for (const p of parameters) {
      const value = values[p.name];
      if (p.in === "query" && value) query.set(p.name, value);
    }
    const search = query.toString();
    return `${filled}${search ? `?${search}` : ""}`;
  }

  function send() {
    startTransition(async () => {
      const headers: Record<string, string> = {};
      if (token.trim()) headers.authorization = `Bearer ${token.trim()}`;
      if (exampleBody !== undefined) headers["content-type"] = "application/json";
      try {
        const res = await fetch(url(), {
          method: method.toUpperCase(),
          headers,
          body: exampleBody !== undefined ? body : undefined,
        });
        setResult({
          status: res.status,
          statusText: res.statusText,
          body: pretty(await res.text()),
        });
      } catch (err) {
        setResult({ error: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  return (
    <form
      className="flex flex-col gap-3 rounded-md border border-slate-200 bg-slate-50 p-3"
      aria-label={`Try ${method.toUpperCase()} ${path}`}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {parameters.map((p) => (
        <div key={p.name} className="flex flex-col gap-1">
          <label htmlFor={`${id}-${p.name}`} className="text-sm font-medium">
            <code className="font-mono">{p.name}</code>{" "}
            <span className="font-normal text-slate-500">
              ({p.in}
              {p.required ? ", required" : ""})
            </span>
          </label>
          <input
            id={`${id}-${p.name}`}
            required={p.required}
            value={values[p.name] ?? ""}
            onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-mono text-sm"
          />
        </div>
      ))}
      {exampleBody !== undefined && (
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-body`} className="text-sm font-medium">
            Body (JSON)
          </label>
          <textarea
            id={`${id}-body`}
            rows={Math.max(3, (exampleBody ?? "").split("\n").length)}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            spellCheck={false}
            className="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm"
          />
        </div>
      )}
      <div>
        <button
          type="submit"
          disabled={pending}
          className="rounded-md bg-brand-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        >
          {pending ? "Sending…" : "Send request"}
        </button>
      </div>
      <div aria-live="polite">
        {result &&
          ("error" in result ? (
            <p className="text-sm text-red-700">Request failed: {result.error}</p>
          ) : (
            <>
              <p className="text-sm font-medium">
                {result.status} {result.statusText}
              </p>
              {result.body && (
                <pre className="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
                  {result.body}
                </pre>
              )}
            </>
          ))}
      </div>
    </form>
  );
}
