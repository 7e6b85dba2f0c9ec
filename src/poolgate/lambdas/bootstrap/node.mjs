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
import http from 'node:http';
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
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const require = createRequire(import.meta.url);

let currentRequestId;

function call(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const options = { host: HOST, port: PORT, method, path: BASE + route, agent, headers: { ...headers } };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.headers['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request(options, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
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

async function postError(route, error) {
  const document = errorDocument(error);
  const body = JSON.stringify(document);
  console.error(`${route.endsWith('init/error') ? 'Init' : 'Invoke'} Error \t${body}`);
  await call('POST', route, body, { 'Lambda-Runtime-Function-Error-Type': document.errorType });
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
  return handler;
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
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) throw new Error(`Runtime API answered ${next.status} to /invocation/next`);
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8'));
    } catch (error) {
      await postError(`/invocation/${requestId}/error`, new RuntimeError('Runtime.InvalidEvent', error.message));
      continue;
    }
    try {
      const result = await run(handler, event, next.headers);
      const body = JSON.stringify(result === undefined ? null : result);
      await call('POST', `/invocation/${requestId}/response`, body === undefined ? 'null' : body);
    } catch (error) {
      await postError(`/invocation/${requestId}/error`, error);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`poolgate Node.js runtime: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
