import { createServer as createNetServer, type AddressInfo } from "node:net";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from "smtp-server";
import type { OutgoingMessage } from "../../notifiers/index.ts";

/** A realistic reminder: Chinese names, subject and body. */
export function sampleMessage(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    messageId: "<5f0c1e2d3b4a@duban>",
    to: { id: "yuzhong", name: "渝中区人力社保局", email: ["rsj@yuzhong.example.gov.cn"], webhooks: [] },
    cc: [{ id: "shi-rsj", name: "市人力社保局", email: ["duban@rsj.example.gov.cn"] }],
    subject: "【督办提醒】渝中区人力社保局：具体实施方案 5月20日（周四）到期",
    text: "渝中区人力社保局：\n\n“具体实施方案”应于5月20日（周四）前报送，请抓紧办理。\n\n督办系统",
    html: "<p>渝中区人力社保局：</p><p>“具体实施方案”应于<b>5月20日（周四）</b>前报送，请抓紧办理。</p><p>督办系统</p>",
    date: "2021-05-21T09:00:00+08:00",
    ...overrides,
  };
}

export interface ReceivedMail {
  raw: Buffer;
  envelopeTo: string[];
  /** The Message-ID header as sent (angle brackets included), read from the header block. */
  messageId: string | undefined;
}

/** Message-ID of raw RFC 822 bytes, from the header block only. */
export function rawMessageId(raw: Buffer): string | undefined {
  const head = raw.toString("utf8").split(/\r?\n\r?\n/)[0] ?? "";
  return /^Message-ID:[ \t]*(.+?)[ \t]*$/im.exec(head.replace(/\r?\n[ \t]+/g, " "))?.[1];
}

export interface SmtpFixture {
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

type Reject = (err: Error & { responseCode?: number }) => void;

function smtpError(message: string, responseCode: number): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * A real SMTP server on 127.0.0.1; optional hooks refuse recipients or data with a code, hold a
 * transaction at MAIL FROM (`onMailFrom` resolves when it may go on), or answer a message late
 * (`beforeReply` runs after the message is recorded and before the 250 reply, like a slow server).
 */
export async function startSmtp(hooks: {
  rcptCode?: (address: string) => number | undefined;
  dataCode?: () => number | undefined;
  onMailFrom?: () => Promise<void>;
  beforeReply?: (mail: ReceivedMail) => Promise<void>;
} = {}): Promise<SmtpFixture> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    // Connections of a client that was killed are gone anyway; do not wait 30 s for stragglers.
    closeTimeout: 1000,
    onMailFrom(_address, _session, callback) {
      if (!hooks.onMailFrom) return callback();
      hooks.onMailFrom().then(() => callback(), callback);
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      const code = hooks.rcptCode?.(address.address);
      callback(code ? smtpError(`refused ${address.address}`, code) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const code = hooks.dataCode?.();
        if (code) return (callback as Reject)(smtpError("try again later", code));
        const raw = Buffer.concat(chunks);
        const mail = { raw, envelopeTo: session.envelope.rcptTo.map((a) => a.address), messageId: rawMessageId(raw) };
        received.push(mail);
        if (!hooks.beforeReply) return callback(null);
        hooks.beforeReply(mail).then(() => callback(null), (err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface HttpHit {
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface HttpFixture {
  base: string;
  hits: HttpHit[];
  close(): Promise<void>;
}

/** A real HTTP server; `respond` decides each answer from the request. */
export async function startHttp(respond: (hit: HttpHit, res: ServerResponse) => void): Promise<HttpFixture> {
  const hits: HttpHit[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const hit = { url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      hits.push(hit);
      respond(hit, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
