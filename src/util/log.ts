/** Diagnostics go to stderr: stdout belongs to the MCP protocol. */
export function logDebug(message: string): void {
  if (process.env.LEGIBLE_DEBUG) process.stderr.write(`[legible] ${message}\n`);
}

export function logWarn(message: string): void {
  process.stderr.write(`[legible] ${message}\n`);
}
