/** Legible's version, as reported to MCP clients and written into HAR files and reports. */
export const VERSION = '0.1.0';
