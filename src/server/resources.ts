import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { RECORDING_URI_PREFIX, recordingMime, type RecordingInfo, type RecordingStore } from '../recording/store.js';
import { UsageError } from '../util/errors.js';
import { quoteValue } from '../util/text.js';

interface ListedFile {
  name: string;
  path: string;
  description: string;
}

/** Every file of a recording (video, filmstrip). */
function filesOf(info: RecordingInfo): ListedFile[] {
  const about = `of recording "${info.label}" (${(info.durationMs / 1000).toFixed(1)} s)`;
  const files = [{ name: basename(info.video), path: info.video, description: `Video ${about}` }];
  if (info.filmstrip) files.push({ name: basename(info.filmstrip), path: info.filmstrip, description: `Filmstrip ${about}` });
  return files;
}

async function allFiles(store: RecordingStore): Promise<ListedFile[]> {
  const extras = (await store.files()).map((file) => ({ name: basename(file.path), ...file }));
  return [...(await store.list()).flatMap(filesOf), ...extras];
}

/** Lists recordings' videos and filmstrips as MCP resources, and serves them when read; `store` is got on the first request. */
export function registerRecordingResources(server: McpServer, store: () => Promise<RecordingStore>): void {
  server.registerResource(
    'recordings',
    new ResourceTemplate(`${RECORDING_URI_PREFIX}{file}`, {
      list: async () => ({
        resources: (await allFiles(await store())).map((file) => ({
          uri: `${RECORDING_URI_PREFIX}${file.name}`,
          name: file.name,
          mimeType: recordingMime(file.name),
          description: file.description,
        })),
      }),
    }),
    { description: 'Videos and filmstrips made by record (stop and compare).' },
    async (uri, variables) => {
      const name = String(variables.file);
      const match = (await allFiles(await store())).find((file) => file.name === name);
      if (!match) throw new UsageError(`There is no recording file ${quoteValue(name)}.`, 'List resources to see the recordings.');
      const data = await readFile(match.path);
      return { contents: [{ uri: uri.href, mimeType: recordingMime(name), blob: data.toString('base64') }] };
    },
  );
}
