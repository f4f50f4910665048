// The trace page's JSON: a pretty-printed preview of the trace as received, cut at a size the
// browser lays out quickly, and the file a download gives. Pure (no DOM): importable from node.
//
// jsonPreview(value, limitChars) → {text, truncated}
//   `text` is JSON.stringify(value, null, 2) when that fits in limitChars, else a prefix of it
//   that ends at a whole line; the top-level object's arrays (the spans) are written one element
//   at a time, so a 50,000-span trace costs only the part that is shown.
// downloadText(traceJson) → the file's text: the API's envelope {"data": [trace]}, which
//   /api/traces/{id} also returns and the Jaeger UI can open; pretty-printed up to
//   PRETTY_DOWNLOAD_SPANS spans, compact beyond (half the size and time for a huge trace).

const INDENT = '  ';
const PRETTY_DOWNLOAD_SPANS = 5000;

export function jsonPreview(value, limitChars) {
  const out = new Preview(limitChars);
  if (isPlainObject(value)) writeObject(out, value);
  else out.write(JSON.stringify(value, null, 2));
  return out.result();
}

export function downloadText(traceJson) {
  const pretty = (traceJson.spans || []).length <= PRETTY_DOWNLOAD_SPANS;
  return JSON.stringify({ data: [traceJson] }, null, pretty ? 2 : undefined);
}

class Preview {
  constructor(limit) {
    this.parts = [];
    this.length = 0;
    this.limit = limit;
    this.truncated = false;
  }

  // Appends `text` unless the limit was reached; false once it is.
  write(text) {
    if (this.truncated) return false;
    if (this.length + text.length > this.limit) {
      const room = this.limit - this.length;
      const cut = text.lastIndexOf('\n', room);
      if (cut > 0) this.parts.push(text.slice(0, cut));
      this.truncated = true;
      return false;
    }
    this.parts.push(text);
    this.length += text.length;
    return true;
  }

  result() {
    return { text: this.parts.join(''), truncated: this.truncated };
  }
}

function writeObject(out, object) {
  const keys = Object.keys(object);
  if (keys.length === 0) {
    out.write('{}');
    return;
  }
  out.write('{\n');
  keys.forEach((key, i) => {
    out.write(`${INDENT}${JSON.stringify(key)}: `);
    const value = object[key];
    if (Array.isArray(value) && value.length > 0) writeArray(out, value);
    else out.write(nested(value, INDENT));
    out.write(i < keys.length - 1 ? ',\n' : '\n');
  });
  out.write('}');
}

function writeArray(out, array) {
  const inner = INDENT + INDENT;
  out.write('[\n');
  for (let i = 0; i < array.length; i++) {
    const more = i < array.length - 1 ? ',\n' : '\n';
    if (!out.write(`${inner}${nested(array[i], inner)}${more}`)) return;
  }
  out.write(`${INDENT}]`);
}

// JSON.stringify(value, null, 2) as it reads when nested at `indent`.
function nested(value, indent) {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${indent}`);
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
