// The UI's only way to the server: Jaeger's query API under the page's base path (reference §4.3;
// docs/query.md). Every function resolves to the envelope's `data` or rejects with an ApiError
// whose message is the server's own (the envelope's errors[0].msg) when it sent one.

export class ApiError extends Error {
  // status: the HTTP status, or 0 when the server could not be reached or sent no JSON.
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

// An absolute URL for `path` ("api/services") under the base path that index.html's <base> names.
export function apiUrl(path, params) {
  const url = new URL(path, document.baseURI);
  for (const [key, value] of entries(params)) url.searchParams.append(key, value);
  return url.toString();
}

// [key, value] pairs of a URLSearchParams, an array of pairs, or a plain object (whose array values
// repeat the key); null and undefined values are left out.
function entries(params) {
  if (!params) return [];
  if (params instanceof URLSearchParams || Array.isArray(params)) return [...params];
  const out = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.push([key, String(one)]);
  }
  return out;
}

// One request; resolves to the parsed envelope. `onBody(textLength)` is called the moment the
// whole body has arrived, before it is parsed (the trace page times itself from there).
async function request(path, { params, method = 'GET', signal, onBody } = {}) {
  let response;
  try {
    response = await fetch(apiUrl(path, params), {
      method,
      signal,
      headers: { Accept: 'application/json' },
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(`Could not reach ariadne-query: ${error.message}`, 0);
  }
  const text = await response.text();
  if (onBody) onBody(text.length);
  let envelope = null;
  try {
    envelope = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy's error page, or a truncated answer; reported below with the status.
  }
  const serverMessage = envelope?.errors?.[0]?.msg;
  if (!response.ok) {
    const message = serverMessage || text.trim().slice(0, 300) || response.statusText;
    throw new ApiError(`${response.status}: ${message}`, response.status);
  }
  if (envelope === null || typeof envelope !== 'object') {
    throw new ApiError(`${path}: the server's answer is not JSON`, 0);
  }
  return envelope;
}

// Service names, sorted.
export async function getServices(signal) {
  const { data } = await request('api/services', { signal });
  return (data || []).slice().sort();
}

// [{name, spanKind}] of `service`, optionally of one span kind ("server", "client", …).
export async function getOperations(service, spanKind, signal) {
  const { data } = await request('api/operations', {
    params: { service, spanKind: spanKind || null },
    signal,
  });
  return data || [];
}

// A search (docs/query.md, "Search"): `params` are /api/traces's parameters (service, operation,
// tags as a JSON object string, start, end in µs, minDuration, maxDuration, limit, lookback).
// Resolves to {traces, errors}: the traces found and the per-trace errors the server reported.
export async function searchTraces(params, signal) {
  const { data, errors } = await request('api/traces', { params, signal });
  return { traces: data || [], errors: errors || [] };
}

// One trace in Jaeger's UI JSON, with `receivedAt`: performance.now() when its body had arrived.
// Rejects with status 404 when no store has it.
export async function getTrace(traceID, signal) {
  let receivedAt = 0;
  const { data } = await request(`api/traces/${encodeURIComponent(traceID)}`, {
    signal,
    onBody: () => {
      receivedAt = performance.now();
      performance.mark('ariadne:trace-response');
    },
  });
  if (!data || data.length === 0) throw new ApiError(`trace ${traceID} not found`, 404);
  return { trace: data[0], receivedAt };
}

// Dependency links [{parent, child, callCount}] of the `lookbackMs` before `endTsMs`.
export async function getDependencies(endTsMs, lookbackMs, signal) {
  const { data } = await request('api/dependencies', {
    params: { endTs: Math.round(endTsMs), lookback: Math.round(lookbackMs) },
    signal,
  });
  return data || [];
}

// Copies the trace into the archive store (shown only when the server has one).
export async function archiveTrace(traceID) {
  await request(`api/archive/${encodeURIComponent(traceID)}`, { method: 'POST' });
}
