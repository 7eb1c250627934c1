// churn: database size after N create/delete cycles (issue 7, "Growth";
// docs/benchmarks.md). Each cycle creates a VPC with a fresh ClientToken,
// waits until it is Available and deletes it; the data directory's size is
// printed every 10% and at the end.
//   node bench/churn.mjs DATA_DIR [CYCLES=100000] [CONCURRENCY=16]
// Loopback only: the endpoint is DATA_DIR/api.addr.
import crypto from 'node:crypto';
import http from 'node:http';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [dir, cyclesArg, concArg] = process.argv.slice(2);
const cycles = Number(cyclesArg ?? 100000), conc = Number(concArg ?? 16);
const [host, port] = readFileSync(join(dir, 'api.addr'), 'utf8').trim().split(':');
if (!host.startsWith('127.')) throw new Error('loopback only');
const key = JSON.parse(readFileSync(join(dir, 'operator.json'), 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const pe = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function call(params) {
  const all = { Format: 'JSON', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', AccessKeyId: key.AccessKeyId,
    SignatureNonce: crypto.randomBytes(16).toString('hex'), Timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    Version: '2016-04-28', RegionId: 'cn-hangzhou', ...params };
  const canon = Object.keys(all).sort().map((k) => `${pe(k)}=${pe(String(all[k]))}`).join('&');
  const sig = crypto.createHmac('sha1', key.AccessKeySecret + '&').update(`GET&%2F&${pe(canon)}`).digest('base64');
  return new Promise((resolve, reject) => {
    http.get({ host, port, path: `/?${canon}&Signature=${pe(sig)}`, agent }, (res) => {
      let b = '';
      res.on('data', (c) => { b += c; });
      res.on('end', () => resolve(JSON.parse(b)));
    }).on('error', reject);
  });
}

const du = () => readdirSync(dir).reduce((a, f) => { try { return a + statSync(join(dir, f)).size; } catch { return a; } }, 0)
  + readdirSync(join(dir, 'nonces')).reduce((a, f) => a + statSync(join(dir, 'nonces', f)).size, 0);
const mib = (b) => (b / 1048576).toFixed(1);
await call({ Action: 'SetQuota', Version: '2026-01-01', AccountId: key.AccountId, QuotaName: 'vpc', Value: 100000 });
let next = 0, done = 0;
const t0 = Date.now();
async function worker() {
  while (next < cycles) {
    next++;
    const c = await call({ Action: 'CreateVpc', ClientToken: crypto.randomUUID() });
    if (!c.VpcId) throw new Error(JSON.stringify(c));
    for (;;) {
      const r = await call({ Action: 'DeleteVpc', VpcId: c.VpcId });
      if (!r.Code) break;
      if (r.Code !== 'IncorrectVpcStatus') throw new Error(JSON.stringify(r));
      await new Promise((r2) => setTimeout(r2, 20));
    }
    if (++done % (cycles / 10) === 0)
      console.log(`${done} cycles, ${((Date.now() - t0) / 1000).toFixed(0)} s: data directory ${mib(du())} MiB`);
  }
}
await Promise.all(Array.from({ length: conc }, worker));
console.log(`done: ${done} create/delete cycles in ${((Date.now() - t0) / 1000).toFixed(0)} s, data directory ${mib(du())} MiB`);
agent.destroy();
