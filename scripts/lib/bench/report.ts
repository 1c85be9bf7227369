// The bench's table, as Markdown (pastes into the README as it is).

export type Row = {
  label: string;
  // Requests (or events) per second, for a load row; none for a time row.
  perSecond?: number;
  // Milliseconds: latency under load, or a time to first byte, or a start-up time.
  p50: number;
  p99?: number;
  // This row's figure over /api/health's: a rate over its rate, a time over its time.
  vsHealth?: number;
  // Backend API requests the emulator counted per request; undefined where that means nothing.
  clerkCalls?: number;
  // The app server's CPU time per request (ms), where it was measured.
  cpuMs?: number;
};

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const threeDecimals = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 3,
  maximumFractionDigits: 3,
});
const twoDecimals = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

const ms = (v: number) => (v < 10 ? oneDecimal.format(v) : integer.format(v));
const dash = "–";

export function formatTable(rows: Row[]): string {
  const lines = [
    "| measurement | req/s | p50 ms | p99 ms | × /api/health | Clerk calls/req | app CPU ms/req |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${[
        r.label,
        r.perSecond === undefined ? dash : integer.format(r.perSecond),
        ms(r.p50),
        r.p99 === undefined ? dash : ms(r.p99),
        r.vsHealth === undefined ? dash : twoDecimals.format(r.vsHealth),
        r.clerkCalls === undefined ? dash : threeDecimals.format(r.clerkCalls),
        r.cpuMs === undefined ? dash : twoDecimals.format(r.cpuMs),
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

export type Layer = { label: string; ms: number; cpuMs: number };

// Where a request's time goes: differences between rows' server time and CPU time per request.
export function formatLayers(layers: Layer[]): string {
  const lines = [
    "| layer (difference of rows) | server ms per request | app CPU ms per request |",
    "|---|---:|---:|",
  ];
  const cell = (v: number) => (Number.isNaN(v) ? dash : twoDecimals.format(v));
  for (const l of layers)
    lines.push(`| ${l.label} | ${oneDecimal.format(l.ms)} | ${cell(l.cpuMs)} |`);
  return lines.join("\n");
}
