// API tests of security groups (ECS 2014-05-26): NET-13, NET-22, NET-23,
// NET-25, G-1, G-5.  One openvpcd for the file; each test works in its own
// accounts.  Typed ECS SDK clients in both dialects ('v3' default, 'v1'),
// and pop-core for the raw wire shapes.
//
//   account A (alice)               account B (bob)
//   +------------------------+      +----------------------+
//   | VPC 10.0.0.0/16        |      | classic group gB     |
//   |   groups web, db       |      |   rule: SourceGroup  |
//   | classic group gA  <----+------+-- gA, owner A        |
//   +------------------------+      +----------------------+
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './lib/harness.mjs';

const { EcsSdk, VpcSdk } = h;
let d, op;
// SDK bodies are class instances (pop-core's null-prototype objects): compare as plain JSON.
const plain = (x) => JSON.parse(JSON.stringify(x));

before(async () => {
  d = await h.startDaemon();
  op = h.rpc(d, d.operator, 'pop-get');
});

after(async () => {
  await d?.stop();
});

async function tenant(name) {
  const key = await h.newAccount(d, name);
  return { key, ecs: h.ecsClient(d, key), ecs1: h.ecsClient(d, key, 'v1'), vpc: h.vpcClient(d, key) };
}

async function makeVpc(t, cidr = '10.0.0.0/16') {
  const r = await t.vpc.createVpc(new VpcSdk.CreateVpcRequest({ regionId: h.REGION, cidrBlock: cidr }));
  return r.body.vpcId;
}

async function makeSg(t, opts = {}, client = t.ecs) {
  const r = await client.createSecurityGroup(new EcsSdk.CreateSecurityGroupRequest({ regionId: h.REGION, ...opts }));
  assert.match(r.body.securityGroupId, /^sg-[a-z0-9]+$/);
  return r.body.securityGroupId;
}

async function attribute(t, sg, extra = {}) {
  const r = await t.ecs.describeSecurityGroupAttribute(new EcsSdk.DescribeSecurityGroupAttributeRequest({
    regionId: h.REGION, securityGroupId: sg, ...extra,
  }));
  return r.body;
}

function perm(p) {
  return new EcsSdk.AuthorizeSecurityGroupRequestPermissions(p);
}

test('NET-25: create a VPC group with tags and find it with every DescribeSecurityGroups filter', async () => {
  const a = await tenant('sg-describe');
  const vpc = await makeVpc(a);
  const web = await makeSg(a, {
    vpcId: vpc, securityGroupName: 'web', description: 'the web tier',
    tag: [new EcsSdk.CreateSecurityGroupRequestTag({ key: 'tier', value: 'front' })],
  });
  const classic = await makeSg(a, { securityGroupName: 'old' }, a.ecs1); // v1 dialect, no VpcId
  const ent = await makeSg(a, { vpcId: vpc, securityGroupType: 'enterprise' });

  const all = await a.ecs.describeSecurityGroups(new EcsSdk.DescribeSecurityGroupsRequest({ regionId: h.REGION }));
  assert.equal(all.body.totalCount, 3);
  assert.equal(all.body.regionId, h.REGION);
  const g = all.body.securityGroups.securityGroup.find((x) => x.securityGroupId === web);
  assert.equal(g.vpcId, vpc);
  assert.equal(g.securityGroupName, 'web');
  assert.equal(g.description, 'the web tier');
  assert.equal(g.securityGroupType, 'normal');
  assert.equal(g.ruleCount, 0);
  assert.equal(g.ecsCount, 0);
  assert.equal(g.availableInstanceAmount, 2000, 'NET-22: 2000 private IPs per VPC group');
  assert.match(g.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(plain(g.tags.tag), [{ tagKey: 'tier', tagValue: 'front' }]);

  const find = async (req, dialect = 'v3') => {
    const c = dialect === 'v1' ? a.ecs1 : a.ecs;
    const r = await c.describeSecurityGroups(new EcsSdk.DescribeSecurityGroupsRequest({ regionId: h.REGION, ...req }));
    return r.body.securityGroups.securityGroup.map((x) => x.securityGroupId).sort();
  };
  assert.deepEqual(await find({ vpcId: vpc }), [web, ent].sort());
  assert.deepEqual(await find({ networkType: 'classic' }), [classic]);
  assert.deepEqual(await find({ networkType: 'vpc' }, 'v1'), [web, ent].sort());
  assert.deepEqual(await find({ securityGroupIds: JSON.stringify([web, classic]) }), [web, classic].sort());
  assert.deepEqual(await find({ securityGroupId: ent }), [ent]);
  assert.deepEqual(await find({ securityGroupType: 'enterprise' }), [ent]);
  assert.deepEqual(await find({ securityGroupName: 'we', fuzzyQuery: true }), [web]);
  assert.deepEqual(await find({ securityGroupName: 'we' }), []);
  assert.deepEqual(await find({ tag: [new EcsSdk.DescribeSecurityGroupsRequestTag({ key: 'tier', value: 'front' })] }), [web]);

  // NextToken/MaxResults paging walks every group once.
  const seen = [];
  let token;
  do {
    const r = await a.ecs.describeSecurityGroups(new EcsSdk.DescribeSecurityGroupsRequest({ regionId: h.REGION, maxResults: 2, nextToken: token }));
    seen.push(...r.body.securityGroups.securityGroup.map((x) => x.securityGroupId));
    token = r.body.nextToken;
  } while (token);
  assert.equal(new Set(seen).size, 3);
  // PageNumber/PageSize too.
  const p2 = await a.ecs.describeSecurityGroups(new EcsSdk.DescribeSecurityGroupsRequest({ regionId: h.REGION, pageNumber: 2, pageSize: 2 }));
  assert.equal(p2.body.securityGroups.securityGroup.length, 1);
  assert.equal(p2.body.pageNumber, 2);
});

test('NET-25/NET-23/G-5: CreateSecurityGroup refusals and the group quota', async () => {
  const a = await tenant('sg-create-errors');
  const vpc = await makeVpc(a);
  await h.expectCode(makeSg(a, { vpcId: 'vpc-nosuchvpc000000000000' }), 'InvalidVpcId.NotFound', 404);
  await h.expectCode(makeSg(a, { securityGroupType: 'enterprise' }), 'InvalidParams.VpcIdGroupType', 400);
  await h.expectCode(makeSg(a, { vpcId: vpc, securityGroupType: 'gold' }), 'InvalidParams.GroupType', 400);
  await h.expectCode(makeSg(a, { securityGroupName: 'http://x' }), 'InvalidSecurityGroupName.Malformed', 400);
  // DryRun validates and creates nothing.
  await h.expectCode(h.rpc(d, a.key, 'v3')(h.V_ECS, 'CreateSecurityGroup', { RegionId: h.REGION, VpcId: vpc, DryRun: true }),
    'DryRunOperation', 400);
  await op(h.V_OPS, 'SetQuota', { AccountId: a.key.AccountId, QuotaName: 'security-group', Value: 1 });
  await makeSg(a, { vpcId: vpc });
  await h.expectCode(makeSg(a, { vpcId: vpc }), 'QuotaExceed.SecurityGroup', 403);
  const all = await a.ecs.describeSecurityGroups(new EcsSdk.DescribeSecurityGroupsRequest({ regionId: h.REGION }));
  assert.equal(all.body.totalCount, 1, 'failed creates left nothing behind');
});

test('NET-25: rules in both directions, as DescribeSecurityGroupAttribute shows them', async () => {
  const a = await tenant('sg-rules');
  const vpc = await makeVpc(a);
  const sg = await makeSg(a, { vpcId: vpc });
  await a.ecs.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: sg,
    permissions: [
      perm({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.1.2.3/8', description: 'ssh', priority: '5' }),
      perm({ ipProtocol: 'ICMPv6', portRange: '-1/-1', ipv6SourceCidrIp: '::/0' }),
      perm({ ipProtocol: 'all', portRange: '-1/-1', sourceCidrIp: '192.0.2.0/24', policy: 'drop', priority: '2' }),
    ],
  }));
  // The flat form, in the v1 dialect, for an egress rule.
  await a.ecs1.authorizeSecurityGroupEgress(new EcsSdk.AuthorizeSecurityGroupEgressRequest({
    regionId: h.REGION, securityGroupId: sg, ipProtocol: 'UDP', portRange: '53/53', destCidrIp: '8.8.8.8',
  }));
  const attr = await attribute(a, sg);
  assert.equal(attr.securityGroupId, sg);
  assert.equal(attr.vpcId, vpc);
  assert.equal(attr.innerAccessPolicy, 'Accept', 'NET-13 default');
  const perms = attr.permissions.permission;
  assert.equal(perms.length, 4);
  const ssh = perms.find((p) => p.portRange === '22/22');
  assert.match(ssh.securityGroupRuleId, /^sgr-/);
  assert.equal(ssh.direction, 'ingress');
  assert.equal(ssh.ipProtocol, 'TCP');
  assert.equal(ssh.sourceCidrIp, '10.0.0.0/8');
  assert.equal(ssh.policy, 'Accept');
  assert.equal(ssh.priority, '5'); // the Tea SDK casts to its model's string
  assert.equal(ssh.nicType, 'intranet');
  assert.equal(ssh.description, 'ssh');
  assert.equal(ssh.destCidrIp, '');
  assert.match(ssh.createTime, /Z$/);
  const v6 = perms.find((p) => p.ipProtocol === 'ICMPv6');
  assert.equal(v6.ipv6SourceCidrIp, '::/0');
  assert.equal(v6.portRange, '-1/-1');
  const drop = perms.find((p) => p.policy === 'Drop');
  assert.equal(drop.ipProtocol, 'ALL');
  assert.equal(drop.priority, '2');
  const dns = perms.find((p) => p.direction === 'egress');
  assert.equal(dns.destCidrIp, '8.8.8.8/32');
  assert.equal(dns.ipProtocol, 'UDP');

  const egress = await attribute(a, sg, { direction: 'egress' });
  assert.equal(egress.permissions.permission.length, 1);
  const ingress = await attribute(a, sg, { direction: 'ingress' });
  assert.equal(ingress.permissions.permission.length, 3);

  // Authorizing an existing rule succeeds and changes nothing.
  await a.ecs.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: sg, ipProtocol: 'TCP', portRange: '22/22', sourceCidrIp: '10.0.0.0/8',
  }));
  const list = await a.ecs.describeSecurityGroups(new EcsSdk.DescribeSecurityGroupsRequest({ regionId: h.REGION, securityGroupId: sg }));
  assert.equal(list.body.securityGroups.securityGroup[0].ruleCount, 4);
});

test('NET-25/G-5: rule refusals carry the cloud codes and change nothing', async () => {
  const a = await tenant('sg-rule-errors');
  const vpc = await makeVpc(a);
  const sg = await makeSg(a, { vpcId: vpc });
  const auth = (p) => a.ecs.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({ regionId: h.REGION, securityGroupId: sg, ...p }));
  await h.expectCode(auth({ ipProtocol: 'sctp', portRange: '1/2', sourceCidrIp: '0.0.0.0/0' }), 'InvalidIpProtocol.ValueNotSupported', 400);
  await h.expectCode(auth({ ipProtocol: 'tcp', portRange: '0/10', sourceCidrIp: '0.0.0.0/0' }), 'InvalidIpPortRange.Malformed', 400);
  await h.expectCode(auth({ ipProtocol: 'tcp', portRange: '22', sourceCidrIp: '0.0.0.0/0' }), 'InvalidParam.PortRange', 400);
  await h.expectCode(auth({ ipProtocol: 'tcp', portRange: '22/22' }), 'MissingParameter.Source', 400);
  await h.expectCode(auth({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0', sourceGroupId: sg }), 'InvalidParamter.Conflict', 400);
  await h.expectCode(auth({ ipProtocol: 'icmp', portRange: '-1/-1', ipv6SourceCidrIp: '::/0' }), 'InvalidParam.Ipv4ProtocolConflictWithIpv6Address', 400);
  await h.expectCode(auth({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0', priority: '101' }), 'InvalidPriority.ValueNotSupported', 400);
  await h.expectCode(auth({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0', policy: 'maybe' }), 'InvalidPolicy.Malformed', 400);
  await h.expectCode(auth({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0', nicType: 'internet' }), 'InvalidNicType.Mismatch', 400);
  await h.expectCode(auth({ ipProtocol: 'tcp', portRange: '22/22', sourcePrefixListId: 'pl-abc' }), 'InvalidPrefixListId.NotFound', 404);
  await h.expectCode(auth({
    ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0',
    permissions: [perm({ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' })],
  }), 'InvalidParam.Permissions', 400);
  // A batch with one bad rule adds none of them.
  await h.expectCode(auth({ permissions: [
    perm({ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' }),
    perm({ ipProtocol: 'tcp', portRange: '90/80', sourceCidrIp: '0.0.0.0/0' }),
  ] }), 'InvalidIpPortRange.Malformed', 400);
  await h.expectCode(auth({ permissions: [
    perm({ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' }),
    perm({ ipProtocol: 'TCP', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' }),
  ] }), 'InvalidParam.DuplicatePermissions', 400);
  assert.equal((await attribute(a, sg)).permissions.permission.length, 0);

  // The rule quota (an operator setting) answers AuthorizationLimitExceed, 403.
  await op(h.V_OPS, 'SetQuota', { AccountId: a.key.AccountId, QuotaName: 'rule-per-security-group', Value: 2 });
  await auth({ permissions: [
    perm({ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '0.0.0.0/0' }),
    perm({ ipProtocol: 'tcp', portRange: '443/443', sourceCidrIp: '0.0.0.0/0' }),
  ] });
  await h.expectCode(auth({ ipProtocol: 'tcp', portRange: '8080/8080', sourceCidrIp: '0.0.0.0/0' }), 'AuthorizationLimitExceed', 403);
  // Enterprise groups: no group peers, no drop rules.
  const ent = await makeSg(a, { vpcId: vpc, securityGroupType: 'enterprise' });
  await h.expectCode(a.ecs.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: ent, ipProtocol: 'all', portRange: '-1/-1', sourceGroupId: sg,
  })), 'InvalidGroupAuthParameter.OperationDenied', 400);
});

test('NET-25: revoke by fields and by SecurityGroupRuleId; modify a rule by id', async () => {
  const a = await tenant('sg-revoke');
  const sg = await makeSg(a);
  await a.ecs.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: sg,
    permissions: ['22/22', '80/80', '443/443'].map((p) => perm({ ipProtocol: 'tcp', portRange: p, sourceCidrIp: '0.0.0.0/0' })),
  }));
  await a.ecs.authorizeSecurityGroupEgress(new EcsSdk.AuthorizeSecurityGroupEgressRequest({
    regionId: h.REGION, securityGroupId: sg, ipProtocol: 'all', portRange: '-1/-1', destCidrIp: '0.0.0.0/0', policy: 'drop',
  }));
  // By fields (v3, Permissions list).
  await a.ecs.revokeSecurityGroup(new EcsSdk.RevokeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: sg,
    permissions: [new EcsSdk.RevokeSecurityGroupRequestPermissions({ ipProtocol: 'TCP', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' })],
  }));
  // A rule that is not there: no error.
  await a.ecs.revokeSecurityGroup(new EcsSdk.RevokeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: sg, ipProtocol: 'TCP', portRange: '22/22', sourceCidrIp: '0.0.0.0/0',
  }));
  let perms = (await attribute(a, sg)).permissions.permission;
  assert.deepEqual(perms.filter((p) => p.direction === 'ingress').map((p) => p.portRange).sort(), ['443/443', '80/80']);
  // By id (v1 dialect); an ingress id is not an egress rule.
  const web = perms.find((p) => p.portRange === '80/80').securityGroupRuleId;
  const out = perms.find((p) => p.direction === 'egress').securityGroupRuleId;
  await h.expectCode(a.ecs1.revokeSecurityGroupEgress(new EcsSdk.RevokeSecurityGroupEgressRequest({
    regionId: h.REGION, securityGroupId: sg, securityGroupRuleId: [web],
  })), 'InvalidSecurityGroupRuleId.NotFound', 404);
  await a.ecs1.revokeSecurityGroup(new EcsSdk.RevokeSecurityGroupRequest({ regionId: h.REGION, securityGroupId: sg, securityGroupRuleId: [web] }));
  await a.ecs.revokeSecurityGroupEgress(new EcsSdk.RevokeSecurityGroupEgressRequest({ regionId: h.REGION, securityGroupId: sg, securityGroupRuleId: [out] }));
  perms = (await attribute(a, sg)).permissions.permission;
  assert.deepEqual(perms.map((p) => p.portRange), ['443/443']);

  // ModifySecurityGroupRule by id: priority, policy, description; the id stays.
  const id = perms[0].securityGroupRuleId;
  await a.ecs.modifySecurityGroupRule(new EcsSdk.ModifySecurityGroupRuleRequest({
    regionId: h.REGION, securityGroupId: sg, securityGroupRuleId: id, priority: '7', policy: 'drop', description: 'closed',
  }));
  const p = (await attribute(a, sg)).permissions.permission[0];
  assert.equal(p.securityGroupRuleId, id);
  assert.equal(p.priority, '7');
  assert.equal(p.policy, 'Drop');
  assert.equal(p.description, 'closed');
  await h.expectCode(a.ecs.modifySecurityGroupRule(new EcsSdk.ModifySecurityGroupRuleRequest({
    regionId: h.REGION, securityGroupId: sg, securityGroupRuleId: id, sourceGroupId: sg,
  })), 'InvalidOperation.ModifySgRuleEntityType', 400);
  await h.expectCode(a.ecs.modifySecurityGroupRule(new EcsSdk.ModifySecurityGroupRuleRequest({
    regionId: h.REGION, securityGroupId: sg, securityGroupRuleId: 'sgr-nosuchrule0000000000', priority: '3',
  })), 'InvalidSecurityGroupRuleId.NotFound', 404);
});

test('NET-13: ModifySecurityGroupPolicy and ModifySecurityGroupAttribute', async () => {
  const a = await tenant('sg-policy');
  const vpc = await makeVpc(a);
  const sg = await makeSg(a, { vpcId: vpc });
  const ent = await makeSg(a, { vpcId: vpc, securityGroupType: 'enterprise' });
  await a.ecs.modifySecurityGroupPolicy(new EcsSdk.ModifySecurityGroupPolicyRequest({ regionId: h.REGION, securityGroupId: sg, innerAccessPolicy: 'drop' }));
  assert.equal((await attribute(a, sg)).innerAccessPolicy, 'Drop');
  assert.equal((await attribute(a, ent)).innerAccessPolicy, 'Drop', 'enterprise groups isolate members');
  await h.expectCode(a.ecs.modifySecurityGroupPolicy(new EcsSdk.ModifySecurityGroupPolicyRequest({ regionId: h.REGION, securityGroupId: ent, innerAccessPolicy: 'Accept' })),
    'InvalidOperation.NotSupportEnterpriseGroup', 400);
  await h.expectCode(a.ecs.modifySecurityGroupPolicy(new EcsSdk.ModifySecurityGroupPolicyRequest({ regionId: h.REGION, securityGroupId: sg, innerAccessPolicy: 'Open' })),
    'InvalidParameter', 400);
  await a.ecs1.modifySecurityGroupAttribute(new EcsSdk.ModifySecurityGroupAttributeRequest({
    regionId: h.REGION, securityGroupId: sg, securityGroupName: 'renamed', description: 'new words',
  }));
  const attr = await attribute(a, sg);
  assert.equal(attr.securityGroupName, 'renamed');
  assert.equal(attr.description, 'new words');
});

test('NET-25: group peers, DescribeSecurityGroupReferences, and DeleteSecurityGroup dependencies', async () => {
  const a = await tenant('sg-peers');
  const vpc = await makeVpc(a);
  const vpc2 = await makeVpc(a, '10.9.0.0/16');
  const web = await makeSg(a, { vpcId: vpc, securityGroupName: 'web' });
  const db = await makeSg(a, { vpcId: vpc, securityGroupName: 'db' });
  const far = await makeSg(a, { vpcId: vpc2 });
  await a.ecs.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: db, ipProtocol: 'tcp', portRange: '5432/5432', sourceGroupId: web,
  }));
  await h.expectCode(a.ecs.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: db, ipProtocol: 'tcp', portRange: '5432/5432', sourceGroupId: far,
  })), 'InvalidSourceGroupId.Mismatch', 400);
  await h.expectCode(a.ecs.authorizeSecurityGroupEgress(new EcsSdk.AuthorizeSecurityGroupEgressRequest({
    regionId: h.REGION, securityGroupId: db, ipProtocol: 'tcp', portRange: '1/2', destGroupId: 'sg-nosuchgroup00000000000',
  })), 'InvalidDestGroupId.NotFound', 404);
  const rule = (await attribute(a, db)).permissions.permission[0];
  assert.equal(rule.sourceGroupId, web);
  assert.equal(rule.sourceGroupName, 'web');
  assert.equal(rule.sourceCidrIp, '');

  const refs = await a.ecs.describeSecurityGroupReferences(new EcsSdk.DescribeSecurityGroupReferencesRequest({ regionId: h.REGION, securityGroupId: [web, db] }));
  const byId = Object.fromEntries(refs.body.securityGroupReferences.securityGroupReference.map((x) => [x.securityGroupId, x]));
  assert.deepEqual(plain(byId[web].referencingSecurityGroups.referencingSecurityGroup), [{ aliUid: String(a.key.AccountId), securityGroupId: db }]);
  assert.deepEqual(plain(byId[db].referencingSecurityGroups.referencingSecurityGroup), []);

  const del = (id) => a.ecs.deleteSecurityGroup(new EcsSdk.DeleteSecurityGroupRequest({ regionId: h.REGION, securityGroupId: id }));
  const e = await h.expectCode(del(web), 'DependencyViolation', 403);
  assert.match(e.data.Message, new RegExp(db));
  await a.ecs.revokeSecurityGroup(new EcsSdk.RevokeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: db, ipProtocol: 'tcp', portRange: '5432/5432', sourceGroupId: web,
  }));
  await del(web);
  await h.expectCode(del(web), 'InvalidSecurityGroupId.NotFound', 404);
  // A VPC with a group in it cannot be deleted.
  await h.waitFor(() => a.vpc.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: h.REGION, vpcId: vpc2 })),
    (r) => r.body.status === 'Available', 'VPC Available');
  await h.expectCode(a.vpc.deleteVpc(new VpcSdk.DeleteVpcRequest({ regionId: h.REGION, vpcId: vpc2 })), 'DependencyViolation.SecurityGroup');
  await del(far);
});

test('NET-22/NET-25: a group with member network interfaces cannot be deleted', async (t) => {
  const a = await tenant('sg-members');
  const vpc = await makeVpc(a);
  const sg = await makeSg(a, { vpcId: vpc });
  await h.waitFor(() => a.vpc.describeVpcAttribute(new VpcSdk.DescribeVpcAttributeRequest({ regionId: h.REGION, vpcId: vpc })),
    (r) => r.body.status === 'Available', 'VPC Available');
  const call = h.rpc(d, a.key, 'v3');
  let eni;
  try {
    const vsw = await call(h.V_VPC, 'CreateVSwitch', { RegionId: h.REGION, VpcId: vpc, ZoneId: h.ZONE_A, CidrBlock: '10.0.1.0/24' });
    await h.waitFor(() => call(h.V_VPC, 'DescribeVSwitchAttributes', { RegionId: h.REGION, VSwitchId: vsw.VSwitchId }),
      (r) => r.Status === 'Available', 'vSwitch Available');
    eni = await call(h.V_ECS, 'CreateNetworkInterface', { RegionId: h.REGION, VSwitchId: vsw.VSwitchId, SecurityGroupId: sg });
  } catch (e) {
    // vSwitches and ENIs are other areas' work, landing in parallel.
    if (e.code === 'InvalidApi.NotFound') return t.skip(`not implemented yet: ${e.message}`);
    throw e;
  }
  const g = (await a.ecs.describeSecurityGroups(new EcsSdk.DescribeSecurityGroupsRequest({ regionId: h.REGION, securityGroupId: sg }))).body.securityGroups.securityGroup[0];
  assert.equal(g.availableInstanceAmount, 1999, 'NET-22: the ENI holds one of the 2000 private IPs');
  const e = await h.expectCode(a.ecs.deleteSecurityGroup(new EcsSdk.DeleteSecurityGroupRequest({ regionId: h.REGION, securityGroupId: sg })), 'DependencyViolation', 403);
  assert.match(e.data.Message, new RegExp(eni.NetworkInterfaceId));
});

test('G-1: another account\'s group answers NotFound; classic groups authorize across accounts by owner', async () => {
  const a = await tenant('sg-alice');
  const b = await tenant('sg-bob');
  const gA = await makeSg(a, { securityGroupName: 'alice' });
  const gB = await makeSg(b, { securityGroupName: 'bob' });
  const notFound = 'InvalidSecurityGroupId.NotFound';
  await h.expectCode(attribute(b, gA), notFound, 404);
  await h.expectCode(b.ecs.deleteSecurityGroup(new EcsSdk.DeleteSecurityGroupRequest({ regionId: h.REGION, securityGroupId: gA })), notFound, 404);
  await h.expectCode(b.ecs1.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: gA, ipProtocol: 'all', portRange: '-1/-1', sourceCidrIp: '0.0.0.0/0',
  })), notFound, 404);
  await h.expectCode(b.ecs.modifySecurityGroupPolicy(new EcsSdk.ModifySecurityGroupPolicyRequest({ regionId: h.REGION, securityGroupId: gA, innerAccessPolicy: 'Drop' })), notFound, 404);
  await h.expectCode(b.ecs.describeSecurityGroupReferences(new EcsSdk.DescribeSecurityGroupReferencesRequest({ regionId: h.REGION, securityGroupId: [gA] })), notFound, 404);
  const listed = await b.ecs.describeSecurityGroups(new EcsSdk.DescribeSecurityGroupsRequest({ regionId: h.REGION, securityGroupIds: JSON.stringify([gA, gB]) }));
  assert.deepEqual(listed.body.securityGroups.securityGroup.map((x) => x.securityGroupId), [gB]);

  // Naming A's group without its owner: it does not exist for B.
  await h.expectCode(b.ecs.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: gB, ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: gA,
  })), 'InvalidSourceGroupId.NotFound', 404);
  // With SourceGroupOwnerId (NET-13: classic, different accounts, through authorization).
  await b.ecs.authorizeSecurityGroup(new EcsSdk.AuthorizeSecurityGroupRequest({
    regionId: h.REGION, securityGroupId: gB,
    permissions: [perm({ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: gA, sourceGroupOwnerId: String(a.key.AccountId) })],
  }));
  const rule = (await attribute(b, gB)).permissions.permission[0];
  assert.equal(rule.sourceGroupId, gA);
  assert.equal(rule.sourceGroupOwnerAccount, 'sg-alice');
  assert.equal(rule.sourceGroupName, '', 'another account\'s group name is not shown');
  // A sees who references its group, and cannot delete it meanwhile.
  const refs = await a.ecs.describeSecurityGroupReferences(new EcsSdk.DescribeSecurityGroupReferencesRequest({ regionId: h.REGION, securityGroupId: [gA] }));
  assert.deepEqual(plain(refs.body.securityGroupReferences.securityGroupReference[0].referencingSecurityGroups.referencingSecurityGroup),
    [{ aliUid: String(b.key.AccountId), securityGroupId: gB }]);
  await h.expectCode(a.ecs.deleteSecurityGroup(new EcsSdk.DeleteSecurityGroupRequest({ regionId: h.REGION, securityGroupId: gA })), 'DependencyViolation', 403);
});

test('pop-core: raw wire shapes of DescribeSecurityGroups and DescribeSecurityGroupAttribute', async () => {
  const key = await h.newAccount(d, 'sg-pop');
  const call = h.rpc(d, key, 'pop-get');
  const post = h.rpc(d, key, 'pop-post');
  const c = await post(h.V_ECS, 'CreateSecurityGroup', { RegionId: h.REGION, SecurityGroupName: 'popgroup', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
  assert.match(c.SecurityGroupId, /^sg-/);
  await call(h.V_ECS, 'AuthorizeSecurityGroup', {
    RegionId: h.REGION, SecurityGroupId: c.SecurityGroupId,
    'Permissions.1.IpProtocol': 'TCP', 'Permissions.1.PortRange': '22/22', 'Permissions.1.SourceCidrIp': '0.0.0.0/0',
    'Permissions.1.Policy': 'accept', 'Permissions.1.Priority': '1',
  });
  const r = await call(h.V_ECS, 'DescribeSecurityGroups', { RegionId: h.REGION });
  assert.ok(Array.isArray(r.SecurityGroups.SecurityGroup), 'lists are JSON arrays');
  const g = r.SecurityGroups.SecurityGroup[0];
  assert.equal(g.RuleCount, 1);
  assert.equal(typeof g.EcsCount, 'number');
  assert.equal(typeof g.ServiceManaged, 'boolean');
  assert.equal(g.VpcId, '');
  assert.deepEqual(plain(g.Tags.Tag), [{ TagKey: 'k', TagValue: 'v' }]);
  assert.equal(r.TotalCount, 1);
  assert.equal(r.Code, undefined, 'no Code in a success body');
  const attr = await call(h.V_ECS, 'DescribeSecurityGroupAttribute', { RegionId: h.REGION, SecurityGroupId: c.SecurityGroupId });
  assert.equal(attr.Permissions.Permission[0].IpProtocol, 'TCP');
  assert.equal(attr.Permissions.Permission[0].Priority, 1, 'a JSON number, as the live cloud sends it');
  assert.equal(attr.InnerAccessPolicy, 'Accept');
  await assert.rejects(call(h.V_ECS, 'DeleteSecurityGroup', { RegionId: h.REGION, SecurityGroupId: 'sg-nosuchgroup0000000000' }),
    (e) => e.code === 'InvalidSecurityGroupId.NotFound');
  await call(h.V_ECS, 'DeleteSecurityGroup', { RegionId: h.REGION, SecurityGroupId: c.SecurityGroupId });
});
