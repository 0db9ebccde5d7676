import { redactBody, redactHeaders, redactText, redactUrl } from '../util/redact.js';
import type { ConsoleEntry } from './consoleLog.js';
import type { NetworkEntry } from './networkLog.js';

/** The request's Content-Type, whatever the header's case. */
export function requestContentType(entry: NetworkEntry): string | undefined {
  return Object.entries(entry.requestHeaders).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
}

/** A request as files and shared answers may hold it: URL, headers and bodies through util/redact. */
export function redactRequest(entry: NetworkEntry): NetworkEntry {
  return {
    ...entry,
    url: redactUrl(entry.url),
    requestHeaders: redactHeaders(entry.requestHeaders),
    responseHeaders: redactHeaders(entry.responseHeaders),
    ...(entry.postData !== undefined ? { postData: redactBody(entry.postData, requestContentType(entry)) } : {}),
    ...(entry.failure !== undefined ? { failure: redactText(entry.failure) } : {}),
    ...(entry.responseBody ? { responseBody: { ...entry.responseBody, text: redactBody(entry.responseBody.text, entry.mimeType) } } : {}),
  };
}

/** A console entry as files and shared answers may hold it: its text, stack and source URL through util/redact. */
export function redactConsoleEntry(entry: ConsoleEntry): ConsoleEntry {
  return {
    ...entry,
    text: redactText(entry.text),
    stack: entry.stack.map(redactText),
    ...(entry.location ? { location: { ...entry.location, url: redactUrl(entry.location.url) } } : {}),
  };
}
