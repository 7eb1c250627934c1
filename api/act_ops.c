/*
 * act_ops: openvpc's own operator actions (Version 2026-01-01): accounts and
 * their AccessKey pairs, quotas, arrears, the classic-network switch of a
 * region (NET-2), reverse DNS (NET-30), and the test clock.  They are signed
 * and answered exactly like the cloud's actions, so any RPC client (the
 * openvpc CLI, pop-core) can drive them.  All but DescribeQuotas and
 * DescribeClock need an operator key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/server-private.h"
#include "model/account.h"
#include "model/clock.h"
#include "model/rdns.h"
#include "model/region.h"

static int ops_account_id(struct api_req *r, const char *k, uint64_t *out)
{
	int64_t v;
	if (arg_int(r, k, 0, 1, INT64_MAX, &v) < 0)
		return -1;
	if (v == 0)
		return merrf(r->m, MERR_MISSING_PARAMETER,
			     "The input parameter \"%s\" that is mandatory for processing this "
			     "request is not supplied.",
			     k);
	*out = (uint64_t)v;
	return 0;
}

static void ops_render_key(struct api_req *r, uint64_t owner, const struct account_key *key)
{
	jo_int(r->out, "AccountId", (int64_t)owner);
	jo_str(r->out, "AccessKeyId", key->akid);
	jo_str(r->out, "AccessKeySecret", key->secret);
}

static int act_create_account(struct api_req *r)
{
	const char *name;
	bool admin;
	if (arg_need(r, "AccountName", &name) < 0 || arg_bool(r, "Operator", false, &admin) < 0)
		return -1;
	uint64_t owner = 0;
	struct account_key key;
	if (account_create(r->m, name, admin, &owner, &key) < 0)
		return -1;
	ops_render_key(r, owner, &key);
	return 0;
}

static int act_create_access_key(struct api_req *r)
{
	uint64_t owner = 0;
	struct account_key key;
	if (ops_account_id(r, "AccountId", &owner) < 0 || account_add_key(r->m, owner, &key) < 0)
		return -1;
	ops_render_key(r, owner, &key);
	return 0;
}

/* The key acted on is UserAccessKeyId (as in the cloud's RAM API):
 * AccessKeyId is the caller's own key in a V1-signed request. */
static int act_delete_access_key(struct api_req *r)
{
	const char *akid;
	if (arg_need(r, "UserAccessKeyId", &akid) < 0)
		return -1;
	return account_del_key(r->m, akid);
}

static int act_update_access_key(struct api_req *r)
{
	const char *akid, *status;
	static const char *const st[] = {"Active", "Inactive", NULL};
	if (arg_need(r, "UserAccessKeyId", &akid) < 0 || arg_need(r, "Status", &status) < 0 ||
	    arg_enum(r, "Status", st, false, NULL, &status) < 0)
		return -1;
	return account_set_key_active(r->m, akid, strcmp(status, "Active") == 0);
}

static int act_describe_accounts(struct api_req *r)
{
	json_t *all = account_list(r->m);
	if (!all)
		return -1;
	json_t *arr = jo_wrap(r->out, "Accounts", "Account");
	size_t i;
	json_t *a;
	json_array_foreach(all, i, a)
	{
		json_t *e = json_object();
		jo_int(e, "AccountId", mj_int(a, "id"));
		jo_str(e, "AccountName", mj_str(a, "name"));
		jo_bool(e, "Operator", mj_bool(a, "admin"));
		jo_bool(e, "InArrears", mj_bool(a, "in_arrears"));
		json_t *keys = jo_wrap(e, "AccessKeys", "AccessKey");
		size_t j;
		json_t *k;
		json_array_foreach(json_object_get(a, "keys"), j, k)
		{
			json_t *ke = json_object();
			jo_str(ke, "AccessKeyId", mj_str(k, "akid"));
			jo_str(ke, "Status", mj_bool(k, "active") ? "Active" : "Inactive");
			json_array_append_new(keys, ke);
		}
		json_array_append_new(arr, e);
	}
	jo_int(r->out, "TotalCount", (int64_t)json_array_size(all));
	json_decref(all);
	return 0;
}

static int act_set_quota(struct api_req *r)
{
	uint64_t owner = 0;
	const char *name;
	int64_t value;
	if (ops_account_id(r, "AccountId", &owner) < 0 || arg_need(r, "QuotaName", &name) < 0 ||
	    arg_int(r, "Value", -2, -1, INT32_MAX, &value) < 0)
		return -1;
	if (value == -2)
		return merrf(r->m, MERR_MISSING_PARAMETER,
			     "The input parameter \"Value\" that is mandatory for processing this "
			     "request is not supplied (-1 restores the default).");
	return account_set_quota(r->m, owner, name, value);
}

static int act_describe_quotas(struct api_req *r)
{
	uint64_t owner = r->m->caller;
	if (arg_opt(r, "AccountId")) {
		if (ops_account_id(r, "AccountId", &owner) < 0)
			return -1;
		if (owner != r->m->caller && !r->m->admin)
			return merrf(r->m, MERR_FORBIDDEN, "Only an operator sees other accounts.");
	}
	json_t *acct = account_get(r->m, owner);
	if (!acct)
		return merr(r->m, MERR_ACCOUNT_NOT_FOUND);
	json_decref(acct);
	json_t *arr = jo_wrap(r->out, "Quotas", "Quota");
	for (int q = 0; q < MODEL_QUOTA__COUNT; q++) {
		json_t *e = json_object();
		jo_str(e, "QuotaName", model_quota_name((enum model_quota)q));
		jo_int(e, "Value", m_quota_of(r->m, owner, (enum model_quota)q));
		jo_int(e, "Default", r->m->cfg->quota_default[q]);
		json_array_append_new(arr, e);
	}
	jo_int(r->out, "AccountId", (int64_t)owner);
	return 0;
}

static int act_set_arrears(struct api_req *r)
{
	uint64_t owner = 0;
	bool v;
	if (ops_account_id(r, "AccountId", &owner) < 0 || arg_bool(r, "InArrears", false, &v) < 0)
		return -1;
	return account_set_arrears(r->m, owner, v);
}

static int act_set_classic_offered(struct api_req *r)
{
	bool v;
	if (!arg_opt(r, "Offered"))
		return merrf(r->m, MERR_MISSING_PARAMETER,
			     "The input parameter \"Offered\" that is mandatory for processing "
			     "this request is not supplied.");
	if (arg_bool(r, "Offered", true, &v) < 0)
		return -1;
	return region_set_classic_offered(r->m, r->m->region, v);
}

static int act_set_reverse_dns(struct api_req *r)
{
	const char *ip;
	if (arg_need(r, "IpAddress", &ip) < 0)
		return -1;
	return rdns_set(r->m, ip, arg_opt(r, "DomainName"));
}

static int act_describe_reverse_dns(struct api_req *r)
{
	json_t *all = rdns_list(r->m);
	if (!all)
		return -1;
	json_t *arr = jo_wrap(r->out, "ReverseDnsEntries", "ReverseDnsEntry");
	size_t i;
	json_t *e;
	json_array_foreach(all, i, e)
	{
		json_t *o = json_object();
		jo_str(o, "IpAddress", mj_str(e, "ip"));
		jo_str(o, "DomainName", mj_str(e, "name"));
		jo_str(o, "InstanceId", mj_str(e, "holder"));
		json_array_append_new(arr, o);
	}
	json_decref(all);
	return 0;
}

static int act_set_clock(struct api_req *r)
{
	int64_t off, adv;
	if (!r->srv->opts.test_clock)
		return merr(r->m, MERR_CLOCK_FIXED);
	int64_t cur = model_clock_offset(r->m->txn);
	if (arg_int(r, "Offset", INT64_MIN, -(1ll << 40), 1ll << 40, &off) < 0 ||
	    arg_int(r, "Advance", 0, -(1ll << 40), 1ll << 40, &adv) < 0)
		return -1;
	int64_t next = (off != INT64_MIN ? off : cur) + adv;
	if (model_clock_set_offset(r->m, next) < 0)
		return -1;
	jo_int(r->out, "Offset", next);
	jo_time(r->out, "Now", r->m->now - cur + next, false);
	return 0;
}

static int act_describe_clock(struct api_req *r)
{
	jo_int(r->out, "Offset", model_clock_offset(r->m->txn));
	jo_time(r->out, "Now", r->m->now, false);
	jo_int(r->out, "NowUnix", r->m->now);
	return 0;
}

const struct api_action api_actions_ops[] = {
    {API_VERSION_OPS, "CreateAccount", act_create_account, API_WRITE | API_ADMIN},
    {API_VERSION_OPS, "DescribeAccounts", act_describe_accounts, API_ADMIN},
    {API_VERSION_OPS, "CreateAccessKey", act_create_access_key, API_WRITE | API_ADMIN},
    {API_VERSION_OPS, "DeleteAccessKey", act_delete_access_key, API_WRITE | API_ADMIN},
    {API_VERSION_OPS, "UpdateAccessKey", act_update_access_key, API_WRITE | API_ADMIN},
    {API_VERSION_OPS, "SetQuota", act_set_quota, API_WRITE | API_ADMIN},
    {API_VERSION_OPS, "DescribeQuotas", act_describe_quotas, 0},
    {API_VERSION_OPS, "SetAccountArrears", act_set_arrears, API_WRITE | API_ADMIN},
    {API_VERSION_OPS, "SetClassicNetworkOffered", act_set_classic_offered,
     API_WRITE | API_ADMIN | API_REGION},
    {API_VERSION_OPS, "SetReverseDns", act_set_reverse_dns, API_WRITE | API_ADMIN | API_REGION},
    {API_VERSION_OPS, "DescribeReverseDns", act_describe_reverse_dns, API_ADMIN | API_REGION},
    {API_VERSION_OPS, "SetClock", act_set_clock, API_WRITE | API_ADMIN},
    {API_VERSION_OPS, "DescribeClock", act_describe_clock, 0},
    {0},
};
