// No lockout (issue 7): the operator cannot disable or delete its last
// active key, and the host can always mint a new operator key from the data
// directory (openvpcd --mint-operator-key, docs/operations.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './lib/harness.mjs';

let d;
before(async () => { d = await h.startDaemon(); });
after(async () => { await d?.stop(); });

const ops = (key) => h.rpc(d, key, 'pop-get');

test('the last active operator key can be neither disabled nor deleted', async () => {
  const op = ops(d.operator);
  const me = d.operator.AccessKeyId;
  await h.expectCode(op(h.V_OPS, 'UpdateAccessKey', { UserAccessKeyId: me, Status: 'Inactive' }), 'OperationDenied.LastOperatorKey', 400);
  await h.expectCode(op(h.V_OPS, 'DeleteAccessKey', { UserAccessKeyId: me }), 'OperationDenied.LastOperatorKey', 400);
  // Still works.
  await op(h.V_OPS, 'DescribeAccounts', {});
  // With a second key, the first may go; then the second is the last.
  const second = await op(h.V_OPS, 'CreateAccessKey', { AccountId: d.operator.AccountId });
  const k2 = { AccessKeyId: second.AccessKeyId, AccessKeySecret: second.AccessKeySecret };
  await op(h.V_OPS, 'UpdateAccessKey', { UserAccessKeyId: me, Status: 'Inactive' });
  const op2 = ops(k2);
  await h.expectCode(op2(h.V_OPS, 'UpdateAccessKey', { UserAccessKeyId: k2.AccessKeyId, Status: 'Inactive' }), 'OperationDenied.LastOperatorKey', 400);
  await h.expectCode(op2(h.V_OPS, 'DeleteAccessKey', { UserAccessKeyId: k2.AccessKeyId }), 'OperationDenied.LastOperatorKey', 400);
  // An inactive key can be deleted (it is not what keeps the operator in).
  await op2(h.V_OPS, 'DeleteAccessKey', { UserAccessKeyId: me });
  d.operator = { ...k2, AccountId: d.operator.AccountId };
  // Tenants' keys are theirs to lose: the operator can always make more.
  const t = await h.newAccount(d, 'tenant');
  await op2(h.V_OPS, 'UpdateAccessKey', { UserAccessKeyId: t.AccessKeyId, Status: 'Inactive' });
  await op2(h.V_OPS, 'DeleteAccessKey', { UserAccessKeyId: t.AccessKeyId });
});

test('openvpcd --mint-operator-key recovers operator access from the data directory', async () => {
  const bin = join(h.BUILD, 'daemon', 'openvpcd');
  // While openvpcd runs (an ordinary SQLite transaction beside it).
  const out = execFileSync(bin, ['--data-dir', d.dir, '--mint-operator-key'], { encoding: 'utf8' });
  assert.match(out, /AccessKeyId\s+LTAI/);
  const minted = JSON.parse(readFileSync(join(d.dir, 'operator.json'), 'utf8'));
  assert.equal(String(minted.AccountId), String(d.operator.AccountId));
  const r = await ops(minted)(h.V_OPS, 'DescribeAccounts', {});
  assert.ok(r.Accounts ?? r);
  // The new key is an operator key: the old one may now be disabled.
  await ops(minted)(h.V_OPS, 'UpdateAccessKey', { UserAccessKeyId: d.operator.AccessKeyId, Status: 'Inactive' });
  await h.expectCode(ops(minted)(h.V_OPS, 'UpdateAccessKey', { UserAccessKeyId: minted.AccessKeyId, Status: 'Inactive' }), 'OperationDenied.LastOperatorKey', 400);
});
