// An HTTP server that can stop gracefully: stop taking new connections, let in-flight requests finish within a bound.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export class HttpServer {
  private server?: http.Server;
  constructor(
    readonly name: string,
    private readonly app: Express | http.RequestListener,
  ) {}

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const server = http.createServer(this.app as http.RequestListener);
      server.keepAliveTimeout = 5000;
      server.requestTimeout = 30_000;
      server.headersTimeout = 10_000;
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.server = server;
        resolve(server.address() as AddressInfo);
      });
    });
  }

  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  get raw(): http.Server | undefined {
    return this.server;
  }

  /** Close: idle keep-alive sockets now, busy ones when their request ends or after drainMs. */
  close(drainMs: number): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    return new Promise((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), drainMs);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
  }
}
