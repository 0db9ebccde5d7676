import { describe, expect, it } from 'vitest';
import { normaliseUrl } from '../../src/actions/navigation.js';
import { browserUrlText, dataUrlType, pageScriptUrl, urlScheme } from '../../src/util/urlScheme.js';

/** Spellings the browser forgives: each is a javascript: URL to it. */
const HIDDEN_JAVASCRIPT = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  'javascript\n:alert(1)',
  'java\r\nscript:alert(1)',
  '\u0001javascript:alert(1)',
  '\u0000\u001f javascript:alert(1)',
  ' \tjavascript:alert(1)\u0007',
  'j\na\tv\ra\ns\tc\nr\ti\np\tt:alert(1)',
];

describe('urlScheme: the scheme as the browser reads it', () => {
  it('agrees with the WHATWG parser (new URL) on tabs, newlines and C0 controls', () => {
    const inputs = [
      ...HIDDEN_JAVASCRIPT,
      'http://a.example/',
      ' \u0008https://a.example/x\t',
      'ht\ttp://a.example/',
      'data:text/html,<p>x</p>',
      '\u0002data:,x',
      'bl\nob:http://a.example/5c1b',
      'about:blank',
      'file:///tmp/x.html',
      'localhost:3000/x',
      'a+b.c-d:rest',
    ];
    for (const input of inputs) {
      expect(urlScheme(input), JSON.stringify(input)).toBe(new URL(input).protocol.slice(0, -1));
    }
  });

  it('finds no scheme where the browser finds none', () => {
    for (const input of ['/path', '1http://x', '%6Aavascript:alert(1)', '\u00a0javascript:alert(1)', 'java script:x', '']) {
      expect(urlScheme(input), JSON.stringify(input)).toBeUndefined();
    }
  });

  it('gives the text the parser reads', () => {
    expect(browserUrlText('\u0001 java\tscript\n:x \u001f')).toBe('javascript:x');
    expect(browserUrlText('http://a.example/red shoes')).toBe('http://a.example/red shoes');
  });
});

describe('pageScriptUrl: URLs that bring script of their own', () => {
  it('names every spelling of javascript: as one that runs in the page', () => {
    for (const input of HIDDEN_JAVASCRIPT) expect(pageScriptUrl(input), JSON.stringify(input)).toMatchObject({ scheme: 'javascript', inPage: true });
  });

  it('names data: URLs of scriptable types and blob: URLs, not inert data: URLs', () => {
    expect(pageScriptUrl('data:text/html,<script>x()</script>')).toMatchObject({ scheme: 'data', label: 'a data: URL of type "text/html"', inPage: false });
    expect(pageScriptUrl('data:image/svg+xml;base64,PHN2Zz4=')?.label).toBe('a data: URL of type "image/svg+xml"');
    expect(pageScriptUrl('DATA:Application/XHTML+XML;charset=utf-8,x')?.scheme).toBe('data');
    expect(pageScriptUrl('data:text%2Fhtml,x')?.scheme).toBe('data');
    expect(pageScriptUrl('d\tata:text/html,x')?.scheme).toBe('data');
    expect(pageScriptUrl('blob:http://a.example/5c1b')).toMatchObject({ scheme: 'blob', inPage: false });
    for (const inert of ['data:,hello', 'data:text/plain;charset=utf-8,hi', 'data:;base64,aGk=', 'data:application/json,{}', 'data:image/png;base64,iVBO']) {
      expect(pageScriptUrl(inert), inert).toBeUndefined();
    }
    expect(pageScriptUrl('http://a.example/?u=javascript:x')).toBeUndefined();
  });

  it('reads a data: URL type as the Fetch standard does', () => {
    expect(dataUrlType('data:,x')).toBe('text/plain');
    expect(dataUrlType('data: Text/HTML ;charset=x;base64,x')).toBe('text/html');
    expect(dataUrlType('data:image/png;base64,x')).toBe('image/png');
  });
});

describe('normaliseUrl refuses what the browser would read as script', () => {
  it('refuses every spelling of javascript:, with and without --no-evaluate', () => {
    for (const input of HIDDEN_JAVASCRIPT) {
      expect(() => normaliseUrl(input), JSON.stringify(input)).toThrow('navigate does not run javascript: URLs.');
      expect(() => normaliseUrl(input, { evaluate: false }), JSON.stringify(input)).toThrow('navigate does not run javascript: URLs.');
    }
  });

  it('with --no-evaluate refuses scriptable data: and blob: URLs, and keeps inert ones', () => {
    expect(() => normaliseUrl('data:text/html,<script>x()</script>', { evaluate: false })).toThrow(/does not open a data: URL of type "text\/html" on this server: it runs --no-evaluate/);
    expect(() => normaliseUrl('\u0001blob:http://a.example/5c1b', { evaluate: false })).toThrow(/a blob: URL/);
    expect(normaliseUrl('data:text/plain,hi', { evaluate: false })).toBe('data:text/plain,hi');
    expect(normaliseUrl('data:text/html,<p>x</p>')).toBe('data:text/html,<p>x</p>');
  });

  it('returns the URL as the browser reads it, so what loads is what was checked', () => {
    expect(normaliseUrl('ht\ttp://a.example/\n')).toBe('http://a.example/');
  });
});
