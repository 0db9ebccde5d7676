import { describe, expect, it } from 'vitest';
import { joinOwnFetches } from '../../src/actions/settle.js';

describe('the page’s own requests, joined over its frames', () => {
  it('leaves out what only other chains fetched, unless the action fetched it in any frame', () => {
    const top = { mine: [], others: ['http://a/poll', 'http://a/shared'] };
    const inner = { mine: ['http://a/shared'], others: ['http://a/feed'] };
    expect([...joinOwnFetches([top, inner])].sort()).toEqual(['http://a/feed', 'http://a/poll']);
    expect([...joinOwnFetches([])]).toEqual([]);
  });
});
