/** HTTP/1.1 response heads over the dialer: the web probe's client. */
export { parseHead, headEnd, header, HttpProtocolError, MAX_HEAD_BYTES, type HttpHead } from './head.ts';
export { fetchHead, type HttpFetchOptions, type HttpFetchResult } from './request.ts';
