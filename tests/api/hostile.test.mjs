// Hostile input (issue 7, "The API server (security)"): requests built by
// hand to break the parser, the signature checks and the HTTP layer. The
// suite is meant to run against the ASan+UBSan build with leak detection on
// (scripts/test.sh: OPENVPC_BUILD=build-asan); the harness fails a test
// whose daemon printed any sanitizer report, so a use-after-free or a leak
// here is a red test, not a line in a log. Loopback only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import * as h from './lib/harness.mjs';

let d, alice;

before(async () => {
  d = await h.startDaemon();
  alice = await h.newAccount(d, 'alice');
});
after(async () => { await d?.stop(); });

const pe = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

// The query of a V1 (HMAC-SHA1) request. Values may be Buffers (raw bytes,
// percent-encoded one by one) so a test can send invalid UTF-8.
export function signV1(key, params, { method = 'GET', timestamp, nonce } = {}) {
  const enc = (v) => (Buffer.isBuffer(v) ? [...v].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('') : pe(String(v)));
  const all = {
    Format: 'JSON', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', AccessKeyId: key.AccessKeyId,
    SignatureNonce: nonce ?? crypto.randomBytes(16).toString('hex'), Timestamp: timestamp ?? now(), ...params,
  };
  const canon = Object.keys(all).sort().map((k) => `${pe(k)}=${enc(all[k])}`).join('&');
  const sts = `${method}&${pe('/')}&${pe(canon)}`;
  const sig = crypto.createHmac('sha1', key.AccessKeySecret + '&').update(sts).digest('base64');
  return `${canon}&Signature=${pe(sig)}`;
}

// A V3 (ACS3-HMAC-SHA256) request as the SDK sends it; `signed` lists the
// headers to sign (default: host and every x-acs-* header), `after` changes
// headers once the signature is computed.
export function signV3(key, action, version, query, { signed, after: change = {}, nonce, date, body = '' } = {}) {
  const headers = {
    host: d.endpoint, 'x-acs-action': action, 'x-acs-version': version, 'x-acs-date': date ?? now(),
    'x-acs-signature-nonce': nonce ?? crypto.randomBytes(32).toString('hex'),
    'x-acs-content-sha256': sha256(body),
  };
  const names = (signed ?? Object.keys(headers)).slice().sort();
  const cq = Object.keys(query).sort().map((k) => `${pe(k)}=${pe(String(query[k]))}`).join('&');
  const creq = ['POST', '/', cq, names.map((n) => `${n}:${String(headers[n]).trim()}\n`).join(''), names.join(';'), sha256(body)].join('\n');
  const sts = `ACS3-HMAC-SHA256\n${sha256(creq)}`;
  const sig = crypto.createHmac('sha256', key.AccessKeySecret).update(sts).digest('hex');
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${key.AccessKeyId},SignedHeaders=${names.join(';')},Signature=${sig}`;
  Object.assign(headers, change);
  return { path: `/?${cq}`, headers, body };
}

// Sends raw bytes on a new connection; resolves with what came back before
// the server closed (or `ms` passed).
export function rawSend(bytes, ms = 3000, endpoint = d.endpoint) {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    let got = Buffer.alloc(0);
    const t = setTimeout(() => { s.destroy(); resolve(got.toString('latin1')); }, ms);
    s.on('data', (c) => { got = Buffer.concat([got, c]); });
    s.on('error', () => {});
    s.on('close', () => { clearTimeout(t); resolve(got.toString('latin1')); });
    s.write(bytes);
  });
}

// One HTTP/1.1 request, answered JSON parsed: { status, body, text }.
export async function request(method, path, headers = {}, body = '') {
  const hs = { host: d.endpoint, connection: 'close', ...headers };
  if (body.length) hs['content-length'] = Buffer.byteLength(body);
  const head = `${method} ${path} HTTP/1.1\r\n` + Object.entries(hs).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
  const text = await rawSend(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]), 20000);
  const m = /^HTTP\/1\.1 (\d+)/.exec(text);
  const split = text.indexOf('\r\n\r\n');
  const raw = split >= 0 ? text.slice(split + 4) : '';
  let json;
  try { json = JSON.parse(Buffer.from(raw, 'latin1').toString('utf8')); } catch { json = undefined; }
  return { status: m ? Number(m[1]) : 0, body: json, text, head: split >= 0 ? text.slice(0, split) : text };
}

const v1 = (key, params, opts) => request('GET', `/?${signV1(key, params, opts)}`);
const v3 = (key, action, version, query, opts) => {
  const r = signV3(key, action, version, query, opts);
  return request('POST', r.path, r.headers, r.body);
};

// An API error answer: JSON with Code, Message, RequestId and HostId.
function assertApiError(r, code, status) {
  assert.ok(r.body, `expected a JSON body, got: ${r.text.slice(0, 300)}`);
  assert.equal(r.body.Code, code, JSON.stringify(r.body));
  if (status) assert.equal(r.status, status);
  assert.equal(typeof r.body.Message, 'string');
  assert.ok(r.body.Message.length > 0);
  assert.equal(typeof r.body.HostId, 'string');
  assert.match(r.body.RequestId, /^[0-9A-F-]{36}$/);
}

async function vpcNames(key) {
  const r = await h.rpc(d, key, 'pop-get')(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageSize: 50 });
  return r.Vpcs.Vpc.map((v) => v.VpcName);
}

// --- memory safety ---------------------------------------------------------

test('a repeated tag key is refused, its message quoting the key (was a use-after-free)', async () => {
  const n = (await vpcNames(alice)).length;
  for (const [action, version, extra] of [
    ['CreateVpc', h.V_VPC, {}],
    ['CreateSecurityGroup', h.V_ECS, {}],
    ['AllocateEipAddress', h.V_VPC, {}],
  ]) {
    const r = await v1(alice, { Action: action, Version: version, RegionId: h.REGION, ...extra,
      'Tag.1.Key': 'env', 'Tag.1.Value': 'a', 'Tag.2.Key': 'env', 'Tag.2.Value': 'b' });
    assertApiError(r, 'InvalidParameter', 400);
    assert.match(r.body.Message, /env/);
  }
  assert.equal((await vpcNames(alice)).length, n);
});

test('requests cut off mid-way (headers, body, request line) are dropped without leaking', async () => {
  const head = (extra = '') => `POST /?Action=DescribeVpcs HTTP/1.1\r\nHost: ${d.endpoint}\r\n${extra}`;
  const cuts = [
    'GET /?Action=DescribeVpcs&Version=2016-04-28 HTT',
    head(),
    head('Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nRegionId=cn-'),
    head('Transfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n10\r\nRegion'),
    head('Content-Length: zz\r\n\r\n'),
    head('Expect: 100-continue\r\nContent-Length: 50\r\n\r\n'),
  ];
  await Promise.all(cuts.map((c) => rawSend(c, 300)));
  // Two pipelined requests, the second cut short.
  const q = signV1(alice, { Action: 'DescribeVpcs', Version: h.V_VPC, RegionId: h.REGION });
  const got = await rawSend(`GET /?${q} HTTP/1.1\r\nHost: x\r\n\r\nGET /?${q} HTTP/1.1\r\nHost`, 500);
  assert.match(got, /^HTTP\/1\.1 200/);
  // The daemon still answers; leaks, if any, fail this file at stop().
  assert.ok((await vpcNames(alice)).length >= 0);
});

// --- signatures cover what they authorize ------------------------------------

test('V3: a header changed after signing, or left out of SignedHeaders, is refused', async () => {
  const call = h.rpc(d, alice, 'v3');
  const { VpcId } = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, VpcName: 'keep-me' });
  const q = { RegionId: h.REGION, VpcId };
  // Signed as DescribeVpcAttribute with only host signed, sent as DeleteVpc.
  const attack = await v3(alice, 'DescribeVpcAttribute', h.V_VPC, q,
    { signed: ['host'], after: { 'x-acs-action': 'DeleteVpc' } });
  assertApiError(attack, 'IncompleteSignature', 400);
  assert.match(attack.body.Message, /x-acs-/);
  for (const left of ['x-acs-action', 'x-acs-version', 'x-acs-signature-nonce', 'x-acs-date', 'x-acs-content-sha256', 'host']) {
    const all = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
    const r = await v3(alice, 'DescribeVpcAttribute', h.V_VPC, q, { signed: all.filter((x) => x !== left) });
    assertApiError(r, 'IncompleteSignature', 400);
    assert.ok(r.body.Message.includes(left), r.body.Message);
  }
  // An extra unsigned x-acs-* header is refused too.
  const extra = await v3(alice, 'DescribeVpcAttribute', h.V_VPC, q, { after: { 'x-acs-security-token': 'x' } });
  assertApiError(extra, 'IncompleteSignature', 400);
  // A signed header changed after signing does not match.
  const changed = await v3(alice, 'DescribeVpcAttribute', h.V_VPC, q, { after: { 'x-acs-action': 'DeleteVpc' } });
  assertApiError(changed, 'SignatureDoesNotMatch', 400);
  // A payload hash that is not the body's is refused.
  const lied = await v3(alice, 'DescribeVpcAttribute', h.V_VPC, q, { after: { 'x-acs-content-sha256': sha256('x') } });
  assert.ok(['SignatureDoesNotMatch', 'IncompleteSignature'].includes(lied.body?.Code), lied.text);
  // The honest request works and the VPC is still there.
  const ok = await v3(alice, 'DescribeVpcAttribute', h.V_VPC, q);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.VpcId, VpcId);
});

// --- bytes -------------------------------------------------------------------

test('invalid UTF-8 in a name, description or tag is refused with InvalidParameter', async () => {
  const before = await vpcNames(alice);
  const bad = [Buffer.from([0x61, 0xff, 0x62]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82])];
  for (const b of bad) {
    for (const k of ['VpcName', 'Description', 'Tag.1.Key', 'Tag.1.Value']) {
      const p = { Action: 'CreateVpc', Version: h.V_VPC, RegionId: h.REGION, [k]: b };
      if (k === 'Tag.1.Value') p['Tag.1.Key'] = 'k';
      const r = await v1(alice, p);
      assertApiError(r, 'InvalidParameter', 400);
      assert.ok(r.body.Message.includes(k), r.body.Message);
    }
  }
  // A bad name is refused too, and echoed as valid JSON.
  const r = await request('GET', `/?Action=CreateVpc&Na%FFme=1`);
  assertApiError(r, 'InvalidParameter', 400);
  assert.deepEqual(await vpcNames(alice), before);
  // Valid multi-byte names still work.
  const ok = await v1(alice, { Action: 'CreateVpc', Version: h.V_VPC, RegionId: h.REGION, VpcName: 'réseau-网络-🚀' });
  assert.equal(ok.status, 200, ok.text);
  assert.ok((await vpcNames(alice)).includes('réseau-网络-🚀'));
});

test('errors that echo bad input stay JSON with Message and HostId (bad Host, bad ids, bad action)', async () => {
  const weird = [
    await request('GET', '/?Action=%FF%FE&Version=x&AccessKeyId=a&Signature=b&SignatureMethod=HMAC-SHA1&SignatureNonce=n&Timestamp=t'),
    await request('GET', `/?${signV1(alice, { Action: 'DescribeVpcAttribute', Version: h.V_VPC, RegionId: h.REGION, VpcId: 'vpc-"\\\u0001</x>' })}`),
    await request('GET', `/?${signV1(alice, { Action: 'No"Such\\Action', Version: h.V_VPC })}`),
    await request('GET', '/?Action=x', { host: 'h\xff\xfe"st' }),
  ];
  for (const r of weird) {
    assert.ok(r.body, `not JSON: ${r.text.slice(0, 300)}`);
    assert.equal(typeof r.body.Code, 'string');
    assert.equal(typeof r.body.Message, 'string');
    assert.equal(typeof r.body.HostId, 'string');
    assert.match(r.head, /content-type: application\/json/i);
  }
});

test('Tag.0, Tag.01 and Tag.1001 are refused, not ignored', async () => {
  const before = await vpcNames(alice);
  for (const n of ['0', '01', '1001', '007', '1000000000000']) {
    for (const action of ['CreateVpc', 'DescribeVpcs']) {
      const r = await v1(alice, { Action: action, Version: h.V_VPC, RegionId: h.REGION, [`Tag.${n}.Key`]: 'k', [`Tag.${n}.Value`]: 'v' });
      assertApiError(r, 'InvalidParameter', 400);
    }
  }
  assert.deepEqual(await vpcNames(alice), before);
  const ok = await v1(alice, { Action: 'CreateVpc', Version: h.V_VPC, RegionId: h.REGION, 'Tag.1000.Key': 'k', VpcName: 'tag1000' });
  assert.equal(ok.status, 200, ok.text);
});

test('ClientToken is at most 64 printable ASCII characters', async () => {
  const before = await vpcNames(alice);
  for (const tok of ['x'.repeat(65), 'tök', 'a\tb', Buffer.from([0x41, 0x80])]) {
    const r = await v1(alice, { Action: 'CreateVpc', Version: h.V_VPC, RegionId: h.REGION, ClientToken: tok });
    assertApiError(r, 'InvalidParameter', 400);
  }
  assert.deepEqual(await vpcNames(alice), before);
  const ok = await v1(alice, { Action: 'CreateVpc', Version: h.V_VPC, RegionId: h.REGION, ClientToken: 'A'.repeat(64), VpcName: 'tok64' });
  assert.equal(ok.status, 200, ok.text);
});

test('calendar-invalid timestamps are malformed (V1 Timestamp, V3 x-acs-date)', async () => {
  const y = new Date().getUTCFullYear();
  for (const ts of [`${y}-02-30T10:00:00Z`, `${y}-04-31T10:00:00Z`, `${y}-13-01T10:00:00Z`, `${y}-06-01T24:00:00Z`, `${y}-06-01T10:60:00Z`, `${y}-06-01T10:00:60Z`, `${y}-06-00T10:00:00Z`, `+${y}-06-01T10:00:0Z`]) {
    assertApiError(await v1(alice, { Action: 'DescribeVpcs', Version: h.V_VPC, RegionId: h.REGION }, { timestamp: ts }), 'InvalidTimeStamp.Format', 400);
    assertApiError(await v3(alice, 'DescribeVpcs', h.V_VPC, { RegionId: h.REGION }, { date: ts }), 'InvalidTimeStamp.Format', 400);
  }
});

// --- replay across restarts ------------------------------------------------------

test('a signed CreateVpc is refused as a replay after SIGTERM and after kill -9 (nonce log)', async () => {
  const dd = await h.startDaemon({ keepDir: true });
  let cur = dd;
  try {
    const key = await h.newAccount(dd, 'replayer');
    const q = signV1(key, { Action: 'CreateVpc', Version: h.V_VPC, RegionId: h.REGION, VpcName: 'once' });
    const v3req = signV3(key, 'CreateVpc', h.V_VPC, { RegionId: h.REGION, VpcName: 'once-v3' });
    const send = (ep) => Promise.all([
      rawSend(`GET /?${q} HTTP/1.1\r\nHost: ${ep}\r\nConnection: close\r\n\r\n`, 5000, ep),
      rawSend(`POST ${v3req.path} HTTP/1.1\r\n${Object.entries({ ...v3req.headers, connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 5000, ep),
    ]);
    const first = await send(dd.endpoint);
    for (const r of first) assert.match(r, /^HTTP\/1\.1 200/);
    for (const how of ['SIGTERM', 'kill -9']) {
      if (how === 'SIGTERM') await cur.stop(); else await cur.kill9();
      cur = await h.startDaemon({ dir: dd.dir, keepDir: true });
      // The V3 request signs host: keep the first daemon's Host value.
      const again = await Promise.all([
        rawSend(`GET /?${q} HTTP/1.1\r\nHost: ${dd.endpoint}\r\nConnection: close\r\n\r\n`, 5000, cur.endpoint),
        rawSend(`POST ${v3req.path} HTTP/1.1\r\n${Object.entries({ ...v3req.headers, connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 5000, cur.endpoint),
      ]);
      for (const r of again) assert.match(r, /SignatureNonceUsed/, `${how}: ${r.slice(0, 400)}`);
    }
    const r = await h.rpc(cur, key, 'pop-get')(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION });
    assert.equal(r.TotalCount, 2, 'one VPC per signed request, whatever the restarts');
  } finally {
    await cur.stop();
    const { rmSync } = await import('node:fs');
    rmSync(dd.dir, { recursive: true, force: true });
  }
});

// --- large requests ------------------------------------------------------------

test('the ECS SDK AuthorizeSecurityGroup with 100 rules in the query (V3) is answered', async () => {
  const call = h.rpc(d, alice, 'v3');
  const { VpcId } = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, CidrBlock: '10.0.0.0/8' });
  const { SecurityGroupId } = await call(h.V_ECS, 'CreateSecurityGroup', { RegionId: h.REGION, VpcId });
  const ecs = h.ecsClient(d, alice, 'v3');
  const rules = (n, desc) => Array.from({ length: n }, (_, i) => new h.EcsSdk.AuthorizeSecurityGroupRequestPermissions({
    ipProtocol: 'tcp', portRange: `${1000 + i}/${1000 + i}`, sourceCidrIp: `10.${i}.0.0/16`, policy: 'accept',
    priority: '1', description: desc, nicType: 'intranet', sourcePortRange: '1/65535', destCidrIp: '10.0.0.0/8',
  }));
  const t0 = Date.now();
  await ecs.authorizeSecurityGroup(new h.EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: SecurityGroupId, permissions: rules(92, 'web') }));
  // The largest the product allows: 100 rules with 512-character descriptions (116 KB of query).
  await ecs.revokeSecurityGroup(new h.EcsSdk.RevokeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: SecurityGroupId, permissions: rules(92, 'web') }));
  await ecs.authorizeSecurityGroup(new h.EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: SecurityGroupId, permissions: rules(100, 'd'.repeat(512)) }));
  assert.ok(Date.now() - t0 < 20000);
  const attr = await call(h.V_ECS, 'DescribeSecurityGroupAttribute', { RegionId: h.REGION, SecurityGroupId });
  assert.equal(attr.Permissions.Permission.length, 100);
});

test('a request too large for the server is answered with the API JSON error, never a hang', async () => {
  for (const size of [200 * 1024, 250 * 1024]) {
    const t0 = Date.now();
    const r = await request('GET', `/?Action=DescribeVpcs&X=${'a'.repeat(size)}`);
    assert.ok(Date.now() - t0 < 5000, 'answered at once');
    assertApiError(r, 'InvalidParameter', 400);
    assert.match(r.head, /content-type: application\/json/i);
  }
  // Headers too large: also JSON.
  const big = await request('GET', `/?Action=DescribeVpcs`, { 'x-big': 'b'.repeat(150 * 1024) });
  assert.ok(big.body, big.text.slice(0, 200));
  // Far past the connection's memory the HTTP layer refuses it, at once.
  const t0 = Date.now();
  const huge = await request('GET', `/?Action=DescribeVpcs&X=${'a'.repeat(2 * 1024 * 1024)}`);
  assert.ok(Date.now() - t0 < 5000, 'answered at once');
  assert.ok(huge.status === 414 || huge.status === 400 || huge.status === 0, huge.head);
});

// --- existence oracles -----------------------------------------------------------

test("SourceGroupOwnerId with another account's real group answers like a made-up id (G-1)", async () => {
  const bob = await h.newAccount(d, 'bob');
  const a = h.rpc(d, alice, 'pop-get');
  const b = h.rpc(d, bob, 'pop-get');
  const { VpcId: av } = await a(h.V_VPC, 'CreateVpc', { RegionId: h.REGION });
  const { SecurityGroupId: real } = await a(h.V_ECS, 'CreateSecurityGroup', { RegionId: h.REGION, VpcId: av });
  const { VpcId: bv } = await b(h.V_VPC, 'CreateVpc', { RegionId: h.REGION });
  const { SecurityGroupId: bsg } = await b(h.V_ECS, 'CreateSecurityGroup', { RegionId: h.REGION, VpcId: bv });
  const { SecurityGroupId: bclassic } = await b(h.V_ECS, 'CreateSecurityGroup', { RegionId: h.REGION });
  const fake = 'sg-' + 'z'.repeat(20);
  for (const [action, dir] of [['AuthorizeSecurityGroup', 'Source'], ['AuthorizeSecurityGroupEgress', 'Dest']]) {
    for (const mine of [bsg, bclassic]) {
      const answers = [];
      for (const gid of [real, fake]) {
        const e = await h.expectCode(b(h.V_ECS, action, {
          RegionId: h.REGION, SecurityGroupId: mine, IpProtocol: 'tcp', PortRange: '22/22',
          [`${dir}GroupId`]: gid, [`${dir}GroupOwnerId`]: alice.AccountId,
        }), `Invalid${dir}GroupId.NotFound`, 404).catch(async (err) => { throw err; });
        answers.push([e.statusCode, e.code, (e.data?.Message ?? e.message).replace(gid, '<id>').replace(/RequestId.*$/s, '')]);
      }
      assert.deepEqual(answers[0], answers[1], `${action} on ${mine}`);
    }
  }
});

// --- paging reads one page -------------------------------------------------------

test('DescribeVpcs without filters pages exactly like the filtered path (one page read, not all)', async () => {
  const carol = await h.newAccount(d, 'carol');
  const call = h.rpc(d, carol, 'pop-get');
  await h.rpc(d, d.operator, 'pop-get')(h.V_OPS, 'SetQuota', { AccountId: carol.AccountId, QuotaName: 'vpc', Value: 100 });
  for (let i = 0; i < 23; i++) await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, VpcName: `pg${i}` });
  const pages = async (extra) => {
    const ids = [];
    for (let n = 1; n <= 4; n++) {
      const r = await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageSize: 7, PageNumber: n, ...extra });
      assert.equal(r.TotalCount, 23);
      assert.equal(r.PageNumber, n);
      ids.push(...r.Vpcs.Vpc.map((v) => v.VpcId));
    }
    return ids;
  };
  const fast = await pages({});
  const slow = await pages({ IsDefault: 'false' });
  assert.equal(fast.length, 23);
  assert.deepEqual(fast, slow);
  // ECS style (NextToken/MaxResults) too.
  let token, ecs = [];
  do {
    const r = await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, MaxResults: 10, ...(token ? { NextToken: token } : {}) });
    ecs.push(...r.Vpcs.Vpc.map((v) => v.VpcId));
    token = r.NextToken;
  } while (token);
  assert.deepEqual(ecs, fast);
  const past = await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageSize: 7, PageNumber: 9 });
  assert.deepEqual(past.Vpcs.Vpc, []);
  assert.equal(past.TotalCount, 23);
});

// --- growth ----------------------------------------------------------------------

test('ClientToken answers expire after 24 hours and are deleted from the store', async () => {
  const { execFileSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const db = join(d.dir, 'openvpc.db');
  const count = (like) => Number(execFileSync('sqlite3', [db, `SELECT count(*) FROM kv WHERE key LIKE '${like}'`], { encoding: 'utf8' }).trim());
  const call = h.rpc(d, alice, 'pop-get');
  const a = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, ClientToken: 'expire-me', VpcName: 'tok' });
  const b = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, ClientToken: 'expire-me', VpcName: 'tok' });
  assert.equal(a.VpcId, b.VpcId);
  await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, ClientToken: 'other', VpcName: 'tok2' });
  assert.ok(count('/t/%') >= 2);
  assert.equal(count('/t/%'), count('/tx/%'));
  await h.advanceClock(d, 24 * 3600 + 60);
  // Past the window the token is free again: a new request.
  const c = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, ClientToken: 'expire-me', VpcName: 'tok' });
  assert.notEqual(c.VpcId, a.VpcId);
  // The sweeper deletes every expired answer within seconds; the fresh one stays.
  await h.waitFor(async () => [count('/t/%'), count('/tx/%')], ([t, x]) => t === 1 && x === 1, 'expired tokens swept', 20000);
  const again = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, ClientToken: 'expire-me', VpcName: 'tok' });
  assert.equal(again.VpcId, c.VpcId);
});
