/**
 * A local HTTP server on 127.0.0.1 for the download tests: it records every request and connection, and its
 * handler decides per request how to misbehave (drop the connection, stall, ignore Range, redirect, refuse).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** `index` counts this server's requests from 0. */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;

export class FileServer {
  readonly requests: SeenRequest[] = [];
  /** TCP connections accepted: 0 proves nothing was sent. */
  connections = 0;

  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
  ) {}

  static async start(handler: Handler): Promise<FileServer> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const self = new FileServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', () => self.connections++);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      self.requests.push({ path: req.url ?? '', headers: req.headers });
      handler(req, res, self.requests.length - 1);
    });
    return self;
  }

  url(path: string): string {
    return this.origin + path;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface ServeOptions {
  /** Answer 200 with the whole file even to a Range request (a server that cannot resume). */
  ignoreRange?: boolean;
  /** Send this many body bytes, then destroy the socket. */
  dropAfter?: number;
  /** Send this many body bytes, then nothing more, keeping the connection open. */
  stallAfter?: number;
}

/** Answers a GET for `body` as a static file server does: Range → 206 (or 416 past the end), else 200. */
export function serveBytes(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, options: ServeOptions = {}): void {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let end = body.length - 1;
  if (m && !options.ignoreRange) {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
    if (start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1, 'accept-ranges': 'bytes' });
  } else {
    res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
  }
  const part = body.subarray(start, end + 1);
  if (options.dropAfter !== undefined) {
    res.write(part.subarray(0, options.dropAfter), () => res.socket?.destroy());
  } else if (options.stallAfter !== undefined) {
    res.write(part.subarray(0, options.stallAfter));
  } else {
    res.end(part);
  }
}
