/**
 * One line of `taipan serve`'s request log: time, client, method, path, status, bytes (and
 * the range asked for). The path is the one the client sent, still percent-encoded and
 * without its query, with conda tokens (`/t/<token>/`) and user info masked by the client's
 * own redaction (redactUrl), so a token a user typed into `-c` never lands in a log file.
 * Bytes outside printable ASCII are escaped: no request can write a line of its own.
 */
import { redactUrl } from '../model/channel.js';
import { requestPathForLog } from './request-path.js';

export interface LoggedRequest {
  readonly client: string | undefined;
  readonly method: string | undefined;
  readonly target: string | undefined;
  readonly range: string | undefined;
  readonly status: number;
  readonly bytes: number;
}

export function requestLogLine(request: LoggedRequest, at = new Date()): string {
  const shownPath = printable(redactUrl(requestPathForLog(request.target ?? '/')));
  const range = request.range === undefined ? '' : ` range=${printable(request.range)}`;
  return `${at.toISOString()} ${request.client ?? '-'} ${printable(request.method ?? '-')} ${shownPath} ${request.status} ${request.bytes}${range}`;
}

function printable(text: string): string {
  return text.replace(/[^\x21-\x7e]/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}
