// The search page's query, in three shapes: the URL's parameters, the form's fields, and the
// parameters of /api/traces. Pure: no DOM, importable from node tests.
//
// URL parameters are Jaeger UI's, so a link shared from Jaeger opens the same search here:
//   service, operation, tags (a JSON object of strings, as Jaeger UI writes it; logfmt is read too),
//   lookback (5m … 7d, or custom), start and end (µs since the epoch), minDuration and maxDuration
//   (as typed: "1.2s", "100ms"), limit; and traceID (repeated), which fetches those traces.
//   spanKind is ours: it narrows the operation picker and is not sent to /api/traces (which has no
//   such filter).
// The time window: submitting with a lookback other than custom computes start = now − lookback and
// end = now at that moment and writes both into the URL, so a shared link shows the same traces.
// A URL with no start or end (typed by hand) gets them from its lookback when it is loaded.
//
// Form fields (all strings, as the inputs hold them): service, operation, spanKind, tags (logfmt),
// lookback, start and end (datetime-local text, the browser's time zone), minDuration, maxDuration,
// limit.

import { formatLogfmt, parseDuration, parseLogfmt, parseLookback } from './format.js';

export const LOOKBACKS = ['5m', '15m', '30m', '1h', '2h', '3h', '6h', '12h', '24h', '2d', '7d', 'custom'];
export const SPAN_KINDS = ['server', 'client', 'producer', 'consumer', 'internal'];
export const DEFAULT_LOOKBACK = '1h';
export const DEFAULT_LIMIT = 20;

const US_PER_MS = 1000;
const DURATION_HINT = 'write a number and a unit: 1.2s, 100ms, 500us';

// True when the URL names a search to run (a service, or trace ids).
export function hasSearch(query) {
  return Boolean(query.get('service')) || query.getAll('traceID').some(Boolean);
}

// The form's fields for the URL's `query`. Missing values get the defaults; a custom range with
// no start or end, and the hidden range of a lookback, show the lookback before `nowMs`.
export function formFromQuery(query, nowMs) {
  const lookback = lookbackOf(query);
  const window = searchWindow(query, nowMs);
  return {
    service: query.get('service') || '',
    operation: query.get('operation') || '',
    spanKind: query.get('spanKind') || '',
    tags: tagsText(query.get('tags')),
    lookback,
    start: toDatetimeLocal(window.start),
    end: toDatetimeLocal(window.end),
    minDuration: query.get('minDuration') || '',
    maxDuration: query.get('maxDuration') || '',
    limit: query.get('limit') || String(DEFAULT_LIMIT),
  };
}

// The lookback the URL names: one of LOOKBACKS, another that parses ("3d", from a Jaeger link),
// custom when it names none but has both ends, else the default.
function lookbackOf(query) {
  const value = query.get('lookback');
  if (value && (LOOKBACKS.includes(value) || parseLookback(value) !== null)) return value;
  if (!value && query.get('start') && query.get('end')) return 'custom';
  return DEFAULT_LOOKBACK;
}

// The tags parameter as logfmt for the form: a JSON object (Jaeger UI's URLs) is converted, other
// text is kept as typed so that its error shows on the field.
function tagsText(value) {
  if (!value) return '';
  const tags = tagsFromJson(value);
  return tags ? formatLogfmt(tags) : value;
}

function tagsFromJson(text) {
  if (!text.trim().startsWith('{')) return null;
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    return Object.fromEntries(Object.entries(value).map(([key, tag]) => [key, String(tag)]));
  } catch {
    return null;
  }
}

// {start, end} in µs of the search the URL names: its start and end when both parse, else the
// lookback (default 1h) before `nowMs`.
export function searchWindow(query, nowMs) {
  const start = wholeNumber(query.get('start'));
  const end = wholeNumber(query.get('end'));
  if (start !== null && end !== null) return { start, end };
  const lookbackMs = parseLookback(query.get('lookback') || '') ?? parseLookback(DEFAULT_LOOKBACK);
  const endUs = end ?? Math.round(nowMs * US_PER_MS);
  return { start: start ?? endUs - lookbackMs * US_PER_MS, end: endUs };
}

function wholeNumber(text) {
  return text && /^\d+$/.test(text) ? Number(text) : null;
}

// What is wrong with the form: {field: message} for each field that does not validate (empty when
// all do). `maxLimit` is the UI configuration's search.maxLimit.
export function formErrors(form, maxLimit) {
  const errors = {};
  if (!form.service) errors.service = 'Pick a service';
  const tags = parseLogfmt(form.tags);
  if (!tags.ok) errors.tags = tags.error;
  const min = durationError(form.minDuration);
  if (min) errors.minDuration = min;
  const max = durationError(form.maxDuration);
  if (max) errors.maxDuration = max;
  if (!min && !max && form.minDuration.trim() && form.maxDuration.trim() &&
      parseDuration(form.maxDuration) < parseDuration(form.minDuration)) {
    errors.maxDuration = 'the maximum is below the minimum';
  }
  const limit = limitError(form.limit, maxLimit);
  if (limit) errors.limit = limit;
  if (form.lookback === 'custom') Object.assign(errors, rangeErrors(form.start, form.end));
  return errors;
}

function durationError(text) {
  if (!text.trim()) return null;
  return parseDuration(text) === null ? `not a duration; ${DURATION_HINT}` : null;
}

function limitError(text, maxLimit) {
  const trimmed = String(text).trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) return 'a whole number of traces, at least 1';
  if (Number(trimmed) > maxLimit) return `at most ${maxLimit}`;
  return null;
}

function rangeErrors(startText, endText) {
  const errors = {};
  const start = fromDatetimeLocal(startText);
  const end = fromDatetimeLocal(endText);
  if (start === null) errors.start = 'pick the start of the range';
  if (end === null) errors.end = 'pick the end of the range';
  if (start !== null && end !== null && start > end) errors.end = 'the end is before the start';
  return errors;
}

// The URL query of a form: {ok: true, query: URLSearchParams} or {ok: false, errors} (formErrors).
// For a lookback other than custom, start and end are the lookback before `nowMs`.
export function queryFromForm(form, nowMs, maxLimit) {
  const errors = formErrors(form, maxLimit);
  if (Object.keys(errors).length) return { ok: false, errors };
  const query = new URLSearchParams();
  const put = (key, value) => {
    if (value !== '' && value !== null && value !== undefined) query.set(key, String(value));
  };
  put('service', form.service);
  put('operation', form.operation);
  put('spanKind', form.spanKind);
  const tags = parseLogfmt(form.tags).tags;
  if (Object.keys(tags).length) put('tags', JSON.stringify(tags));
  put('lookback', form.lookback);
  const window = formWindow(form, nowMs);
  put('start', window.start);
  put('end', window.end);
  put('minDuration', form.minDuration.trim());
  put('maxDuration', form.maxDuration.trim());
  put('limit', Number(form.limit.trim()));
  return { ok: true, query };
}

function formWindow(form, nowMs) {
  if (form.lookback === 'custom') return { start: fromDatetimeLocal(form.start), end: fromDatetimeLocal(form.end) };
  const end = Math.round(nowMs * US_PER_MS);
  return { start: end - parseLookback(form.lookback) * US_PER_MS, end };
}

// The /api/traces parameters of the URL's `query`. Values are passed on as the URL has them (the
// server names what is wrong with a bad one), except: tags in logfmt become the JSON object the API
// takes, durations with a unit the server may not know ("μs") become µs, and a missing time window
// is the lookback before `nowMs`.
export function apiParamsFromQuery(query, nowMs) {
  const traceIDs = query.getAll('traceID').filter(Boolean);
  if (traceIDs.length) return { traceID: traceIDs };
  const params = { service: query.get('service') };
  const optional = (key, value) => {
    if (value) params[key] = value;
  };
  optional('operation', query.get('operation'));
  optional('tags', tagsParam(query.get('tags')));
  const window = searchWindow(query, nowMs);
  params.start = String(window.start);
  params.end = String(window.end);
  optional('minDuration', durationParam(query.get('minDuration')));
  optional('maxDuration', durationParam(query.get('maxDuration')));
  params.limit = query.get('limit') || String(DEFAULT_LIMIT);
  optional('lookback', query.get('lookback'));
  return params;
}

function tagsParam(value) {
  if (!value) return null;
  const fromJson = tagsFromJson(value);
  if (fromJson) return JSON.stringify(fromJson);
  const parsed = parseLogfmt(value);
  if (!parsed.ok) return value;
  return Object.keys(parsed.tags).length ? JSON.stringify(parsed.tags) : null;
}

function durationParam(value) {
  if (!value) return null;
  const us = parseDuration(value);
  return us === null ? value : `${us}us`;
}

// µs since the epoch → "YYYY-MM-DDTHH:MM:SS" in the local time zone (a datetime-local value).
export function toDatetimeLocal(us) {
  const d = new Date(us / US_PER_MS);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// A datetime-local value ("YYYY-MM-DDTHH:MM" with optional ":SS" and fraction) → µs since the
// epoch, or null when it is not one.
export function fromDatetimeLocal(text) {
  const pattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
  const match = pattern.exec(String(text).trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second = '0', fraction = '0'] = match.slice(1);
  const date = new Date(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second),
    Number(fraction.padEnd(3, '0')));
  if (Number.isNaN(date.getTime()) || date.getMonth() !== Number(month) - 1) return null;
  return date.getTime() * US_PER_MS;
}
