import { describe, expect, it } from 'vitest';
import { normaliseUrl } from '../../src/actions/navigation.js';
import { LegibleError } from '../../src/util/errors.js';

describe('normaliseUrl', () => {
  it('keeps URLs that have a scheme', () => {
    expect(normaliseUrl('http://localhost:3000/cart')).toBe('http://localhost:3000/cart');
    expect(normaliseUrl('https://example.com/a?b=c#d')).toBe('https://example.com/a?b=c#d');
    expect(normaliseUrl('about:blank')).toBe('about:blank');
    expect(normaliseUrl('file:///tmp/page.html')).toBe('file:///tmp/page.html');
    expect(normaliseUrl('data:text/html,<h1>hi</h1>')).toBe('data:text/html,<h1>hi</h1>');
  });

  it('adds http:// to a bare host, with or without a port', () => {
    expect(normaliseUrl('localhost:3000/x')).toBe('http://localhost:3000/x');
    expect(normaliseUrl('localhost:5173')).toBe('http://localhost:5173');
    expect(normaliseUrl('127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
    expect(normaliseUrl('example.com')).toBe('http://example.com');
    expect(normaliseUrl('localhost')).toBe('http://localhost');
  });

  it('trims white space', () => {
    expect(normaliseUrl('  https://a.example/  ')).toBe('https://a.example/');
    expect(normaliseUrl(' localhost:3000 ')).toBe('http://localhost:3000');
  });

  it('refuses javascript: URLs and points to the call that runs code, as the caller names it', () => {
    for (const url of ['javascript:alert(1)', ' JavaScript:void(0)']) {
      expect(() => normaliseUrl(url)).toThrow(LegibleError);
      try {
        normaliseUrl(url, { evaluate: true, evaluateCall: 'run_js {"code":…}' });
      } catch (error) {
        expect((error as LegibleError).hint).toBe('Run code in the page with run_js {"code":…}.');
      }
    }
  });

  it('does not point to the evaluate tool when the server runs without it (--no-evaluate)', () => {
    try {
      normaliseUrl('javascript:alert(1)', { evaluate: false });
      expect.unreachable();
    } catch (error) {
      expect((error as LegibleError).hint).not.toContain('evaluate tool');
      expect((error as LegibleError).hint).toContain('--no-evaluate');
    }
    expect(() => normaliseUrl('javascript:alert(1)', { evaluate: true })).toThrow('navigate does not run javascript: URLs.');
  });

  it('refuses schemes a tab cannot open and text that is no URL, but not URLs with spaces in them', () => {
    expect(() => normaliseUrl('ftp://files.example/a.txt')).toThrow('navigate does not open ftp: URLs.');
    expect(() => normaliseUrl('mailto:someone@example.com')).toThrow('navigate does not open mailto: URLs.');
    expect(() => normaliseUrl('not a url')).toThrow('"not a url" is not a URL.');
    expect(normaliseUrl('data:text/html,<p>two words</p>')).toBe('data:text/html,<p>two words</p>');
    expect(normaliseUrl('file:///home/me/My Site/index.html')).toBe('file:///home/me/My Site/index.html');
    expect(normaliseUrl('http://localhost:3000/search?q=red shoes')).toBe('http://localhost:3000/search?q=red shoes');
    expect(normaliseUrl('localhost:3000/search?q=red shoes')).toBe('http://localhost:3000/search?q=red shoes');
  });
});
