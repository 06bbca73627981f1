// Renders docs/bulletin.png: page 1 of the 通报 of the Chongqing campaign mid-way (2021-06-20), from a store
// built by the time-lapse demo, written by `duban bulletin` and turned into a picture by LibreOffice
// (soffice → PDF) and poppler (pdftoppm → PNG). Run: node --import tsx scripts/bulletin-picture.ts
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli/main.ts";
import { processIo } from "../src/cli/io.ts";
import { runDemo } from "../src/demo/demo.ts";

for (const tool of ["soffice", "pdftoppm"]) {
  try {
    execFileSync("which", [tool], { stdio: "ignore" });
  } catch {
    console.error(`bulletin-picture: ${tool} is not installed (apt-get install libreoffice-writer-nogui poppler-utils)`);
    process.exit(1);
  }
}

const dir = mkdtempSync(join(tmpdir(), "duban-bulletin-"));
try {
  const demo = await runDemo({ plan: "plans/chongqing-2021.yaml", dir: join(dir, "demo"), to: "2021-06-20", log: () => {} });
  const docx = join(dir, "bulletin.docx");
  const code = await main(["node", "duban", "--db", demo.db, "bulletin", "--as-of", "2021-06-20T15:00+08:00", "-o", docx], processIo);
  if (code !== 0) process.exit(code);
  // A profile of its own: soffice refuses to start beside a running instance that shares the default one.
  execFileSync("soffice", [`-env:UserInstallation=file://${join(dir, "lo-profile")}`, "--headless", "--convert-to", "pdf", "--outdir", dir, docx], { stdio: "ignore" });
  execFileSync("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", join(dir, "bulletin.pdf"), join(dir, "page")]);
  copyFileSync(join(dir, "page.png"), "docs/bulletin.png");
  console.log(`docs/bulletin.png: page 1 of the 通报 as of 2021-06-20 15:00, ${demo.events} events`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
