// Route tables and route entries of VPC 2016-04-28 through the real SDKs
// (EC-9, NET-1, NET-15, G-1, G-6, quotas route-entry-per-table and
// route-table-per-vpc): DescribeRouteTables, DescribeRouteTableList,
// Create/Delete/ModifyRouteTableAttributes, Associate/UnassociateRouteTable,
// CreateRouteEntry (single next hop and ECMP), DeleteRouteEntry,
// ModifyRouteEntry, DescribeRouteEntryList.  Next hops are real instances
// (ECS RunInstances) and ENIs (CreateNetworkInterface); a test skips itself
// when those actions are missing from the build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './lib/harness.mjs';

const { VpcSdk, EcsSdk } = h;
let d, alice, bob, va, va1, vb, ea, net;

async function newVpc(client, cidr, enableIpv6 = false) {
  const r = await client.createVpc(new VpcSdk.CreateVpcRequest({ regionId: h.REGION, cidrBlock: cidr, enableIpv6 }));
  await h.waitFor(() => client.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: h.REGION, vpcId: r.body.vpcId })),
    (x) => x.body.status === 'Available', 'VPC Available');
  return r.body;
}

async function newVsw(client, vpcId, cidr, extra = {}) {
  const r = await client.createVSwitch(new VpcSdk.CreateVSwitchRequest({ regionId: h.REGION, vpcId, zoneId: h.ZONE_A, cidrBlock: cidr, ...extra }));
  await h.waitFor(() => client.describeVSwitchAttributes(new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: h.REGION, vSwitchId: r.body.vSwitchId })),
    (x) => x.body.status === 'Available', 'vSwitch Available');
  return r.body.vSwitchId;
}

const entries = (client, q) => client.describeRouteEntryList(new VpcSdk.DescribeRouteEntryListRequest({ regionId: h.REGION, ...q }));
const entryStatus = async (client, table, id) => (await entries(client, { routeTableId: table, routeEntryId: id })).body.routeEntrys.routeEntry[0]?.status;
const waitEntry = (client, table, id, status = 'Available') => h.waitFor(() => entryStatus(client, table, id), (s) => s === status, `entry ${status}`);
const tableList = (client, q) => client.describeRouteTableList(new VpcSdk.DescribeRouteTableListRequest({ regionId: h.REGION, ...q }));

before(async () => {
  d = await h.startDaemon();
  alice = await h.newAccount(d, 'alice');
  bob = await h.newAccount(d, 'bob');
  va = h.vpcClient(d, alice);
  va1 = h.vpcClient(d, alice, 'v1');
  vb = h.vpcClient(d, bob);
  ea = h.ecsClient(d, alice);
  // One VPC with two vSwitches (one with IPv6), shared by the tests below.
  const vpc = await newVpc(va, '10.0.0.0/16', true);
  const vsw1 = await newVsw(va, vpc.vpcId, '10.0.1.0/24');
  const vsw2 = await newVsw(va, vpc.vpcId, '10.0.2.0/24', { ipv6CidrBlock: 1 });
  net = { ...vpc, vsw1, vsw2 };
});
after(async () => { await d?.stop(); });

// Instances and ENIs in net's vSwitch 1, or null when the build lacks them.
let hops;
async function nextHops() {
  if (hops !== undefined) return hops;
  try {
    const sg = (await ea.createSecurityGroup(new EcsSdk.CreateSecurityGroupRequest({ regionId: h.REGION, vpcId: net.vpcId }))).body.securityGroupId;
    const r = await ea.runInstances(new EcsSdk.RunInstancesRequest({
      regionId: h.REGION, imageId: 'img-route', instanceType: 'ecs.g6.large', securityGroupId: sg, vSwitchId: net.vsw1, amount: 2,
    }));
    const eni = await ea.createNetworkInterface(new EcsSdk.CreateNetworkInterfaceRequest({ regionId: h.REGION, vSwitchId: net.vsw1, securityGroupId: sg }));
    hops = { instances: r.body.instanceIdSets.instanceIdSet, eni: eni.body.networkInterfaceId };
  } catch (e) {
    if (e.code !== 'InvalidApi.NotFound') throw e;
    hops = null;
  }
  return hops;
}

test('ec9_system_table_and_its_local_routes (DescribeRouteTables, V3)', async () => {
  const r = await va.describeRouteTables(new VpcSdk.DescribeRouteTablesRequest({ regionId: h.REGION, routeTableId: net.routeTableId }));
  assert.equal(r.body.totalCount, 1);
  const t = r.body.routeTables.routeTable[0];
  assert.equal(t.routeTableId, net.routeTableId);
  assert.equal(t.routeTableType, 'System');
  assert.equal(t.VRouterId, net.VRouterId);
  assert.equal(t.status, 'Available');
  assert.deepEqual([...t.vSwitchIds.vSwitchId].sort(), [net.vsw1, net.vsw2].sort());
  const sys = t.routeEntrys.routeEntry.filter((e) => e.type === 'System');
  assert.deepEqual(sys.map((e) => e.destinationCidrBlock).filter((c) => c.includes('.')).sort(), ['10.0.1.0/24', '10.0.2.0/24']);
  assert.equal(sys.filter((e) => e.destinationCidrBlock.endsWith('/64')).length, 1, 'the IPv6 /64 has its route too');
  for (const e of sys) {
    assert.equal(e.nextHopType, 'local');
    assert.equal(e.status, 'Available');
    assert.match(e.routeEntryId, /^rte-/);
  }
  // Filters: by VRouter, by type; VBR tables are not openvpc's yet.
  const byRouter = await va.describeRouteTables(new VpcSdk.DescribeRouteTablesRequest({ regionId: h.REGION, VRouterId: net.VRouterId }));
  assert.ok(byRouter.body.routeTables.routeTable.some((x) => x.routeTableId === net.routeTableId));
  assert.ok(byRouter.body.routeTables.routeTable.every((x) => x.VRouterId === net.VRouterId));
  const none = await va.describeRouteTables(new VpcSdk.DescribeRouteTablesRequest({ regionId: h.REGION, VRouterId: 'vrt-doesnotexist00000000' }));
  assert.equal(none.body.totalCount, 0);
  assert.deepEqual(none.body.routeTables.routeTable, []);
  const vbr = await va.describeRouteTables(new VpcSdk.DescribeRouteTablesRequest({ regionId: h.REGION, routerType: 'VBR' }));
  assert.equal(vbr.body.totalCount, 0);
});

test('ec9_describe_route_table_list_and_entries (V1 and pop-core)', async () => {
  const r = await tableList(va1, { vpcId: net.vpcId, routeTableType: 'System' });
  assert.equal(r.body.totalCount, 1);
  const t = r.body.routerTableList.routerTableListType[0];
  assert.equal(t.routeTableId, net.routeTableId);
  assert.equal(t.vpcId, net.vpcId);
  assert.equal(t.routerId, net.VRouterId);
  assert.equal(t.routerType, 'VRouter');
  assert.equal(t.routeTableType, 'System');
  assert.equal(typeof t.ownerId, 'number');
  assert.ok(Array.isArray(t.vSwitchIds.vSwitchId));
  // Paging with MaxResult / NextToken, filters by type and IP version.
  const first = await entries(va1, { routeTableId: net.routeTableId, maxResult: 2 });
  assert.equal(first.body.totalCount, 3);
  assert.equal(first.body.routeEntrys.routeEntry.length, 2);
  assert.ok(first.body.nextToken);
  const rest = await entries(va1, { routeTableId: net.routeTableId, maxResult: 2, nextToken: first.body.nextToken });
  assert.equal(rest.body.routeEntrys.routeEntry.length, 1);
  assert.equal(rest.body.nextToken, '');
  const v6 = await entries(va1, { routeTableId: net.routeTableId, ipVersion: 'ipv6' });
  assert.equal(v6.body.totalCount, 1);
  assert.equal(v6.body.routeEntrys.routeEntry[0].ipVersion, 'ipv6');
  const one = await entries(va1, { routeTableId: net.routeTableId, destinationCidrBlock: '10.0.1.0/24', routeEntryType: 'System' });
  assert.equal(one.body.totalCount, 1);
  const e = one.body.routeEntrys.routeEntry[0];
  assert.equal(e.type, 'System');
  assert.equal(e.nextHops.nextHop[0].nextHopType, 'local');
  assert.match(e.gmtModified, /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
  // pop-core (GET, V1) sees the raw PascalCase shape.
  const pop = h.rpc(d, alice, 'pop-get');
  const raw = await pop(h.V_VPC, 'DescribeRouteEntryList', { RegionId: h.REGION, RouteTableId: net.routeTableId });
  assert.ok(Array.isArray(raw.RouteEntrys.RouteEntry));
  assert.equal(typeof raw.TotalCount, 'number');
  await h.expectCode(entries(va1, { routeTableId: 'vtb-doesnotexist00000000' }), 'InvalidRouteTableId.NotFound', 404);
  await h.expectCode(entries(va1, { routeTableId: net.routeTableId, maxResult: 101 }), 'InvalidParameter', 400);
});

test('ec9_create_route_entry_refusals', async () => {
  const create = (q) => va.createRouteEntry(new VpcSdk.CreateRouteEntryRequest({ regionId: h.REGION, routeTableId: net.routeTableId, ...q }));
  await h.expectCode(create({ destinationCidrBlock: '10.0.1.0/24', nextHopType: 'Instance', nextHopId: 'i-doesnotexist000000000' }),
    'InvalidCidrBlock', 400);
  await h.expectCode(create({ destinationCidrBlock: '10.0.1.64/26', nextHopType: 'Instance', nextHopId: 'i-doesnotexist000000000' }),
    'InvalidCidrBlock', 400);
  await h.expectCode(create({ destinationCidrBlock: '100.64.0.0/10', nextHopType: 'Instance', nextHopId: 'i-doesnotexist000000000' }),
    'InvalidCidrBlock', 400);
  await h.expectCode(create({ destinationCidrBlock: '10.9.0.1/16', nextHopType: 'Instance', nextHopId: 'i-doesnotexist000000000' }),
    'InvalidCidrBlock.Malformed', 400);
  await h.expectCode(create({ destinationCidrBlock: '0.0.0.0/0', nextHopType: 'Instance', nextHopId: 'i-doesnotexist000000000' }),
    'InvalidNextHopId.NotFound', 404);
  const e = await h.expectCode(create({ destinationCidrBlock: '0.0.0.0/0', nextHopType: 'RouterInterface', nextHopId: 'ri-1' }),
    'InvalidNextHopType', 400);
  assert.match(e.message, /not supported yet/);
  await h.expectCode(create({ destinationCidrBlock: '0.0.0.0/0' }), 'InvalidNexthopTypeAndList.BothNull', 400);
  await h.expectCode(create({
    destinationCidrBlock: '0.0.0.0/0',
    nextHopList: [new VpcSdk.CreateRouteEntryRequestNextHopList({ nextHopType: 'Instance', nextHopId: 'i-a0000000000000000000' })],
  }), 'InvalidNextHopList.Size', 400);
  await h.expectCode(va.createRouteEntry(new VpcSdk.CreateRouteEntryRequest({
    regionId: h.REGION, routeTableId: 'vtb-doesnotexist00000000', destinationCidrBlock: '0.0.0.0/0', nextHopId: 'i-x',
  })), 'InvalidRouteTableId.NotFound', 404);
  // G-5: nothing was added.
  const r = await entries(va, { routeTableId: net.routeTableId, routeEntryType: 'Custom' });
  assert.equal(r.body.totalCount, 0);
  // A system route cannot be deleted.
  await h.expectCode(va.deleteRouteEntry(new VpcSdk.DeleteRouteEntryRequest({ regionId: h.REGION, routeTableId: net.routeTableId, destinationCidrBlock: '10.0.1.0/24' })),
    'OperationDenied', 400);
});

test('ec9_routes_to_instances_enis_and_ecmp', async (t) => {
  const nh = await nextHops();
  if (!nh) return t.skip('RunInstances/CreateNetworkInterface are not in this build: next hops are covered by test_route.c');
  const [i1, i2] = nh.instances;
  const tbl = net.routeTableId;
  // A single next hop: an instance.
  const r1 = await va.createRouteEntry(new VpcSdk.CreateRouteEntryRequest({
    regionId: h.REGION, routeTableId: tbl, destinationCidrBlock: '0.0.0.0/0', nextHopType: 'Instance', nextHopId: i1,
    routeEntryName: 'default', description: 'through the firewall',
  }));
  assert.match(r1.body.routeEntryId, /^rte-[0-9a-z]{20}$/);
  await waitEntry(va, tbl, r1.body.routeEntryId);
  await h.expectCode(va.createRouteEntry(new VpcSdk.CreateRouteEntryRequest({
    regionId: h.REGION, routeTableId: tbl, destinationCidrBlock: '0.0.0.0/0', nextHopType: 'Instance', nextHopId: i2,
  })), 'RouterEntryConflict.Duplicated', 400);
  // An ENI, by pop-core.
  const pop = h.rpc(d, alice, 'pop-get');
  const r2 = await pop(h.V_VPC, 'CreateRouteEntry', {
    RegionId: h.REGION, RouteTableId: tbl, DestinationCidrBlock: '172.16.0.0/12', NextHopType: 'NetworkInterface', NextHopId: nh.eni,
  });
  // ECMP over two instances and the ENI, with weights (V1 dialect).
  const r3 = await va1.createRouteEntry(new VpcSdk.CreateRouteEntryRequest({
    regionId: h.REGION, routeTableId: tbl, destinationCidrBlock: '192.168.0.0/16',
    nextHopList: [
      new VpcSdk.CreateRouteEntryRequestNextHopList({ nextHopType: 'Instance', nextHopId: i1, weight: 10 }),
      new VpcSdk.CreateRouteEntryRequestNextHopList({ nextHopType: 'Instance', nextHopId: i2, weight: 20 }),
      new VpcSdk.CreateRouteEntryRequestNextHopList({ nextHopType: 'NetworkInterface', nextHopId: nh.eni, weight: 30 }),
    ],
  }));
  await waitEntry(va, tbl, r3.body.routeEntryId);
  const got = (await entries(va, { routeTableId: tbl, routeEntryId: r3.body.routeEntryId })).body.routeEntrys.routeEntry[0];
  assert.equal(got.type, 'Custom');
  assert.equal(got.destinationCidrBlock, '192.168.0.0/16');
  assert.equal(got.ipVersion, 'ipv4');
  assert.deepEqual(got.nextHops.nextHop.map((x) => [x.nextHopType, x.nextHopId, x.weight, x.enabled]),
    [['Instance', i1, 10, 1], ['Instance', i2, 20, 1], ['NetworkInterface', nh.eni, 30, 1]]);
  await h.expectCode(va.createRouteEntry(new VpcSdk.CreateRouteEntryRequest({
    regionId: h.REGION, routeTableId: tbl, destinationCidrBlock: '192.169.0.0/16',
    nextHopList: [
      new VpcSdk.CreateRouteEntryRequestNextHopList({ nextHopType: 'Instance', nextHopId: i1 }),
      new VpcSdk.CreateRouteEntryRequestNextHopList({ nextHopType: 'Instance', nextHopId: i1 }),
    ],
  })), 'Duplicated.VpcNextHop', 400);
  // The old DescribeRouteTables shape: InstanceId/NextHopType for single hops.
  const old = await va.describeRouteTables(new VpcSdk.DescribeRouteTablesRequest({ regionId: h.REGION, routeTableId: tbl }));
  const def = old.body.routeTables.routeTable[0].routeEntrys.routeEntry.find((e) => e.destinationCidrBlock === '0.0.0.0/0');
  assert.equal(def.instanceId, i1);
  assert.equal(def.nextHopType, 'Instance');
  assert.equal(def.routeEntryName, 'default');
  // Filters by next hop.
  const viaEni = await entries(va, { routeTableId: tbl, nextHopId: nh.eni });
  assert.equal(viaEni.body.totalCount, 2);
  // ModifyRouteEntry: rename, then a new next hop (Modifying -> Available).
  await va.modifyRouteEntry(new VpcSdk.ModifyRouteEntryRequest({ regionId: h.REGION, routeEntryId: r1.body.routeEntryId, routeEntryName: 'egress' }));
  await va.modifyRouteEntry(new VpcSdk.ModifyRouteEntryRequest({ regionId: h.REGION, routeEntryId: r1.body.routeEntryId, newNextHopType: 'Instance', newNextHopId: i2 }));
  await waitEntry(va, tbl, r1.body.routeEntryId);
  const mod = (await entries(va, { routeTableId: tbl, routeEntryId: r1.body.routeEntryId })).body.routeEntrys.routeEntry[0];
  assert.equal(mod.routeEntryName, 'egress');
  assert.equal(mod.nextHops.nextHop[0].nextHopId, i2);
  await h.expectCode(va.modifyRouteEntry(new VpcSdk.ModifyRouteEntryRequest({ regionId: h.REGION, routeEntryId: r1.body.routeEntryId, newNextHopId: i2 })),
    'OperationDenied.NextHopNotChanged', 400);
  // G-1: bob sees none of it.
  await h.expectCode(vb.deleteRouteEntry(new VpcSdk.DeleteRouteEntryRequest({ regionId: h.REGION, routeEntryId: r3.body.routeEntryId })),
    'InvalidRouteEntryId.NotFound', 400);
  await h.expectCode(vb.modifyRouteEntry(new VpcSdk.ModifyRouteEntryRequest({ regionId: h.REGION, routeEntryId: r3.body.routeEntryId, routeEntryName: 'x1' })),
    'InvalidRouteEntryId.NotFound', 400);
  // DeleteRouteEntry by id and by table + destination; then they are gone.
  await va.deleteRouteEntry(new VpcSdk.DeleteRouteEntryRequest({ regionId: h.REGION, routeEntryId: r1.body.routeEntryId }));
  await va.deleteRouteEntry(new VpcSdk.DeleteRouteEntryRequest({ regionId: h.REGION, routeTableId: tbl, destinationCidrBlock: '172.16.0.0/12', nextHopId: nh.eni }));
  await pop(h.V_VPC, 'DeleteRouteEntry', { RegionId: h.REGION, RouteEntryId: r3.body.routeEntryId });
  await h.waitFor(() => entries(va, { routeTableId: tbl, routeEntryType: 'Custom' }), (x) => x.body.totalCount === 0, 'custom routes gone');
  await h.expectCode(va.deleteRouteEntry(new VpcSdk.DeleteRouteEntryRequest({ regionId: h.REGION, routeEntryId: r2.RouteEntryId })),
    'InvalidRouteEntryId.NotFound', 400);
});

test('ec9_custom_route_table_life_cycle', async () => {
  const c = await va.createRouteTable(new VpcSdk.CreateRouteTableRequest({
    regionId: h.REGION, vpcId: net.vpcId, routeTableName: 'private', description: 'no internet',
    tag: [new VpcSdk.CreateRouteTableRequestTag({ key: 'env', value: 'prod' })],
  }));
  const tid = c.body.routeTableId;
  assert.match(tid, /^vtb-[0-9a-z]{20}$/);
  await h.waitFor(() => tableList(va, { routeTableId: tid }), (x) => x.body.routerTableList.routerTableListType[0]?.status === 'Available', 'table Available');
  const t = (await tableList(va, { routeTableId: tid })).body.routerTableList.routerTableListType[0];
  assert.equal(t.routeTableType, 'Custom');
  assert.equal(t.routeTableName, 'private');
  assert.equal(t.description, 'no internet');
  assert.deepEqual(t.tags.tag.map((x) => [x.key, x.value]), [['env', 'prod']]);
  assert.equal((await tableList(va, { vpcId: net.vpcId, tag: [new VpcSdk.DescribeRouteTableListRequestTag({ key: 'env', value: 'prod' })] })).body.totalCount, 1);
  // Bind vSwitch 1: it moves to the custom table (Pending -> Available).
  await va.associateRouteTable(new VpcSdk.AssociateRouteTableRequest({ regionId: h.REGION, routeTableId: tid, vSwitchId: net.vsw1 }));
  const vs = await h.waitFor(() => va.describeVSwitchAttributes(new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: h.REGION, vSwitchId: net.vsw1 })),
    (x) => x.body.status === 'Available', 'vSwitch bound');
  assert.equal(vs.body.routeTable.routeTableId, tid);
  assert.equal(vs.body.routeTable.routeTableType, 'Custom');
  const bound = await va.describeVSwitches(new VpcSdk.DescribeVSwitchesRequest({ regionId: h.REGION, routeTableId: tid }));
  assert.deepEqual(bound.body.vSwitches.vSwitch.map((x) => x.vSwitchId), [net.vsw1]);
  assert.deepEqual((await tableList(va, { routeTableId: tid })).body.routerTableList.routerTableListType[0].vSwitchIds.vSwitchId, [net.vsw1]);
  // A custom table still routes to every vSwitch of the VPC.
  assert.equal((await entries(va, { routeTableId: tid, routeEntryType: 'System' })).body.totalCount, 3);
  await h.expectCode(va.associateRouteTable(new VpcSdk.AssociateRouteTableRequest({ regionId: h.REGION, routeTableId: tid, vSwitchId: net.vsw1 })),
    'Forbidden.VSwitchAlreadyAssociatedRouteTable', 400);
  await h.expectCode(va.associateRouteTable(new VpcSdk.AssociateRouteTableRequest({ regionId: h.REGION, routeTableId: net.routeTableId, vSwitchId: net.vsw2 })),
    'OperationUnsupported.SystemRouteTable', 400);
  await h.expectCode(va.deleteRouteTable(new VpcSdk.DeleteRouteTableRequest({ regionId: h.REGION, routeTableId: tid })),
    'DependencyViolation.VSwitch', 400);
  await h.expectCode(va.deleteRouteTable(new VpcSdk.DeleteRouteTableRequest({ regionId: h.REGION, routeTableId: net.routeTableId })),
    'IncorrectRouteTableType', 400);
  await h.expectCode(va.unassociateRouteTable(new VpcSdk.UnassociateRouteTableRequest({ regionId: h.REGION, routeTableId: tid, vSwitchId: net.vsw2 })),
    'OperationFailed.VSwitchNotAssociate', 400);
  // G-1: bob cannot see, bind or delete it.
  await h.expectCode(vb.deleteRouteTable(new VpcSdk.DeleteRouteTableRequest({ regionId: h.REGION, routeTableId: tid })),
    'InvalidRouteTableId.NotFound', 404);
  await h.expectCode(entries(vb, { routeTableId: tid }), 'InvalidRouteTableId.NotFound', 404);
  assert.equal((await tableList(vb, { routeTableId: tid })).body.totalCount, 0);
  await h.expectCode(vb.createRouteTable(new VpcSdk.CreateRouteTableRequest({ regionId: h.REGION, vpcId: net.vpcId })),
    'InvalidVpcId.NotFound', 404);
  // Rename, unbind, delete.
  await va.modifyRouteTableAttributes(new VpcSdk.ModifyRouteTableAttributesRequest({ regionId: h.REGION, routeTableId: tid, routeTableName: 'renamed' }));
  assert.equal((await tableList(va, { routeTableId: tid })).body.routerTableList.routerTableListType[0].routeTableName, 'renamed');
  await va.unassociateRouteTable(new VpcSdk.UnassociateRouteTableRequest({ regionId: h.REGION, routeTableId: tid, vSwitchId: net.vsw1 }));
  await h.waitFor(() => va.describeVSwitchAttributes(new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: h.REGION, vSwitchId: net.vsw1 })),
    (x) => x.body.status === 'Available' && x.body.routeTable.routeTableId === net.routeTableId, 'vSwitch unbound');
  await va.deleteRouteTable(new VpcSdk.DeleteRouteTableRequest({ regionId: h.REGION, routeTableId: tid }));
  await h.waitFor(() => tableList(va, { routeTableId: tid }), (x) => x.body.totalCount === 0, 'table gone');
});

test('quota_route_tables_and_route_entries', async () => {
  const op = h.rpc(d, d.operator, 'pop-get');
  const k = await h.newAccount(d, 'erin');
  await op(h.V_OPS, 'SetQuota', { AccountId: k.AccountId, QuotaName: 'route-table-per-vpc', Value: 1 });
  await op(h.V_OPS, 'SetQuota', { AccountId: k.AccountId, QuotaName: 'route-entry-per-table', Value: 1 });
  const c = h.vpcClient(d, k);
  const e = h.ecsClient(d, k);
  const vpc = await newVpc(c, '10.90.0.0/16');
  await c.createRouteTable(new VpcSdk.CreateRouteTableRequest({ regionId: h.REGION, vpcId: vpc.vpcId }));
  await h.expectCode(c.createRouteTable(new VpcSdk.CreateRouteTableRequest({ regionId: h.REGION, vpcId: vpc.vpcId })),
    'QuotaExceeded.RouteTable', 400);
  let eni;
  try {
    const vsw = await newVsw(c, vpc.vpcId, '10.90.1.0/24');
    const sg = (await e.createSecurityGroup(new EcsSdk.CreateSecurityGroupRequest({ regionId: h.REGION, vpcId: vpc.vpcId }))).body.securityGroupId;
    eni = (await e.createNetworkInterface(new EcsSdk.CreateNetworkInterfaceRequest({ regionId: h.REGION, vSwitchId: vsw, securityGroupId: sg }))).body.networkInterfaceId;
  } catch (x) {
    if (x.code !== 'InvalidApi.NotFound') throw x;
    return; // the entry quota is covered by test_route.c
  }
  const add = (dest) => c.createRouteEntry(new VpcSdk.CreateRouteEntryRequest({
    regionId: h.REGION, routeTableId: vpc.routeTableId, destinationCidrBlock: dest, nextHopType: 'NetworkInterface', nextHopId: eni,
  }));
  await add('192.168.1.0/24');
  await h.expectCode(add('192.168.2.0/24'), 'QuotaExceeded', 400);
});

test('vswitch_in_use_cannot_be_deleted (DependencyViolation)', async (t) => {
  const nh = await nextHops();
  if (!nh) return t.skip('CreateNetworkInterface is not in this build: covered by test_vswitch.c');
  await h.expectCode(va.deleteVSwitch(new VpcSdk.DeleteVSwitchRequest({ regionId: h.REGION, vSwitchId: net.vsw1 })),
    'DependencyViolation', 400);
  const a = await va.describeVSwitchAttributes(new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: h.REGION, vSwitchId: net.vsw1 }));
  assert.equal(a.body.availableIpAddressCount, 252 - 3, 'two instances and an ENI hold addresses');
});

test('EC-9: a next hop cannot be deleted while a route entry uses it', async () => {
  const { REGION: R } = h;
  const c = h.rpc(d, d.operator, 'v3');
  const vpcId = (await c(h.V_VPC, 'CreateVpc', { RegionId: R, CidrBlock: '10.77.0.0/16' })).VpcId;
  await h.waitFor(() => c(h.V_VPC, 'DescribeVpcAttribute', { RegionId: R, VpcId: vpcId }), (v) => v.Status === 'Available', 'VPC Available');
  const vswId = (await c(h.V_VPC, 'CreateVSwitch', { RegionId: R, VpcId: vpcId, ZoneId: h.ZONE_A, CidrBlock: '10.77.1.0/24' })).VSwitchId;
  await h.waitFor(() => c(h.V_VPC, 'DescribeVSwitchAttributes', { RegionId: R, VSwitchId: vswId }), (v) => v.Status === 'Available', 'vSwitch Available');
  const sgId = (await c(h.V_ECS, 'CreateSecurityGroup', { RegionId: R, VpcId: vpcId })).SecurityGroupId;
  const eniId = (await c(h.V_ECS, 'CreateNetworkInterface', { RegionId: R, VSwitchId: vswId, SecurityGroupId: sgId })).NetworkInterfaceId;
  const attr = await c(h.V_VPC, 'DescribeVpcAttribute', { RegionId: R, VpcId: vpcId });
  const table = attr.RouterTableIds.RouterTableIds[0];
  const rte = await c(h.V_VPC, 'CreateRouteEntry', { RegionId: R, RouteTableId: table, DestinationCidrBlock: '192.168.50.0/24', NextHopType: 'NetworkInterface', NextHopId: eniId });
  await h.expectCode(c(h.V_ECS, 'DeleteNetworkInterface', { RegionId: R, NetworkInterfaceId: eniId }), 'DependencyViolation.RouteEntry', 400);
  await h.waitFor(() => c(h.V_VPC, 'DescribeRouteEntryList', { RegionId: R, RouteTableId: table, RouteEntryId: rte.RouteEntryId }),
    (r) => r.RouteEntrys.RouteEntry[0]?.Status === 'Available', 'route Available');
  await c(h.V_VPC, 'DeleteRouteEntry', { RegionId: R, RouteEntryId: rte.RouteEntryId, RouteTableId: table });
  await h.waitFor(() => c(h.V_VPC, 'DescribeRouteEntryList', { RegionId: R, RouteTableId: table, RouteEntryId: rte.RouteEntryId }),
    (r) => r.RouteEntrys.RouteEntry.length === 0, 'route gone');
  await c(h.V_ECS, 'DeleteNetworkInterface', { RegionId: R, NetworkInterfaceId: eniId });
});
