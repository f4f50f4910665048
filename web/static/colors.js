// One colour per service, the same on every page and every load: a hash of the name picks from a
// palette chosen to stay apart from each other and readable beside white text.

const PALETTE = [
  '#17b8be', '#f8dca1', '#b7885e', '#ffcb99', '#f89570', '#829ae3', '#e79fd5', '#1e96be',
  '#89dac1', '#b3ad9e', '#12939a', '#ddb27c', '#88572c', '#ff9833', '#ef5d28', '#162a65',
  '#da70bf', '#125c77', '#4dc19c', '#776e57',
];

const cache = new Map();

// The colour of `service` as a CSS colour.
export function serviceColor(service) {
  let color = cache.get(service);
  if (color === undefined) {
    let hash = 2166136261;  // FNV-1a, 32 bits
    for (let i = 0; i < service.length; i++) {
      hash ^= service.charCodeAt(i);
      hash = Math.imul(hash, 16777619);
    }
    color = PALETTE[(hash >>> 0) % PALETTE.length];
    cache.set(service, color);
  }
  return color;
}
