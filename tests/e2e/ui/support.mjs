// What the browser tests share: an ariadne-all-in-one on free loopback ports, Debian's chromium
// driven by playwright-core, a watch on each page's errors and requests, and screenshots.
//
// Environment (set by tests/e2e/ui/CMakeLists.txt; defaults for running a file by hand):
//   ARIADNE_ALL_IN_ONE        the binary (default <repository>/build/services/all-in-one/ariadne-all-in-one)
//   ARIADNE_SOURCE_DIR        the repository (default: two folders above this one)
//   ARIADNE_UI_OUTPUT         where screenshots and figures go, a folder per test (default: a folder
//                             under the system's temp dir)
//   ARIADNE_UI_STATIC_FILES   when set, passed as --query.static-files so that the tests see web/ as
//                             it is on disk instead of the files built into the binary
//   ARIADNE_CHROMIUM          the browser (default /usr/bin/chromium)
//
// Every process and temp dir started here is stopped and removed whatever the outcome: the test
// files register close() in an after() hook, and SIGINT/SIGTERM to the test process stop the
// servers still running.

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Installed by scripts/setup-e2e.sh (npm ci in tests/e2e/ui); say so rather than "module not found".
const { chromium } = await import('playwright-core').catch((error) => {
  throw new Error(`playwright-core is not installed in tests/e2e/ui: run scripts/setup-e2e.sh (${error.message})`);
});

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.ARIADNE_SOURCE_DIR || path.resolve(HERE, '..', '..', '..');
const ALL_IN_ONE = process.env.ARIADNE_ALL_IN_ONE ||
  path.join(SOURCE_DIR, 'build', 'services', 'all-in-one', 'ariadne-all-in-one');
const CHROMIUM = process.env.ARIADNE_CHROMIUM || '/usr/bin/chromium';
const OUTPUT_DIR = process.env.ARIADNE_UI_OUTPUT || path.join(os.tmpdir(), 'ariadne-ui-output');

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;
const ACTION_TIMEOUT_MS = 15_000;

// Chromium's flags: headless, no sandbox (the tests may run as root), and nothing that phones home.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// ---- ports -----------------------------------------------------------------------------------

const handedOut = new Set();

// A port the OS reports free that this run has not handed out before (the kernel may return a
// just-closed port again, and two options naming one port is a configuration error).
async function freePort(protocol) {
  for (;;) {
    const port = protocol === 'udp' ? await boundUdpPort() : await boundTcpPort();
    const key = `${protocol}:${port}`;
    if (!handedOut.has(key)) {
      handedOut.add(key);
      return port;
    }
  }
}

function boundTcpPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function boundUdpPort() {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

// ---- the all-in-one --------------------------------------------------------------------------

const running = new Set();

function stopAllOnSignal(signal) {
  for (const server of running) server.process.kill('SIGKILL');
  for (const server of running) fs.rmSync(server.directory, { recursive: true, force: true });
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
process.once('SIGINT', stopAllOnSignal);
process.once('SIGTERM', stopAllOnSignal);

// An ariadne-all-in-one with every listener on 127.0.0.1 and its store in a fresh temp dir.
// `options`: basePath ('/jaeger'), uiConfig (a file), archive ('memory'), args (more flags).
// Resolves once its admin port answers and its query port serves the UI; rejects (after stopping
// it) when it exits or does not become ready within 30 s.
export async function startAllInOne(options = {}) {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-ui-test-'));
  const ports = {
    admin: await freePort('tcp'),
    query: await freePort('tcp'),
    otlpHttp: await freePort('tcp'),
  };
  const args = [
    `--admin.http.host-port=127.0.0.1:${ports.admin}`,
    `--query.http-server.host-port=127.0.0.1:${ports.query}`,
    `--query.grpc-server.host-port=127.0.0.1:${await freePort('tcp')}`,
    `--collector.otlp.grpc.host-port=127.0.0.1:${await freePort('tcp')}`,
    `--collector.otlp.http.host-port=127.0.0.1:${ports.otlpHttp}`,
    `--collector.grpc-server.host-port=127.0.0.1:${await freePort('tcp')}`,
    `--collector.http-server.host-port=127.0.0.1:${await freePort('tcp')}`,
    `--http-server.host-port=127.0.0.1:${await freePort('tcp')}`,
    `--local.path=${path.join(directory, 'data')}`,
    '--log-level=warn',
  ];
  for (const name of ['jaeger-compact', 'jaeger-binary', 'zipkin-compact']) {
    args.push(`--processor.${name}.server-host-port=127.0.0.1:${await freePort('udp')}`);
  }
  if (process.env.ARIADNE_UI_STATIC_FILES) args.push(`--query.static-files=${process.env.ARIADNE_UI_STATIC_FILES}`);
  if (options.basePath) args.push(`--query.base-path=${options.basePath}`);
  if (options.uiConfig) args.push(`--query.ui-config=${options.uiConfig}`);
  if (options.archive) args.push(`--query.archive=${options.archive}`);
  args.push(...(options.args || []));

  const child = spawn(ALL_IN_ONE, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const server = new AllInOne(child, directory, ports, options.basePath || '');
  running.add(server);
  try {
    await server.waitUntilReady();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

class AllInOne {
  constructor(child, directory, ports, basePath) {
    this.process = child;
    this.directory = directory;
    this.ports = ports;
    this.stderr = '';
    // True once the process has ended or could not be started.
    this.gone = false;
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    this.exited.then(() => { this.gone = true; });
    child.on('error', (error) => {
      this.stderr += `could not start ${ALL_IN_ONE}: ${error.message}\n`;
      this.gone = true;
    });
    child.stderr.on('data', (chunk) => { this.stderr += chunk; });
    // The UI's address, ending with "/" (http://127.0.0.1:P/jaeger/).
    this.uiUrl = `http://127.0.0.1:${ports.query}${basePath}/`;
    this.otlpUrl = `http://127.0.0.1:${ports.otlpHttp}/v1/traces`;
  }

  // An absolute URL under the UI's base path: api('api/services').
  url(relative) {
    return new URL(relative, this.uiUrl).toString();
  }

  async waitUntilReady() {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.gone) throw new Error(`ariadne-all-in-one exited early:\n${this.stderr}`);
      if (await answers(`http://127.0.0.1:${this.ports.admin}/`) && await answers(this.url('api/services'))) return;
      await sleep(50);
    }
    throw new Error(`ariadne-all-in-one was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${this.stderr}`);
  }

  // GET `relative` under the base path → the parsed JSON body (throws on a non-2xx answer).
  async getJson(relative) {
    const response = await fetch(this.url(relative));
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${relative}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  // SIGTERM, then SIGKILL when it has not exited within 30 s; the temp dir is removed either way.
  // Resolves to {code, signal, stderr}.
  async stop() {
    if (this.process.exitCode === null && this.process.signalCode === null && this.process.pid) {
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    running.delete(this);
    fs.rmSync(this.directory, { recursive: true, force: true });
    const { code, signal } = this.process.pid ? await this.exited : { code: null, signal: null };
    return { code, signal, stderr: this.stderr };
  }
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Polls `probe` (async, returns a truthy value when done) every `intervalMs` until `timeoutMs`;
// resolves to the value, or rejects with `message` and the last value or error seen.
export async function waitFor(probe, { timeoutMs, intervalMs = 250, message }) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`${message} (after ${timeoutMs / 1000} s; last: ${describe(last)})`);
    await sleep(intervalMs);
  }
}

function describe(value) {
  if (value instanceof Error) return value.message;
  const text = JSON.stringify(value);
  return text && text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

// ---- the browser -----------------------------------------------------------------------------

// Chromium, headless, with a fresh profile (playwright's launch() gives every browser a new
// temp user-data-dir and deletes it on close).
function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// One test's page: a new context (viewport 1400x900) on `browser` watched for errors and for
// requests to any host but `server`'s query port. `name` is the test's output folder.
// `problems()` lists what went wrong (console errors not matched by allowConsoleError(regex),
// uncaught exceptions, foreign requests); assertClean() throws when there is any.
async function openPage(browser, server, name) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // A click or fill waits this long for its element: long enough for a loaded machine, short
  // enough that a missing element fails the test well within ctest's timeout.
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  return new PageWatch(page, new URL(server.uiUrl).host, name);
}

class PageWatch {
  constructor(page, allowedHost, name) {
    this.page = page;
    this.name = name;
    this.consoleErrors = [];
    this.pageErrors = [];
    this.foreignRequests = [];
    this.allowedConsoleErrors = [];
    // Bound, so that tests may destructure them with the page.
    this.screenshot = this.screenshot.bind(this);
    this.allowConsoleError = this.allowConsoleError.bind(this);
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(`${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.stack || error.message));
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (['data:', 'blob:', 'about:'].includes(url.protocol)) return;
      if (url.host !== allowedHost) this.foreignRequests.push(request.url());
    });
  }

  // Console errors matching `pattern` are expected (a failed request the test provokes).
  allowConsoleError(pattern) {
    this.allowedConsoleErrors.push(pattern);
  }

  problems() {
    const unexpected = this.consoleErrors.filter((text) => !this.allowedConsoleErrors.some((p) => p.test(text)));
    return [
      ...unexpected.map((text) => `console error: ${text}`),
      ...this.pageErrors.map((text) => `uncaught exception: ${text}`),
      ...this.foreignRequests.map((url) => `request to another host: ${url}`),
    ];
  }

  assertClean() {
    const problems = this.problems();
    if (problems.length) throw new Error(`the page reported problems:\n  ${problems.join('\n  ')}`);
  }

  // Saves <ARIADNE_UI_OUTPUT>/<test>/<step>.png (the whole page) and returns its path.
  async screenshot(step) {
    const file = path.join(OUTPUT_DIR, this.name, `${step}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }

  async close() {
    await this.page.context().close();
  }
}

// The locator of data-testid `id` on `page` (or inside a locator).
export function byTestId(scope, id) {
  return scope.locator(`[data-testid="${id}"]`);
}

// Writes `value` as JSON to <ARIADNE_UI_OUTPUT>/<file>.
export function writeOutput(file, value) {
  const target = path.join(OUTPUT_DIR, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${JSON.stringify(value, null, 2)}\n`);
  return target;
}

// ---- one test file's environment -------------------------------------------------------------

// Starts an all-in-one (`options` as startAllInOne's) and a browser; close() stops both and
// throws when the server did not exit cleanly on SIGTERM.
export async function startEnvironment(options) {
  const server = await startAllInOne(options);
  let browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    server,
    browser,
    async close() {
      await browser.close().catch(() => {});
      const { code, signal, stderr } = await server.stop();
      if (code !== 0) throw new Error(`ariadne-all-in-one ended with code ${code} signal ${signal}:\n${stderr}`);
    },
  };
}

// Runs `steps(watch)` on a fresh page of `env` named `name` (its screenshot folder), then fails
// when the page reported problems (PageWatch.assertClean). A failing step leaves failure.png and
// its error names the page's problems too.
export async function withPage(env, name, steps) {
  const watch = await openPage(env.browser, env.server, name);
  try {
    await steps(watch);
  } catch (error) {
    await watch.screenshot('failure').catch(() => {});
    const problems = watch.problems();
    if (problems.length) error.message += `\nThe page also reported:\n  ${problems.join('\n  ')}`;
    await watch.close();
    throw error;
  }
  await watch.close();
  watch.assertClean();
}
