/**
 * A lab SMTP host on smtp-server: greeting name and banner, STARTTLS with a lab certificate (or
 * none), a greet-pause, a tarpit, and a recipient policy. By default it accepts nothing for
 * delivery: every RCPT is refused unless the domain is local or the host is an open relay, so a
 * relay test can tell an open relay from a closed one.
 */
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { LabCa } from '../tls.ts';
import type { SmtpService } from './schema.ts';

export interface ReceivedMessage {
  /** `virtualIp:port` of the host that accepted it. */
  host: string;
  from: string;
  to: string[];
  bytes: number;
}

export interface Listening {
  server: net.Server;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const MAX_KEPT = 1000;

export async function createSmtpHost(service: SmtpService, names: readonly string[], ca: LabCa, label: string, received: ReceivedMessage[]): Promise<Listening> {
  if (service.tarpit) return tarpit();
  const hostname = service.hostname ?? names[0]!;
  const cert = service.starttls ? await ca.issue(service.certificate, service.certificateNames ?? names, service.certificateNames) : null;
  const sockets = new Set<net.Socket>();
  const smtp = new SMTPServer({
    name: hostname,
    ...(service.banner ? { banner: service.banner } : {}),
    ...(cert ? { key: cert.keyPem, cert: cert.certPem } : {}),
    // AUTH is not part of any lab story; STARTTLS is removed entirely when off (hideSTARTTLS would still accept it).
    disabledCommands: cert ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    authOptional: true,
    // The lab never asks the system resolver anything.
    disableReverseLookup: true,
    logger: false,
    size: MAX_MESSAGE_BYTES,
    socketTimeout: 60_000,
    closeTimeout: 100,
    onConnect(_session, callback) {
      if (service.greetingDelayMs > 0) setTimeout(() => callback(), service.greetingDelayMs).unref();
      else callback();
    },
    onRcptTo(address, _session, callback) {
      const domain = address.address.slice(address.address.lastIndexOf('@') + 1).toLowerCase();
      if (service.relay || service.localDomains.includes(domain)) return callback();
      // Postfix's wording for smtpd_relay_restrictions = reject_unauth_destination.
      callback(Object.assign(new Error(`5.7.1 <${address.address}>: Relay access denied`), { responseCode: 554 }));
    },
    onData(stream, session, callback) {
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      stream.on('end', () => {
        if (received.length >= MAX_KEPT) received.shift();
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({ host: label, from, to: session.envelope.rcptTo.map((r) => r.address), bytes });
        callback(null, 'Ok: queued');
      });
    },
  });
  smtp.on('error', () => {});
  const server = smtp.server;
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    server,
    close: () => new Promise<void>((resolve) => {
      smtp.close(() => resolve());
      // Do not wait for clients to say QUIT: the lab stops now.
      for (const socket of sockets) socket.destroy();
    }),
  };
}

/** Accepts TCP and never says a word, like a tarpit or a dead MTA behind a live load balancer. */
function tarpit(): Listening {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    // Read (and drop) what the client sends, so its FIN is seen and the socket can close.
    socket.resume();
    socket.once('end', () => socket.destroy());
  });
  return {
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}
