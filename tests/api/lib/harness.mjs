// harness: starts a real openvpcd on 127.0.0.1 with a fresh data directory
// and gives tests clients in the three request dialects the SDKs send
// (shared/reference/alibaba-api.md section 0):
//   v3   @alicloud/vpc20160428 / ecs20140526 default (ACS3-HMAC-SHA256)
//   v1   the same SDKs with signatureAlgorithm 'v2' (HMAC-SHA1 in the query)
//   pop  @alicloud/pop-core (HMAC-SHA1, GET, or POST with a form body)
// Every daemon is stopped (by its PID) and its directory removed at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../../..');
export const BUILD = process.env.OPENVPC_BUILD ? resolve(process.env.OPENVPC_BUILD) : join(ROOT, 'build');
export const REGION = 'cn-hangzhou';
export const ZONE_A = 'cn-hangzhou-a';
export const ZONE_B = 'cn-hangzhou-b';

const VpcSdk = require('@alicloud/vpc20160428');
const EcsSdk = require('@alicloud/ecs20140526');
const OpenApi = require('@alicloud/openapi-core');
const PopCore = require('@alicloud/pop-core');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts openvpcd. opts: { testClock, settleDelayMs, configText, threads,
// dir (reuse a data directory: a restart), keepDir (do not remove it on stop) }
export async function startDaemon(opts = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'openvpc-api-'));
  rmSync(join(dir, 'api.addr'), { force: true });
  const args = ['--data-dir', dir, '--listen', '127.0.0.1:0', '--threads', String(opts.threads ?? 4)];
  // The API suites test the control plane: no namespaces or BPF pins (the
  // e2e suite, tests/e2e/, runs the data plane with prefixes of its own).
  args.push('--dataplane', opts.dataplane ?? 'off');
  if (opts.testClock !== false) args.push('--test-clock');
  if (opts.settleDelayMs) args.push('--settle-delay-ms', String(opts.settleDelayMs));
  if (opts.configText) {
    const { writeFileSync } = await import('node:fs');
    const cfg = join(dir, 'openvpcd.ini');
    writeFileSync(cfg, opts.configText);
    args.unshift('--config', cfg);
  }
  const bin = join(BUILD, 'daemon', 'openvpcd');
  // Under the sanitizer build, leaks and UBSan reports end the daemon with
  // an error; stop() turns any report into a failed test.
  const env = { ...process.env };
  env.ASAN_OPTIONS ??= 'detect_leaks=1:abort_on_error=1';
  env.UBSAN_OPTIONS ??= 'print_stacktrace=1:halt_on_error=1';
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const addrFile = join(dir, 'api.addr');
  for (let i = 0; i < 200 && !existsSync(addrFile); i++) {
    if (child.exitCode !== null) throw new Error(`openvpcd exited: ${log}`);
    await sleep(25);
  }
  if (!existsSync(addrFile)) throw new Error(`openvpcd did not start: ${log}`);
  const endpoint = readFileSync(addrFile, 'utf8').trim();
  const op = JSON.parse(readFileSync(join(dir, 'operator.json'), 'utf8'));
  const d = {
    dir, child, endpoint, operator: op, get log() { return log; },
    // Stops the daemon (SIGTERM) and fails when it did not exit cleanly or
    // a sanitizer reported anything (ASan, LeakSanitizer, UBSan), even in a
    // daemon that crashed or was killed before.
    async stop() {
      let killed = false;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // The leak check at exit takes a while under ASan.
        for (let i = 0; i < 500 && child.exitCode === null && child.signalCode === null; i++) await sleep(20);
        if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); killed = true; }
      }
      if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
      checkSanitizers(log);
      if (killed) throw new Error(`openvpcd did not stop within 10 s of SIGTERM:\n${log.slice(-4000)}`);
      if (!this.crashed && child.exitCode !== 0)
        throw new Error(`openvpcd exited with ${child.exitCode ?? child.signalCode}:\n${log.slice(-4000)}`);
    },
    // Simulates a crash: SIGKILL, no chance to flush or clean up.
    async kill9() {
      this.crashed = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (let i = 0; i < 200 && child.exitCode === null && child.signalCode === null; i++) await sleep(10);
      checkSanitizers(log);
    },
  };
  return d;
}

// Throws when a daemon's output holds a sanitizer report.
export function checkSanitizers(log) {
  const m = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer/.exec(log);
  if (m) throw new Error(`openvpcd sanitizer report:\n${log.slice(Math.max(0, m.index - 200), m.index + 6000)}`);
}

function sdkConfig(endpoint, key, dialect) {
  const cfg = new OpenApi.$OpenApiUtil.Config({
    endpoint, protocol: 'http', regionId: REGION,
    accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret,
    readTimeout: 20000, connectTimeout: 5000,
  });
  if (dialect === 'v1') cfg.signatureAlgorithm = 'v2';
  return cfg;
}

// Typed SDK clients: vpc(dialect).createVpc(new VpcSdk.CreateVpcRequest({...}))
export function vpcClient(d, key, dialect = 'v3') {
  return new VpcSdk.default(sdkConfig(d.endpoint, key, dialect));
}
export function ecsClient(d, key, dialect = 'v3') {
  return new EcsSdk.default(sdkConfig(d.endpoint, key, dialect));
}
export { VpcSdk, EcsSdk };

// A generic RPC caller for any version/action, in any dialect:
//   const c = rpc(d, key, 'pop-get'); await c('2016-04-28', 'CreateVpc', {RegionId: REGION})
// dialect: 'pop-get' | 'pop-post' | 'v1' | 'v3'. Returns the parsed body; throws
// an Error with .code, .statusCode, .data on an API error.
export function rpc(d, key, dialect = 'pop-get') {
  if (dialect.startsWith('pop')) {
    const clients = {};
    return async (version, action, params = {}) => {
      clients[version] ??= new PopCore({
        endpoint: `http://${d.endpoint}`, apiVersion: version,
        accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret,
      });
      try {
        return await clients[version].request(action, params, {
          method: dialect === 'pop-post' ? 'POST' : 'GET', timeout: 20000,
        });
      } catch (e) {
        const err = new Error(e.message);
        err.code = e.code ?? e.data?.Code; err.data = e.data; err.statusCode = e.statusCode;
        throw err;
      }
    };
  }
  const client = new OpenApi.default(sdkConfig(d.endpoint, key, dialect));
  return async (version, action, params = {}) => {
    const query = {};
    for (const [k, v] of Object.entries(flatten(params))) query[k] = String(v);
    const req = new OpenApi.$OpenApiUtil.OpenApiRequest({ query });
    const p = new OpenApi.$OpenApiUtil.Params({
      action, version, protocol: 'HTTP', pathname: '/', method: 'POST',
      authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
    });
    const runtime = new (require("@darabonba/typescript").RuntimeOptions)({});
    const res = await client.callApi(p, req, runtime);
    return res.body;
  };
}

// {Tag:[{Key:'a',Value:'b'}], Ids:['x']} -> {'Tag.1.Key':'a', ..., 'Ids.1':'x'}
export function flatten(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (item !== null && typeof item === 'object') flatten(item, `${name}.${i + 1}`, out);
        else out[`${name}.${i + 1}`] = item;
      });
    } else if (typeof v === 'object') flatten(v, name, out);
    else out[name] = v;
  }
  return out;
}

export const V_VPC = '2016-04-28';
export const V_ECS = '2014-05-26';
export const V_OPS = '2026-01-01';

// Creates a tenant account through the operator API; returns its key pair.
export async function newAccount(d, name = 'tenant') {
  const op = rpc(d, d.operator, 'pop-get');
  const r = await op(V_OPS, 'CreateAccount', { AccountName: name });
  return { AccountId: r.AccountId, AccessKeyId: r.AccessKeyId, AccessKeySecret: r.AccessKeySecret };
}

// Moves the daemon's clock (test mode): advance seconds.
export async function advanceClock(d, seconds) {
  const op = rpc(d, d.operator, 'pop-get');
  return op(V_OPS, 'SetClock', { Advance: seconds });
}

// Polls fn() until pred(result) is true (20 s at most); returns the result.
export async function waitFor(fn, pred, what = 'condition', timeoutMs = 20000) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < timeoutMs) {
    last = await fn();
    if (pred(last)) return last;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

// Asserts that p rejects with the given API error code (and HTTP status when given).
export async function expectCode(p, code, status) {
  try {
    await p;
  } catch (e) {
    const got = e.code ?? e.data?.Code;
    if (got !== code) throw new Error(`expected ${code}, got ${got}: ${e.message}`);
    if (status !== undefined && e.statusCode !== undefined && e.statusCode !== status)
      throw new Error(`expected HTTP ${status} for ${code}, got ${e.statusCode}`);
    return e;
  }
  throw new Error(`expected error ${code}, but the call succeeded`);
}
