import { Command, CommanderError } from "commander";

/** Builds the `duban` command line; every command is a thin wrapper over the library API. */
export function buildProgram(): Command {
  const program = new Command("duban")
    .description("督办 Duban: run a government campaign from a declarative plan file")
    .exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
}
