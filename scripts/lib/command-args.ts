import { type ParseArgsConfig, parseArgs } from "node:util";

// A command's options: `--help` prints its usage; an unknown or malformed option prints what was
// wrong and the usage (exit 2), not node's ERR_PARSE_ARGS_* stack.
export function commandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  options: T,
  usage: string,
) {
  try {
    const { values } = parseArgs({
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
    });
    if ((values as { help?: boolean }).help) {
      console.log(usage);
      process.exit(0);
    }
    return values as ReturnType<typeof parseArgs<{ options: T }>>["values"];
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : err}\n\n${usage}`);
    process.exit(2);
  }
}

export function usageError(usage: string): never {
  console.error(usage);
  process.exit(2);
}
