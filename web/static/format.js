// Formatting and parsing shared by every page. Pure functions: no DOM, importable from node tests.
// Times are µs since the epoch and durations µs, as in the API's JSON.

const US_PER_MS = 1000;
const US_PER_S = 1000 * US_PER_MS;
const US_PER_MIN = 60 * US_PER_S;
const US_PER_HOUR = 60 * US_PER_MIN;

// A duration for people: "0μs", "750μs", "1.25ms", "12.3ms", "1.5s", "2m 5s", "3h 2m".
export function formatDuration(us) {
  if (!Number.isFinite(us)) return '—';
  const sign = us < 0 ? '-' : '';
  const v = Math.abs(us);
  if (v < US_PER_MS) return `${sign}${round(v, 0)}μs`;
  if (v < US_PER_S) return `${sign}${significant(v / US_PER_MS)}ms`;
  if (v < US_PER_MIN) return `${sign}${significant(v / US_PER_S)}s`;
  if (v < US_PER_HOUR) {
    const minutes = Math.floor(v / US_PER_MIN);
    return `${sign}${minutes}m ${Math.round((v - minutes * US_PER_MIN) / US_PER_S)}s`;
  }
  const hours = Math.floor(v / US_PER_HOUR);
  return `${sign}${hours}h ${Math.round((v - hours * US_PER_HOUR) / US_PER_MIN)}m`;
}

// Three significant digits at most, no trailing zeros: 1.25, 12.3, 123.
function significant(value) {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return round(value, digits);
}

function round(value, digits) {
  return String(Number(value.toFixed(digits)));
}

// "2026-11-28 08:41:07.123" in the browser's time zone.
export function formatTimestamp(us) {
  if (!Number.isFinite(us)) return '—';
  const d = new Date(us / US_PER_MS);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

// "5 minutes ago", "3 hours ago", "2 days ago" relative to `nowMs`.
export function formatAgo(us, nowMs = Date.now()) {
  const seconds = Math.max(0, Math.round((nowMs - us / US_PER_MS) / 1000));
  const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  for (const [name, size] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${name}${n === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

// A duration typed in the search form ("1.2s", "100ms", "500us", "500μs", "2m", "1h", "250" = µs
// is refused: a unit is required) → µs, or null when it is not one.
export function parseDuration(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(h|m|s|ms|us|µs|μs)\s*$/.exec(text);
  if (!match) return null;
  const scale = { h: US_PER_HOUR, m: US_PER_MIN, s: US_PER_S, ms: US_PER_MS, us: 1, 'µs': 1, 'μs': 1 }[match[2]];
  return Math.round(Number(match[1]) * scale);
}

// A lookback like Jaeger's ("30m", "1h", "2d", "1d12h", "1w") → ms, or null.
export function parseLookback(text) {
  const units = { w: 7 * 86400e3, d: 86400e3, h: 3600e3, m: 60e3, s: 1e3 };
  const trimmed = String(text).trim();
  if (!/^(\d+(\.\d+)?[wdhms])+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([wdhms])/g)) total += Number(amount) * units[unit];
  return total > 0 ? total : null;
}

// Tags typed as logfmt, as the Jaeger UI takes them: `http.status_code=500 error=true
// message="a b"` → {ok: true, tags: {"http.status_code": "500", …}}, or {ok: false, error} naming
// what is wrong. Values keep their text; quoted values may hold spaces and \" escapes.
export function parseLogfmt(text) {
  const tags = {};
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && text[i] !== '=' && !/\s/.test(text[i])) i++;
    const key = text.slice(keyStart, i);
    if (text[i] !== '=') return { ok: false, error: `"${key}" has no value: write ${key}=value` };
    if (key === '') return { ok: false, error: `a value at position ${keyStart + 1} has no key` };
    i++;  // '='
    let value = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i++];
        if (c === '\\' && i < n) value += text[i++];
        else if (c === '"') { closed = true; break; }
        else value += c;
      }
      if (!closed) return { ok: false, error: `the value of "${key}" has no closing quote` };
    } else {
      const valueStart = i;
      while (i < n && !/\s/.test(text[i])) i++;
      value = text.slice(valueStart, i);
    }
    tags[key] = value;
  }
  return { ok: true, tags };
}

// The inverse of parseLogfmt, for putting tags back into the form: quotes values that need it.
export function formatLogfmt(tags) {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${/^[^\s"=]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`}`)
    .join(' ');
}
