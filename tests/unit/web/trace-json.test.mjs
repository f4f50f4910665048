// trace-json.js: the JSON view's preview is JSON.stringify(trace, null, 2), or a prefix of it that
// ends at a line when the trace is too large; the download is the API's envelope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPreview, downloadText } from '../../../web/static/trace-json.js';

function trace(spanCount) {
  const spans = [];
  for (let i = 0; i < spanCount; i++) {
    spans.push({
      traceID: 'abc', spanID: i.toString(16).padStart(16, '0'), operationName: `op "${i}"\n`,
      references: [], startTime: 1_700_000_000_000_000 + i, duration: 10,
      tags: [{ key: 'k', type: 'int64', value: i }], logs: [], processID: 'p1', warnings: null,
    });
  }
  return { traceID: 'abc', spans, processes: { p1: { serviceName: 'svc', tags: [] } }, warnings: null };
}

test('a trace that fits is shown exactly as JSON.stringify indents it', () => {
  for (const value of [trace(0), trace(1), trace(25), {}, [], 'text', { empty: [] }]) {
    const { text, truncated } = jsonPreview(value, 1 << 20);
    assert.equal(text, JSON.stringify(value, null, 2));
    assert.equal(truncated, false);
  }
});

test('a trace that does not fit is cut at a line of the same text', () => {
  const value = trace(2000);
  const full = JSON.stringify(value, null, 2);
  for (const limit of [1, 100, 1000, 12_345, 200_000]) {
    const { text, truncated } = jsonPreview(value, limit);
    assert.equal(truncated, true, `limit ${limit}`);
    assert.ok(text.length <= limit, `limit ${limit}: ${text.length} characters`);
    assert.ok(full.startsWith(text), `limit ${limit}: not a prefix`);
    assert.ok(text === '' || full[text.length] === '\n', `limit ${limit}: does not end at a line`);
  }
});

test('the download is the API envelope, indented for ordinary traces and compact for huge ones', () => {
  const small = trace(3);
  assert.equal(downloadText(small), JSON.stringify({ data: [small] }, null, 2));
  const huge = trace(5001);
  assert.equal(downloadText(huge), JSON.stringify({ data: [huge] }));
  assert.deepEqual(JSON.parse(downloadText(huge)), { data: [huge] });
});
