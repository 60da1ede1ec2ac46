/**
 * `mailsleuth serve`: the HTTP API and the web UI on one port. Safe by default: it binds to
 * 127.0.0.1, refuses to listen elsewhere without a token, and probes no private address unless
 * told to (see context.ts).
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp, type AppOptions, type ServerApp } from './app.ts';
import { checkBindSafety } from './options.ts';

export { createApp } from './app.ts';
export type { AppOptions, ServerApp } from './app.ts';
export type { Engine } from './engine.ts';
export type { ServerNetwork } from './context.ts';
export { runContext, keysFromEnv } from './context.ts';
export { DEFAULT_LIMITS, type ServerLimits } from './options.ts';

export interface StartOptions extends AppOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8025; 0 picks a free port. */
  port?: number;
}

export interface RunningServer extends ServerApp {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  checkBindSafety(host, options.token);
  const built = createApp(options);
  const { server, info } = await new Promise<{ server: ReturnType<typeof serve>; info: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch: built.app.fetch, hostname: host, port: options.port ?? 8025 }, (info) => resolve({ server, info }));
    server.once('error', reject);
  });
  const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  return {
    ...built,
    url: `http://${shownHost}:${info.port}`,
    port: info.port,
    host: info.address,
    close: () =>
      new Promise<void>((resolve) => {
        // Open event streams would hold close() forever; end them with the server.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
