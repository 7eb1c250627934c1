// API tests of instances through the real SDKs: network types and the
// classic switch (NET-1, NET-2), addresses (NET-3..NET-6, NET-9),
// public IP change and conversion (NET-11, NET-12), type rules (NET-14,
// NET-20, NET-24), bandwidth (NET-28), traffic export (NET-29), tenancy
// (G-1) and the asynchronous life cycle (G-6).
//
//   account alice                                    account bob
//   +---------------------------------------------+  (sees none of it)
//   | VPC 10.0.0.0/16                             |
//   |  vsw A 10.0.1.0/24 zone a   vsw A2 10.0.3.0/24 zone a
//   |  vsw B 10.0.2.0/24 zone b                   |
//   |  sg (VPC)      sgc (classic)                |
//   | classic network 10.240.0.0/16 of the region |
//   +---------------------------------------------+
// The test clock moves forward in the last test only (NET-11).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDaemon, newAccount, vpcClient, ecsClient, rpc, waitFor, expectCode, advanceClock,
  VpcSdk, EcsSdk, REGION, ZONE_A, ZONE_B, V_ECS, V_OPS, V_VPC,
} from './lib/harness.mjs';

let d, alice, bob, ecs, ecs1, vpc, pop, popPost, op;
const w = {};

async function mkVpc(cidr) {
  const r = await vpc.createVpc(new VpcSdk.CreateVpcRequest({ regionId: REGION, cidrBlock: cidr }));
  const id = r.body.vpcId;
  await waitFor(() => vpc.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: REGION, vpcId: id })),
    (x) => x.body.status === 'Available', 'VPC Available');
  return id;
}

async function mkVsw(vpcId, zone, cidr) {
  const r = await vpc.createVSwitch(new VpcSdk.CreateVSwitchRequest({ regionId: REGION, vpcId, zoneId: zone, cidrBlock: cidr }));
  const id = r.body.vSwitchId;
  await waitFor(() => vpc.describeVSwitchAttributes(new VpcSdk.DescribeVSwitchAttributesRequest({ regionId: REGION, vSwitchId: id })),
    (x) => x.body.status === 'Available', 'vSwitch Available');
  return id;
}

async function describe(ids, client = ecs, extra = {}) {
  const r = await client.describeInstances(new EcsSdk.DescribeInstancesRequest({
    regionId: REGION, instanceIds: JSON.stringify(ids), ...extra }));
  return r.body;
}

const one = async (id, client = ecs) => (await describe([id], client)).instances.instance[0];
const waitStatus = (id, status) => waitFor(() => one(id), (i) => i?.status === status, `${id} ${status}`);

async function run(extra = {}, client = ecs) {
  const r = await client.runInstances(new EcsSdk.RunInstancesRequest({
    regionId: REGION, instanceType: 'ecs.g6.large', imageId: 'ubuntu_22_04_x64',
    vSwitchId: w.vswA, securityGroupId: w.sg, ...extra,
  }));
  return r.body.instanceIdSets.instanceIdSet;
}

async function runReady(extra = {}) {
  const [id] = await run(extra);
  await waitStatus(id, 'Running');
  return id;
}

async function stopped(id) {
  await ecs.stopInstance(new EcsSdk.StopInstanceRequest({ instanceId: id }));
  await waitStatus(id, 'Stopped');
}

const netspec = (q) => ecs.modifyInstanceNetworkSpec(new EcsSdk.ModifyInstanceNetworkSpecRequest(q));

before(async () => {
  d = await startDaemon();
  alice = await newAccount(d, 'alice');
  bob = await newAccount(d, 'bob');
  ecs = ecsClient(d, alice);
  ecs1 = ecsClient(d, alice, 'v1');
  vpc = vpcClient(d, alice);
  pop = rpc(d, alice, 'pop-get');
  popPost = rpc(d, alice, 'pop-post');
  op = rpc(d, d.operator, 'pop-get');
  w.vpc = await mkVpc('10.0.0.0/16');
  w.vswA = await mkVsw(w.vpc, ZONE_A, '10.0.1.0/24');
  w.vswB = await mkVsw(w.vpc, ZONE_B, '10.0.2.0/24');
  w.vswA2 = await mkVsw(w.vpc, ZONE_A, '10.0.3.0/24');
  w.sg = (await ecs.createSecurityGroup(new EcsSdk.CreateSecurityGroupRequest({ regionId: REGION, vpcId: w.vpc }))).body.securityGroupId;
  w.sgc = (await ecs.createSecurityGroup(new EcsSdk.CreateSecurityGroupRequest({ regionId: REGION }))).body.securityGroupId;
});
after(async () => { await d?.stop(); });

test('net1_net3_net5_run_vpc_instances_pending_then_running_with_every_network_field (v3)', async () => {
  const ids = await run({
    amount: 2, internetMaxBandwidthOut: 5, instanceName: 'web', hostName: 'web-host',
    tag: [new EcsSdk.RunInstancesRequestTag({ key: 'env', value: 'test' })],
  });
  assert.equal(ids.length, 2);
  const first = await one(ids[0]);
  assert.ok(['Pending', 'Running'].includes(first.status), first.status); // G-6
  const i = await waitStatus(ids[0], 'Running');
  assert.equal(i.instanceNetworkType, 'vpc');
  assert.equal(i.vpcAttributes.vpcId, w.vpc);
  assert.equal(i.vpcAttributes.vSwitchId, w.vswA);
  assert.match(i.vpcAttributes.privateIpAddress.ipAddress[0], /^10\.0\.1\.\d+$/);
  assert.deepEqual(i.innerIpAddress.ipAddress, []);
  assert.match(i.publicIpAddress.ipAddress[0], /^198\.18\./); // NET-5 NatPublicIp
  assert.equal(i.eipAddress.ipAddress, '');
  assert.equal(i.internetMaxBandwidthOut, 5);
  assert.equal(i.internetMaxBandwidthIn, 100); // NET-28
  assert.equal(i.internetChargeType, 'PayByTraffic');
  assert.equal(i.instanceChargeType, 'PostPaid');
  assert.equal(i.zoneId, ZONE_A);
  assert.equal(i.regionId, REGION);
  assert.equal(i.instanceName, 'web');
  assert.equal(i.hostName, 'web-host');
  assert.equal(i.instanceType, 'ecs.g6.large');
  assert.equal(i.ioOptimized, true);
  assert.match(i.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
  assert.deepEqual(i.securityGroupIds.securityGroupId, [w.sg]);
  assert.deepEqual(i.tags.tag, [{ tagKey: 'env', tagValue: 'test' }].map((t) => new EcsSdk.DescribeInstancesResponseBodyInstancesInstanceTagsTag(t)));
  const nic = i.networkInterfaces.networkInterface[0];
  assert.equal(nic.type, 'Primary');
  assert.equal(nic.primaryIpAddress, i.vpcAttributes.privateIpAddress.ipAddress[0]);
  assert.match(nic.macAddress, /^00:16:3e:/);
  assert.equal(nic.privateIpSets.privateIpSet[0].primary, true);
  const other = await one(ids[1]);
  assert.notEqual(other.vpcAttributes.privateIpAddress.ipAddress[0], i.vpcAttributes.privateIpAddress.ipAddress[0]);
  assert.notEqual(other.publicIpAddress.ipAddress[0], i.publicIpAddress.ipAddress[0]);
  w.web = ids;
});

test('net1_net9_create_classic_instance_ends_stopped (v1 dialect)', async () => {
  const r = await ecs1.createInstance(new EcsSdk.CreateInstanceRequest({
    regionId: REGION, zoneId: ZONE_A, instanceType: 'ecs.g6.large', imageId: 'centos',
    securityGroupId: w.sgc, innerIpAddress: '10.240.5.5', internetMaxBandwidthOut: 2,
  }));
  const id = r.body.instanceId;
  assert.match(id, /^i-/);
  const i = await waitStatus(id, 'Stopped');
  assert.equal(i.instanceNetworkType, 'classic');
  assert.deepEqual(i.innerIpAddress.ipAddress, ['10.240.5.5']);
  assert.equal(i.vpcAttributes.vpcId, '');
  assert.deepEqual(i.vpcAttributes.privateIpAddress.ipAddress, []);
  // NET-5, NET-9: CreateInstance leaves the public IP to AllocatePublicIpAddress.
  assert.deepEqual(i.publicIpAddress.ipAddress, []);
  const pub = (await ecs1.allocatePublicIpAddress(new EcsSdk.AllocatePublicIpAddressRequest({ instanceId: id }))).body.ipAddress;
  assert.deepEqual((await one(id)).publicIpAddress.ipAddress, [pub]);
  assert.deepEqual(i.networkInterfaces.networkInterface, []);
  assert.deepEqual(i.securityGroupIds.securityGroupId, [w.sgc]);
  // NET-1: the address is unique in the whole classic network.
  await expectCode(ecs.createInstance(new EcsSdk.CreateInstanceRequest({
    regionId: REGION, zoneId: ZONE_B, instanceType: 'ecs.g6.large', securityGroupId: w.sgc,
    innerIpAddress: '10.240.5.5' })), 'InvalidIPAddress.AlreadyUsed', 400);
  w.classic = id;
});

test('net2_classic_refused_when_the_region_stops_offering_it_existing_keep_working', async () => {
  await op(V_OPS, 'SetClassicNetworkOffered', { RegionId: REGION, Offered: 'false' });
  try {
    await expectCode(run({ vSwitchId: undefined, zoneId: ZONE_A, securityGroupId: w.sgc }),
      'InvalidVSwitchId.Necessary', 400);
    await expectCode(ecs.createInstance(new EcsSdk.CreateInstanceRequest({
      regionId: REGION, zoneId: ZONE_A, instanceType: 'ecs.g6.large', securityGroupId: w.sgc,
      innerIpAddress: '10.240.9.9' })), 'OperationDenied.InvalidNetworkType', 403);
    await ecs.startInstance(new EcsSdk.StartInstanceRequest({ instanceId: w.classic }));
    await waitStatus(w.classic, 'Running');
  } finally {
    await op(V_OPS, 'SetClassicNetworkOffered', { RegionId: REGION, Offered: 'true' });
  }
});

test('g5_creation_refusals_with_their_codes_and_status', async () => {
  await expectCode(run({ instanceType: 'ecs.nope.small' }), 'InvalidInstanceType.ValueNotSupported', 400);
  await expectCode(run({ zoneId: ZONE_B }), 'InvalidParameter.Mismatch', 400);
  await expectCode(run({ vSwitchId: 'vsw-doesnotexist000000000' }), 'InvalidVSwitchId.NotFound', 404);
  await expectCode(run({ internetMaxBandwidthOut: 201 }), 'InvalidInternetMaxBandwidthOut.Malformed', 400);
  await expectCode(run({ internetChargeType: 'PayByMood' }), 'InvalidInternetChargeType.ValueNotSupported', 400);
  await expectCode(run({ instanceChargeType: 'PrePaid', period: 10 }), 'InvalidPeriod', 400);
  await expectCode(run({ securityGroupId: w.sgc }), 'InvalidSecurityGroupId.NotVpc', 403);
  await expectCode(run({ vSwitchId: undefined, zoneId: ZONE_A, ipv6AddressCount: 1, securityGroupId: w.sgc }),
    'InvalidOperation.Ipv6NotSupport', 403);
  await expectCode(run({ privateIpAddress: '10.0.2.9' }), 'InvalidPrivateIpAddress', 400);
  await expectCode(pop(V_ECS, 'RunInstances', {
    RegionId: REGION, InstanceType: 'ecs.g6.large', VSwitchId: w.vswA, SecurityGroupId: w.sg, Amount: 101,
  }), 'InvalidParameter');
});

test('net14_net20_net24_type_rules_secondary_enis_and_queues', async () => {
  const types = (await ecs.describeInstanceTypes(new EcsSdk.DescribeInstanceTypesRequest({}))).body.instanceTypes.instanceType;
  const s2 = types.find((t) => t.instanceTypeId === 'ecs.s2.small');
  const g6 = types.find((t) => t.instanceTypeId === 'ecs.g6.large');
  assert.ok(s2.instanceBandwidthRx < g6.instanceBandwidthRx, 'NET-14: 1 vs 10 Gbit/s');
  const nic = [new EcsSdk.RunInstancesRequestNetworkInterface({ vSwitchId: w.vswA2, securityGroupId: w.sg })];
  await expectCode(run({ instanceType: 'ecs.s2.small', networkInterface: nic }),
    'InvalidInstanceType.ElasticNetworkInterfaceNotSupported', 400);
  await expectCode(run({ networkInterfaceQueueNumber: g6.maximumQueueNumberPerEni + 1 }),
    'InvalidOperation.MaxEniQueueNumberExceeded', 403);
  const id = await runReady({ networkInterface: nic, networkInterfaceQueueNumber: g6.maximumQueueNumberPerEni });
  const i = await waitFor(() => one(id), (x) => x.networkInterfaces.networkInterface.length === 2, 'two NICs');
  const [p, s] = i.networkInterfaces.networkInterface;
  assert.equal(p.type, 'Primary');
  assert.equal(s.type, 'Secondary');
  assert.match(s.primaryIpAddress, /^10\.0\.3\./);
  w.twoNics = id;
});

test('describe_instances_filters_and_both_paging_styles', async () => {
  const all = (await ecs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, pageSize: 100 }))).body;
  assert.equal(all.totalCount, 4); // web x2, the classic one, the two-NIC one
  const byType = async (t) => (await ecs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, instanceNetworkType: t }))).body;
  assert.ok((await byType('classic')).instances.instance.every((i) => i.instanceNetworkType === 'classic'));
  const web = await one(w.web[0]);
  const ip = web.vpcAttributes.privateIpAddress.ipAddress[0];
  const pub = web.publicIpAddress.ipAddress[0];
  const f = async (q) => (await ecs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, ...q }))).body.instances.instance.map((i) => i.instanceId);
  assert.deepEqual(await f({ privateIpAddresses: JSON.stringify([ip]) }), [w.web[0]]);
  assert.deepEqual(await f({ publicIpAddresses: JSON.stringify([pub]) }), [w.web[0]]);
  assert.deepEqual(await f({ innerIpAddresses: JSON.stringify(['10.240.5.5']) }), [w.classic]);
  assert.deepEqual(await f({ vSwitchId: w.vswA2 }), []);
  assert.ok((await f({ vpcId: w.vpc })).includes(w.web[1]));
  assert.ok(!(await f({ vpcId: w.vpc })).includes(w.classic));
  assert.ok((await f({ securityGroupId: w.sgc })).includes(w.classic));
  assert.ok((await f({ instanceName: 'we*' })).includes(w.web[0]));
  assert.deepEqual((await f({ tag: [new EcsSdk.DescribeInstancesRequestTag({ key: 'env', value: 'test' })] })).sort(), [...w.web].sort());
  // NextToken / MaxResults (ECS style) and PageNumber / PageSize.
  const p1 = (await ecs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, maxResults: 2 }))).body;
  assert.equal(p1.instances.instance.length, 2);
  assert.ok(p1.nextToken);
  const p2 = (await ecs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION, maxResults: 2, nextToken: p1.nextToken }))).body;
  assert.notEqual(p2.instances.instance[0].instanceId, p1.instances.instance[0].instanceId);
  const pg = await pop(V_ECS, 'DescribeInstances', { RegionId: REGION, PageNumber: 2, PageSize: 1 });
  assert.equal(pg.PageNumber, 2);
  assert.equal(pg.Instances.Instance.length, 1);
  await expectCode(pop(V_ECS, 'DescribeInstances', { RegionId: REGION, InstanceIds: 'not json' }), 'InvalidParameter');
  // DescribeInstanceAttribute (v1) and DescribeInstanceStatus.
  const a = (await ecs1.describeInstanceAttribute(new EcsSdk.DescribeInstanceAttributeRequest({ instanceId: w.web[0] }))).body;
  assert.equal(a.vpcAttributes.privateIpAddress.ipAddress[0], ip);
  assert.equal(a.ioOptimized, 'optimized');
  assert.equal(a.internetMaxBandwidthIn, 100);
  const st = (await ecs.describeInstanceStatus(new EcsSdk.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: [w.web[0]] }))).body;
  assert.deepEqual(st.instanceStatuses.instanceStatus.map((s) => s.instanceId), [w.web[0]]);
});

test('net4_modify_vpc_attribute_only_while_stopped (pop-core POST)', async () => {
  const id = w.web[1];
  await expectCode(popPost(V_ECS, 'ModifyInstanceVpcAttribute', { InstanceId: id, VSwitchId: w.vswA2 }),
    'IncorrectInstanceStatus', 403);
  await stopped(id);
  await expectCode(popPost(V_ECS, 'ModifyInstanceVpcAttribute', { InstanceId: id, VSwitchId: w.vswB }),
    'InvalidVSwitchId.Mismatch', 400);
  await popPost(V_ECS, 'ModifyInstanceVpcAttribute', { InstanceId: id, VSwitchId: w.vswA2, PrivateIpAddress: '10.0.3.77' });
  const i = await one(id);
  assert.equal(i.vpcAttributes.vSwitchId, w.vswA2);
  assert.deepEqual(i.vpcAttributes.privateIpAddress.ipAddress, ['10.0.3.77']);
  assert.equal(i.networkInterfaces.networkInterface[0].primaryIpAddress, '10.0.3.77');
  await expectCode(popPost(V_ECS, 'ModifyInstanceVpcAttribute', { InstanceId: w.classic, VSwitchId: w.vswA }),
    'OperationDenied', 403);
});

test('net5_net6_bandwidth_zero_releases_then_allocate_public_ip_address', async () => {
  const id = await runReady({ internetMaxBandwidthOut: 3 });
  const old = (await one(id)).publicIpAddress.ipAddress[0];
  await netspec({ instanceId: id, internetMaxBandwidthOut: 0 }); // NET-6: PostPaid, at once
  let i = await one(id);
  assert.deepEqual(i.publicIpAddress.ipAddress, []);
  assert.equal(i.internetMaxBandwidthOut, 0);
  const alloc = (iid) => ecs.allocatePublicIpAddress(new EcsSdk.AllocatePublicIpAddressRequest({ instanceId: iid }));
  await expectCode(alloc(id), 'AllocateIpInvalidInstanceBandwidth', 400);
  await netspec({ instanceId: id, internetMaxBandwidthOut: 150 });
  i = await one(id);
  assert.deepEqual(i.publicIpAddress.ipAddress, [], 'bandwidth alone gives no address');
  assert.equal(i.internetMaxBandwidthIn, 150, 'NET-28: inbound follows outbound above 100');
  // NET-5: a pay-as-you-go instance never gets a NatPublicIp after creation.
  await expectCode(alloc(id), 'OperationDenied', 403);
  assert.deepEqual((await one(id)).publicIpAddress.ipAddress, []);
  assert.ok(old);
  // One that holds its NatPublicIp is answered that address.
  const held = await runReady({ internetMaxBandwidthOut: 3 });
  const r = await alloc(held);
  assert.match(r.body.ipAddress, /^198\.18\./);
  assert.deepEqual((await one(held)).publicIpAddress.ipAddress, [r.body.ipAddress]);
  assert.equal((await alloc(held)).body.ipAddress, r.body.ipAddress);
  w.alloc = held;
});

test('net12_convert_nat_public_ip_to_eip_keeps_the_address', async () => {
  const id = w.alloc;
  const pub = (await one(id)).publicIpAddress.ipAddress[0];
  await ecs.convertNatPublicIpToEip(new EcsSdk.ConvertNatPublicIpToEipRequest({ regionId: REGION, instanceId: id }));
  const i = await one(id);
  assert.deepEqual(i.publicIpAddress.ipAddress, []);
  assert.equal(i.eipAddress.ipAddress, pub);
  assert.match(i.eipAddress.allocationId, /^eip-/);
  assert.equal(i.eipAddress.isSupportUnassociate, true);
  const eips = (await vpc.describeEipAddresses(new VpcSdk.DescribeEipAddressesRequest({ regionId: REGION, allocationId: i.eipAddress.allocationId }))).body;
  assert.equal(eips.eipAddresses.eipAddress[0].ipAddress, pub);
  assert.equal(eips.eipAddresses.eipAddress[0].instanceId, id);
  const conv = (iid) => ecs.convertNatPublicIpToEip(new EcsSdk.ConvertNatPublicIpToEipRequest({ regionId: REGION, instanceId: iid }));
  await expectCode(conv(id), 'OperationDenied', 403);
  await expectCode(conv(w.classic), 'OperationDenied', 403);
  const bw = await runReady({ internetMaxBandwidthOut: 2, internetChargeType: 'PayByBandwidth' });
  await expectCode(conv(bw), 'InvalidInternetChargeType.ValueNotSupported', 403);
  await op(V_OPS, 'SetAccountArrears', { AccountId: alice.AccountId, InArrears: 'true' });
  try {
    await netspec({ instanceId: bw, networkChargeType: 'PayByTraffic' });
    await expectCode(conv(bw), 'InvalidAccountStatus.NotEnoughBalance', 403);
  } finally {
    await op(V_OPS, 'SetAccountArrears', { AccountId: alice.AccountId, InArrears: 'false' });
  }
  await conv(bw);
});

test('g1_another_account_sees_nothing_and_gets_not_found', async () => {
  const bobEcs = ecsClient(d, bob);
  const mine = (await bobEcs.describeInstances(new EcsSdk.DescribeInstancesRequest({ regionId: REGION }))).body;
  assert.equal(mine.totalCount, 0);
  assert.deepEqual(mine.instances.instance, []);
  assert.deepEqual((await describe([w.web[0]], bobEcs)).instances.instance, []);
  await expectCode(bobEcs.stopInstance(new EcsSdk.StopInstanceRequest({ instanceId: w.web[0] })), 'InvalidInstanceId.NotFound', 404);
  await expectCode(bobEcs.describeInstanceAttribute(new EcsSdk.DescribeInstanceAttributeRequest({ instanceId: w.web[0] })),
    'InvalidInstanceId.NotFound', 404);
  await expectCode(rpc(d, bob, 'pop-get')(V_ECS, 'DeleteInstance', { InstanceId: w.web[0], Force: 'true' }),
    'InvalidInstanceId.NotFound');
  await expectCode(bobEcs.runInstances(new EcsSdk.RunInstancesRequest({
    regionId: REGION, instanceType: 'ecs.g6.large', vSwitchId: w.vswA, securityGroupId: w.sg })),
  'InvalidVSwitchId.NotFound', 404);
  assert.equal((await one(w.web[0])).status, 'Running');
});

test('g6_net21_delete_needs_stopped_or_force_then_everything_goes', async () => {
  await expectCode(ecs.deleteInstance(new EcsSdk.DeleteInstanceRequest({ instanceId: w.twoNics })),
    'IncorrectInstanceStatus', 403);
  await ecs.deleteInstance(new EcsSdk.DeleteInstanceRequest({ instanceId: w.twoNics, force: true }));
  await waitFor(() => describe([w.twoNics]), (b) => b.totalCount === 0, 'instance gone');
  const nics = (await ecs.describeNetworkInterfaces(new EcsSdk.DescribeNetworkInterfacesRequest({ regionId: REGION, instanceId: w.twoNics }))).body;
  assert.equal(nics.networkInterfaceSets.networkInterfaceSet.length, 0);
  // DeleteInstances takes a list.
  const ids = await run({ amount: 2 });
  await Promise.all(ids.map((id) => waitStatus(id, 'Running')));
  await ecs.deleteInstances(new EcsSdk.DeleteInstancesRequest({ regionId: REGION, instanceId: ids, force: true }));
  await waitFor(() => describe(ids), (b) => b.totalCount === 0, 'both gone');
});

test('net29_export_public_traffic_is_an_operator_csv', async () => {
  const r = await op(V_OPS, 'ExportPublicTraffic', { StartTime: '2020-01-01T00:00:00Z' });
  assert.equal(r.Csv.split('\n')[0], 'instance_id,public_ip,hour,bytes_out,bytes_in,billable_bytes');
  const byAccount = await op(V_OPS, 'ExportPublicTraffic', { AccountId: alice.AccountId, EndTime: '2030-01-01T00Z' });
  assert.ok(byAccount.Csv.startsWith('instance_id,'));
  await expectCode(op(V_OPS, 'ExportPublicTraffic', { StartTime: 'yesterday' }), 'InvalidParameter');
  await expectCode(pop(V_OPS, 'ExportPublicTraffic', {}), 'Forbidden');
});

test('net11_public_ip_change_within_six_hours_then_only_by_eip (clock moves)', async () => {
  const id = await runReady({ internetMaxBandwidthOut: 1 });
  const cl = (await ecs.createInstance(new EcsSdk.CreateInstanceRequest({
    regionId: REGION, zoneId: ZONE_A, instanceType: 'ecs.g6.large', securityGroupId: w.sgc, internetMaxBandwidthOut: 1,
  }))).body.instanceId;
  await waitStatus(cl, 'Stopped');
  await ecs.allocatePublicIpAddress(new EcsSdk.AllocatePublicIpAddressRequest({ instanceId: cl })); // NET-5
  const replace = (iid) => pop(V_ECS, 'ReplaceInstancePublicIp', { InstanceId: iid });
  await expectCode(replace(id), 'IncorrectInstanceStatus', 403);
  await stopped(id);
  const before = (await one(id)).publicIpAddress.ipAddress[0];
  const r = await replace(id);
  assert.notEqual(r.IpAddress, before);
  assert.deepEqual((await one(id)).publicIpAddress.ipAddress, [r.IpAddress]);
  await advanceClock(d, 6 * 3600 + 60);
  const e = await expectCode(replace(id), 'OperationDenied.PublicIpChangeWindowExpired', 403);
  assert.match(e.data?.Message ?? e.message, /ConvertNatPublicIpToEip/);
  const ec = await expectCode(replace(cl), 'OperationDenied.PublicIpChangeWindowExpired', 403);
  assert.match(ec.data?.Message ?? ec.message, /classic/);
  await ecs.convertNatPublicIpToEip(new EcsSdk.ConvertNatPublicIpToEipRequest({ regionId: REGION, instanceId: id }));
  assert.equal((await one(id)).eipAddress.ipAddress, r.IpAddress);
});
