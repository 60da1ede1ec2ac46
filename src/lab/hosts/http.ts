/**
 * A lab web host: HTTP (a page, or a 301 to https) and HTTPS with a lab certificate and an
 * optional HSTS header, on node:http/https. Every path gets the same answer: the web probe asks
 * for `/` and the MTA-STS policy path, and a scenario decides what both say.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { LabCa } from '../tls.ts';
import type { HttpService } from './schema.ts';
import type { Listening } from './smtp.ts';

export async function createWebHost(service: HttpService, names: readonly string[], ca: LabCa): Promise<Listening> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Drain the request body (bounded by Node's own limits) so keep-alive works.
    req.resume();
    if (service.redirectToHttps) {
      const host = (req.headers.host ?? names[0] ?? 'localhost').replace(/:\d+$/, '');
      res.writeHead(301, { Location: `https://${host}${req.url ?? '/'}`, 'Content-Type': 'text/html' });
      res.end('<html><body>Moved Permanently</body></html>\n');
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=utf-8', Server: 'Apache', ...service.headers };
    if (service.type === 'https' && service.hsts) headers['Strict-Transport-Security'] = service.hsts;
    headers['Content-Length'] = String(Buffer.byteLength(service.body));
    res.writeHead(service.status, headers);
    res.end(req.method === 'HEAD' ? undefined : service.body);
  };
  let server: http.Server | https.Server;
  if (service.type === 'https') {
    const cert = await ca.issue(service.certificate, service.certificateNames ?? names, service.certificateNames);
    server = https.createServer({ key: cert!.keyPem, cert: cert!.certPem }, handler);
    server.on('tlsClientError', () => {});
  } else {
    server = http.createServer(handler);
  }
  server.on('clientError', (_err, socket: net.Socket) => socket.destroy());
  return {
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
