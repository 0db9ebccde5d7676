import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseUserFlow } from '@puppeteer/replay';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupOf, refOf, tempDir, useLegible } from '../helpers/e2e.js';

/** The ref of a list item by its text (`- listitem [ref=e3]: Write`). */
function itemRef(snapshot: string, text: string): string {
  return groupOf(snapshot, new RegExp(`listitem \\[ref=(e\\d+)\\]: ${text}\\b`));
}

describe('drag and drop, uploads and forms', () => {
  const e2e = useLegible({ outputDir: 'inputs' });
  let files: { a: string; b: string };

  beforeAll(async () => {
    const dir = await tempDir('upload-files');
    files = { a: join(dir, 'notes.txt'), b: join(dir, 'photo.bin') };
    writeFileSync(files.a, 'hello upload\n');
    writeFileSync(files.b, Buffer.alloc(2048, 7));
  });

  it('drags a list item onto another (HTML5 drag and drop) with an effects report', async () => {
    const snapshot = await e2e.openAndSnapshot('/dnd.html');
    const result = await e2e.call('click', { ref: itemRef(snapshot, 'Write'), to: itemRef(snapshot, 'Ship') });
    expect(result).toMatch(/^Dragged listitem \[e\d+\] to listitem \[e\d+\]\./);
    expect(result).toContain('Order: Review, Ship, Write');
  });

  it('drops onto a zone, and drags a pointer-driven knob by an offset', async () => {
    const snapshot = await e2e.snapshot();
    const drop = await e2e.call('click', { ref: itemRef(snapshot, 'Review'), to: refOf(snapshot, 'region', 'Done') });
    expect(drop).toContain('Done: Review');
    const knob = await e2e.call('click', { ref: refOf(snapshot, 'slider', 'Knob'), to: '135,0' });
    expect(knob).toMatch(/slider "Knob" \[ref=e\d+\] \[value="(4\d|5\d)"\]/);
  });

  it('refuses a drag with a double click, and an offset that is not one', async () => {
    const snapshot = await e2e.snapshot();
    const double = await e2e.legible.call('click', { ref: itemRef(snapshot, 'Ship'), to: '10,10', double: true });
    expect(double.isError).toBe(true);
    expect(double.text).toContain('leave out double and button');
    const bad = await e2e.legible.call('click', { ref: itemRef(snapshot, 'Ship'), to: 'ten,10' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain('is not an element ref');
  });

  it('uploads two files into a file input, and one through the chooser a button opens', async () => {
    const snapshot = await e2e.openAndSnapshot('/upload.html');
    const input = await e2e.call('type', { ref: refOf(snapshot, 'button', 'Attachment'), files: [files.a, files.b] });
    expect(input).toMatch(/Uploaded 2 files \(notes\.txt, photo\.bin\) into button "Attachment"/);
    expect(input).toContain('notes.txt (13 bytes)');
    expect(input).toContain('photo.bin (2048 bytes)');
    const chooser = await e2e.call('type', { ref: refOf(snapshot, 'button', 'Choose a photo'), files: [files.b] });
    expect(chooser).toContain('through the file chooser it opened');
    expect(chooser).toMatch(/\+ - listitem \[ref=e\d+\]: photo\.bin \(2048 bytes\)/);
  });

  it('says what is wrong with a path that cannot be read, before touching the page', async () => {
    const snapshot = await e2e.snapshot();
    const missing = await e2e.legible.call('type', { ref: refOf(snapshot, 'button', 'Attachment'), files: [join(files.a, '..', 'nope.txt')] });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain('is not a readable file');
    const heading = await e2e.legible.call('type', { ref: groupOf(snapshot, /heading "Upload" \[ref=(e\d+)\]/), files: [files.a] });
    expect(heading.isError).toBe(true);
    expect(heading.text).toContain('No file chooser opened');
  });

  it('fills a whole form in one call with one report: text, select, date, range, checkbox and radio', async () => {
    const snapshot = await e2e.openAndSnapshot('/replay-inputs.html');
    const result = await e2e.call('type', {
      fields: {
        [refOf(snapshot, 'textbox', 'Day')]: '2024-02-29',
        [refOf(snapshot, 'slider', 'Volume')]: '70',
        [refOf(snapshot, 'checkbox', 'Newsletter')]: 'true',
        [refOf(snapshot, 'radio', 'Large')]: 'true',
      },
    });
    expect(result).toMatch(/^Filled 4 fields: /);
    expect(result).toContain('checkbox "Newsletter" [e');
    expect(result).toMatch(/day=2024-02-29/);
    expect(result).toMatch(/volume=70/);
    expect(result).toMatch(/newsletter=true/);
    expect(result.match(/^Changes:/gm)).toHaveLength(1);
  });

  it('checks every ref before typing anything', async () => {
    const snapshot = await e2e.openAndSnapshot('/form.html');
    const result = await e2e.legible.call('type', { fields: { [refOf(snapshot, 'textbox', 'Your name')]: 'Ann', e999: 'x' } });
    expect(result.isError).toBe(true);
    expect(await e2e.snapshot()).not.toContain('[value="Ann"]');
  });

  it('journals each input as the step a person makes, and replays them', async () => {
    await e2e.call('journey', { action: 'save', mark: true });
    const snapshot = await e2e.openAndSnapshot('/form.html');
    await e2e.call('type', { fields: { [refOf(snapshot, 'textbox', 'Your name')]: 'Ann', [refOf(snapshot, 'combobox', 'Favourite colour')]: 'Blue' } });
    const dnd = await e2e.openAndSnapshot('/dnd.html');
    await e2e.call('click', { ref: itemRef(dnd, 'Write'), to: itemRef(dnd, 'Ship') });
    const upload = await e2e.openAndSnapshot('/upload.html');
    await e2e.call('type', { ref: refOf(upload, 'button', 'Attachment'), files: [files.a] });
    const saved = await e2e.call('journey', { action: 'save', name: 'inputs', expect: ['text:notes.txt (13 bytes)'] });
    const flow = JSON.parse(readFileSync(groupOf(saved, /to (\S+\.json):/), 'utf8'));
    expect(parseUserFlow(flow).steps.length).toBe(flow.steps.length);
    const types = flow.steps.map((step: { type: string; name?: string }) => step.name ?? step.type);
    expect(types).toEqual(['setViewport', 'navigate', 'change', 'change', 'navigate', 'legible.drag', 'navigate', 'legible.upload', 'legible.expect']);
    expect(flow.steps[3].value).toBe('b');
    expect(flow.steps[7].parameters.files).toEqual([files.a]);

    const run = await e2e.call('journey', { action: 'run', journey: 'inputs' });
    expect(run).toContain('Journey "inputs": PASSED');
    expect(run).toMatch(/✓ \d+\. drag .* to /);
    expect(run).toMatch(/✓ \d+\. upload .*notes\.txt into /);
  });

  it('journals a date and a range as change steps and a checkbox and a radio as clicks, and the replay sets them', async () => {
    await e2e.call('journey', { action: 'save', mark: true });
    const snapshot = await e2e.openAndSnapshot('/replay-inputs.html');
    const ids = { day: 'Day', volume: 'Volume', newsletter: 'Newsletter', large: 'Large' };
    const role = { day: 'textbox', volume: 'slider', newsletter: 'checkbox', large: 'radio' } as const;
    const refs = Object.fromEntries(Object.entries(ids).map(([id, name]) => [id, refOf(snapshot, role[id as keyof typeof role], name)]));
    await e2e.call('type', { fields: { [refs.day!]: '2024-02-29', [refs.volume!]: '70', [refs.newsletter!]: 'true', [refs.large!]: 'true' } });
    // What the page's listeners saw is part of the journey's proof: the replay must make them see it too.
    const seen = ['day=2024-02-29', 'volume=70', 'newsletter=true', 'large=true'];
    const values = 'js:[day.value, volume.value, newsletter.checked, large.checked, small.checked].join(" ") === "2024-02-29 70 true true false"';
    const saved = await e2e.call('journey', { action: 'save', name: 'form-kinds', expect: [...seen.map((text) => `text:${text}`), values] });
    const flow = JSON.parse(readFileSync(groupOf(saved, /to (\S+\.json):/), 'utf8'));
    expect(parseUserFlow(flow).steps.length).toBe(flow.steps.length);
    // As Chrome's Recorder writes a person's input: a change with the value for a date or a range
    // (its change event), a click for a checkbox or a radio (no value: the click is the input).
    const steps = flow.steps.filter((step: { type: string }) => step.type === 'change' || step.type === 'click');
    expect(steps.map((step: { type: string; value?: string; selectors: string[][] }) => [step.type, step.value, step.selectors.flat().find((selector) => selector.startsWith('#'))])).toEqual([
      ['change', '2024-02-29', '#day'],
      ['change', '70', '#volume'],
      ['click', undefined, '#newsletter'],
      ['click', undefined, '#large'],
    ]);

    // Replayed on a fresh page, each field ends up set, and the page's listeners saw each value.
    const run = await e2e.call('journey', { action: 'run', journey: 'form-kinds' });
    expect(run).toContain('Journey "form-kinds": PASSED');
    for (const text of seen) expect(run).toMatch(new RegExp(`✓ .*${text}`));
    expect(run).toMatch(/✓ .*2024-02-29 70 true true false/);
  });
});
