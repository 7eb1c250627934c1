// vSwitch actions of VPC 2016-04-28 through the real SDKs (NET-1, NET-3,
// NET-15, G-1, G-2, G-6, quota vswitch-per-vpc): CreateVSwitch,
// DescribeVSwitches, DescribeVSwitchAttributes, ModifyVSwitchAttribute,
// DeleteVSwitch.  One daemon for the file; accounts alice (the owner) and
// bob (another tenant, who must see nothing of alice's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './lib/harness.mjs';

const { VpcSdk } = h;
let d, alice, bob, va, va1, vb;

before(async () => {
  d = await h.startDaemon();
  alice = await h.newAccount(d, 'alice');
  bob = await h.newAccount(d, 'bob');
  va = h.vpcClient(d, alice);          // typed SDK, V3 signatures
  va1 = h.vpcClient(d, alice, 'v1');   // typed SDK, V1 signatures
  vb = h.vpcClient(d, bob);
});
after(async () => { await d?.stop(); });

async function newVpc(client, cidr = '10.0.0.0/16', enableIpv6 = false) {
  const r = await client.createVpc(new VpcSdk.CreateVpcRequest({ regionId: h.REGION, cidrBlock: cidr, enableIpv6 }));
  await h.waitFor(() => client.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: h.REGION, vpcId: r.body.vpcId })),
    (x) => x.body.status === 'Available', 'VPC Available');
  return r.body;
}

const attrs = (client, id) => client.describeVSwitchAttributes(
  new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: h.REGION, vSwitchId: id }));

async function newVsw(client, vpcId, cidr, extra = {}) {
  const r = await client.createVSwitch(new VpcSdk.CreateVSwitchRequest({
    regionId: h.REGION, vpcId, zoneId: h.ZONE_A, cidrBlock: cidr, ...extra,
  }));
  assert.match(r.body.vSwitchId, /^vsw-[0-9a-z]{20}$/);
  await h.waitFor(() => attrs(client, r.body.vSwitchId), (x) => x.body.status === 'Available', 'vSwitch Available');
  return r.body.vSwitchId;
}

test('net1_create_describe_vswitch (typed SDK, V3)', async () => {
  const vpc = await newVpc(va, '192.168.0.0/16');
  const r = await va.createVSwitch(new VpcSdk.CreateVSwitchRequest({
    regionId: h.REGION, vpcId: vpc.vpcId, zoneId: h.ZONE_B, cidrBlock: '192.168.1.0/24',
    vSwitchName: 'web', description: 'front end',
    tag: [new VpcSdk.CreateVSwitchRequestTag({ key: 'tier', value: 'web' })],
  }));
  const id = r.body.vSwitchId;
  // G-6: Pending first or already Available, never anything else; then Available.
  const first = await attrs(va, id);
  assert.ok(['Pending', 'Available'].includes(first.body.status));
  const a = (await h.waitFor(() => attrs(va, id), (x) => x.body.status === 'Available', 'Available')).body;
  assert.equal(a.vSwitchId, id);
  assert.equal(a.vpcId, vpc.vpcId);
  assert.equal(a.zoneId, h.ZONE_B);
  assert.equal(a.cidrBlock, '192.168.1.0/24');
  assert.equal(a.vSwitchName, 'web');
  assert.equal(a.description, 'front end');
  assert.equal(a.availableIpAddressCount, 252, 'NET-3: first and last three addresses reserved');
  assert.equal(a.isDefault, false);
  assert.equal(a.enabledIpv6, false);
  assert.equal(a.ipv6CidrBlock, '');
  assert.equal(a.routeTable.routeTableId, vpc.routeTableId);
  assert.equal(a.routeTable.routeTableType, 'System');
  assert.deepEqual(a.tags.tag.map((t) => [t.key, t.value]), [['tier', 'web']]);
  assert.match(a.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // The VPC lists it.
  const v = await va.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: h.REGION, vpcId: vpc.vpcId }));
  assert.deepEqual(v.body.vSwitchIds.vSwitchId, [id]);
});

test('net1_describe_vswitches_filters_and_paging (typed SDK, V1)', async () => {
  const vpc = await newVpc(va1, '10.10.0.0/16');
  const ids = [];
  for (let i = 1; i <= 3; i++)
    ids.push(await newVsw(va1, vpc.vpcId, `10.10.${i}.0/24`, { vSwitchName: `n${i}`, zoneId: i === 3 ? h.ZONE_B : h.ZONE_A }));
  const list = (q) => va1.describeVSwitches(new VpcSdk.DescribeVSwitchesRequest({ regionId: h.REGION, vpcId: vpc.vpcId, ...q }));
  let r = await list({});
  assert.equal(r.body.totalCount, 3);
  assert.ok(Array.isArray(r.body.vSwitches.vSwitch));
  assert.deepEqual(r.body.vSwitches.vSwitch.map((s) => s.vSwitchId).sort(), [...ids].sort());
  r = await list({ zoneId: h.ZONE_B });
  assert.deepEqual(r.body.vSwitches.vSwitch.map((s) => s.vSwitchId), [ids[2]]);
  r = await list({ vSwitchName: 'n2' });
  assert.deepEqual(r.body.vSwitches.vSwitch.map((s) => s.vSwitchId), [ids[1]]);
  r = await list({ vSwitchId: ids[0] });
  assert.equal(r.body.totalCount, 1);
  r = await list({ routeTableId: vpc.routeTableId });
  assert.equal(r.body.totalCount, 3);
  r = await list({ isDefault: true });
  assert.equal(r.body.totalCount, 0, 'openvpc makes no default vSwitch');
  r = await list({ pageSize: 2, pageNumber: 2 });
  assert.equal(r.body.totalCount, 3);
  assert.equal(r.body.pageNumber, 2);
  assert.equal(r.body.pageSize, 2);
  assert.equal(r.body.vSwitches.vSwitch.length, 1);
  await h.expectCode(list({ pageSize: 51 }), 'InvalidParameter', 400);
});

test('net1_cidr_rules_answer_the_clouds_codes', async () => {
  const vpc = await newVpc(va, '10.20.0.0/16');
  await newVsw(va, vpc.vpcId, '10.20.1.0/24');
  const create = (cidr, zoneId = h.ZONE_A, vpcId = vpc.vpcId) => va.createVSwitch(
    new VpcSdk.CreateVSwitchRequest({ regionId: h.REGION, vpcId, zoneId, cidrBlock: cidr }));
  await h.expectCode(create('10.20.1.128/25'), 'InvalidCidrBlock.Overlapped', 400);
  await h.expectCode(create('10.20.0.0/30'), 'InvalidCirdrBlock.MaskLength', 400);
  await h.expectCode(create('10.20.2.1/24'), 'InvalidCidrBlock.Malformed', 400);
  await h.expectCode(create('10.99.0.0/24'), 'InvalidParameter', 400);
  await h.expectCode(create('10.20.2.0/24', 'cn-hangzhou-q'), 'InvalidZoneId.NotFound', 404);
  await h.expectCode(create('10.20.2.0/24', h.ZONE_A, 'vpc-doesnotexist0000000'), 'InvalidVpcId.NotFound', 404);
  // G-5: none of these changed anything.
  const r = await va.describeVSwitches(new VpcSdk.DescribeVSwitchesRequest({ regionId: h.REGION, vpcId: vpc.vpcId }));
  assert.equal(r.body.totalCount, 1);
});

test('net15_ipv6_64_from_the_vpc_56', async () => {
  const vpc = await newVpc(va, '10.30.0.0/16', true);
  const v = await va.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: h.REGION, vpcId: vpc.vpcId }));
  const v56 = v.body.ipv6CidrBlock;
  assert.match(v56, /\/56$/);
  const id = await newVsw(va, vpc.vpcId, '10.30.1.0/24', { ipv6CidrBlock: 7 });
  const a = (await attrs(va, id)).body;
  assert.equal(a.enabledIpv6, true);
  assert.match(a.ipv6CidrBlock, /\/64$/);
  // The /64 is the /56 with 7 as its last 8 bits.
  const head = v56.split('/')[0].replace(/::$/, '');
  assert.ok(a.ipv6CidrBlock.startsWith(head.slice(0, head.lastIndexOf(':') + 1)), `${a.ipv6CidrBlock} in ${v56}`);
  assert.match(a.ipv6CidrBlock, /07::\/64$|:7::\/64$/);
  await h.expectCode(va.createVSwitch(new VpcSdk.CreateVSwitchRequest({
    regionId: h.REGION, vpcId: vpc.vpcId, zoneId: h.ZONE_A, cidrBlock: '10.30.2.0/24', ipv6CidrBlock: 7,
  })), 'InvalidCidrBlock.Overlapped', 400);
  // Turning IPv6 on later picks the lowest free /64 (ModifyVSwitchAttribute).
  const id2 = await newVsw(va, vpc.vpcId, '10.30.2.0/24');
  await va.modifyVSwitchAttribute(new VpcSdk.ModifyVSwitchAttributeRequest({ regionId: h.REGION, vSwitchId: id2, enableIPv6: true }));
  const b = (await h.waitFor(() => attrs(va, id2), (x) => x.body.status === 'Available' && x.body.enabledIpv6, 'IPv6 on')).body;
  assert.match(b.ipv6CidrBlock, /::\/64$/);
  assert.notEqual(b.ipv6CidrBlock, a.ipv6CidrBlock);
  const list = await va.describeVSwitches(new VpcSdk.DescribeVSwitchesRequest({ regionId: h.REGION, vpcId: vpc.vpcId, enableIpv6: true }));
  assert.equal(list.body.totalCount, 2);
  // A VPC without IPv6 cannot give any.
  const plain = await newVpc(va, '10.31.0.0/16');
  await h.expectCode(va.createVSwitch(new VpcSdk.CreateVSwitchRequest({
    regionId: h.REGION, vpcId: plain.vpcId, zoneId: h.ZONE_A, cidrBlock: '10.31.1.0/24', ipv6CidrBlock: 0,
  })), 'OperationDenied.VpcIpv6NotEnabled', 400);
});

test('modify_vswitch_name_and_description (pop-core POST)', async () => {
  const vpc = await newVpc(va, '10.40.0.0/16');
  const id = await newVsw(va, vpc.vpcId, '10.40.1.0/24');
  const pop = h.rpc(d, alice, 'pop-post');
  await pop(h.V_VPC, 'ModifyVSwitchAttribute', { RegionId: h.REGION, VSwitchId: id, VSwitchName: 'db', Description: 'database tier' });
  const r = await pop(h.V_VPC, 'DescribeVSwitchAttributes', { RegionId: h.REGION, VSwitchId: id });
  assert.equal(r.VSwitchName, 'db');
  assert.equal(r.Description, 'database tier');
  assert.equal(typeof r.AvailableIpAddressCount, 'number');
  assert.equal(r.RouteTable.RouteTableType, 'System');
  await h.expectCode(pop(h.V_VPC, 'ModifyVSwitchAttribute', { RegionId: h.REGION, VSwitchId: id, VSwitchName: 'http://x' }),
    'InvalidVSwitchName.Malformed');
  await h.expectCode(pop(h.V_VPC, 'CreateVSwitch', { RegionId: h.REGION, VpcId: vpc.vpcId, ZoneId: h.ZONE_A, CidrBlock: '10.40.2.0/24', Description: 'https://x' }),
    'InvalidVSwitchDiscription.Malformed');
});

test('g6_delete_vswitch_then_vpc', async () => {
  const vpc = await newVpc(va, '10.50.0.0/16');
  const id = await newVsw(va, vpc.vpcId, '10.50.1.0/24');
  await h.expectCode(va.deleteVpc(new VpcSdk.DeleteVpcRequest({ regionId: h.REGION, vpcId: vpc.vpcId })),
    'DependencyViolation.VSwitch', 400);
  await va.deleteVSwitch(new VpcSdk.DeleteVSwitchRequest({ regionId: h.REGION, vSwitchId: id }));
  await h.waitFor(async () => {
    try { await attrs(va, id); return false; } catch (e) { return e.code === 'InvalidVSwitchId.NotFound'; }
  }, (x) => x, 'vSwitch gone');
  await h.expectCode(va.deleteVSwitch(new VpcSdk.DeleteVSwitchRequest({ regionId: h.REGION, vSwitchId: id })),
    'InvalidVSwitchId.NotFound', 404);
  await va.deleteVpc(new VpcSdk.DeleteVpcRequest({ regionId: h.REGION, vpcId: vpc.vpcId }));
});

test('g6_delete_needs_available (slow data plane)', async () => {
  // A second daemon whose agent waits, so the transitional status is visible.
  const slow = await h.startDaemon({ settleDelayMs: 1500 });
  try {
    const k = await h.newAccount(slow, 'carol');
    const c = h.vpcClient(slow, k);
    const vpc = await newVpc(c, '10.60.0.0/16');
    const r = await c.createVSwitch(new VpcSdk.CreateVSwitchRequest({ regionId: h.REGION, vpcId: vpc.vpcId, zoneId: h.ZONE_A, cidrBlock: '10.60.1.0/24' }));
    assert.equal((await attrs(c, r.body.vSwitchId)).body.status, 'Pending');
    await h.expectCode(c.deleteVSwitch(new VpcSdk.DeleteVSwitchRequest({ regionId: h.REGION, vSwitchId: r.body.vSwitchId })),
      'IncorrectVSwitchStatus', 400);
  } finally {
    await slow.stop();
  }
});

test('quota_vswitch_per_vpc', async () => {
  const op = h.rpc(d, d.operator, 'pop-get');
  const k = await h.newAccount(d, 'dave');
  await op(h.V_OPS, 'SetQuota', { AccountId: k.AccountId, QuotaName: 'vswitch-per-vpc', Value: 1 });
  const c = h.vpcClient(d, k);
  const vpc = await newVpc(c, '10.70.0.0/16');
  await newVsw(c, vpc.vpcId, '10.70.1.0/24');
  await h.expectCode(c.createVSwitch(new VpcSdk.CreateVSwitchRequest({ regionId: h.REGION, vpcId: vpc.vpcId, zoneId: h.ZONE_A, cidrBlock: '10.70.2.0/24' })),
    'QuotaExceeded.VSwitch', 400);
});

test('g1_another_accounts_vswitch_does_not_exist', async () => {
  const vpc = await newVpc(va, '10.80.0.0/16');
  const id = await newVsw(va, vpc.vpcId, '10.80.1.0/24');
  await h.expectCode(attrs(vb, id), 'InvalidVSwitchId.NotFound', 404);
  await h.expectCode(vb.deleteVSwitch(new VpcSdk.DeleteVSwitchRequest({ regionId: h.REGION, vSwitchId: id })),
    'InvalidVSwitchId.NotFound', 404);
  await h.expectCode(vb.modifyVSwitchAttribute(new VpcSdk.ModifyVSwitchAttributeRequest({ regionId: h.REGION, vSwitchId: id, vSwitchName: 'mine' })),
    'InvalidVSwitchId.NotFound', 404);
  await h.expectCode(vb.createVSwitch(new VpcSdk.CreateVSwitchRequest({ regionId: h.REGION, vpcId: vpc.vpcId, zoneId: h.ZONE_A, cidrBlock: '10.80.2.0/24' })),
    'InvalidVpcId.NotFound', 404);
  const list = await vb.describeVSwitches(new VpcSdk.DescribeVSwitchesRequest({ regionId: h.REGION, vSwitchId: id }));
  assert.equal(list.body.totalCount, 0);
  assert.deepEqual(list.body.vSwitches.vSwitch, []);
  // An id of another kind names nothing either, and changes nothing.
  await h.expectCode(va.deleteVSwitch(new VpcSdk.DeleteVSwitchRequest({ regionId: h.REGION, vSwitchId: vpc.vpcId })),
    'InvalidVSwitchId.NotFound', 404);
  assert.equal((await attrs(va, id)).body.status, 'Available');
});
