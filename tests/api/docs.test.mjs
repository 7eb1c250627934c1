// docs/api.md stays true: every action the server dispatches (the rows of the
// api/act_*.c tables) appears in the coverage table as supported or partial,
// and every action the table calls supported is really dispatched (the
// server answers anything but InvalidApi.NotFound).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './lib/harness.mjs';

const versions = { API_VERSION_VPC: '2016-04-28', API_VERSION_ECS: '2014-05-26', API_VERSION_OPS: '2026-01-01' };

function dispatched() {
  const rows = [];
  for (const f of readdirSync(join(h.ROOT, 'api')).filter((n) => /^act_.*\.c$/.test(n))) {
    const src = readFileSync(join(h.ROOT, 'api', f), 'utf8');
    const before = rows.length;
    for (const m of src.matchAll(/\{\s*(API_VERSION_[A-Z]+|"[0-9-]+")\s*,\s*"([A-Za-z0-9]+)"\s*,/g)) {
      rows.push({ version: versions[m[1]] ?? m[1].replace(/"/g, ''), action: m[2] });
    }
    // A table this parser cannot read would escape the check: refuse it.
    const entries = (src.match(/^[ \t]*\{[^{}\n]*"[A-Z][A-Za-z0-9]+"\s*,\s*act_/gm) || []).length;
    assert.equal(rows.length - before, entries, `${f}: rows must read {API_VERSION_X, "Action", handler, flags}`);
  }
  return rows;
}

function documented() {
  const md = readFileSync(join(h.ROOT, 'docs', 'api.md'), 'utf8');
  const rows = [];
  for (const line of md.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5) continue;
    const action = cells[1].replace(/`/g, ''), version = cells[2].replace(/`/g, ''), status = cells[3].toLowerCase();
    if (/^[A-Z][A-Za-z0-9]+$/.test(action) && /^\d{4}-\d\d-\d\d$/.test(version)) rows.push({ action, version, status });
  }
  return rows;
}

let d;
before(async () => { d = await h.startDaemon(); });
after(async () => { await d?.stop(); });

test('every dispatched action is in docs/api.md as supported or partial', () => {
  const doc = documented();
  const missing = dispatched().filter((r) => !doc.some((x) => x.action === r.action && x.version === r.version && /^(supported|partial)/.test(x.status)));
  assert.deepEqual(missing, [], 'actions served but not documented as supported');
  assert.ok(dispatched().length >= 114, `only ${dispatched().length} actions dispatched`);
});

test('every action docs/api.md calls supported is dispatched by openvpcd', async () => {
  const call = h.rpc(d, d.operator, 'pop-get');
  const unknown = [];
  for (const r of documented().filter((x) => /^(supported|partial)/.test(x.status))) {
    try {
      await call(r.version, r.action, { RegionId: h.REGION, DryRun: true });
    } catch (e) {
      if (e.code === 'InvalidApi.NotFound') unknown.push(`${r.version} ${r.action}`);
    }
  }
  assert.deepEqual(unknown, [], 'documented as supported but not served');
});
