// poolgate's Node.js runtime for nodejs*.x functions: the Lambda Runtime API loop
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), shaped after what AWS's Node.js
// runtime does (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html,
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html, .../nodejs-logging.html):
// - _HANDLER is [dir/]module.export[.nested]; the module is module.js, .mjs or .cjs under LAMBDA_TASK_ROOT,
//   loaded with import() when it is .mjs or a .js under a package.json with "type": "module", else require();
// - async handlers (a returned promise) and callback handlers (event, context, callback); with a callback,
//   the answer waits for the event loop to empty unless context.callbackWaitsForEmptyEventLoop is false;
// - console.* lines go to stdout as "<ISO time>\t<request id>\t<LEVEL>\t<message>", newlines as \r;
// - errors are posted as {errorType, errorMessage, trace} (the Node.js runtime's names), with the
//   Lambda-Runtime-Function-Error-Type header; an uncaught exception or unhandled rejection ends the process.
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const api = process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
const colon = api.lastIndexOf(':');
const HOST = api.slice(0, colon);
const PORT = Number(api.slice(colon + 1));
const BASE = '/2018-06-01/runtime';
const require = createRequire(import.meta.url);

let currentRequestId;

// One keep-alive HTTP/1.1 connection to the Runtime API. Requests are written at once and answered in order,
// so an invocation's response and the next /invocation/next go out together (one wake-up of the server
// instead of two round trips). The socket holds the event loop open only while an answer is awaited: while a
// handler runs, the loop empties when the handler's own work is done ('beforeExit', for callback handlers).
class RuntimeConnection {
  constructor() {
    this.socket = null;
    this.buffer = Buffer.alloc(0);
    this.waiters = [];
  }

  open() {
    const socket = net.connect({ host: HOST, port: PORT });
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.received(chunk));
    const fail = (error) => {
      const waiters = this.waiters;
      this.waiters = [];
      this.socket = null;
      this.buffer = Buffer.alloc(0);
      for (const waiter of waiters) waiter.reject(error || new Error('Runtime API connection closed'));
    };
    socket.on('error', fail);
    socket.on('close', () => fail(null));
    this.socket = socket;
    return socket;
  }

  request(method, route, body, headers) {
    const socket = this.socket || this.open();
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    let head = `${method} ${BASE}${route} HTTP/1.1\r\nHost: ${HOST}:${PORT}\r\n`;
    for (const [name, value] of Object.entries(headers || {})) head += `${name}: ${value}\r\n`;
    if (payload !== undefined) head += `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n`;
    head += '\r\n';
    return new Promise((resolve, reject) => {
      if (this.waiters.length === 0) socket.ref();
      this.waiters.push({ resolve, reject });
      socket.write(payload === undefined ? head : Buffer.concat([Buffer.from(head, 'latin1'), payload]));
    });
  }

  received(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const headers = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] || 0);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length);
      this.buffer = this.buffer.subarray(end + 4 + length);
      const waiter = this.waiters.shift();
      if (this.waiters.length === 0 && this.socket) this.socket.unref();
      if (waiter) waiter.resolve({ status, headers, body });
    }
  }
}

const connection = new RuntimeConnection();

function call(method, route, body, headers) {
  return connection.request(method, route, body, headers);
}

function answered(request) {
  // a response or error posted without waiting for its 202 (it arrives before the next event)
  request.then((reply) => {
    if (reply.status !== 202) process.stderr.write(`Runtime API answered ${reply.status}: ${reply.body}\n`);
  }, () => {});
}

// --- logging, as the runtime's text format
function patchConsole() {
  const write = (level) => (...args) => {
    const message = util.format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
  console.fatal = write('FATAL');
}

// --- errors, as the runtime serialises them
function errorDocument(error) {
  if (error instanceof Error) {
    const trace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
    return { errorType: error.name || 'Error', errorMessage: error.message, trace };
  }
  if (error !== null && typeof error === 'object') {
    return { errorType: error.name || 'Error', errorMessage: error.message || JSON.stringify(error), trace: [] };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function postError(route, error) {
  const document = errorDocument(error);
  const body = JSON.stringify(document);
  console.error(`${route.endsWith('init/error') ? 'Init' : 'Invoke'} Error \t${body}`);
  return call('POST', route, body, { 'Lambda-Runtime-Function-Error-Type': document.errorType });
}

// --- loading the handler
function hasTypeModule(dir) {
  for (let current = dir; ; current = path.dirname(current)) {
    const manifest = path.join(current, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(current) === current) return false;
  }
}

async function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const handlerString = process.env._HANDLER || '';
  const slash = handlerString.lastIndexOf('/');
  const dir = handlerString.slice(0, slash + 1);
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot < 1 || dot === rest.length - 1) {
    throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  }
  const moduleName = rest.slice(0, dot);
  const handlerPath = rest.slice(dot + 1);
  const base = path.resolve(root, dir, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((candidate) => fs.existsSync(candidate));
  if (file === undefined) {
    throw new RuntimeError('Runtime.ImportModuleError',
      `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${fileURLPath()}`);
  }
  let loaded;
  try {
    if (file.endsWith('.mjs') || (file.endsWith('.js') && hasTypeModule(path.dirname(file)))) {
      loaded = await import(pathToFileURL(file).href);
    } else {
      loaded = require(file);
    }
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`);
    if (error && error.code === 'MODULE_NOT_FOUND') throw new RuntimeError('Runtime.ImportModuleError', `Error: ${error.message}`);
    throw error;
  }
  let handler = loaded;
  for (const part of handlerPath.split('.')) {
    handler = handler === undefined || handler === null ? undefined : handler[part];
  }
  if (handler === undefined && loaded && loaded.default && typeof loaded.default === 'object') {
    handler = handlerPath.split('.').reduce((value, part) => (value == null ? undefined : value[part]), loaded.default);
  }
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is undefined or not exported`);
  }
  checkCallbackHandler(handler);
  return handler;
}

// Callback handlers: refused from nodejs24.x on (a handler declaring 3 or more parameters), announced on the
// runtimes before it -- the words of AWS's runtime interface client (src/context/constants.ts of
// aws-lambda-nodejs-runtime-interface-client v4, and its callback-deprecation warning in v3)
function checkCallbackHandler(handler) {
  const runtime = (process.env.AWS_EXECUTION_ENV || '').replace('AWS_Lambda_', '');
  const major = Number((/^nodejs(\d+)\.x$/.exec(runtime) || [])[1] || 0);
  const isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';
  if (major >= 24 && handler.length >= 3) {
    throw new RuntimeError('Runtime.CallbackHandlerDeprecated',
      'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. '
      + 'You need to modify this function to use a supported handler signature to use Node.js 24 or later. '
      + 'For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.');
  }
  if (major < 24 && handler.length === 3 && !isAsync && process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined) {
    console.warn('AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. '
      + 'You will need to update this function to use an async handler to use Node.js 24 or later. For more '
      + 'information and to provide feedback on this change, see '
      + 'aws/aws-lambda-nodejs-runtime-interface-client#137');
  }
}

function fileURLPath() {
  return new URL(import.meta.url).pathname;
}

// --- one invocation
function makeContext(headers, settle) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const env = process.env;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (error, result) => settle(error, result),
    succeed: (result) => settle(null, result),
    fail: (error) => settle(error ?? new Error('handled'), undefined),
  };
  return context;
}

function run(handler, event, headers) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let context;
    const finish = (error, result) => (error !== null && error !== undefined ? reject(error) : resolve(result));
    const settle = (error, result) => {
      if (settled) return;
      settled = true;
      if (context.callbackWaitsForEmptyEventLoop) {
        process.once('beforeExit', () => finish(error, result));
      } else {
        finish(error, result);
      }
    };
    context = makeContext(headers, settle);
    let returned;
    try {
      returned = handler(event, context, (error, result) => settle(error, result));
    } catch (error) {
      settled = true;
      reject(error);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then((value) => {
        if (!settled) { settled = true; resolve(value); }
      }, (error) => {
        if (!settled) { settled = true; reject(error); }
      });
    } else if (!settled) {
      // neither a promise nor (yet) a callback: as the runtime does, answer once the event loop is empty
      process.once('beforeExit', () => {
        if (!settled) { settled = true; resolve(null); }
      });
    }
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    await postError('/init/error', error);
    process.exit(129);
  }
  let failing = false;
  const crash = (errorType) => async (error) => {
    if (failing) return;
    failing = true;
    const wrapped = errorType ? new RuntimeError(errorType, `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`) : error;
    try {
      if (currentRequestId) await postError(`/invocation/${currentRequestId}/error`, wrapped);
      else await postError('/init/error', wrapped);
    } finally {
      process.exit(129);
    }
  };
  process.on('uncaughtException', crash(null));
  process.on('unhandledRejection', crash('Runtime.UnhandledPromiseRejection'));
  let waiting = call('GET', '/invocation/next');
  for (;;) {
    const next = await waiting;
    if (next.status !== 200) throw new Error(`Runtime API answered ${next.status} to /invocation/next`);
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8'));
    } catch (error) {
      answered(postError(`/invocation/${requestId}/error`, new RuntimeError('Runtime.InvalidEvent', error.message)));
      waiting = call('GET', '/invocation/next');
      continue;
    }
    let body;
    try {
      const result = await run(handler, event, next.headers);
      body = JSON.stringify(result === undefined ? null : result);
    } catch (error) {
      answered(postError(`/invocation/${requestId}/error`, error));
      waiting = call('GET', '/invocation/next');
      continue;
    }
    answered(call('POST', `/invocation/${requestId}/response`, body === undefined ? 'null' : body));
    waiting = call('GET', '/invocation/next');
  }
}

main().catch((error) => {
  process.stderr.write(`poolgate Node.js runtime: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
