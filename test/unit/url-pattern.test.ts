import { describe, expect, it } from 'vitest';
import { parseUrlPattern } from '../../src/util/urlPattern.js';

describe('URL patterns of network mocks', () => {
  it('matches globs against the whole URL: ** crosses slashes, * does not', () => {
    const cart = parseUrlPattern('**/api/cart');
    expect(cart.test('http://127.0.0.1:3000/api/cart')).toBe(true);
    expect(cart.test('http://127.0.0.1:3000/api/cart/items')).toBe(false);
    expect(parseUrlPattern('http://shop.test/*.json').test('http://shop.test/a.json')).toBe(true);
    expect(parseUrlPattern('http://shop.test/*.json').test('http://shop.test/a/b.json')).toBe(false);
  });

  it('lets a glob without ? match URLs with a query, and a path alone match any origin', () => {
    expect(parseUrlPattern('**/api/cart').test('http://x.test/api/cart?id=3')).toBe(true);
    expect(parseUrlPattern('**/api/cart?id=?').test('http://x.test/api/cart?id=3')).toBe(true);
    expect(parseUrlPattern('/api/cart').test('https://x.test/api/cart')).toBe(true);
    expect(parseUrlPattern('/api/cart').fetchPattern).toBe('*/api/cart*');
  });

  it('searches /regex/flags in the URL, and says when one does not compile', () => {
    const regex = parseUrlPattern('/\\/api\\/(cart|items)/i');
    expect(regex.test('http://x.test/API/Items?x')).toBe(true);
    expect(regex.fetchPattern).toBe('*');
    expect(() => parseUrlPattern('/(/')).toThrow(/is not a valid regular expression/);
    expect(() => parseUrlPattern('  ')).toThrow(/empty/);
  });

  it('escapes the characters a glob takes literally', () => {
    expect(parseUrlPattern('**/a+b(1).js').test('http://x.test/a+b(1).js')).toBe(true);
    expect(parseUrlPattern('**/a.js').test('http://x.test/aXjs')).toBe(false);
  });
});
