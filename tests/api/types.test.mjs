// Response field types exactly as the live cloud sends them (issue 7): every
// field of every response below is checked against the official SDK's model
// ('number', 'string', 'boolean', objects, arrays), in both API versions,
// except where the live cloud is known to differ from the SDK's declaration
// (LIVE_TYPES: Go clients such as aliyungo decode those strictly).
// Also: the ECS 2014-05-26 versions of the VPC actions (NET-1, EC-9).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as h from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const SDK = { [h.V_ECS]: require('@alicloud/ecs20140526'), [h.V_VPC]: require('@alicloud/vpc20160428') };
const V = h.V_VPC, E = h.V_ECS, R = h.REGION;

// The live cloud's type where the SDK model declares another (wire name -> type).
const LIVE_TYPES = {
  // aliyungo's ecs.PermissionType.Priority is an int; the cloud sends a number.
  DescribeSecurityGroupAttribute: { Priority: 'number' },
};

function bodyClass(version, action) {
  const want = `${action}ResponseBody`.toLowerCase();
  const sdk = SDK[version];
  const k = Object.keys(sdk).find((n) => n.toLowerCase() === want);
  return k ? sdk[k] : null;
}

// Returns a list of "path: expected type, got value" mismatches.
function check(cls, obj, path, live, out) {
  const names = cls.names(), types = cls.types();
  for (const [prop, wire] of Object.entries(names)) {
    if (!(wire in obj)) continue;
    check1(live[wire] ?? types[prop], obj[wire], `${path}.${wire}`, live, out);
  }
}
function check1(t, v, path, live, out) {
  if (v === null || v === undefined || t === 'any') return;
  if (typeof t === 'string') {
    const want = t === 'number' ? 'number' : t === 'boolean' ? 'boolean' : t === 'string' ? 'string' : null;
    // pop-core decodes numbers of 16 digits and more (owner ids) as BigNumber.
    const big = typeof v === 'object' && v?.constructor?.name === 'BigNumber';
    if (want && typeof v !== want && !(want === 'number' && big)) out.push(`${path}: SDK says ${t}, got ${JSON.stringify(v)}`);
    return;
  }
  if (typeof t === 'function' && typeof t.names === 'function') {
    if (typeof v !== 'object' || Array.isArray(v)) out.push(`${path}: SDK says object, got ${JSON.stringify(v)}`);
    else check(t, v, path, live, out);
    return;
  }
  if (t && t.type === 'array') {
    if (!Array.isArray(v)) { out.push(`${path}: SDK says array, got ${JSON.stringify(v)}`); return; }
    v.forEach((e, i) => check1(t.itemType, e, `${path}[${i}]`, live, out));
  }
}

let d, call, op;
const seen = new Set();
async function typed(version, action, params) {
  const body = await call(version, action, params);
  const cls = bodyClass(version, action);
  assert.ok(cls, `the ${version} SDK has ${action}`);
  const bad = [];
  check(cls, body, action, LIVE_TYPES[action] ?? {}, bad);
  assert.deepEqual(bad, [], `${version} ${action} field types`);
  seen.add(`${version} ${action}`);
  return body;
}

before(async () => { d = await h.startDaemon(); const k = await h.newAccount(d, 'types'); call = h.rpc(d, k, 'pop-get'); op = h.rpc(d, d.operator, 'pop-get'); });
after(async () => { await d?.stop(); });

test('NET-1/EC-9: the ECS 2014-05-26 VPC actions work with the VPC rules and typed shapes', async () => {
  const c = await typed(E, 'CreateVpc', { RegionId: R, CidrBlock: '10.8.0.0/16', VpcName: 'ecs-old' });
  assert.match(c.VpcId, /^vpc-/);
  assert.match(c.VRouterId, /^vrt-/);
  await h.waitFor(() => call(E, 'DescribeVpcs', { RegionId: R, VpcId: c.VpcId }), (r) => r.Vpcs.Vpc[0]?.Status === 'Available', 'VPC');
  const vpcs = await typed(E, 'DescribeVpcs', { RegionId: R, VpcId: c.VpcId });
  assert.equal(vpcs.Vpcs.Vpc[0].VpcName, 'ecs-old');
  await typed(E, 'ModifyVpcAttribute', { RegionId: R, VpcId: c.VpcId, Description: 'from the ECS API' });
  const s = await typed(E, 'CreateVSwitch', { RegionId: R, VpcId: c.VpcId, ZoneId: h.ZONE_A, CidrBlock: '10.8.1.0/24' });
  await h.waitFor(() => call(E, 'DescribeVSwitches', { RegionId: R, VSwitchId: s.VSwitchId }), (r) => r.VSwitches.VSwitch[0]?.Status === 'Available', 'vSwitch');
  const vsws = await typed(E, 'DescribeVSwitches', { RegionId: R, VpcId: c.VpcId });
  assert.equal(vsws.VSwitches.VSwitch[0].VSwitchId, s.VSwitchId);
  await typed(E, 'ModifyVSwitchAttribute', { RegionId: R, VSwitchId: s.VSwitchId, VSwitchName: 'old-api' });
  const vr = await typed(E, 'DescribeVRouters', { RegionId: R, VRouterId: c.VRouterId });
  assert.equal(vr.TotalCount, 1);
  assert.equal(vr.VRouters.VRouter[0].VpcId, c.VpcId);
  assert.deepEqual(vr.VRouters.VRouter[0].RouteTableIds.RouteTableId, [c.RouteTableId]);
  await typed(E, 'ModifyVRouterAttribute', { RegionId: R, VRouterId: c.VRouterId, VRouterName: 'edge', Description: 'the hub' });
  const vr2 = await typed(V, 'DescribeVRouters', { RegionId: R });
  const mine = vr2.VRouters.VRouter.find((x) => x.VRouterId === c.VRouterId);
  assert.equal(mine.VRouterName, 'edge');
  assert.equal(mine.Description, 'the hub');
  await h.expectCode(call(V, 'ModifyVRouterAttribute', { RegionId: R, VRouterId: 'vrt-nosuchrouter000000' }), 'InvalidVRouterId.NotFound', 404);
  const rts = await typed(E, 'DescribeRouteTables', { RegionId: R, VRouterId: c.VRouterId });
  assert.equal(rts.RouteTables.RouteTable[0].RouteTableId, c.RouteTableId);
  const sg = (await call(E, 'CreateSecurityGroup', { RegionId: R, VpcId: c.VpcId })).SecurityGroupId;
  const eni = (await call(E, 'CreateNetworkInterface', { RegionId: R, VSwitchId: s.VSwitchId, SecurityGroupId: sg })).NetworkInterfaceId;
  await typed(E, 'CreateRouteEntry', { RegionId: R, RouteTableId: c.RouteTableId, DestinationCidrBlock: '192.168.8.0/24', NextHopType: 'NetworkInterface', NextHopId: eni });
  await h.waitFor(() => call(E, 'DescribeRouteTables', { RegionId: R, RouteTableId: c.RouteTableId }),
    (r) => r.RouteTables.RouteTable[0].RouteEntrys.RouteEntry.some((e) => e.DestinationCidrBlock === '192.168.8.0/24' && e.Status === 'Available'), 'route');
  await typed(E, 'DescribeRouteTables', { RegionId: R, RouteTableId: c.RouteTableId });
  await typed(E, 'DeleteRouteEntry', { RegionId: R, RouteTableId: c.RouteTableId, DestinationCidrBlock: '192.168.8.0/24', NextHopId: eni });
  await h.waitFor(() => call(E, 'DescribeRouteTables', { RegionId: R, RouteTableId: c.RouteTableId }),
    (r) => !r.RouteTables.RouteTable[0].RouteEntrys.RouteEntry.some((e) => e.DestinationCidrBlock === '192.168.8.0/24'), 'route gone');
  await call(E, 'DeleteNetworkInterface', { RegionId: R, NetworkInterfaceId: eni });
  await call(E, 'DeleteSecurityGroup', { RegionId: R, SecurityGroupId: sg });
  await h.expectCode(call(E, 'DeleteVpc', { RegionId: R, VpcId: c.VpcId }), 'DependencyViolation.VSwitch', 400);
  await h.waitFor(async () => { try { await call(E, 'DeleteVSwitch', { RegionId: R, VSwitchId: s.VSwitchId }); return true; } catch { return false; } }, (x) => x, 'vSwitch deleted');
  await h.waitFor(() => call(E, 'DescribeVSwitches', { RegionId: R, VpcId: c.VpcId }), (r) => r.TotalCount === 0, 'vSwitch gone');
  await typed(E, 'DeleteVpc', { RegionId: R, VpcId: c.VpcId });
});

test('G-5: every numeric field of the responses is typed as the live cloud sends it (SDK models, both versions)', async () => {
  const vpc = await typed(V, 'CreateVpc', { RegionId: R, CidrBlock: '10.9.0.0/16', EnableIpv6: true });
  await h.waitFor(() => call(V, 'DescribeVpcAttribute', { RegionId: R, VpcId: vpc.VpcId }), (v) => v.Status === 'Available', 'VPC');
  await typed(V, 'DescribeVpcAttribute', { RegionId: R, VpcId: vpc.VpcId });
  await typed(V, 'DescribeVpcs', { RegionId: R });
  const vsw = await typed(V, 'CreateVSwitch', { RegionId: R, VpcId: vpc.VpcId, ZoneId: h.ZONE_A, CidrBlock: '10.9.1.0/24', Ipv6CidrBlock: 1 });
  await h.waitFor(() => call(V, 'DescribeVSwitchAttributes', { RegionId: R, VSwitchId: vsw.VSwitchId }), (v) => v.Status === 'Available', 'vSwitch');
  await typed(V, 'DescribeVSwitchAttributes', { RegionId: R, VSwitchId: vsw.VSwitchId });
  await typed(V, 'DescribeVSwitches', { RegionId: R });
  await typed(V, 'DescribeRouteTables', { RegionId: R });
  await typed(V, 'DescribeRouteTableList', { RegionId: R });
  await typed(V, 'DescribeRouteEntryList', { RegionId: R, RouteTableId: vpc.RouteTableId });
  await typed(V, 'DescribeRegions', {});
  await typed(V, 'DescribeZones', { RegionId: R });
  await typed(E, 'DescribeRegions', {});
  await typed(E, 'DescribeZones', { RegionId: R });
  await typed(E, 'DescribeInstanceTypes', {});
  const sg = await typed(E, 'CreateSecurityGroup', { RegionId: R, VpcId: vpc.VpcId });
  await typed(E, 'AuthorizeSecurityGroup', { RegionId: R, SecurityGroupId: sg.SecurityGroupId, IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0', Priority: 5 });
  await typed(E, 'AuthorizeSecurityGroupEgress', { RegionId: R, SecurityGroupId: sg.SecurityGroupId, IpProtocol: 'udp', PortRange: '53/53', DestCidrIp: '10.0.0.0/8' });
  const attr = await typed(E, 'DescribeSecurityGroupAttribute', { RegionId: R, SecurityGroupId: sg.SecurityGroupId });
  const rule = attr.Permissions.Permission.find((p) => p.PortRange === '22/22');
  assert.equal(rule.Priority, 5, 'Priority is a JSON number, as aliyungo reads it');
  await typed(E, 'DescribeSecurityGroups', { RegionId: R });
  await typed(E, 'DescribeSecurityGroupReferences', { RegionId: R, 'SecurityGroupId.1': sg.SecurityGroupId });
  const run = await typed(E, 'RunInstances', { RegionId: R, VSwitchId: vsw.VSwitchId, InstanceType: 'ecs.g6.large', SecurityGroupId: sg.SecurityGroupId, ImageId: 'debian_12', InternetMaxBandwidthOut: 5, Ipv6AddressCount: 1 });
  const id = run.InstanceIdSets.InstanceIdSet[0];
  await h.waitFor(() => call(E, 'DescribeInstanceStatus', { RegionId: R }), (r) => r.InstanceStatuses.InstanceStatus.every((s) => s.Status === 'Running'), 'Running');
  await typed(E, 'DescribeInstances', { RegionId: R });
  await typed(E, 'DescribeInstanceAttribute', { InstanceId: id });
  await typed(E, 'DescribeInstanceStatus', { RegionId: R });
  const eni = await typed(E, 'CreateNetworkInterface', { RegionId: R, VSwitchId: vsw.VSwitchId, SecurityGroupId: sg.SecurityGroupId, SecondaryPrivateIpAddressCount: 1 });
  await typed(E, 'DescribeNetworkInterfaces', { RegionId: R });
  await typed(E, 'DescribeNetworkInterfaceAttribute', { RegionId: R, NetworkInterfaceId: eni.NetworkInterfaceId });
  await typed(E, 'AssignPrivateIpAddresses', { RegionId: R, NetworkInterfaceId: eni.NetworkInterfaceId, SecondaryPrivateIpAddressCount: 1 });
  for (const v of [V, E]) {
    const eip = await typed(v, 'AllocateEipAddress', { RegionId: R, Bandwidth: 3 });
    await typed(v, 'DescribeEipAddresses', { RegionId: R, AllocationId: eip.AllocationId });
    await typed(v, 'ReleaseEipAddress', { RegionId: R, AllocationId: eip.AllocationId });
  }
  const gw = await typed(V, 'CreateIpv6Gateway', { RegionId: R, VpcId: vpc.VpcId });
  await h.waitFor(() => call(V, 'DescribeIpv6GatewayAttribute', { RegionId: R, Ipv6GatewayId: gw.Ipv6GatewayId }), (g) => g.Status === 'Available', 'gateway');
  await typed(V, 'DescribeIpv6Gateways', { RegionId: R });
  await typed(V, 'DescribeIpv6GatewayAttribute', { RegionId: R, Ipv6GatewayId: gw.Ipv6GatewayId });
  await typed(V, 'DescribeIpv6Addresses', { RegionId: R });
  const csg = await call(E, 'CreateSecurityGroup', { RegionId: R });
  await typed(E, 'DescribeClassicLinkInstances', { RegionId: R, VpcId: vpc.VpcId });
  await call(E, 'DescribeClassicMigrations', { RegionId: R }); // openvpc's own: no SDK model
  assert.ok(csg.SecurityGroupId);
  await typed(V, 'DescribeVRouters', { RegionId: R });
  assert.ok(seen.size > 40, `${seen.size} actions checked`);
});

test('G-5: field types of populated answers: routes, ENIs, IPv6, EIPs in use, ClassicLink', async () => {
  const vpc = await typed(V, 'CreateVpc', { RegionId: R, CidrBlock: '10.10.0.0/16', EnableIpv6: true });
  await h.waitFor(() => call(V, 'DescribeVpcAttribute', { RegionId: R, VpcId: vpc.VpcId }), (v) => v.Status === 'Available', 'VPC');
  const vsw = (await call(V, 'CreateVSwitch', { RegionId: R, VpcId: vpc.VpcId, ZoneId: h.ZONE_A, CidrBlock: '10.10.1.0/24', Ipv6CidrBlock: 2 })).VSwitchId;
  await h.waitFor(() => call(V, 'DescribeVSwitchAttributes', { RegionId: R, VSwitchId: vsw }), (v) => v.Status === 'Available', 'vSwitch');
  const sg = (await call(E, 'CreateSecurityGroup', { RegionId: R, VpcId: vpc.VpcId })).SecurityGroupId;
  const id = (await call(E, 'RunInstances', { RegionId: R, VSwitchId: vsw, InstanceType: 'ecs.g6.large', SecurityGroupId: sg, ImageId: 'debian_12' })).InstanceIdSets.InstanceIdSet[0];
  await h.waitFor(() => call(E, 'DescribeInstanceAttribute', { InstanceId: id }), (i) => i.Status === 'Running', 'Running');
  const tbl = await typed(V, 'CreateRouteTable', { RegionId: R, VpcId: vpc.VpcId, RouteTableName: 'custom' });
  await h.waitFor(() => call(V, 'DescribeRouteTableList', { RegionId: R, RouteTableId: tbl.RouteTableId }), (r) => r.RouterTableList.RouterTableListType[0]?.Status === 'Available', 'table');
  await typed(V, 'AssociateRouteTable', { RegionId: R, RouteTableId: tbl.RouteTableId, VSwitchId: vsw });
  const rte = await typed(V, 'CreateRouteEntry', { RegionId: R, RouteTableId: tbl.RouteTableId, DestinationCidrBlock: '192.168.10.0/24', NextHopType: 'Instance', NextHopId: id });
  await h.waitFor(() => call(V, 'DescribeRouteEntryList', { RegionId: R, RouteTableId: tbl.RouteTableId, RouteEntryId: rte.RouteEntryId }), (r) => r.RouteEntrys.RouteEntry[0]?.Status === 'Available', 'route');
  await typed(V, 'ModifyRouteEntry', { RegionId: R, RouteEntryId: rte.RouteEntryId, RouteEntryName: 'via-i' });
  await typed(V, 'DescribeRouteEntryList', { RegionId: R, RouteTableId: tbl.RouteTableId });
  await typed(V, 'DescribeRouteTables', { RegionId: R, RouteTableId: tbl.RouteTableId });
  await typed(E, 'DescribeRouteTables', { RegionId: R, RouteTableId: tbl.RouteTableId });
  await typed(V, 'DescribeRouteTableList', { RegionId: R, VpcId: vpc.VpcId });
  await typed(V, 'DescribeVSwitches', { RegionId: R, VpcId: vpc.VpcId });
  await typed(E, 'DescribeVSwitches', { RegionId: R, VpcId: vpc.VpcId });
  const eni = await typed(E, 'CreateNetworkInterface', { RegionId: R, VSwitchId: vsw, SecurityGroupId: sg });
  await typed(E, 'AttachNetworkInterface', { RegionId: R, NetworkInterfaceId: eni.NetworkInterfaceId, InstanceId: id });
  await h.waitFor(() => call(E, 'DescribeNetworkInterfaceAttribute', { RegionId: R, NetworkInterfaceId: eni.NetworkInterfaceId }), (n) => n.Status === 'InUse', 'InUse');
  await typed(E, 'AssignIpv6Addresses', { RegionId: R, NetworkInterfaceId: eni.NetworkInterfaceId, Ipv6AddressCount: 1 });
  await typed(E, 'DescribeNetworkInterfaces', { RegionId: R, InstanceId: id });
  await typed(E, 'DescribeNetworkInterfaceAttribute', { RegionId: R, NetworkInterfaceId: eni.NetworkInterfaceId });
  await typed(E, 'DescribeInstances', { RegionId: R, VpcId: vpc.VpcId });
  const gw = await typed(V, 'CreateIpv6Gateway', { RegionId: R, VpcId: vpc.VpcId });
  await h.waitFor(() => call(V, 'DescribeIpv6GatewayAttribute', { RegionId: R, Ipv6GatewayId: gw.Ipv6GatewayId }), (g) => g.Status === 'Available', 'gateway');
  const addrs = await typed(V, 'DescribeIpv6Addresses', { RegionId: R, VpcId: vpc.VpcId });
  const v6 = addrs.Ipv6Addresses.Ipv6Address[0].Ipv6AddressId;
  await typed(V, 'AllocateIpv6InternetBandwidth', { RegionId: R, Ipv6GatewayId: gw.Ipv6GatewayId, Ipv6AddressId: v6, Bandwidth: 5 });
  await typed(V, 'DescribeIpv6Addresses', { RegionId: R, VpcId: vpc.VpcId });
  await typed(V, 'DescribeIpv6Gateways', { RegionId: R, VpcId: vpc.VpcId });
  for (const v of [V, E]) {
    const eip = await typed(v, 'AllocateEipAddress', { RegionId: R, Bandwidth: 4 });
    const holder = v === V ? id : undefined;
    if (holder) {
      await typed(v, 'AssociateEipAddress', { RegionId: R, AllocationId: eip.AllocationId, InstanceId: holder });
      await h.waitFor(() => call(v, 'DescribeEipAddresses', { RegionId: R, AllocationId: eip.AllocationId }), (r) => r.EipAddresses.EipAddress[0]?.Status === 'InUse', 'EIP InUse');
    }
    await typed(v, 'DescribeEipAddresses', { RegionId: R });
    await typed(E, 'DescribeInstances', { RegionId: R, VpcId: vpc.VpcId });
  }
  // ClassicLink with a linked instance.
  await call(V, 'EnableVpcClassicLink', { RegionId: R, VpcId: vpc.VpcId });
  const csg = (await call(E, 'CreateSecurityGroup', { RegionId: R })).SecurityGroupId;
  const ci = (await call(E, 'RunInstances', { RegionId: R, ZoneId: h.ZONE_A, InstanceType: 'ecs.g6.large', SecurityGroupId: csg })).InstanceIdSets.InstanceIdSet[0];
  await h.waitFor(() => call(E, 'DescribeInstanceAttribute', { InstanceId: ci }), (i) => i.Status === 'Running', 'classic Running');
  await typed(E, 'AttachClassicLinkVpc', { RegionId: R, InstanceId: ci, VpcId: vpc.VpcId });
  await typed(E, 'DescribeClassicLinkInstances', { RegionId: R, VpcId: vpc.VpcId });
  await typed(E, 'DescribeInstances', { RegionId: R, InstanceNetworkType: 'classic' });
  await typed(V, 'DescribeVpcAttribute', { RegionId: R, VpcId: vpc.VpcId });
  await typed(E, 'DescribeSecurityGroupAttribute', { RegionId: R, SecurityGroupId: csg });
});
