import { describe, expect, it } from 'vitest';
import { JourneyLog } from '../../src/journey/log.js';
import { parseJourney } from '../../src/journey/schema.js';
import { parseSetItem } from '../../src/actions/storage.js';

const click = { type: 'click' as const, selectors: [['#go']] };

describe('JourneyLog set-up', () => {
  it('starts a journey saved from a mark with the environment set up before it, latest settings only', () => {
    const log = new JourneyLog({ width: 1280, height: 720 });
    log.add({ type: 'navigate', url: 'http://app.test/' });
    log.add({ type: 'setViewport', width: 390, height: 844 });
    log.add({ type: 'setViewport', width: 500, height: 400 });
    log.add({ type: 'emulateNetworkConditions', download: 1000, upload: 1000, latency: 500 });
    log.add({ type: 'customStep', name: 'legible.emulate', parameters: { locale: 'de-DE' } });
    log.add({ type: 'customStep', name: 'legible.emulate', parameters: { timezone: 'UTC' } });
    log.add({ type: 'customStep', name: 'legible.mock', parameters: { url: '**/a', status: 500 } });
    log.add({ type: 'customStep', name: 'legible.mock', parameters: { url: '**/b', status: 404 } });
    log.add({ type: 'customStep', name: 'legible.unmock', parameters: { url: '**/a' } });
    log.mark();
    log.add(click);
    const steps = log.toFlow('t', []).steps;
    expect(steps).toEqual([
      { type: 'setViewport', width: 500, height: 400 },
      { type: 'emulateNetworkConditions', download: 1000, upload: 1000, latency: 500 },
      { type: 'customStep', name: 'legible.emulate', parameters: { locale: 'de-DE', timezone: 'UTC' } },
      { type: 'customStep', name: 'legible.mock', parameters: { url: '**/b', status: 404 } },
      click,
    ]);
  });

  it('without a mark keeps every step in order after the starting viewport', () => {
    const log = new JourneyLog({ width: 1280, height: 720 });
    log.add({ type: 'customStep', name: 'legible.mock', parameters: { url: '**/a', status: 500 } }, click);
    expect(log.toFlow('t', []).steps.map((step) => step.type)).toEqual(['setViewport', 'customStep', 'click']);
  });
});

describe('Legible custom steps in journey files', () => {
  it('are checked when the journey is read', () => {
    const flow = (parameters: unknown) => JSON.stringify({ title: 't', steps: [{ type: 'customStep', name: 'legible.mock', parameters }] });
    expect(parseJourney(flow({ url: '**/a', status: 500 }), 'j.json').steps).toHaveLength(1);
    expect(() => parseJourney(flow({ status: 500 }), 'j.json')).toThrow(/Step 1 of j\.json is a legible\.mock step that does not parse: url/);
    expect(() => parseJourney(flow({ url: '**/a', fail: 'sometimes' }), 'j.json')).toThrow(/fail/);
  });
});

describe('parseSetItem', () => {
  it('reads a Set-Cookie line for the page, or a storage item', () => {
    expect(parseSetItem('sid=abc; Path=/; HttpOnly; SameSite=lax', 'http://app.test/x')).toEqual({
      cookie: { name: 'sid', value: 'abc', path: '/', httpOnly: true, sameSite: 'Lax', url: 'http://app.test/x' },
    });
    expect(parseSetItem('a=b=c; Domain=.app.test', 'about:blank')).toEqual({ cookie: { name: 'a', value: 'b=c', domain: '.app.test' } });
    expect(parseSetItem('localStorage:k=v=w', 'http://app.test/')).toEqual({ store: 'local', key: 'k', value: 'v=w' });
    expect(() => parseSetItem('sid=abc', 'about:blank')).toThrow(/needs a page with a web address/);
  });
});
