import type { Command } from "commander";
import type { GlobalOptions } from "./campaign-commands.ts";
import { UsageError, type Io } from "./io.ts";

/** `duban backup --to FILE`: a verified copy of a running SQLite store (docs/ops/backup.md). */
export function registerBackupCommand(program: Command, io: Io): void {
  program
    .command("backup")
    .description("copy a running SQLite store to FILE (online backup), checked before it is kept; PostgreSQL: pg_dump, see docs/ops/backup.md")
    .requiredOption("--to <file>", "the backup file to write (replaced atomically when it exists)")
    .option("--as-copy", "give the copy a store id of its own, for a staging or drill copy: its Message-IDs then differ from the original's")
    .action(async (o: { to: string; asCopy?: boolean }) => {
      const g = program.opts() as GlobalOptions;
      const [{ backupSqlite }, { StoreError }] = await Promise.all([import("../store/backup.ts"), import("../store/errors.ts")]);
      let r;
      try {
        r = await backupSqlite(g.db, o.to, { asCopy: o.asCopy ?? false });
      } catch (err) {
        if (err instanceof StoreError && err.code === "INVALID_ARGUMENT") throw new UsageError(err.message, "BACKUP", 1);
        throw err;
      }
      io.out(`已备份至 ${r.file}：${r.events} 条事件，日志头 ${r.head.hash}${o.asCopy ? `；副本的存储标识 ${r.storeId}` : ""}`);
      io.out(`恢复后核对：duban --db ${r.file} verify --head ${r.head.hash}`);
    });
}
