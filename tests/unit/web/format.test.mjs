// format.js: what people read (durations, times) and what they type (durations, lookbacks, logfmt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDuration, formatAgo, parseDuration, parseLookback, parseLogfmt, formatLogfmt,
} from '../../../web/static/format.js';

test('formatDuration picks the unit and keeps three significant digits', () => {
  assert.equal(formatDuration(0), '0μs');
  assert.equal(formatDuration(750), '750μs');
  assert.equal(formatDuration(1250), '1.25ms');
  assert.equal(formatDuration(12_340), '12.3ms');
  assert.equal(formatDuration(123_400), '123ms');
  assert.equal(formatDuration(1_500_000), '1.5s');
  assert.equal(formatDuration(125_000_000), '2m 5s');
  assert.equal(formatDuration(3 * 3600e6 + 2 * 60e6), '3h 2m');
  assert.equal(formatDuration(-2000), '-2ms');
  assert.equal(formatDuration(NaN), '—');
});

test('formatAgo counts whole units back from now', () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);
  assert.equal(formatAgo((now - 5 * 60e3) * 1000, now), '5 minutes ago');
  assert.equal(formatAgo((now - 3600e3) * 1000, now), '1 hour ago');
  assert.equal(formatAgo((now - 2 * 86400e3) * 1000, now), '2 days ago');
  assert.equal(formatAgo(now * 1000, now), 'just now');
});

test('parseDuration needs a unit and understands Jaeger\'s', () => {
  assert.equal(parseDuration('1.2s'), 1_200_000);
  assert.equal(parseDuration('100ms'), 100_000);
  assert.equal(parseDuration(' 500us '), 500);
  assert.equal(parseDuration('500μs'), 500);
  assert.equal(parseDuration('2m'), 120_000_000);
  assert.equal(parseDuration('1h'), 3_600_000_000);
  assert.equal(parseDuration('250'), null);
  assert.equal(parseDuration('fast'), null);
  assert.equal(parseDuration('-1s'), null);
});

test('parseLookback reads Jaeger\'s lookbacks, compound ones too', () => {
  assert.equal(parseLookback('1h'), 3600e3);
  assert.equal(parseLookback('2d'), 2 * 86400e3);
  assert.equal(parseLookback('1d12h'), 36 * 3600e3);
  assert.equal(parseLookback('1w'), 7 * 86400e3);
  assert.equal(parseLookback('30m'), 30 * 60e3);
  assert.equal(parseLookback('1 hour'), null);
  assert.equal(parseLookback(''), null);
  assert.equal(parseLookback('0h'), null);
});

test('parseLogfmt reads bare and quoted values', () => {
  assert.deepEqual(parseLogfmt('http.status_code=500 error=true'), {
    ok: true, tags: { 'http.status_code': '500', error: 'true' },
  });
  assert.deepEqual(parseLogfmt('  message="a \\"b\\" c"  db=pg '), {
    ok: true, tags: { message: 'a "b" c', db: 'pg' },
  });
  assert.deepEqual(parseLogfmt(''), { ok: true, tags: {} });
  assert.deepEqual(parseLogfmt('empty='), { ok: true, tags: { empty: '' } });
});

test('parseLogfmt says what is wrong', () => {
  assert.match(parseLogfmt('error').error, /"error" has no value/);
  assert.match(parseLogfmt('a=1 =2').error, /no key/);
  assert.match(parseLogfmt('m="open').error, /no closing quote/);
});

test('formatLogfmt round-trips through parseLogfmt', () => {
  const tags = { 'http.status_code': '500', message: 'two words', quote: 'say "hi"', path: 'a=b' };
  assert.deepEqual(parseLogfmt(formatLogfmt(tags)), { ok: true, tags });
});
