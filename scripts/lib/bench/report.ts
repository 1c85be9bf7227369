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
};

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const twoDecimals = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

const ms = (v: number) => (v < 10 ? oneDecimal.format(v) : integer.format(v));
const dash = "–";

export function formatTable(rows: Row[]): string {
  const lines = [
    "| measurement | req/s | p50 ms | p99 ms | × /api/health | Clerk calls/req |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${[
        r.label,
        r.perSecond === undefined ? dash : integer.format(r.perSecond),
        ms(r.p50),
        r.p99 === undefined ? dash : ms(r.p99),
        r.vsHealth === undefined ? dash : twoDecimals.format(r.vsHealth),
        r.clerkCalls === undefined ? dash : twoDecimals.format(r.clerkCalls),
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

export type Layer = { label: string; ms: number };

// Where a request's time goes: differences between rows' server time per request.
export function formatLayers(layers: Layer[]): string {
  const lines = ["| layer (difference of rows) | ms per request |", "|---|---:|"];
  for (const l of layers) lines.push(`| ${l.label} | ${oneDecimal.format(l.ms)} |`);
  return lines.join("\n");
}
