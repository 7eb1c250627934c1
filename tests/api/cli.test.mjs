// The openvpc CLI end to end: the real binary (<build>/cli/openvpc, build
// from $OPENVPC_BUILD or build/) against a real openvpcd, with its config
// file in a temporary directory (OPENVPC_CONFIG, HOME).  It configures the
// operator profile from the daemon's operator.json, creates a tenant with
// --save-profile, then drives every command group the daemon serves and
// checks what a script would rely on: ids printed alone on stdout, tables
// that contain them, --json bodies, "Error: <Code>" on stderr with exit 1,
// exit 2 for usage errors and exit 3 when the daemon cannot be reached.
//
//   node:test ──spawnSync──> openvpc ──GET /?...&Signature=──> openvpcd (127.0.0.1:random)
//                 │                                               │
//                 └── $TMP/cfg/config (profiles default, demo)    └── data dir (operator.json)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as h from './lib/harness.mjs';

const BIN = join(h.BUILD, 'cli', 'openvpc');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A clean environment: none of the caller's OPENVPC_* / ALIBABA_CLOUD_* leak in.
function cliEnv(home, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('OPENVPC_') && !k.startsWith('ALIBABA_CLOUD_')) env[k] = v;
  return { ...env, HOME: home, OPENVPC_CONFIG: join(home, 'cfg', 'config'), ...extra };
}

function makeCli(home) {
  const cli = (args, extraEnv = {}) => {
    const r = spawnSync(BIN, args, { env: cliEnv(home, extraEnv), encoding: 'utf8', timeout: 60000 });
    if (r.error) throw r.error;
    return { status: r.status, out: r.stdout, err: r.stderr };
  };
  // Runs and insists on success; returns stdout.
  cli.ok = (args, extraEnv) => {
    const r = cli(args, extraEnv);
    assert.equal(r.status, 0, `openvpc ${args.join(' ')} failed (${r.status}):\n${r.err}${r.out}`);
    return r.out;
  };
  cli.json = (args, extraEnv) => JSON.parse(cli.ok(['--json', ...args], extraEnv));
  // Polls a --json command until pred(body) holds.
  cli.until = async (args, pred, what) => {
    let last;
    for (let i = 0; i < 200; i++) {
      last = cli.json(args);
      if (pred(last)) return last;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
  };
  return cli;
}

// One created id alone on one line, as `x=$(openvpc ... create)` needs.
function oneId(out, prefix) {
  assert.match(out, new RegExp(`^${prefix}-[0-9a-z]+\\n$`), `not a lone ${prefix} id: ${JSON.stringify(out)}`);
  return out.trim();
}

// The key pair the CLI saved in a profile of the config file.
function profileKey(home, name) {
  const text = readFileSync(join(home, 'cfg', 'config'), 'utf8');
  const sec = text.split(/^\[/m).find((s) => s.startsWith(`profile ${name}]`));
  assert.ok(sec, `no profile ${name} in:\n${text}`);
  return {
    AccessKeyId: sec.match(/^access_key_id = (\S+)$/m)[1],
    AccessKeySecret: sec.match(/^access_key_secret = (\S+)$/m)[1],
  };
}

// The row of a table whose first cell is `id`.
function row(table, id) {
  return table.split('\n').find((l) => l.split(/\s+/)[0] === id);
}

test('openvpc CLI against a real openvpcd', async (t) => {
  const d = await h.startDaemon();
  const home = mkdtempSync(join(tmpdir(), 'openvpc-cli-'));
  const cli = makeCli(home);
  try {
    await t.test('configure from the operator file', () => {
      const out = cli.ok(['configure', '--endpoint', d.endpoint, '--from-operator-file', join(d.dir, 'operator.json')]);
      assert.match(out, /Saved profile "default"/);
      const cfg = join(home, 'cfg', 'config');
      assert.equal(statSync(cfg).mode & 0o777, 0o600);
      assert.equal(statSync(join(home, 'cfg')).mode & 0o777, 0o700);
      const text = readFileSync(cfg, 'utf8');
      assert.match(text, /\[profile default\]/);
      assert.match(text, new RegExp(`access_key_id = ${d.operator.AccessKeyId}`));
      assert.match(cli.ok(['configure', 'list']), new RegExp(`default\\s+${d.endpoint.replace(/\./g, '\\.')}`));
    });

    let accountId;
    await t.test('account create --save-profile', () => {
      const r = cli(['account', 'create', '--account-name', 'demo', '--save-profile', 'demo']);
      assert.equal(r.status, 0, r.err);
      assert.match(r.out, /^AccountId:\s+\d+$/m);
      assert.match(r.out, /^AccessKeySecret:\s+\S+$/m);
      assert.match(r.err, /saved the key pair as profile "demo"/);
      accountId = r.out.match(/^AccountId:\s+(\d+)$/m)[1];
      const text = readFileSync(join(home, 'cfg', 'config'), 'utf8');
      assert.match(text, /\[profile demo\]\nendpoint = .*\nregion = cn-hangzhou\naccess_key_id = \S+\naccess_key_secret = \S+/);
      const accounts = cli.ok(['account', 'list']);
      assert.ok(row(accounts, accountId), accounts);
    });

    // From here on the tenant works through its own profile.
    const demo = (args) => ['--profile', 'demo', ...args];
    let vpc;
    await t.test('vpc create prints the id alone; list and show find it', async () => {
      vpc = oneId(cli.ok(demo(['vpc', 'create', '--cidr-block', '10.0.0.0/16', '--name', 'web', '--tag', 'env=prod'])), 'vpc');
      const table = cli.ok(demo(['vpc', 'list']));
      assert.match(table.split('\n')[0], /^ID\s+NAME\s+CIDR/);
      assert.match(row(table, vpc), /\sweb\s+10\.0\.0\.0\/16\s/);
      const body = cli.json(demo(['vpc', 'show', vpc]));
      assert.equal(body.VpcId, vpc);
      assert.equal(body.CidrBlock, '10.0.0.0/16');
      assert.deepEqual(body.Tags.Tag, [{ Key: 'env', Value: 'prod' }]);
      assert.match(cli.ok(demo(['vpc', 'show', vpc])), /^VpcName:\s+web$/m);
      await cli.until(demo(['vpc', 'show', vpc]), (b) => b.Status === 'Available', 'VPC Available');
      cli.ok(demo(['vpc', 'modify', vpc, '--description', 'the web tier']));
      assert.equal(cli.json(demo(['vpc', 'show', vpc])).Description, 'the web tier');
    });

    await t.test('an API error: exit 1, Error: <Code> on stderr', () => {
      const r = cli(demo(['vpc', 'delete', 'vpc-doesnotexist00000000']));
      assert.equal(r.status, 1);
      assert.equal(r.out, '');
      assert.match(r.err, /^Error: InvalidVpcId\.NotFound: /m);
      assert.match(r.err, /^RequestId: [0-9A-F-]{36}$/m);
    });

    await t.test('quota set and list', () => {
      cli.ok(['quota', 'set', accountId, '--quota-name', 'vpc', '--value', '80']);
      const mine = cli.ok(demo(['quota', 'list']));
      assert.match(row(mine, 'vpc'), /^vpc\s+80\s+10$/);
      const theirs = cli.ok(['quota', 'list', accountId]);
      assert.match(row(theirs, 'vpc'), /^vpc\s+80\s+10$/);
      // A tenant is not an operator.
      const r = cli(demo(['quota', 'set', accountId, '--quota-name', 'vpc', '--value', '90']));
      assert.equal(r.status, 1);
      assert.match(r.err, /^Error: Forbidden/m);
    });

    await t.test('lists fetch every page', async () => {
      const call = h.rpc(d, profileKey(home, 'demo'));
      for (let i = 0; i < 54; i++) await call(h.V_VPC, 'CreateVpc', { RegionId: h.REGION, CidrBlock: '172.16.0.0/12' });
      const body = cli.json(demo(['vpc', 'list']));
      assert.equal(body.TotalCount, 55);
      assert.equal(body.Vpcs.Vpc.length, 55);
      assert.equal(new Set(body.Vpcs.Vpc.map((v) => v.VpcId)).size, 55);
      const lines = cli.ok(demo(['vpc', 'list'])).trimEnd().split('\n');
      assert.equal(lines.length, 56);
      // Paging by hand is left alone.
      assert.equal(cli.json(demo(['vpc', 'list', '--page-size', '5', '--page-number', '2'])).Vpcs.Vpc.length, 5);
      assert.equal(cli.json(demo(['vpc', 'list', '--vpc-id', vpc])).Vpcs.Vpc.length, 1);
    });

    await t.test('region, zone, instance-type', () => {
      assert.ok(row(cli.ok(demo(['region', 'list'])), h.REGION));
      assert.ok(row(cli.ok(demo(['zone', 'list'])), h.ZONE_A));
      assert.match(cli.ok(demo(['instance-type', 'list'])), /^TYPE\s+FAMILY\s+CPU/);
    });

    let vsw, sg, inst, rt;
    await t.test('vswitch, route-table, route', async () => {
      vsw = oneId(cli.ok(demo(['vswitch', 'create', '--vpc-id', vpc, '--zone-id', h.ZONE_A, '--cidr-block', '10.0.1.0/24', '--name', 'a'])), 'vsw');
      await cli.until(demo(['vswitch', 'show', vsw]), (b) => b.Status === 'Available', 'vSwitch Available');
      assert.match(row(cli.ok(demo(['vswitch', 'list', '--vpc-id', vpc])), vsw), /\sa\s.*10\.0\.1\.0\/24/);
      cli.ok(demo(['vswitch', 'modify', vsw, '--name', 'b']));
      assert.equal(cli.json(demo(['vswitch', 'show', vsw])).VSwitchName, 'b');
      const tables = cli.json(demo(['route-table', 'list', '--vpc-id', vpc])).RouterTableList.RouterTableListType;
      assert.equal(tables.length, 1);
      rt = tables[0].RouteTableId;
      assert.ok(row(cli.ok(demo(['route-table', 'list', '--vpc-id', vpc])), rt));
      assert.match(cli.ok(demo(['route', 'list', '--route-table-id', rt])), /10\.0\.1\.0\/24/);
    });

    await t.test('sg create, authorize, show, list', () => {
      sg = oneId(cli.ok(demo(['sg', 'create', '--vpc-id', vpc, '--name', 'web'])), 'sg');
      cli.ok(demo(['sg', 'authorize', sg, '--ip-protocol', 'tcp', '--port-range', '22/22', '--source-cidr-ip', '0.0.0.0/0']));
      const show = cli.ok(demo(['sg', 'show', sg]));
      assert.match(show, /^SecurityGroupName:\s+web$/m);
      assert.match(show, /^Permissions:\n\s+RULE\s+DIRECTION/m);
      assert.match(show, /ingress\s+Accept\s+1\s+TCP\s+22\/22\s+0\.0\.0\.0\/0/);
      assert.ok(row(cli.ok(demo(['sg', 'list', '--vpc-id', vpc])), sg));
      const typo = cli(demo(['sg', 'authorize', sg, '--port-rnage', '22/22']));
      assert.equal(typo.status, 2);
      assert.match(typo.err, /Did you mean --port-range\?/);
    });

    await t.test('instance run, list, show, stop', async () => {
      const out = cli.ok(demo(['instance', 'run', '--vswitch-id', vsw, '--security-group-id', sg, '--instance-type', 'ecs.g6.large', '--amount', '2']));
      const ids = out.trim().split(' ');
      assert.equal(ids.length, 2, out);
      for (const id of ids) assert.match(id, /^i-[0-9a-z]+$/);
      inst = ids[0];
      assert.match(row(cli.ok(demo(['instance', 'list', '--vpc-id', vpc])), inst), new RegExp(`${vsw}\\s+10\\.0\\.1\\.\\d+`));
      await cli.until(demo(['instance', 'show', inst]), (b) => b.Instances.Instance[0].Status === 'Running', 'instance Running');
      assert.match(cli.ok(demo(['instance', 'show', inst])), new RegExp(`^InstanceId:\\s+${inst}$`, 'm'));
      const missing = cli(demo(['instance', 'show', 'i-doesnotexist']));
      assert.equal(missing.status, 1);
      assert.match(missing.err, /^Error: InvalidInstanceId\.NotFound/m);
      cli.ok(demo(['instance', 'stop', ids[1], '--force-stop', 'true']));
      await cli.until(demo(['instance', 'status', '--instance-id', ids[1]]),
        (b) => b.InstanceStatuses.InstanceStatus[0]?.Status === 'Stopped', 'instance Stopped');
    });

    await t.test('eni create, assign-ip, attach, list', async () => {
      const eni = oneId(cli.ok(demo(['eni', 'create', '--vswitch-id', vsw, '--security-group-id', sg, '--name', 'e1'])), 'eni');
      const ips = cli.ok(demo(['eni', 'assign-ip', eni, '--secondary-private-ip-address-count', '2'])).trim().split(' ');
      assert.equal(ips.length, 2);
      for (const ip of ips) assert.match(ip, /^10\.0\.1\.\d+$/);
      cli.ok(demo(['eni', 'attach', eni, '--instance-id', inst]));
      await cli.until(demo(['eni', 'show', eni]), (b) => b.Status === 'InUse', 'ENI InUse');
      assert.match(row(cli.ok(demo(['eni', 'list', '--instance-id', inst])), eni), new RegExp(`e1\\s+InUse\\s+Secondary\\s+${inst}`));
    });

    await t.test('eip allocate, associate, list', async () => {
      const eip = oneId(cli.ok(demo(['eip', 'allocate', '--bandwidth', '5'])), 'eip');
      cli.ok(demo(['eip', 'associate', eip, '--instance-id', inst]));
      await cli.until(demo(['eip', 'show', eip]), (b) => b.EipAddresses.EipAddress[0].Status === 'InUse', 'EIP InUse');
      assert.match(row(cli.ok(demo(['eip', 'list'])), eip), new RegExp(`InUse\\s+5\\s+${inst}`));
    });

    await t.test('ipv6gw and ipv6', async () => {
      cli.ok(demo(['vpc', 'modify', vpc, '--enable-ipv6', 'true']));
      await cli.until(demo(['vpc', 'show', vpc]), (b) => b.EnabledIpv6 === true, 'VPC IPv6');
      const gw = oneId(cli.ok(demo(['ipv6gw', 'create', '--vpc-id', vpc, '--name', 'gw'])), 'ipv6gw');
      assert.ok(row(cli.ok(demo(['ipv6gw', 'list', '--vpc-id', vpc])), gw));
      assert.equal(cli.json(demo(['ipv6gw', 'show', gw])).Ipv6GatewayId, gw);
      assert.match(cli.ok(demo(['ipv6', 'list', '--vpc-id', vpc])), /^ID\s+ADDRESS/);
    });

    await t.test('classiclink and migration lists', () => {
      assert.match(cli.ok(demo(['classiclink', 'list'])), /^INSTANCE\s+VPC/);
      assert.match(cli.ok(demo(['migration', 'list'])), /^EVENT\s+INSTANCE/);
    });

    await t.test('keys: create, disable, enable, delete', () => {
      const out = cli.ok(['key', 'create', accountId, '--save-profile', 'demo2']);
      const akid = out.match(/^AccessKeyId:\s+(\S+)$/m)[1];
      assert.ok(cli.json(['--profile', 'demo2', 'vpc', 'list']).Vpcs);
      cli.ok(['key', 'disable', akid]);
      const r = cli(['--profile', 'demo2', 'vpc', 'list']);
      assert.equal(r.status, 1);
      assert.match(r.err, /^Error: InvalidAccessKeyId\.Inactive/m);
      cli.ok(['key', 'enable', akid]);
      cli.ok(['--profile', 'demo2', 'vpc', 'list']);
      cli.ok(['key', 'delete', akid]);
      assert.equal(cli(['--profile', 'demo2', 'vpc', 'list']).status, 1);
    });

    await t.test('clock, rdns, traffic (operator)', () => {
      const before = cli.json(['clock', 'show']).Offset;
      assert.match(cli.ok(['clock', 'advance', '60']), new RegExp(`^Offset:\\s+${before + 60}$`, 'm'));
      assert.match(cli.ok(['rdns', 'list']), /^IP\s+NAME/);
      assert.match(cli.ok(['traffic', 'export']), /^instance_id,/);
    });

    await t.test('call any action', () => {
      const body = cli.json(demo(['call', h.V_VPC, 'DescribeVpcAttribute', `VpcId=${vpc}`]));
      assert.equal(body.VpcId, vpc);
      const out = cli.ok(demo(['call', h.V_VPC, 'DescribeVpcs', '--vpc-name', 'web']));
      assert.equal(JSON.parse(out).Vpcs.Vpc[0].VpcId, vpc);
    });

    await t.test('settings: flags and environment', () => {
      // Credentials from the environment (the aliyun CLI's names) beat the default profile.
      const key = profileKey(home, 'demo');
      const viaEnv = cli(['vpc', 'show', vpc], { ALIBABA_CLOUD_ACCESS_KEY_ID: key.AccessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.AccessKeySecret });
      assert.equal(viaEnv.status, 0, viaEnv.err);
      // A wrong key on the command line beats both.
      const bad = cli(['--access-key-id', 'LTAInope', '--access-key-secret', 'x', 'vpc', 'list']);
      assert.equal(bad.status, 1);
      assert.match(bad.err, /^Error: InvalidAccessKeyId\.NotFound/m);
      // OPENVPC_ENDPOINT that goes nowhere: exit 3 and a clear message.
      const down = cli(['vpc', 'list'], { OPENVPC_ENDPOINT: '127.0.0.1:1' });
      assert.equal(down.status, 3);
      assert.match(down.err, /cannot reach openvpcd at http:\/\/127\.0\.0\.1:1/);
    });

    await t.test('usage errors exit 2 with a hint', () => {
      let r = cli(['vcp', 'list']);
      assert.equal(r.status, 2);
      assert.match(r.err, /Did you mean 'vpc'\?/);
      r = cli(demo(['vpc', 'delete']));
      assert.equal(r.status, 2);
      assert.match(r.err, /needs VPC_ID/);
      r = cli(['--profile', 'ghost', 'vpc', 'list']);
      assert.equal(r.status, 2);
      assert.equal(cli(['help']).status, 0);
      assert.equal(cli(['vpc', 'create', '--help']).status, 0);
    });

    await t.test('cleanup through the CLI', async () => {
      // Everything was created Available: deleting the vSwitch needs its instances and ENIs gone,
      // so only the things without dependents are removed here.
      cli.ok(demo(['sg', 'revoke', sg, '--ip-protocol', 'tcp', '--port-range', '22/22', '--source-cidr-ip', '0.0.0.0/0']));
      assert.doesNotMatch(cli.ok(demo(['sg', 'show', sg])), /22\/22/);
      const spare = oneId(cli.ok(demo(['vpc', 'create', '--cidr', '192.168.0.0/16'])), 'vpc');
      await cli.until(demo(['vpc', 'show', spare]), (b) => b.Status === 'Available', 'spare VPC Available');
      cli.ok(demo(['vpc', 'delete', spare]));
      await cli.until(demo(['vpc', 'list', '--vpc-id', spare]), (b) => b.Vpcs.Vpc.length === 0, 'spare VPC gone');
    });
  } finally {
    await d.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
