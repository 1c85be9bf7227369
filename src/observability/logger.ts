import pino from "pino";

// Structured logs: one JSON object per line on stdout, for any log pipeline to index. Credentials
// never reach a log line: callers log ids, never tokens, keys, codes or email addresses, and the
// redaction below is the safety net for a header object logged by mistake.
export const logger = pino({
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: {
    paths: ["headers.authorization", "headers.cookie", "*.authorization", "*.cookie"],
    censor: "[redacted]",
  },
});
