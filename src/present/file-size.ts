/**
 * A file's size as people read it: bytes below 1 KB ("312 B"), then one decimal ("1.2 KB", "3.4 MB").
 * Rounding a small file down to "0 KB" told a clerk their upload was empty.
 */
export function fileSizeZh(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"] as const;
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1).replace(/\.0$/, "") : Math.round(v)} ${units[i]}`;
}
