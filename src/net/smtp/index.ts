/** The SMTP client side of the net layer: replies, EHLO, one session over the dialer, and the probe dialog. */
export { createReplyParser, replyText, printable, SmtpProtocolError, MAX_REPLY_LINE, MAX_REPLY_LINES, type SmtpReply, type ReplyParser } from './reply.ts';
export { parseEhlo, greetingHost, type Capabilities, type EhloGreeting } from './ehlo.ts';
export { openSmtpSession, createSession, SmtpError, type SmtpSession, type TranscriptLine, type SmtpErrorKind } from './session.ts';
export { probeSmtp, type SmtpProbeResult, type SmtpProbeOptions, type SmtpOutcome, type SmtpStep, type SmtpFailure, type RelayResult, type RelayVerdict, type EhloInfo } from './probe.ts';
