import { randomBytes } from "node:crypto";
import { existsSync, realpathSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { StoreError } from "./errors.ts";
import { SqliteStore } from "./sqlite.ts";
import type { ChainHead } from "./types.ts";

export interface BackupResult {
  file: string;
  /** The head of the copy: what `duban verify --head` checks after a restore. */
  head: ChainHead;
  events: number;
  storeId: string;
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

/**
 * Copies a SQLite store while daemons keep writing to it, then checks the copy's whole chain, so a backup
 * that would not verify is never left under its name. The copy is written beside the target and renamed
 * into place: an interrupted backup leaves the previous one intact. PostgreSQL is backed up with pg_dump
 * (docs/ops/backup.md); this refuses it with that advice rather than pretending.
 */
export async function backupSqlite(spec: string, to: string, opts: { asCopy?: boolean } = {}): Promise<BackupResult> {
  if (/^postgres(ql)?:\/\//i.test(spec))
    throw new StoreError("INVALID_ARGUMENT", "PostgreSQL 存储请用 pg_dump 备份（见 docs/ops/backup.md），恢复后用 duban verify --head <日志头> 核对");
  const path = spec.replace(/^sqlite:/i, "");
  if (!existsSync(path)) throw new StoreError("INVALID_ARGUMENT", `存储文件不存在：${path}`);
  if (samePath(path, to)) throw new StoreError("INVALID_ARGUMENT", `备份文件不能是存储本身：${to}`);
  if (!existsSync(dirname(resolve(to)))) throw new StoreError("INVALID_ARGUMENT", `备份目录不存在：${dirname(resolve(to))}`);
  const tmp = join(dirname(resolve(to)), `.${basename(to)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const source = new SqliteStore(path);
  try {
    await source.backup(tmp, { newId: opts.asCopy ?? false });
    const copy = new SqliteStore(tmp);
    let result: Omit<BackupResult, "file">;
    try {
      const v = await copy.verify();
      if (!v.ok) throw new StoreError("INVALID_ARGUMENT", `备份副本校验失败：第 ${v.seq} 条：${v.problem}`);
      // Every other campaign of the store has a chain of its own: the copy keeps them all, and all must verify.
      for (const r of await copy.campaigns()) {
        if (r.prefix === "") continue;
        const w = await copy.campaignLog(r.prefix).verify();
        if (!w.ok) throw new StoreError("INVALID_ARGUMENT", `备份副本校验失败：专项行动 ${r.id} 第 ${w.seq} 条：${w.problem}`);
      }
      result = { head: await copy.head(), events: v.count, storeId: await copy.storeId() };
    } finally {
      await copy.close();
    }
    // Closing the copy's last connection checkpointed its WAL into the file: it is one self-contained file.
    renameSync(tmp, to);
    return { file: to, ...result };
  } catch (err) {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(tmp + suffix, { force: true });
    throw err;
  } finally {
    await source.close();
  }
}
