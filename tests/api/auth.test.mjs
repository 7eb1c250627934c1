// The request envelope: the three SDK dialects, signatures, timestamps,
// nonces, idempotency, DryRun, tenancy and quotas (G-1, G-4, G-5).
// Every refused request must change nothing: each test that expects an
// error checks afterwards that the account's resources are as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import * as h from './lib/harness.mjs';

let d, alice, bob;

before(async () => {
  d = await h.startDaemon();
  alice = await h.newAccount(d, 'alice');
  bob = await h.newAccount(d, 'bob');
});
after(async () => { await d?.stop(); });

// RFC 3986 encoding as the cloud signs it.
const pe = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

// Builds a V1-signed query by hand so a test can bend any part of it.
function signV1(key, params, { method = 'GET', timestamp, nonce, secret } = {}) {
  const all = {
    Format: 'JSON', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
    AccessKeyId: key.AccessKeyId,
    SignatureNonce: nonce ?? crypto.randomBytes(16).toString('hex'),
    Timestamp: timestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    ...params,
  };
  const canon = Object.keys(all).sort().map((k) => `${pe(k)}=${pe(String(all[k]))}`).join('&');
  const sts = `${method}&${pe('/')}&${pe(canon)}`;
  const sig = crypto.createHmac('sha1', (secret ?? key.AccessKeySecret) + '&').update(sts).digest('base64');
  return `${canon}&Signature=${pe(sig)}`;
}

function raw(method, path, body, headers = {}) {
  const [host, port] = d.endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path, headers }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: JSON.parse(data) }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const vpcParams = (extra = {}) => ({ Action: 'CreateVpc', Version: h.V_VPC, RegionId: h.REGION, CidrBlock: '10.9.0.0/16', ...extra });

async function vpcCount(key) {
  const r = await h.rpc(d, key, 'pop-get')(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageSize: 50 });
  return r.TotalCount;
}

test('the three dialects and pop-core POST all create and list (reference section 0)', async () => {
  const before = await vpcCount(alice);
  for (const dialect of ['pop-get', 'pop-post', 'v1', 'v3']) {
    const r = await h.rpc(d, alice, dialect)(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, CidrBlock: '10.0.0.0/16', VpcName: `via-${dialect}` });
    assert.match(r.VpcId, /^vpc-[0-9a-z]{20}$/); // G-3
    assert.match(r.RequestId, /^[0-9A-F-]{36}$/);
    assert.equal(r.Code, undefined, 'a success body never carries Code');
  }
  // The typed SDKs parse the success shape (JSON arrays inside wrappers).
  for (const dialect of ['v3', 'v1']) {
    const vpc = h.vpcClient(d, alice, dialect);
    const r = await vpc.describeVpcs(new h.VpcSdk.DescribeVpcsRequest({ regionId: h.REGION, pageSize: 50 }));
    assert.equal(r.statusCode, 200);
    assert.equal(r.body.totalCount, before + 4);
    assert.ok(Array.isArray(r.body.vpcs.vpc));
    assert.deepEqual(new Set(r.body.vpcs.vpc.map((v) => v.vpcName).filter((n) => n.startsWith('via-'))),
      new Set(['via-pop-get', 'via-pop-post', 'via-v1', 'via-v3']));
  }
});

test('form-body parameters with the signature in the query are merged (old generated SDKs)', async () => {
  const q = signV1(alice, vpcParams({ VpcName: 'merged' }), { method: 'POST' });
  // Move the API parameters into the body: the signature covers the union.
  const params = new URLSearchParams(q);
  const body = new URLSearchParams();
  for (const k of ['CidrBlock', 'VpcName', 'RegionId']) { body.set(k, params.get(k)); params.delete(k); }
  const r = await raw('POST', `/?${params.toString().replace(/\+/g, '%20')}`, body.toString(),
    { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(r.body.VpcId, /^vpc-/);
  assert.equal(r.type, 'application/json;charset=utf-8');
});

test('G-5: a wrong secret is SignatureDoesNotMatch (400) and changes nothing', async () => {
  const n = await vpcCount(alice);
  const bad = { ...alice, AccessKeySecret: 'not-the-secret' };
  for (const dialect of ['pop-get', 'v1', 'v3']) {
    await h.expectCode(h.rpc(d, bad, dialect)(h.V_VPC, 'CreateVpc', { RegionId: h.REGION }), 'SignatureDoesNotMatch', 400);
  }
  const e = await h.expectCode(h.vpcClient(d, bad).createVpc(new h.VpcSdk.CreateVpcRequest({ regionId: h.REGION })), 'SignatureDoesNotMatch', 400);
  assert.equal(e.statusCode, 400);
  assert.equal(await vpcCount(alice), n);
});

test('G-5: an unknown AccessKeyId is InvalidAccessKeyId.NotFound (404)', async () => {
  const ghost = { AccessKeyId: 'LTAInobodyhasthiskey00', AccessKeySecret: 'x' };
  const e = await h.expectCode(h.vpcClient(d, ghost).describeVpcs(new h.VpcSdk.DescribeVpcsRequest({ regionId: h.REGION })), 'InvalidAccessKeyId.NotFound');
  assert.equal(e.statusCode, 404);
});

test('G-5: a parameter changed after signing is SignatureDoesNotMatch', async () => {
  const n = await vpcCount(alice);
  const q = signV1(alice, vpcParams()).replace('10.9.0.0', '10.8.0.0');
  const r = await raw('GET', `/?${q}`);
  assert.equal(r.status, 400);
  assert.equal(r.body.Code, 'SignatureDoesNotMatch');
  assert.match(r.body.Message, /string to sign/);
  for (const k of ['RequestId', 'HostId', 'Code', 'Message', 'Recommend']) assert.ok(k in r.body, `error body has ${k}`);
  assert.equal(await vpcCount(alice), n);
});

test('G-5: timestamps more than 15 minutes away are refused, malformed ones too', async () => {
  const old = new Date(Date.now() - 16 * 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  let r = await raw('GET', `/?${signV1(alice, vpcParams(), { timestamp: old })}`);
  assert.equal(r.status, 400);
  assert.equal(r.body.Code, 'InvalidTimeStamp.Expired');
  const future = new Date(Date.now() + 16 * 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  r = await raw('GET', `/?${signV1(alice, vpcParams(), { timestamp: future })}`);
  assert.equal(r.body.Code, 'InvalidTimeStamp.Expired');
  r = await raw('GET', `/?${signV1(alice, vpcParams(), { timestamp: 'yesterday' })}`);
  assert.equal(r.body.Code, 'InvalidTimeStamp.Format');
  // 14 minutes is inside the window.
  const ok = new Date(Date.now() - 14 * 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  r = await raw('GET', `/?${signV1(alice, { Action: 'DescribeVpcs', Version: h.V_VPC, RegionId: h.REGION }, { timestamp: ok })}`);
  assert.equal(r.status, 200);
});

test('G-5: a replayed request (same nonce) is SignatureNonceUsed and creates nothing', async () => {
  const n = await vpcCount(alice);
  const q = signV1(alice, vpcParams({ VpcName: 'once' }));
  let r = await raw('GET', `/?${q}`);
  assert.equal(r.status, 200);
  r = await raw('GET', `/?${q}`);
  assert.equal(r.status, 400);
  assert.equal(r.body.Code, 'SignatureNonceUsed');
  assert.equal(await vpcCount(alice), n + 1);
});

test('G-5: missing and malformed parameters', async () => {
  const call = h.rpc(d, alice, 'v3');
  const n = await vpcCount(alice);
  await h.expectCode(call(h.V_VPC, 'CreateVpc', {}), 'MissingParameter', 400);
  await h.expectCode(call(h.V_VPC, 'CreateVpc', { RegionId: 'mars-north-1' }), 'InvalidRegionId.NotFound', 404);
  await h.expectCode(call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, CidrBlock: '10.0.0.0/33' }), 'InvalidCidrBlock.Malformed', 400);
  await h.expectCode(call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, CidrBlock: '8.0.0.0/6' }), 'InvalidCirdrBlock.MaskLength', 400);
  await h.expectCode(call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, VpcName: 'http://spam' }), 'InvalidVpcName.Malformed', 400);
  await h.expectCode(call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, EnableIpv6: 'maybe' }), 'InvalidParameter', 400);
  await h.expectCode(call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageSize: 51 }), 'InvalidParameter', 400);
  await h.expectCode(call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageNumber: 0 }), 'InvalidParameter', 400);
  await h.expectCode(call(h.V_VPC, 'DeleteVpc', { RegionId: h.REGION }), 'MissingParameter', 400);
  await h.expectCode(call(h.V_VPC, 'NoSuchAction', { RegionId: h.REGION }), 'InvalidApi.NotFound', 404);
  await h.expectCode(call('1999-01-01', 'CreateVpc', { RegionId: h.REGION }), 'InvalidApi.NotFound', 404);
  // Malformed URL encoding and repeated parameters are refused before anything else.
  let r = await raw('GET', '/?Action=CreateVpc&RegionId=%G1');
  assert.equal(r.status, 400);
  assert.equal(r.body.Code, 'InvalidParameter');
  r = await raw('GET', `/?${signV1(alice, vpcParams())}&RegionId=cn-hangzhou`);
  assert.equal(r.body.Code, 'InvalidParameter');
  r = await raw('GET', '/?Action=DescribeVpcs&Version=2016-04-28');
  assert.equal(r.body.Code, 'MissingParameter');
  r = await raw('PUT', `/?${signV1(alice, vpcParams())}`);
  assert.equal(r.body.Code, 'UnsupportedHTTPMethod');
  assert.equal(await vpcCount(alice), n);
});

test('G-1: another account\'s resources look exactly like missing ones', async () => {
  const mine = await h.rpc(d, alice, 'v3')(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, CidrBlock: '10.1.0.0/16' });
  const call = h.rpc(d, bob, 'v3');
  const e1 = await h.expectCode(call(h.V_VPC, 'DescribeVpcAttribute', { RegionId: h.REGION, VpcId: mine.VpcId }), 'InvalidVpcId.NotFound', 404);
  const e2 = await h.expectCode(call(h.V_VPC, 'DescribeVpcAttribute', { RegionId: h.REGION, VpcId: 'vpc-00000000000000000000' }), 'InvalidVpcId.NotFound', 404);
  assert.equal(e1.data.Message.replace(mine.VpcId, 'X'), e2.data.Message.replace('vpc-00000000000000000000', 'X'));
  await h.expectCode(call(h.V_VPC, 'DeleteVpc', { RegionId: h.REGION, VpcId: mine.VpcId }), 'InvalidVpcId.NotFound', 404);
  await h.expectCode(call(h.V_VPC, 'ModifyVpcAttribute', { RegionId: h.REGION, VpcId: mine.VpcId, VpcName: 'stolen' }), 'InvalidVpcId.NotFound', 404);
  const list = await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, VpcId: mine.VpcId });
  assert.equal(list.TotalCount, 0);
  const a = await h.rpc(d, alice, 'v3')(h.V_VPC, 'DescribeVpcAttribute', { RegionId: h.REGION, VpcId: mine.VpcId });
  assert.notEqual(a.VpcName, 'stolen');
  // Operator actions are refused to tenants.
  await h.expectCode(call(h.V_OPS, 'CreateAccount', { AccountName: 'mallory' }), 'Forbidden', 403);
  await h.expectCode(call(h.V_OPS, 'SetQuota', { AccountId: bob.AccountId, QuotaName: 'vpc', Value: 1000 }), 'Forbidden', 403);
});

test('G-5: an exhausted quota refuses with its code and changes nothing; the operator raises it', async () => {
  const carol = await h.newAccount(d, 'carol');
  const op = h.rpc(d, d.operator, 'pop-get');
  await op(h.V_OPS, 'SetQuota', { AccountId: carol.AccountId, QuotaName: 'vpc', Value: 2 });
  const call = h.rpc(d, carol, 'v3');
  await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION });
  await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION });
  await h.expectCode(call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION }), 'QuotaExceeded.Vpc', 400);
  assert.equal(await vpcCount(carol), 2);
  const q = await call(h.V_OPS, 'DescribeQuotas', {});
  assert.equal(q.Quotas.Quota.find((x) => x.QuotaName === 'vpc').Value, 2);
  await op(h.V_OPS, 'SetQuota', { AccountId: carol.AccountId, QuotaName: 'vpc', Value: 3 });
  await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION });
  assert.equal(await vpcCount(carol), 3);
  await h.expectCode(op(h.V_OPS, 'SetQuota', { AccountId: carol.AccountId, QuotaName: 'nonsense', Value: 3 }), 'InvalidQuotaName.NotFound', 404);
});

test('DryRun validates, answers DryRunOperation and creates nothing', async () => {
  const n = await vpcCount(alice);
  const call = h.rpc(d, alice, 'v3');
  await h.expectCode(call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, DryRun: true }), 'DryRunOperation', 400);
  await h.expectCode(call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, DryRun: true, CidrBlock: 'x' }), 'InvalidCidrBlock.Malformed', 400);
  assert.equal(await vpcCount(alice), n);
});

test('ClientToken: a retry returns the first answer; other parameters are a mismatch', async () => {
  const call = h.rpc(d, alice, 'v1');
  const n = await vpcCount(alice);
  const a = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, ClientToken: 'tok-1', VpcName: 'idem' });
  const b = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, ClientToken: 'tok-1', VpcName: 'idem' });
  assert.equal(a.VpcId, b.VpcId);
  assert.notEqual(a.RequestId, b.RequestId);
  assert.equal(await vpcCount(alice), n + 1);
  await h.expectCode(call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, ClientToken: 'tok-1', VpcName: 'other' }), 'IdempotentParameterMismatch', 400);
  // Tokens are per account: bob's tok-1 is his own.
  const c = await h.rpc(d, bob, 'v1')(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, ClientToken: 'tok-1', VpcName: 'idem' });
  assert.notEqual(c.VpcId, a.VpcId);
});

test('G-6: a new VPC is Pending until the agent applies it, then Available', async () => {
  const slow = await h.startDaemon({ settleDelayMs: 400 });
  try {
    const call = h.rpc(slow, slow.operator, 'v3');
    const r = await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION });
    const first = await call(h.V_VPC, 'DescribeVpcAttribute', { RegionId: h.REGION, VpcId: r.VpcId });
    assert.equal(first.Status, 'Pending');
    await h.expectCode(call(h.V_VPC, 'DeleteVpc', { RegionId: h.REGION, VpcId: r.VpcId }), 'IncorrectVpcStatus', 400);
    const later = await h.waitFor(() => call(h.V_VPC, 'DescribeVpcAttribute', { RegionId: h.REGION, VpcId: r.VpcId }),
      (v) => v.Status === 'Available', 'VPC Available');
    assert.equal(later.Status, 'Available');
    await call(h.V_VPC, 'DeleteVpc', { RegionId: h.REGION, VpcId: r.VpcId });
  } finally {
    await slow.stop();
  }
});

test('G-2: regions and zones come from the configuration', async () => {
  const vpc = h.vpcClient(d, alice);
  const r = await vpc.describeRegions(new h.VpcSdk.DescribeRegionsRequest({}));
  assert.deepEqual(r.body.regions.region.map((x) => x.regionId), [h.REGION]);
  const z = await vpc.describeZones(new h.VpcSdk.DescribeZonesRequest({ regionId: h.REGION }));
  assert.deepEqual(z.body.zones.zone.map((x) => x.zoneId), [h.ZONE_A, h.ZONE_B]);
});

test('paging: PageNumber/PageSize and TotalCount', async () => {
  const dave = await h.newAccount(d, 'dave');
  const call = h.rpc(d, dave, 'v3');
  for (let i = 0; i < 7; i++) await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, VpcName: `p${i}` });
  const p1 = await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageSize: 3, PageNumber: 1 });
  const p3 = await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageSize: 3, PageNumber: 3 });
  assert.equal(p1.TotalCount, 7);
  assert.equal(p1.Vpcs.Vpc.length, 3);
  assert.equal(p3.Vpcs.Vpc.length, 1);
  assert.equal(p3.PageNumber, 3);
  const p4 = await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION, PageSize: 3, PageNumber: 4 });
  assert.deepEqual(p4.Vpcs.Vpc, []);
});

test('G-1: the operator manages key pairs; a disabled or deleted key is refused (V1 signing)', async () => {
  const op = h.rpc(d, d.operator, 'pop-get');
  const erin = await h.newAccount(d, 'erin');
  const k2 = await op(h.V_OPS, 'CreateAccessKey', { AccountId: erin.AccountId });
  const second = { AccessKeyId: k2.AccessKeyId, AccessKeySecret: k2.AccessKeySecret };
  const call = h.rpc(d, second, 'pop-get');
  await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION });
  await op(h.V_OPS, 'UpdateAccessKey', { UserAccessKeyId: k2.AccessKeyId, Status: 'Inactive' });
  await h.expectCode(call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION }), 'InvalidAccessKeyId.Inactive', 400);
  // The operator's own key, which signed the request, is untouched.
  await op(h.V_OPS, 'DescribeAccounts', {});
  // The first key of the account still works.
  await h.rpc(d, erin, 'pop-get')(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION });
  await op(h.V_OPS, 'UpdateAccessKey', { UserAccessKeyId: k2.AccessKeyId, Status: 'Active' });
  await call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION });
  await op(h.V_OPS, 'DeleteAccessKey', { UserAccessKeyId: k2.AccessKeyId });
  await h.expectCode(call(h.V_VPC, 'DescribeVpcs', { RegionId: h.REGION }), 'InvalidAccessKeyId.NotFound', 404);
  await h.expectCode(op(h.V_OPS, 'DeleteAccessKey', { UserAccessKeyId: k2.AccessKeyId }), 'InvalidAccessKeyId.NotFound', 404);
});
