import { Document, ImageRun, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from "docx";

/** Real .docx files for the tests, written with the docx package (what Word would save, not a mock). */
export async function docxOf(content: (string | string[][])[]): Promise<Buffer> {
  const children = content.map((c) =>
    typeof c === "string"
      ? new Paragraph({ children: [new TextRun(c)] })
      : new Table({ rows: c.map((row) => new TableRow({ children: row.map((cell) => new TableCell({ children: cell.split("\n").map((p) => new Paragraph(p)) })) })) }),
  );
  return Packer.toBuffer(new Document({ sections: [{ children }] }));
}

/** A 1×1 PNG: a scanned notice is a document of pictures. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

export async function imageOnlyDocx(): Promise<Buffer> {
  const image = new ImageRun({ type: "png", data: PNG, transformation: { width: 100, height: 100 } });
  return Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph({ children: [image] })] }] }));
}

export async function emptyDocx(): Promise<Buffer> {
  return Packer.toBuffer(new Document({ sections: [{ children: [] }] }));
}
