// API tests of IPv6 gateways and IPv6 internet bandwidth through the real
// SDKs (NET-15, G-1, G-5, G-6).
//
//   account alice                                      account bob
//   +-----------------------------------------------+  (sees none of it)
//   | VPC 10.0.0.0/16 + IPv6 /56       VPC v4-only  |
//   |  vsw 10.0.1.0/24 + IPv6 /64 (zone a)          |
//   |   instance (primary ENI, 1 IPv6)              |
//   |   two secondary ENIs (1 IPv6 each)            |
//   |  IPv6 gateway --- internet bandwidth per addr |
//   +-----------------------------------------------+
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDaemon, newAccount, vpcClient, ecsClient, rpc, waitFor, expectCode,
  VpcSdk, EcsSdk, REGION, ZONE_A, V_VPC,
} from './lib/harness.mjs';

let d, alice, bob, vpc, vpc1, ecs, bobVpc;
const w = {};

async function mkVpc(cidr, ipv6) {
  const r = await vpc.createVpc(new VpcSdk.CreateVpcRequest({ regionId: REGION, cidrBlock: cidr, enableIpv6: ipv6 }));
  const id = r.body.vpcId;
  await waitFor(() => vpc.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: REGION, vpcId: id })),
    (x) => x.body.status === 'Available', 'VPC Available');
  return id;
}

async function gwAttr(id, client = vpc) {
  const r = await client.describeIpv6GatewayAttribute(new VpcSdk.DescribeIpv6GatewayAttributeRequest({ regionId: REGION, ipv6GatewayId: id }));
  return r.body;
}

async function addresses(q = {}, client = vpc) {
  const r = await client.describeIpv6Addresses(new VpcSdk.DescribeIpv6AddressesRequest({ regionId: REGION, ...q }));
  return r.body;
}

async function addressOf(ip, client = vpc) {
  const b = await addresses({ ipv6Address: ip }, client);
  assert.equal(b.totalCount, 1, `one address ${ip}`);
  return b.ipv6Addresses.ipv6Address[0];
}

function allocateBw(ipv6AddressId, bandwidth, extra = {}, client = vpc) {
  return client.allocateIpv6InternetBandwidth(new VpcSdk.AllocateIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6AddressId, bandwidth, ...extra }));
}

function deleteGw(id, client = vpc) {
  return client.deleteIpv6Gateway(new VpcSdk.DeleteIpv6GatewayRequest({ regionId: REGION, ipv6GatewayId: id }));
}

before(async () => {
  d = await startDaemon();
  alice = await newAccount(d, 'alice');
  bob = await newAccount(d, 'bob');
  vpc = vpcClient(d, alice);
  vpc1 = vpcClient(d, alice, 'v1');
  ecs = ecsClient(d, alice);
  bobVpc = vpcClient(d, bob);
  w.vpc = await mkVpc('10.0.0.0/16', true);
  w.v4 = await mkVpc('192.168.0.0/16', false);
  const s = await vpc.createVSwitch(new VpcSdk.CreateVSwitchRequest({
    regionId: REGION, vpcId: w.vpc, zoneId: ZONE_A, cidrBlock: '10.0.1.0/24', ipv6CidrBlock: 0 }));
  w.vsw = s.body.vSwitchId;
  await waitFor(() => vpc.describeVSwitchAttributes(new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: REGION, vSwitchId: w.vsw })),
    (x) => x.body.status === 'Available', 'vSwitch Available');
  const g = await ecs.createSecurityGroup(new EcsSdk.CreateSecurityGroupRequest({ regionId: REGION, vpcId: w.vpc }));
  w.sg = g.body.securityGroupId;
  // NET-15: one IPv6 address per NIC, so two secondary ENIs with one each.
  w.eniV6 = [];
  for (let k = 0; k < 2; k++) {
    const n = await ecs.createNetworkInterface(new EcsSdk.CreateNetworkInterfaceRequest({
      regionId: REGION, vSwitchId: w.vsw, securityGroupId: w.sg, ipv6AddressCount: 1 }));
    if (k === 0) w.eni = n.body.networkInterfaceId;
    assert.equal(n.body.ipv6Sets.ipv6Set.length, 1);
    w.eniV6.push(n.body.ipv6Sets.ipv6Set[0].ipv6Address);
  }
  const r = await ecs.runInstances(new EcsSdk.RunInstancesRequest({
    regionId: REGION, instanceType: 'ecs.g6.large', imageId: 'ubuntu_22_04_x64',
    vSwitchId: w.vsw, securityGroupId: w.sg, ipv6AddressCount: 1 }));
  w.inst = r.body.instanceIdSets.instanceIdSet[0];
  const inst = await waitFor(() => ecs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([w.inst]) })),
    (x) => x.body.instances.instance[0]?.status === 'Running', 'instance Running');
  const nic = inst.body.instances.instance[0].networkInterfaces.networkInterface[0];
  w.instV6 = nic.ipv6Sets?.ipv6Set?.[0]?.ipv6Address;
  assert.ok(w.instV6, 'RunInstances gave the instance an IPv6 address');
});
after(async () => { await d?.stop(); });

test('net15: CreateIpv6Gateway needs a VPC with an IPv6 CIDR; Pending, then Available', async () => {
  await expectCode(vpc.createIpv6Gateway(new VpcSdk.CreateIpv6GatewayRequest({ regionId: REGION, vpcId: w.v4 })),
    'OperationDenied.VpcIpv6NotEnabled', 400);
  await expectCode(vpc.createIpv6Gateway(new VpcSdk.CreateIpv6GatewayRequest({ regionId: REGION, vpcId: 'vpc-doesnotexist000000000' })),
    'InvalidVpcId.NotFound', 404);
  await expectCode(vpc.createIpv6Gateway(new VpcSdk.CreateIpv6GatewayRequest({ regionId: REGION, vpcId: w.vpc, name: 'http://gw' })),
    'IllegalParam.Name', 400);
  const r = await vpc.createIpv6Gateway(new VpcSdk.CreateIpv6GatewayRequest({
    regionId: REGION, vpcId: w.vpc, name: 'gw1', description: 'the way out',
    tag: [new VpcSdk.CreateIpv6GatewayRequestTag({ key: 'env', value: 'prod' })] }));
  w.gw = r.body.ipv6GatewayId;
  assert.match(w.gw, /^ipv6gw-[0-9a-z]{20}$/);
  const first = await gwAttr(w.gw);
  assert.ok(['Pending', 'Available'].includes(first.status));
  const a = await waitFor(() => gwAttr(w.gw), (x) => x.status === 'Available', 'gateway Available');
  assert.equal(a.vpcId, w.vpc);
  assert.equal(a.name, 'gw1');
  assert.equal(a.description, 'the way out');
  assert.equal(a.regionId, REGION);
  assert.equal(a.businessStatus, 'Normal');
  assert.equal(a.instanceChargeType, 'PostPaid');
  assert.equal(typeof a.ownerId, 'number');
  assert.match(a.creationTime, /Z$/);
  assert.equal(a.tags.tag[0].key, 'env');
  await expectCode(vpc.createIpv6Gateway(new VpcSdk.CreateIpv6GatewayRequest({ regionId: REGION, vpcId: w.vpc })),
    'QuotaExceeded.Ipv6Gateway', 400);
});

test('net15: DescribeIpv6Gateways lists, filters and pages (V1 dialect and pop-core)', async () => {
  const r = await vpc1.describeIpv6Gateways(new VpcSdk.DescribeIpv6GatewaysRequest({ regionId: REGION, vpcId: w.vpc }));
  assert.equal(r.body.totalCount, 1);
  assert.equal(r.body.ipv6Gateways.ipv6Gateway[0].ipv6GatewayId, w.gw);
  const none = await vpc1.describeIpv6Gateways(new VpcSdk.DescribeIpv6GatewaysRequest({ regionId: REGION, name: 'other' }));
  assert.deepEqual(none.body.ipv6Gateways.ipv6Gateway, []);
  const p = await rpc(d, alice, 'pop-get')(V_VPC, 'DescribeIpv6Gateways', { RegionId: REGION, 'Tags.1.Key': 'env', 'Tags.1.Value': 'prod' });
  assert.equal(p.TotalCount, 1);
  assert.equal(p.Ipv6Gateways.Ipv6Gateway[0].Ipv6GatewayId, w.gw);
  const q = await rpc(d, alice, 'pop-get')(V_VPC, 'DescribeIpv6Gateways', { RegionId: REGION, 'Tags.1.Key': 'env', 'Tags.1.Value': 'dev' });
  assert.equal(q.TotalCount, 0);
  await expectCode(vpc1.describeIpv6Gateways(new VpcSdk.DescribeIpv6GatewaysRequest({ regionId: REGION, pageSize: 51 })),
    'InvalidParameter', 400);
});

test('net15: ModifyIpv6GatewayAttribute renames; unknown ids are ResourceNotFound.Ipv6Gateway', async () => {
  await vpc.modifyIpv6GatewayAttribute(new VpcSdk.ModifyIpv6GatewayAttributeRequest({
    regionId: REGION, ipv6GatewayId: w.gw, name: 'gw-renamed', description: 'still the way out' }));
  const a = await gwAttr(w.gw);
  assert.equal(a.name, 'gw-renamed');
  assert.equal(a.description, 'still the way out');
  await expectCode(vpc.modifyIpv6GatewayAttribute(new VpcSdk.ModifyIpv6GatewayAttributeRequest({
    regionId: REGION, ipv6GatewayId: w.gw, description: 'https://x' })), 'IllegalParam.Description', 400);
  await expectCode(gwAttr('ipv6gw-doesnotexist000000'), 'ResourceNotFound.Ipv6Gateway', 404);
  await expectCode(gwAttr(w.vpc), 'ResourceNotFound.Ipv6Gateway', 404);
});

test('net15: addresses start VPC-internal: no Ipv6InternetBandwidth in DescribeIpv6Addresses', async () => {
  const b = await addresses({ vpcId: w.vpc });
  const mine = b.ipv6Addresses.ipv6Address.map((x) => x.ipv6Address);
  for (const ip of w.eniV6) assert.ok(mine.includes(ip), `${ip} listed`);
  assert.ok(mine.includes(w.instV6));
  const x = await addressOf(w.eniV6[0]);
  assert.match(x.ipv6AddressId, /^ipv6-[0-9a-z]{20}$/);
  assert.equal(x.vpcId, w.vpc);
  assert.equal(x.vSwitchId, w.vsw);
  assert.equal(x.associatedInstanceId, w.eni);
  assert.equal(x.associatedInstanceType, 'NetworkInterface');
  assert.equal(x.ipv6GatewayId, w.gw);
  assert.equal(x.networkType, 'Private');
  assert.equal(x.status, 'Available');
  assert.equal(x.addressType, 'IPv6Address');
  assert.equal(x.realBandwidth, 0);
  assert.equal(x.ipv6InternetBandwidth, undefined, 'NET-15: internal only at first');
  // The id is stable across calls and filters by itself.
  const again = await addresses({ ipv6AddressId: x.ipv6AddressId });
  assert.equal(again.totalCount, 1);
  assert.equal(again.ipv6Addresses.ipv6Address[0].ipv6Address, w.eniV6[0]);
  w.addrId = x.ipv6AddressId;
  w.addr2Id = (await addressOf(w.eniV6[1])).ipv6AddressId;
  const i = await addressOf(w.instV6);
  assert.equal(i.associatedInstanceId, w.inst);
  assert.equal(i.associatedInstanceType, 'EcsInstance');
  w.instAddrId = i.ipv6AddressId;
});

test('net15: AllocateIpv6InternetBandwidth opens one address to the internet', async () => {
  await expectCode(allocateBw(w.addrId, 0), 'IllegalParam.Bandwidth', 400);
  await expectCode(allocateBw(w.addrId, 1001, { internetChargeType: 'PayByTraffic' }), 'IllegalParam.Bandwidth', 400);
  await expectCode(allocateBw(w.addrId, 10, { internetChargeType: 'PayByOld95' }), 'IllegalParam.InternetChargeType', 400);
  await expectCode(allocateBw('ipv6-doesnotexist00000000', 10), 'ResourceNotFound.Ipv6Address', 404);
  const r = await allocateBw(w.addrId, 10, { ipv6GatewayId: w.gw, internetChargeType: 'PayByTraffic' });
  assert.match(r.body.internetBandwidthId, /^ipv6bw-/);
  assert.equal(r.body.ipv6AddressId, w.addrId);
  w.bwId = r.body.internetBandwidthId;
  const x = await addressOf(w.eniV6[0]);
  assert.equal(x.networkType, 'Public');
  assert.equal(x.realBandwidth, 10);
  assert.equal(x.ipv6InternetBandwidth.bandwidth, 10);
  assert.equal(x.ipv6InternetBandwidth.internetChargeType, 'PayByTraffic');
  assert.equal(x.ipv6InternetBandwidth.instanceChargeType, 'PostPaid');
  assert.equal(x.ipv6InternetBandwidth.ipv6InternetBandwidthId, w.bwId);
  assert.equal(x.ipv6InternetBandwidth.businessStatus, 'Normal');
  assert.equal(x.ipv6InternetBandwidth.hasReservationData, false);
  // The other address stays internal; filters tell them apart.
  assert.equal((await addressOf(w.eniV6[1])).ipv6InternetBandwidth, undefined);
  const pub = await addresses({ networkType: 'Public' });
  assert.deepEqual(pub.ipv6Addresses.ipv6Address.map((a) => a.ipv6AddressId), [w.addrId]);
  const byBw = await addresses({ ipv6InternetBandwidthId: w.bwId });
  assert.equal(byBw.totalCount, 1);
  await expectCode(allocateBw(w.addrId, 10), 'OperationFailed.InternetBandwidthAlreadyExisted', 400);
});

test('net15: ModifyIpv6InternetBandwidth by either id; DeleteIpv6Gateway refused while bandwidth exists', async () => {
  await vpc.modifyIpv6InternetBandwidth(new VpcSdk.ModifyIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6InternetBandwidthId: w.bwId, bandwidth: 500 }));
  assert.equal((await addressOf(w.eniV6[0])).ipv6InternetBandwidth.bandwidth, 500);
  await vpc1.modifyIpv6InternetBandwidth(new VpcSdk.ModifyIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6AddressId: w.addrId, bandwidth: 20 }));
  assert.equal((await addressOf(w.eniV6[0])).realBandwidth, 20);
  await expectCode(vpc.modifyIpv6InternetBandwidth(new VpcSdk.ModifyIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6AddressId: w.addrId, bandwidth: 1001 })), 'IllegalParam.Bandwidth', 400);
  await expectCode(vpc.modifyIpv6InternetBandwidth(new VpcSdk.ModifyIpv6InternetBandwidthRequest({
    regionId: REGION, bandwidth: 5 })), 'MissingParam.Ipv6InstanceId', 400);
  await expectCode(vpc.modifyIpv6InternetBandwidth(new VpcSdk.ModifyIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6AddressId: w.addr2Id, bandwidth: 5 })), 'InvalidIpv6Instance.NotFound', 400);
  await expectCode(vpc.modifyIpv6InternetBandwidth(new VpcSdk.ModifyIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6AddressId: w.addrId })), 'MissingParameter', 400);
  await expectCode(deleteGw(w.gw), 'DependencyViolation.Ipv6InternetBandwidth', 400);
  assert.equal((await gwAttr(w.gw)).status, 'Available', 'the refusal changed nothing');
});

test('g1: another account sees none of the addresses, gateways or bandwidth', async () => {
  const b = await addresses({}, bobVpc);
  assert.equal(b.totalCount, 0);
  assert.deepEqual(b.ipv6Addresses.ipv6Address, []);
  const g = await bobVpc.describeIpv6Gateways(new VpcSdk.DescribeIpv6GatewaysRequest({ regionId: REGION }));
  assert.equal(g.body.totalCount, 0);
  await expectCode(gwAttr(w.gw, bobVpc), 'ResourceNotFound.Ipv6Gateway', 404);
  await expectCode(deleteGw(w.gw, bobVpc), 'ResourceNotFound.Ipv6Gateway', 404);
  await expectCode(allocateBw(w.addr2Id, 5, {}, bobVpc), 'ResourceNotFound.Ipv6Address', 404);
  await expectCode(bobVpc.deleteIpv6InternetBandwidth(new VpcSdk.DeleteIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6InternetBandwidthId: w.bwId })), 'InvalidIpv6Instance.NotFound', 400);
  await expectCode(bobVpc.createIpv6Gateway(new VpcSdk.CreateIpv6GatewayRequest({ regionId: REGION, vpcId: w.vpc })),
    'InvalidVpcId.NotFound', 404);
  assert.equal((await addressOf(w.eniV6[0])).realBandwidth, 20, 'nothing changed for Alice');
});

test('net15: bandwidth on an instance address; delete bandwidth, then the gateway goes (G-6)', async () => {
  const r = await allocateBw(w.instAddrId, 5, {}, vpc1);
  assert.equal(r.body.ipv6AddressId, w.instAddrId);
  const x = await addressOf(w.instV6);
  assert.equal(x.ipv6InternetBandwidth.internetChargeType, 'PayByBandwidth');
  const byInst = await addresses({ associatedInstanceId: w.inst, associatedInstanceType: 'EcsInstance' });
  assert.deepEqual(byInst.ipv6Addresses.ipv6Address.map((a) => a.ipv6AddressId), [w.instAddrId]);
  await vpc1.deleteIpv6InternetBandwidth(new VpcSdk.DeleteIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6AddressId: w.instAddrId }));
  await vpc.deleteIpv6InternetBandwidth(new VpcSdk.DeleteIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6InternetBandwidthId: w.bwId }));
  await expectCode(vpc.deleteIpv6InternetBandwidth(new VpcSdk.DeleteIpv6InternetBandwidthRequest({
    regionId: REGION, ipv6InternetBandwidthId: w.bwId })), 'InvalidIpv6Instance.NotFound', 400);
  assert.equal((await addressOf(w.eniV6[0])).networkType, 'Private');
  await deleteGw(w.gw);
  await waitFor(() => vpc.describeIpv6Gateways(new VpcSdk.DescribeIpv6GatewaysRequest({ regionId: REGION, vpcId: w.vpc })),
    (x) => x.body.totalCount === 0, 'gateway gone');
  await expectCode(allocateBw(w.addrId, 5), 'OperationFailed.Ipv6GatewayNotExist', 400);
  assert.equal((await addressOf(w.eniV6[0])).ipv6GatewayId, '');
});
