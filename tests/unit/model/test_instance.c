/*
 * Model tests of instances as the network sees them: network types and the
 * classic switch (NET-1, NET-2), private and public addresses (NET-3..NET-6,
 * NET-9, NET-10), public IP change and conversion (NET-11, NET-12), type
 * rules (NET-14, NET-15, NET-20, NET-24), bandwidth (NET-28), traffic
 * export (NET-29), tenancy (G-1) and the asynchronous life cycle (G-6).
 *
 * Every test builds the same world (make_world): VPC A 10.0.0.0/16 with
 * IPv6 and vSwitches a1 (zone a, 10.0.1.0/24, IPv6), b (zone b,
 * 10.0.2.0/24) and a2 (zone a, 10.0.3.0/24, no IPv6); VPC B 10.0.0.0/16
 * (the same CIDR, NET-1) with vSwitch b1 (zone a, 10.0.1.0/24); a group in
 * each VPC and a classic group.
 */
#include <time.h>

#include "fixture.h"
#include "model/eip.h"
#include "model/eni.h"
#include "model/instance.h"
#include "model/pubip.h"
#include "model/region.h"
#include "model/schedule.h"
#include "model/secgroup.h"
#include "model/traffic.h"
#include "model/vpc.h"
#include "model/vswitch.h"

TestSuite(instance, .init = fx_setup, .fini = fx_teardown);

/* expect() below binds its own `m` for the call it checks, on purpose, so
 * that a test reads like the sequence of calls it makes. */
#pragma GCC diagnostic ignored "-Wshadow"

#define ID_LEN RANDID_MAX
#define ZONE_A "cn-hangzhou-a"
#define ZONE_B "cn-hangzhou-b"
#define HOUR 3600

struct world {
	char vpc[ID_LEN], vsw_a1[ID_LEN], vsw_b[ID_LEN], vsw_a2[ID_LEN];
	char vpc2[ID_LEN], vsw2[ID_LEN];
	char sg[ID_LEN], sg2[ID_LEN], sg_classic[ID_LEN];
};

static struct world w;

static void copy_id(char *dst, const json_t *o)
{
	snprintf(dst, ID_LEN, "%s", mj_str(o, "id"));
}

static void mk_vpc(char *out)
{
	struct model *m = fx_begin(&fx);
	struct vpc_create_req q = {.cidr = "10.0.0.0/16", .enable_ipv6 = true};
	json_t *v = NULL;
	cr_assert_eq(vpc_create(m, &q, &v), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, v);
	json_decref(v);
}

static void mk_vsw(const char *vpc, const char *zone, const char *cidr, int v6idx, char *out)
{
	struct model *m = fx_begin(&fx);
	struct vswitch_create_req q = {
	    .vpc_id = vpc, .zone_id = zone, .cidr = cidr, .ipv6_index = v6idx};
	json_t *v = NULL;
	cr_assert_eq(vswitch_create(m, &q, &v), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, v);
	json_decref(v);
}

static void mk_sg(const char *vpc, char *out)
{
	struct model *m = fx_begin(&fx);
	struct sg_create_req q = {.vpc_id = vpc};
	json_t *g = NULL;
	cr_assert_eq(sg_create(m, &q, &g), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, g);
	json_decref(g);
}

static void make_world(void)
{
	memset(&w, 0, sizeof(w));
	mk_vpc(w.vpc);
	mk_vpc(w.vpc2);
	fx_settle_all(&fx);
	mk_vsw(w.vpc, ZONE_A, "10.0.1.0/24", 0, w.vsw_a1);
	mk_vsw(w.vpc, ZONE_B, "10.0.2.0/24", 1, w.vsw_b);
	mk_vsw(w.vpc, ZONE_A, "10.0.3.0/24", -1, w.vsw_a2);
	mk_vsw(w.vpc2, ZONE_A, "10.0.1.0/24", -1, w.vsw2);
	mk_sg(w.vpc, w.sg);
	mk_sg(w.vpc2, w.sg2);
	mk_sg(NULL, w.sg_classic);
	fx_settle_all(&fx);
}

/* --- helpers ------------------------------------------------------------------ */

struct opts {
	const char *vsw; /* NULL with classic = true: classic */
	bool classic;
	const char *zone, *sg, *ip, *inner, *itype, *charge, *ichg, *name, *host;
	int64_t bw, bw_in, period, v6, queues, amount;
	size_t nics;
	const char *nic_vsw;
	bool stopped; /* CreateInstance: ends Stopped */
	bool create;  /* CreateInstance: the NatPublicIp is deferred (NET-5) */
};

/* Creates instances; 0 and the first id in id (may be NULL), or -1 with
 * the error left in fx.m (the transaction aborted). */
static int try_run(struct opts o, char *id)
{
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {o.sg ? o.sg : (o.classic ? w.sg_classic : w.sg)};
	struct instance_nic_req nics[4] = {{0}};
	for (size_t i = 0; i < o.nics && i < 4; i++)
		nics[i].vswitch_id = o.nic_vsw;
	struct instance_create_req q = {
	    .zone_id = o.classic ? (o.zone ? o.zone : ZONE_A) : o.zone,
	    .vswitch_id = o.classic ? NULL : (o.vsw ? o.vsw : w.vsw_a1),
	    .private_ip = o.ip,
	    .inner_ip = o.inner,
	    .sg_ids = sgs,
	    .n_sg = 1,
	    .itype = o.itype ? o.itype : "ecs.g6.large",
	    .bw_out = o.bw,
	    .bw_in = o.bw_in,
	    .charge = o.charge,
	    .internet_charge = o.ichg,
	    .period = o.period,
	    .ipv6_count = o.v6,
	    .queue_number = o.queues,
	    .nics = nics,
	    .n_nics = o.nics,
	    .name = o.name,
	    .hostname = o.host,
	    .start = !o.stopped,
	    .defer_public_ip = o.create,
	};
	json_t *ids = NULL;
	int rc = instance_create(m, &q, o.amount ? o.amount : 1, &ids);
	if (rc == 0) {
		if (id)
			snprintf(id, ID_LEN, "%s", json_string_value(json_array_get(ids, 0)));
		fx_commit(&fx);
	} else {
		fx_abort(&fx);
	}
	json_decref(ids);
	return rc;
}

static void run(struct opts o, char *id)
{
	cr_assert_eq(try_run(o, id), 0, "%s: %s", merr_wire(fx.m.err.code),
		     merr_message(&fx.m.err));
}

/* Runs and settles: the instance is Running (or Stopped with o.stopped). */
static void run_ready(struct opts o, char *id)
{
	run(o, id);
	fx_settle_all(&fx);
}

static json_t *get(const char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *o = m_get(m, id);
	fx_abort(&fx);
	return o;
}

static const char *str_of(const char *id, const char *field, char *buf)
{
	json_t *o = get(id);
	snprintf(buf, 64, "%s", o ? mj_str(o, field) : "(gone)");
	json_decref(o);
	return buf;
}

#define assert_field(id, field, want)                                                              \
	do {                                                                                       \
		char b_[64];                                                                       \
		cr_assert_str_eq(str_of(id, field, b_), want, "%s.%s", id, field);                 \
	} while (0)

/* Runs f(m, ...) in a write transaction: commits on success; on failure
 * aborts and asserts the wire code (want NULL: success expected). */
#define expect(want, call)                                                                         \
	do {                                                                                       \
		struct model *m = fx_begin(&fx);                                                   \
		int rc_ = (call);                                                                  \
		if ((want) == NULL) {                                                              \
			cr_assert_eq(rc_, 0, "%s: %s", merr_wire(m->err.code),                     \
				     merr_message(&m->err));                                       \
			fx_commit(&fx);                                                            \
		} else {                                                                           \
			cr_assert_eq(rc_, -1, "expected %s, call succeeded",                       \
				     (const char *)(want));                                        \
			fx_assert_err(m, (const char *)(want));                                    \
			fx_abort(&fx);                                                             \
		}                                                                                  \
	} while (0)

static bool claimed(const char *scope, const char *ip, char *holder)
{
	struct netaddr a;
	cr_assert(netaddr_parse(ip, &a), "bad ip %s", ip);
	struct model *m = fx_begin(&fx);
	bool c = m_claimed(m, scope, &a, holder);
	fx_abort(&fx);
	return c;
}

static bool public_claimed(const char *ip, char *holder)
{
	return claimed("public/cn-hangzhou", ip, holder);
}

static int try_netspec(const char *id, int64_t bw_out, int64_t bw_in, const char *chg, bool alloc)
{
	struct model *m = fx_begin(&fx);
	struct instance_netspec_req q = {.id = id,
					 .bw_out = bw_out,
					 .bw_in = bw_in,
					 .internet_charge = chg,
					 .allocate_public_ip = alloc};
	int rc = instance_modify_netspec(m, &q);
	if (rc == 0)
		fx_commit(&fx);
	else
		fx_abort(&fx);
	return rc;
}

static void stop(const char *id)
{
	expect(NULL, instance_stop(m, id));
	fx_settle_all(&fx);
}

/* --- NET-1, NET-2: network types ---------------------------------------------------- */

Test(instance, g6_net1_vpc_instance_pending_then_running)
{
	make_world();
	char id[ID_LEN];
	run((struct opts){0}, id);
	assert_field(id, "status", "Pending"); /* G-6 */
	fx_settle_all(&fx);
	assert_field(id, "status", "Running");
	json_t *inst = get(id);
	cr_assert_str_eq(mj_str(inst, "network"), "vpc");
	cr_assert_str_eq(mj_str(inst, "vpc_id"), w.vpc);
	cr_assert_str_eq(mj_str(inst, "vswitch_id"), w.vsw_a1);
	cr_assert_str_eq(mj_str(inst, "parent"), w.vsw_a1);
	cr_assert_str_eq(mj_str(inst, "zone"), ZONE_A);
	cr_assert_str_eq(mj_str(inst, "public_ip"), "");
	/* NET-3: the primary ENI's primary IP is the instance's, from the vSwitch. */
	json_t *eni = get(mj_str(inst, "primary_eni"));
	cr_assert_not_null(eni);
	cr_assert_str_eq(mj_str(eni, "type"), "Primary");
	cr_assert_str_eq(mj_str(eni, "status"), "InUse");
	cr_assert_str_eq(mj_str(eni, "primary_ip"), mj_str(inst, "private_ip"));
	cr_assert_str_eq(mj_str(inst, "private_ip"), "10.0.1.1");
	json_decref(eni);
	json_decref(inst);
}

Test(instance, g6_create_instance_ends_stopped)
{
	make_world();
	char id[ID_LEN];
	run((struct opts){.stopped = true}, id);
	assert_field(id, "status", "Pending");
	fx_settle_all(&fx);
	assert_field(id, "status", "Stopped");
}

Test(instance, net1_private_ips_repeat_across_vpcs)
{
	make_world();
	char a[ID_LEN], b[ID_LEN];
	run((struct opts){.ip = "10.0.1.9"}, a);
	run((struct opts){.vsw = w.vsw2, .sg = w.sg2, .ip = "10.0.1.9"}, b);
	assert_field(a, "private_ip", "10.0.1.9");
	assert_field(b, "private_ip", "10.0.1.9");
	/* ...but are unique inside one VPC. */
	cr_assert_eq(try_run((struct opts){.ip = "10.0.1.9"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidPrivateIpAddress.Duplicated");
}

Test(instance, net1_classic_addresses_unique_in_the_whole_region)
{
	make_world();
	char a[ID_LEN], b[ID_LEN], c[ID_LEN];
	run_ready((struct opts){.classic = true}, a);
	fx_as(&fx, fx.other);
	char sg_other[ID_LEN];
	mk_sg(NULL, sg_other);
	run_ready((struct opts){.classic = true, .sg = sg_other, .zone = ZONE_B}, b);
	fx_as(&fx, fx.owner);
	run_ready((struct opts){.classic = true}, c);
	json_t *ia = get(a), *ic = get(c);
	cr_assert_str_eq(mj_str(ia, "network"), "classic");
	cr_assert_str_eq(mj_str(ia, "vpc_id"), "");
	cr_assert_str_eq(mj_str(ia, "private_ip"), "10.240.0.2"); /* .0 network, .1 gateway */
	/* The other account's instance took .3: the pool is one flat network. */
	cr_assert_str_eq(mj_str(ic, "private_ip"), "10.240.0.4");
	char holder[ID_LEN];
	cr_assert(claimed("classic/cn-hangzhou", "10.240.0.3", holder));
	cr_assert_str_eq(holder, b);
	cr_assert(json_is_array(json_object_get(ia, "security_group_ids")));
	cr_assert_str_eq(
	    json_string_value(json_array_get(json_object_get(ia, "security_group_ids"), 0)),
	    w.sg_classic);
	json_decref(ia);
	json_decref(ic);
}

Test(instance, net1_classic_inner_ip_given)
{
	make_world();
	char a[ID_LEN];
	run((struct opts){.classic = true, .inner = "10.240.7.7"}, a);
	assert_field(a, "private_ip", "10.240.7.7");
	static const struct {
		const char *ip, *code;
	} bad[] = {
	    {"10.240.7.7", "InvalidIPAddress.AlreadyUsed"},
	    {"10.240.7", "InvalidInnerIpAddress.Malformed"},
	    {"10.241.0.5", "InvalidInnerIpAddress.Unusable"},
	    {"10.240.0.0", "InvalidInnerIpAddress.Unusable"},	  /* network */
	    {"10.240.0.1", "InvalidInnerIpAddress.Unusable"},	  /* gateway */
	    {"10.240.255.255", "InvalidInnerIpAddress.Unusable"}, /* broadcast */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(try_run((struct opts){.classic = true, .inner = bad[i].ip}, NULL), -1,
			     "%s accepted", bad[i].ip);
		fx_assert_err(&fx.m, bad[i].code);
	}
	/* A classic group cannot serve a VPC instance, nor a VPC group a classic one. */
	cr_assert_eq(try_run((struct opts){.classic = true, .sg = w.sg}, NULL), -1);
	cr_assert_eq(try_run((struct opts){.sg = w.sg_classic}, NULL), -1);
	/* A classic instance needs a zone. */
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {w.sg_classic};
	struct instance_create_req q = {.sg_ids = sgs, .n_sg = 1, .itype = "ecs.g6.large"};
	cr_assert_eq(instance_create(m, &q, 1, NULL), -1);
	fx_assert_err(m, "MissingParameter");
	fx_abort(&fx);
}

Test(instance, net2_classic_refused_once_the_region_stops_offering_it)
{
	make_world();
	char old[ID_LEN], vpc_inst[ID_LEN];
	run_ready((struct opts){.classic = true, .bw = 5}, old);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(region_set_classic_offered(m, m->region, false), 0);
	fx_commit(&fx);
	cr_assert_eq(try_run((struct opts){.classic = true}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidVSwitchId.Necessary");
	cr_assert_eq(try_run((struct opts){.classic = true, .inner = "10.240.9.9"}, NULL), -1);
	fx_assert_err(&fx.m, "OperationDenied.InvalidNetworkType");
	/* Existing classic instances keep working; VPC instances are still made. */
	stop(old);
	assert_field(old, "status", "Stopped");
	expect(NULL, instance_start(m, old));
	fx_settle_all(&fx);
	assert_field(old, "status", "Running");
	cr_assert_eq(try_netspec(old, 10, -1, NULL, false), 0);
	run((struct opts){0}, vpc_inst);
}

/* --- NET-3, NET-4: private IPs ------------------------------------------------------------ */

Test(instance, net3_private_ip_given_or_allocated)
{
	make_world();
	char a[ID_LEN], b[ID_LEN];
	run((struct opts){.ip = "10.0.1.50"}, a);
	run((struct opts){0}, b);
	assert_field(a, "private_ip", "10.0.1.50");
	assert_field(b, "private_ip", "10.0.1.1");
	cr_assert_eq(try_run((struct opts){.ip = "10.0.2.5"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidPrivateIpAddress");
	cr_assert_eq(try_run((struct opts){.ip = "10.0.1.500"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidPrivateIpAddress.Malformed");
	/* InnerIpAddress is for classic instances. */
	cr_assert_eq(try_run((struct opts){.inner = "10.240.0.9"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidParameter");
}

Test(instance, net3_vswitch_zone_and_existence)
{
	make_world();
	char id[ID_LEN];
	cr_assert_eq(try_run((struct opts){.zone = ZONE_B}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidParameter.Mismatch");
	run((struct opts){.zone = ZONE_A}, id);
	assert_field(id, "zone", ZONE_A);
	run((struct opts){.vsw = w.vsw_b}, id);
	assert_field(id, "zone", ZONE_B);
	cr_assert_eq(try_run((struct opts){.vsw = "vsw-doesnotexist000000"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidVSwitchId.NotFound");
	cr_assert_eq(try_run((struct opts){.zone = "cn-hangzhou-z"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidZoneId.NotFound");
	/* A group of another VPC cannot be the instance's. */
	cr_assert_eq(try_run((struct opts){.sg = w.sg2}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidOperation.VpcMismatch");
}

Test(instance, net4_move_only_while_stopped_within_zone_and_vpc)
{
	make_world();
	char id[ID_LEN], cl[ID_LEN];
	run_ready((struct opts){.ip = "10.0.1.20"}, id);
	expect("IncorrectInstanceStatus", instance_modify_vpc(m, id, w.vsw_a2, NULL, NULL));
	stop(id);
	expect("InvalidVSwitchId.Mismatch", instance_modify_vpc(m, id, w.vsw_b, NULL, NULL));
	expect("InvalidVSwitchId.Mismatch", instance_modify_vpc(m, id, w.vsw2, NULL, NULL));
	expect("InvalidVSwitchId.Mismatch", instance_modify_vpc(m, id, w.vsw_a2, w.vpc2, NULL));
	/* Same vSwitch, new address. */
	expect(NULL, instance_modify_vpc(m, id, w.vsw_a1, w.vpc, "10.0.1.30"));
	assert_field(id, "private_ip", "10.0.1.30");
	char scope[MODEL_SCOPE_MAX];
	cr_assert_not(claimed(vpc_scope_v4(w.vpc, scope), "10.0.1.20", NULL), "old IP freed");
	/* Another vSwitch of the zone. */
	expect(NULL, instance_modify_vpc(m, id, w.vsw_a2, NULL, "10.0.3.7"));
	json_t *inst = get(id);
	cr_assert_str_eq(mj_str(inst, "vswitch_id"), w.vsw_a2);
	cr_assert_str_eq(mj_str(inst, "parent"), w.vsw_a2);
	cr_assert_str_eq(mj_str(inst, "private_ip"), "10.0.3.7");
	json_t *eni = get(mj_str(inst, "primary_eni"));
	cr_assert_str_eq(mj_str(eni, "primary_ip"), "10.0.3.7");
	cr_assert_str_eq(mj_str(eni, "vswitch_id"), w.vsw_a2);
	json_decref(eni);
	json_decref(inst);
	cr_assert_not(claimed(scope, "10.0.1.30", NULL));
	cr_assert(claimed(scope, "10.0.3.7", NULL));
	/* NET-9: a classic instance's internal IP never changes. */
	run_ready((struct opts){.classic = true, .stopped = true}, cl);
	expect("OperationDenied", instance_modify_vpc(m, cl, w.vsw_a1, NULL, NULL));
}

/* --- type rules: NET-14, NET-15, NET-20, NET-24 ----------------------------------------- */

Test(instance, net14_type_from_the_catalogue)
{
	make_world();
	cr_assert_eq(try_run((struct opts){.itype = "ecs.nosuch.large"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidInstanceType.ValueNotSupported");
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {w.sg};
	struct instance_create_req q = {.vswitch_id = w.vsw_a1, .sg_ids = sgs, .n_sg = 1};
	cr_assert_eq(instance_create(m, &q, 1, NULL), -1);
	fx_assert_err(m, "MissingParameter");
	q.itype = "ecs.g6.large";
	q.n_sg = 0;
	cr_assert_eq(instance_create(m, &q, 1, NULL), -1);
	fx_assert_err(m, "MissingParameter");
	fx_abort(&fx);
}

Test(instance, net14_net20_non_io_optimized_type_takes_no_secondary_eni)
{
	make_world();
	char id[ID_LEN];
	cr_assert_eq(try_run((struct opts){.itype = "ecs.s2.small", .nics = 1}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidInstanceType.ElasticNetworkInterfaceNotSupported");
	/* ecs.g6.large: 3 NICs including the primary. */
	cr_assert_eq(try_run((struct opts){.nics = 3}, NULL), -1);
	fx_assert_err(&fx.m, "EniPerInstanceLimitExceeded");
	cr_assert_eq(try_run((struct opts){.nics = 1, .nic_vsw = w.vsw_b}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidParam.NetworkInterface");
	cr_assert_eq(try_run((struct opts){.classic = true, .nics = 1}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidParam.NetworkInterface");
	run((struct opts){.nics = 2, .nic_vsw = w.vsw_a2}, id);
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	json_t *l = eni_list_for_instance(m, id);
	fx_abort(&fx);
	cr_assert_eq(json_array_size(l), 3);
	json_t *sec = json_array_get(l, 1);
	cr_assert_str_eq(mj_str(sec, "type"), "Secondary");
	cr_assert_str_eq(mj_str(sec, "status"), "InUse");
	cr_assert_str_eq(mj_str(sec, "vswitch_id"), w.vsw_a2);
	cr_assert_eq(mj_int(sec, "device_index"), 1);
	cr_assert_eq(mj_int(json_array_get(l, 2), "device_index"), 2);
	json_decref(l);
	/* A non-I/O-optimized type works with its primary NIC alone. */
	run((struct opts){.itype = "ecs.s2.small"}, id);
}

Test(instance, net24_queue_number_capped_by_the_type)
{
	make_world();
	char id[ID_LEN];
	cr_assert_eq(try_run((struct opts){.queues = 3}, NULL), -1); /* g6.large: 2 */
	fx_assert_err(&fx.m, "InvalidOperation.MaxEniQueueNumberExceeded");
	cr_assert_eq(try_run((struct opts){.queues = -1}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidParameter.InvalidEniQueueNumber");
	run((struct opts){.queues = 2}, id);
	json_t *inst = get(id);
	json_t *eni = get(mj_str(inst, "primary_eni"));
	cr_assert_eq(mj_int(eni, "queue_number"), 2);
	json_decref(eni);
	json_decref(inst);
	run((struct opts){.itype = "ecs.g7.4xlarge", .queues = 8}, id);
}

Test(instance, net15_ipv6_only_vpc_and_at_most_one)
{
	make_world();
	char id[ID_LEN];
	cr_assert_eq(try_run((struct opts){.classic = true, .v6 = 1}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidOperation.Ipv6NotSupport");
	cr_assert_eq(try_run((struct opts){.v6 = 2}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidOperation.Ipv6CountExceeded");
	cr_assert_eq(try_run((struct opts){.vsw = w.vsw_a2, .v6 = 1}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidVSwitch.Ipv6NotTurnOn");
	run((struct opts){.v6 = 1}, id);
	json_t *inst = get(id);
	json_t *eni = get(mj_str(inst, "primary_eni"));
	cr_assert_eq(json_array_size(json_object_get(eni, "ipv6s")), 1);
	json_decref(eni);
	json_decref(inst);
}

/* --- NET-28: bandwidth --------------------------------------------------------------------- */

Test(instance, net28_inbound_cap)
{
	cr_assert_eq(instance_bw_in_cap(0), 100);
	cr_assert_eq(instance_bw_in_cap(1), 100);
	cr_assert_eq(instance_bw_in_cap(99), 100);
	cr_assert_eq(instance_bw_in_cap(100), 100);
	cr_assert_eq(instance_bw_in_cap(150), 150);
	cr_assert_eq(instance_bw_in_cap(200), 200);
}

Test(instance, net28_bandwidth_limits)
{
	make_world();
	char a[ID_LEN], b[ID_LEN], c[ID_LEN];
	cr_assert_eq(try_run((struct opts){.bw = 201}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidInternetMaxBandwidthOut.Malformed");
	cr_assert_eq(try_run((struct opts){.bw = -1}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidInternetMaxBandwidthOut.Malformed");
	cr_assert_eq(try_run((struct opts){.bw = 10, .bw_in = 101}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidInternetMaxBandwidthIn.Malformed");
	run((struct opts){.bw = 10}, a);
	run((struct opts){.bw = 150}, b);
	run((struct opts){.bw = 10, .bw_in = 50}, c);
	json_t *ia = get(a), *ib = get(b), *ic = get(c);
	cr_assert_eq(mj_int(ia, "bw_out"), 10);
	cr_assert_eq(mj_int(ia, "bw_in"), 100);
	cr_assert_eq(mj_int(ib, "bw_in"), 150);
	cr_assert_eq(mj_int(ic, "bw_in"), 50);
	json_decref(ia);
	json_decref(ib);
	json_decref(ic);
	/* Raising out above 100 lifts the default inbound cap with it. */
	fx_settle_all(&fx);
	cr_assert_eq(try_netspec(a, 180, -1, NULL, false), 0);
	ia = get(a);
	cr_assert_eq(mj_int(ia, "bw_in"), 180);
	json_decref(ia);
	cr_assert_eq(try_netspec(a, 20, 120, NULL, false), -1);
	/* The operator may raise an account's outbound limit (a quota). */
	struct model *m = fx_begin(&fx);
	m->caller = 0;
	cr_assert_eq(account_set_quota(m, fx.owner, "public-bandwidth-out-mbps", 300), 0);
	fx_commit(&fx);
	run((struct opts){.bw = 300}, a);
}

/* --- charge types ---------------------------------------------------------------------------- */

Test(instance, charge_types_and_periods)
{
	make_world();
	char id[ID_LEN];
	cr_assert_eq(try_run((struct opts){.ichg = "PayByMood"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidInternetChargeType.ValueNotSupported");
	cr_assert_eq(try_run((struct opts){.charge = "Later"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidInstanceChargeType.NotFound");
	cr_assert_eq(try_run((struct opts){.charge = "PrePaid"}, NULL), -1);
	fx_assert_err(&fx.m, "MissingParameter");
	cr_assert_eq(try_run((struct opts){.charge = "PrePaid", .period = 10}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidPeriod");
	run((struct opts){.charge = "PrePaid", .period = 1}, id);
	json_t *inst = get(id);
	struct tm tm;
	time_t t = (time_t)fx.now;
	gmtime_r(&t, &tm);
	tm.tm_mon += 1;
	cr_assert_eq(mj_int(inst, "expires"), (int64_t)timegm(&tm));
	cr_assert_str_eq(mj_str(inst, "charge"), "PrePaid");
	cr_assert_str_eq(mj_str(inst, "internet_charge"), "PayByTraffic");
	json_decref(inst);
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {w.sg};
	struct instance_create_req q = {.vswitch_id = w.vsw_a1,
					.sg_ids = sgs,
					.n_sg = 1,
					.itype = "ecs.g6.large",
					.charge = "PrePaid",
					.period = 1,
					.period_unit = "Fortnight"};
	cr_assert_eq(instance_create(m, &q, 1, NULL), -1);
	fx_assert_err(m, "InvalidPeriodUnit.ValueNotSupported");
	q.period_unit = "Week";
	q.period = 5;
	cr_assert_eq(instance_create(m, &q, 1, NULL), -1);
	fx_assert_err(m, "InvalidPeriod");
	q.period = 2;
	json_t *ids = NULL;
	cr_assert_eq(instance_create(m, &q, 1, &ids), 0);
	json_t *i2 = m_get(m, json_string_value(json_array_get(ids, 0)));
	cr_assert_eq(mj_int(i2, "expires"), fx.now + 14 * 24 * HOUR);
	json_decref(i2);
	json_decref(ids);
	fx_abort(&fx);
}

Test(instance, names_and_hostnames)
{
	make_world();
	char id[ID_LEN];
	cr_assert_eq(try_run((struct opts){.host = "-bad"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidHostName.Malformed");
	cr_assert_eq(try_run((struct opts){.name = "http://x"}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidInstanceName.Malformed");
	run((struct opts){0}, id);
	json_t *inst = get(id);
	char host[64];
	snprintf(host, sizeof(host), "iZ%sZ", id + 2);
	cr_assert_str_eq(mj_str(inst, "hostname"), host);
	cr_assert_str_eq(mj_str(inst, "name"), id);
	json_decref(inst);
	run((struct opts){.name = "web-1", .host = "web1.local"}, id);
	assert_field(id, "hostname", "web1.local");
	assert_field(id, "name", "web-1");
}

/* --- Amount and quota --------------------------------------------------------------------------
 */

Test(instance, amount_all_or_nothing_and_quota)
{
	make_world();
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {w.sg};
	struct instance_create_req q = {.vswitch_id = w.vsw_a1,
					.sg_ids = sgs,
					.n_sg = 1,
					.itype = "ecs.g6.large",
					.start = true};
	json_t *ids = NULL;
	cr_assert_eq(instance_create(m, &q, 0, NULL), -1);
	fx_assert_err(m, "InvalidParameter");
	cr_assert_eq(instance_create(m, &q, 101, NULL), -1);
	fx_assert_err(m, "InvalidParameter");
	q.private_ip = "10.0.1.5";
	cr_assert_eq(instance_create(m, &q, 2, NULL), -1);
	fx_assert_err(m, "InvalidParameter");
	q.private_ip = NULL;
	cr_assert_eq(instance_create(m, &q, 3, &ids), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	cr_assert_eq(json_array_size(ids), 3);
	char ips[3][64];
	for (size_t i = 0; i < 3; i++)
		str_of(json_string_value(json_array_get(ids, i)), "private_ip", ips[i]);
	cr_assert_str_neq(ips[0], ips[1]);
	cr_assert_str_neq(ips[1], ips[2]);
	json_decref(ids);
	m = fx_begin(&fx);
	m->caller = 0;
	cr_assert_eq(account_set_quota(m, fx.owner, "instance", 4), 0);
	fx_commit(&fx);
	cr_assert_eq(try_run((struct opts){.amount = 2}, NULL), -1);
	fx_assert_err(&fx.m, "QuotaExceed.ElasticQuota");
	/* Nothing of the refused request stayed. */
	m = fx_begin(&fx);
	int64_t n;
	cr_assert_eq(m_count(m, "i", NULL, NULL, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(m_count(m, "eni", NULL, NULL, &n), 0);
	cr_assert_eq(n, 3);
	fx_abort(&fx);
	run((struct opts){0}, NULL);
}

/* --- life cycle (G-6) ----------------------------------------------------------------------------
 */

Test(instance, g6_start_stop_reboot_need_their_status)
{
	make_world();
	char id[ID_LEN];
	run((struct opts){0}, id);
	/* Pending: nothing but waiting. */
	expect("IncorrectInstanceStatus", instance_stop(m, id));
	expect("IncorrectInstanceStatus", instance_start(m, id));
	expect("IncorrectInstanceStatus", instance_delete(m, id, true, false));
	fx_settle_all(&fx);
	expect("IncorrectInstanceStatus", instance_start(m, id));
	expect(NULL, instance_reboot(m, id));
	assert_field(id, "status", "Starting");
	fx_settle_all(&fx);
	assert_field(id, "status", "Running");
	expect(NULL, instance_stop(m, id));
	assert_field(id, "status", "Stopping");
	expect("IncorrectInstanceStatus", instance_start(m, id));
	fx_settle_all(&fx);
	assert_field(id, "status", "Stopped");
	expect("IncorrectInstanceStatus", instance_stop(m, id));
	expect("IncorrectInstanceStatus", instance_reboot(m, id));
	expect(NULL, instance_start(m, id));
	assert_field(id, "status", "Starting");
	fx_settle_all(&fx);
	assert_field(id, "status", "Running");
	struct model *m = fx_begin(&fx);
	json_t *inst = instance_need(m, id);
	cr_assert_eq(instance_need_running_or_stopped(m, inst), 0);
	json_decref(inst);
	fx_abort(&fx);
}

Test(instance, net21_net7_delete_releases_everything_but_the_eip)
{
	make_world();
	char id[ID_LEN], eip_id[ID_LEN];
	run_ready((struct opts){.bw = 5, .nics = 1, .v6 = 1}, id);
	json_t *inst = get(id);
	char pub[64], priv[64], eni[ID_LEN], scope[MODEL_SCOPE_MAX];
	snprintf(pub, sizeof(pub), "%s", mj_str(inst, "public_ip"));
	snprintf(priv, sizeof(priv), "%s", mj_str(inst, "private_ip"));
	snprintf(eni, sizeof(eni), "%s", mj_str(inst, "primary_eni"));
	json_decref(inst);
	struct model *m = fx_begin(&fx);
	json_t *l = eni_list_for_instance(m, id);
	fx_abort(&fx);
	char sec[ID_LEN];
	copy_id(sec, json_array_get(l, 1));
	json_decref(l);
	/* Convert the NatPublicIp so an EIP is bound, then release the instance. */
	json_t *eip = NULL;
	expect(NULL, instance_convert_to_eip(m, id, &eip));
	copy_id(eip_id, eip);
	json_decref(eip);
	expect("IncorrectInstanceStatus", instance_delete(m, id, false, false));
	expect(NULL, instance_delete(m, id, true, false));
	assert_field(id, "status", "Deleting");
	cr_assert(claimed(vpc_scope_v4(w.vpc, scope), priv, NULL), "kept until settled");
	fx_settle_all(&fx);
	assert_field(id, "status", "(gone)");
	assert_field(eni, "status", "(gone)");
	assert_field(sec, "status", "(gone)");
	cr_assert_not(claimed(scope, priv, NULL));
	/* NET-7: the EIP survives, unbound, with its address. */
	assert_field(eip_id, "status", "Available");
	assert_field(eip_id, "ip", pub);
	assert_field(eip_id, "instance_id", "");
	cr_assert(public_claimed(pub, NULL));
	/* Deleting twice: the instance is gone. */
	expect("InvalidInstanceId.NotFound", instance_delete(m, id, true, false));
}

Test(instance, net6_net9_delete_releases_public_and_classic_addresses)
{
	make_world();
	char v[ID_LEN], c[ID_LEN], pv[64], pc[64], ic[64];
	run_ready((struct opts){.bw = 5, .stopped = true}, v);
	run_ready((struct opts){.classic = true, .bw = 5, .stopped = true}, c);
	str_of(v, "public_ip", pv);
	str_of(c, "public_ip", pc);
	str_of(c, "private_ip", ic);
	cr_assert(public_claimed(pv, NULL));
	cr_assert(public_claimed(pc, NULL));
	expect(NULL, instance_delete(m, v, false, false));
	expect(NULL, instance_delete(m, c, false, false));
	fx_settle_all(&fx);
	cr_assert_not(public_claimed(pv, NULL));
	cr_assert_not(public_claimed(pc, NULL));
	cr_assert_not(claimed("classic/cn-hangzhou", ic, NULL));
	/* The freed classic address is handed out again. */
	char again[ID_LEN];
	run((struct opts){.classic = true}, again);
	assert_field(again, "private_ip", ic);
}

Test(instance, prepaid_release_needs_terminate_subscription)
{
	make_world();
	char id[ID_LEN];
	run_ready((struct opts){.charge = "PrePaid", .period = 1, .stopped = true}, id);
	expect("ChargeTypeViolation", instance_delete(m, id, false, false));
	expect(NULL, instance_delete(m, id, false, true));
}

/* --- NET-5, NET-6, NET-9: public IPs
 * -------------------------------------------------------------- */

Test(instance, net5_bandwidth_at_creation_gives_a_nat_public_ip)
{
	make_world();
	char a[ID_LEN], b[ID_LEN], pub[64], holder[ID_LEN];
	run((struct opts){.bw = 5}, a);
	run((struct opts){0}, b);
	str_of(a, "public_ip", pub);
	struct netaddr ip;
	struct netprefix pool;
	cr_assert(netaddr_parse4(pub, &ip), "%s", pub);
	netprefix_parse("198.18.0.0/20", &pool);
	cr_assert(netprefix_contains(&pool, &ip));
	cr_assert(public_claimed(pub, holder));
	cr_assert_str_eq(holder, a);
	assert_field(b, "public_ip", "");
}

Test(instance, net5_allocate_public_ip_address)
{
	make_world();
	char id[ID_LEN], ip[NETADDR_STRLEN], ip2[NETADDR_STRLEN], cl[ID_LEN];
	/* CreateInstance with bandwidth: no address until AllocatePublicIpAddress. */
	run((struct opts){.bw = 5, .create = true, .stopped = true}, id);
	expect("IncorrectInstanceStatus", instance_allocate_public_ip(m, id, ip));
	fx_settle_all(&fx);
	assert_field(id, "public_ip", "");
	expect(NULL, instance_allocate_public_ip(m, id, ip));
	assert_field(id, "public_ip", ip);
	/* Asked again, it answers the address it holds (docker-machine's flow). */
	expect(NULL, instance_allocate_public_ip(m, id, ip2));
	cr_assert_str_eq(ip2, ip);
	/* An instance with an EIP has its one public address already (NET-5). */
	expect(NULL, instance_convert_to_eip(m, id, NULL));
	expect("AllocatedAlready", instance_allocate_public_ip(m, id, ip));
	/* NET-9: a PostPaid classic instance created without one never gets one. */
	run_ready((struct opts){.classic = true}, cl);
	cr_assert_eq(try_netspec(cl, 10, -1, NULL, false), -1);
	fx_assert_err(&fx.m, "OperationDenied");
}

Test(instance, net5_postpaid_instance_created_without_public_ip_never_gets_one)
{
	make_world();
	char id[ID_LEN], ip[NETADDR_STRLEN];
	run_ready((struct opts){0}, id);
	expect("AllocateIpInvalidInstanceBandwidth", instance_allocate_public_ip(m, id, ip));
	/* Raising the bandwidth gives no address to a pay-as-you-go instance... */
	cr_assert_eq(try_netspec(id, 10, -1, NULL, false), 0);
	assert_field(id, "public_ip", "");
	/* ...and neither AllocatePublicIpAddress nor AllocatePublicIp does. */
	expect("OperationDenied", instance_allocate_public_ip(m, id, ip));
	cr_assert_eq(try_netspec(id, 10, -1, NULL, true), -1);
	fx_assert_err(&fx.m, "OperationDenied");
	assert_field(id, "public_ip", "");
	/* One that released its NatPublicIp (bandwidth 0) cannot get it back. */
	char id2[ID_LEN];
	run_ready((struct opts){.bw = 5}, id2);
	cr_assert_eq(try_netspec(id2, 0, -1, NULL, false), 0);
	assert_field(id2, "public_ip", "");
	cr_assert_eq(try_netspec(id2, 5, -1, NULL, true), -1);
	fx_assert_err(&fx.m, "OperationDenied");
}

Test(instance, net5_subscription_instance_gets_public_ip_by_raising_bandwidth)
{
	make_world();
	char id[ID_LEN], pub[64];
	run_ready((struct opts){.charge = "PrePaid", .period = 1}, id);
	cr_assert_eq(try_netspec(id, 0, -1, NULL, true), -1);
	fx_assert_err(&fx.m, "AllocateIpInvalidInstanceBandwidth");
	cr_assert_eq(try_netspec(id, 8, -1, NULL, false), 0);
	str_of(id, "public_ip", pub);
	cr_assert(pub[0]);
	cr_assert(public_claimed(pub, NULL));
}

Test(instance, net5_modify_network_spec_allocate_public_ip)
{
	make_world();
	char id[ID_LEN], pub[64];
	run_ready((struct opts){.create = true, .bw = 1}, id);
	cr_assert_eq(try_netspec(id, 0, -1, NULL, true), -1);
	fx_assert_err(&fx.m, "AllocateIpInvalidInstanceBandwidth");
	cr_assert_eq(try_netspec(id, 8, -1, NULL, true), 0);
	str_of(id, "public_ip", pub);
	cr_assert(pub[0]);
	cr_assert_eq(try_netspec(id, -1, -1, "PayByMood", false), -1);
	fx_assert_err(&fx.m, "InvalidInternetChargeType.ValueNotSupported");
	cr_assert_eq(try_netspec(id, -1, -1, "PayByBandwidth", false), 0);
	assert_field(id, "internet_charge", "PayByBandwidth");
	cr_assert_eq(try_netspec("i-doesnotexist00000000", 1, -1, NULL, false), -1);
	fx_assert_err(&fx.m, "InvalidInstanceId.NotFound");
}

Test(instance, net5_run_instances_assigns_at_creation_create_instance_does_not)
{
	make_world();
	char a[ID_LEN], b[ID_LEN], pub[64];
	run_ready((struct opts){.bw = 5}, a);
	str_of(a, "public_ip", pub);
	cr_assert(pub[0], "RunInstances assigns the NatPublicIp");
	run_ready((struct opts){.bw = 5, .create = true, .stopped = true}, b);
	assert_field(b, "public_ip", "");
}

Test(instance, net12_converted_instance_has_no_bandwidth_of_its_own)
{
	make_world();
	char id[ID_LEN];
	run_ready((struct opts){.bw = 7}, id);
	expect(NULL, instance_convert_to_eip(m, id, NULL));
	json_t *inst = get(id);
	cr_assert_eq(mj_int(inst, "bw_out"), 0);
	cr_assert_str_eq(mj_str(inst, "public_ip"), "");
	cr_assert_str_neq(mj_str(inst, "eip_id"), "");
	json_decref(inst);
}

Test(instance, net5a_stop_charging_releases_the_nat_public_ip_for_the_stop)
{
	make_world();
	char id[ID_LEN], pub[64], pub2[64];
	run_ready((struct opts){.bw = 5}, id);
	str_of(id, "public_ip", pub);
	expect("InvalidParameter", instance_stop_mode(m, id, "StopMaybe"));
	expect(NULL, instance_stop_mode(m, id, "StopCharging"));
	cr_assert(public_claimed(pub, NULL), "held until the instance has stopped");
	fx_settle_all(&fx);
	assert_field(id, "status", "Stopped");
	assert_field(id, "public_ip", "");
	cr_assert_not(public_claimed(pub, NULL), "back in the pool");
	expect(NULL, instance_start(m, id));
	str_of(id, "public_ip", pub2);
	cr_assert(pub2[0], "a NatPublicIp again on start");
	cr_assert(public_claimed(pub2, NULL));
	fx_settle_all(&fx);
	assert_field(id, "status", "Running");
	/* KeepCharging keeps it. */
	expect(NULL, instance_stop_mode(m, id, "KeepCharging"));
	fx_settle_all(&fx);
	assert_field(id, "public_ip", pub2);
	/* An EIP bound during a StopCharging stop is its one public IP on start. */
	expect(NULL, instance_start(m, id));
	fx_settle_all(&fx);
	expect(NULL, instance_stop_mode(m, id, "StopCharging"));
	fx_settle_all(&fx);
	assert_field(id, "public_ip", "");
	{
		struct model *m = fx_begin(&fx);
		struct eip_alloc_req q = {.bandwidth = 5};
		json_t *eip = NULL;
		cr_assert_eq(eip_allocate(m, &q, &eip), 0, "%s", merr_message(&m->err));
		struct eip_assoc_req a = {.eip_id = mj_str(eip, "id"), .instance_id = id};
		cr_assert_eq(eip_associate(m, &a), 0, "%s", merr_message(&m->err));
		json_decref(eip);
		fx_commit(&fx);
		fx_settle_all(&fx);
	}
	expect(NULL, instance_start(m, id));
	fx_settle_all(&fx);
	assert_field(id, "public_ip", "");
	expect(NULL, instance_stop_mode(m, id, "KeepCharging"));
	fx_settle_all(&fx);
	/* Only pay-as-you-go VPC instances stop without charge. */
	char pre[ID_LEN], cl[ID_LEN];
	run_ready((struct opts){.bw = 5, .charge = "PrePaid", .period = 1}, pre);
	expect("OperationDenied", instance_stop_mode(m, pre, "StopCharging"));
	run_ready((struct opts){.classic = true, .bw = 5}, cl);
	expect("OperationDenied", instance_stop_mode(m, cl, "StopCharging"));
}

Test(instance, net6_postpaid_bandwidth_zero_releases_at_once)
{
	make_world();
	char id[ID_LEN], pub[64];
	run_ready((struct opts){.bw = 5}, id);
	str_of(id, "public_ip", pub);
	cr_assert_eq(try_netspec(id, 0, -1, NULL, false), 0);
	assert_field(id, "public_ip", "");
	cr_assert_not(public_claimed(pub, NULL));
	json_t *inst = get(id);
	cr_assert_eq(mj_int(inst, "bw_out"), 0);
	json_decref(inst);
}

Test(instance, net6_prepaid_bandwidth_zero_releases_at_the_next_period)
{
	make_world();
	char id[ID_LEN], pub[64];
	run_ready((struct opts){.bw = 5, .charge = "PrePaid", .period = 1}, id);
	str_of(id, "public_ip", pub);
	cr_assert_eq(try_netspec(id, 0, -1, NULL, false), 0);
	json_t *inst = get(id);
	int64_t expires = mj_int(inst, "expires");
	cr_assert_str_eq(mj_str(inst, "public_ip"), pub, "kept until the period ends");
	cr_assert_eq(mj_int(inst, "public_ip_release_at"), expires);
	struct model *m = fx_begin(&fx);
	cr_assert_str_eq(instance_public_ip(m, inst), pub);
	fx_abort(&fx);
	cr_assert(public_claimed(pub, NULL));
	/* Buying bandwidth again before then keeps the address. */
	cr_assert_eq(try_netspec(id, 3, -1, NULL, false), 0);
	json_decref(inst);
	inst = get(id);
	cr_assert_eq(mj_int(inst, "public_ip_release_at"), 0);
	json_decref(inst);
	cr_assert_eq(try_netspec(id, 0, -1, NULL, false), 0);
	/* The period ends: reads show it gone, the next change releases it. */
	fx.now = expires + 1;
	inst = get(id);
	m = fx_begin(&fx);
	cr_assert_str_eq(instance_public_ip(m, inst), "");
	fx_abort(&fx);
	json_decref(inst);
	cr_assert_eq(try_netspec(id, -1, -1, "PayByTraffic", false), 0);
	assert_field(id, "public_ip", "");
	cr_assert_not(public_claimed(pub, NULL));
}

Test(instance, net6_prepaid_release_happens_on_the_scheduler_tick)
{
	make_world();
	char id[ID_LEN], pub[64];
	run_ready((struct opts){.bw = 5, .charge = "PrePaid", .period = 1}, id);
	str_of(id, "public_ip", pub);
	cr_assert_eq(try_netspec(id, 0, -1, NULL, false), 0);
	json_t *inst = get(id);
	int64_t expires = mj_int(inst, "expires");
	json_decref(inst);
	struct model_sched_stats s;
	/* Before the period ends the tick leaves it alone. */
	cr_assert_eq(model_run_due(fx.st, &fx.cfg, fx.now, &s), 0);
	cr_assert_eq(s.ran, 0);
	cr_assert(public_claimed(pub, NULL));
	/* After it, the tick releases the address with nobody touching the instance. */
	fx.now = expires + 1;
	cr_assert_eq(model_run_due(fx.st, &fx.cfg, fx.now, &s), 0);
	cr_assert_eq(s.ran, 1);
	cr_assert_not(public_claimed(pub, NULL), "back in the pool");
	assert_field(id, "public_ip", "");
	cr_assert_eq(model_run_due(fx.st, &fx.cfg, fx.now, &s), 0);
	cr_assert_eq(s.ran + s.failed + s.errors, 0, "done once");
}

Test(instance, net9_classic_public_ip_is_never_released)
{
	make_world();
	char id[ID_LEN], pub[64];
	run_ready((struct opts){.classic = true, .bw = 5}, id);
	str_of(id, "public_ip", pub);
	cr_assert(pub[0]);
	cr_assert_eq(try_netspec(id, 0, -1, NULL, false), 0);
	assert_field(id, "public_ip", pub);
	cr_assert(public_claimed(pub, NULL));
	json_t *inst = get(id);
	cr_assert_eq(mj_int(inst, "bw_out"), 0, "bandwidth 0: no internet, address kept");
	json_decref(inst);
	/* Raising it again reuses the same address. */
	cr_assert_eq(try_netspec(id, 5, -1, NULL, false), 0);
	assert_field(id, "public_ip", pub);
}

Test(instance, net9_prepaid_classic_gets_a_public_ip_by_raising_bandwidth)
{
	make_world();
	char pre[ID_LEN], post[ID_LEN], pub[64];
	run_ready((struct opts){.classic = true, .charge = "PrePaid", .period = 1}, pre);
	run_ready((struct opts){.classic = true}, post);
	assert_field(pre, "public_ip", "");
	cr_assert_eq(try_netspec(pre, 4, -1, NULL, false), 0);
	str_of(pre, "public_ip", pub);
	cr_assert(pub[0]);
	cr_assert_eq(try_netspec(post, 4, -1, NULL, false), -1);
	fx_assert_err(&fx.m, "OperationDenied");
	assert_field(post, "public_ip", "");
	char ip[NETADDR_STRLEN];
	expect("AllocateIpInvalidInstanceBandwidth", instance_allocate_public_ip(m, post, ip));
}

Test(instance, net10_classic_carries_no_broadcast)
{
	make_world();
	char v[ID_LEN], c[ID_LEN];
	run((struct opts){0}, v);
	run((struct opts){.classic = true}, c);
	json_t *iv = get(v), *ic = get(c);
	cr_assert(instance_carries_broadcast(iv));
	cr_assert_not(instance_carries_broadcast(ic));
	cr_assert(mj_bool(ic, "no_broadcast"), "stored for the data plane");
	cr_assert_not(mj_bool(iv, "no_broadcast"));
	json_decref(iv);
	json_decref(ic);
}

/* --- NET-11: changing the public IP
 * ---------------------------------------------------------------- */

Test(instance, net11_change_while_stopped_within_six_hours_three_times)
{
	make_world();
	char id[ID_LEN], ip[NETADDR_STRLEN], prev[64], none[ID_LEN];
	run_ready((struct opts){.bw = 5}, id);
	expect("IncorrectInstanceStatus", instance_replace_public_ip(m, id, ip));
	stop(id);
	for (int i = 0; i < 3; i++) {
		str_of(id, "public_ip", prev);
		expect(NULL, instance_replace_public_ip(m, id, ip));
		cr_assert_str_neq(ip, prev);
		assert_field(id, "public_ip", ip);
		cr_assert_not(public_claimed(prev, NULL), "the old address is released");
	}
	expect("QuotaExceed.PublicIpChange", instance_replace_public_ip(m, id, ip));
	run_ready((struct opts){.stopped = true}, none);
	expect("OperationDenied", instance_replace_public_ip(m, none, ip));
}

Test(instance, net11_third_ip_change_is_the_last)
{
	make_world();
	char id[ID_LEN], ip[NETADDR_STRLEN];
	run_ready((struct opts){.classic = true, .bw = 5, .stopped = true}, id);
	for (int i = 0; i < 3; i++)
		expect(NULL, instance_replace_public_ip(m, id, ip));
	json_t *inst = get(id);
	cr_assert_eq(mj_int(inst, "public_ip_changes"), 3);
	json_decref(inst);
	expect("QuotaExceed.PublicIpChange", instance_replace_public_ip(m, id, ip));
}

Test(instance, net11_after_six_hours_vpc_converts_classic_cannot)
{
	make_world();
	char v[ID_LEN], c[ID_LEN], ip[NETADDR_STRLEN];
	run_ready((struct opts){.bw = 5, .stopped = true}, v);
	run_ready((struct opts){.classic = true, .bw = 5, .stopped = true}, c);
	fx.now += 6 * HOUR; /* exactly 6 hours: still allowed */
	expect(NULL, instance_replace_public_ip(m, c, ip));
	fx.now += 1;
	struct model *m = fx_begin(&fx);
	cr_assert_eq(instance_replace_public_ip(m, v, ip), -1);
	fx_assert_err(m, "OperationDenied.PublicIpChangeWindowExpired");
	cr_assert(strstr(merr_message(&m->err), "ConvertNatPublicIpToEip"), "%s",
		  merr_message(&m->err));
	cr_assert_eq(instance_replace_public_ip(m, c, ip), -1);
	fx_assert_err(m, "OperationDenied.PublicIpChangeWindowExpired");
	cr_assert(strstr(merr_message(&m->err), "classic"), "%s", merr_message(&m->err));
	fx_abort(&fx);
	/* NET-12 is the VPC instance's way out. */
	expect(NULL, instance_convert_to_eip(m, v, NULL));
}

/* --- NET-12: ConvertNatPublicIpToEip
 * ------------------------------------------------------------------- */

Test(instance, net12_convert_keeps_the_address_as_an_eip)
{
	make_world();
	char id[ID_LEN], pub[64], holder[ID_LEN];
	run_ready((struct opts){.bw = 7}, id);
	str_of(id, "public_ip", pub);
	json_t *eip = NULL;
	expect(NULL, instance_convert_to_eip(m, id, &eip));
	cr_assert_str_eq(mj_str(eip, "ip"), pub);
	cr_assert_str_eq(mj_str(eip, "status"), "InUse");
	cr_assert_eq(mj_int(eip, "bandwidth"), 7);
	cr_assert_str_eq(mj_str(eip, "internet_charge"), "PayByTraffic");
	json_t *inst = get(id);
	cr_assert_str_eq(mj_str(inst, "public_ip"), "");
	cr_assert_str_eq(mj_str(inst, "eip_id"), mj_str(eip, "id"));
	cr_assert_str_eq(mj_str(inst, "eip_ip"), pub);
	cr_assert(public_claimed(pub, holder));
	cr_assert_str_eq(holder, mj_str(eip, "id"));
	json_decref(inst);
	json_decref(eip);
	/* Nothing left to convert. */
	expect("OperationDenied", instance_convert_to_eip(m, id, NULL));
}

Test(instance, net12_convert_preconditions)
{
	make_world();
	char none[ID_LEN], cl[ID_LEN], bwchg[ID_LEN], pre[ID_LEN], post[ID_LEN], pending[ID_LEN];
	run_ready((struct opts){0}, none);
	run_ready((struct opts){.classic = true, .bw = 5}, cl);
	run_ready((struct opts){.bw = 5, .ichg = "PayByBandwidth"}, bwchg);
	run_ready((struct opts){.bw = 5, .charge = "PrePaid", .period = 1}, pre);
	run_ready((struct opts){.bw = 5}, post);
	run((struct opts){.bw = 5}, pending);
	expect("OperationDenied", instance_convert_to_eip(m, none, NULL));
	expect("OperationDenied", instance_convert_to_eip(m, cl, NULL));
	expect("InvalidInternetChargeType.ValueNotSupported",
	       instance_convert_to_eip(m, bwchg, NULL));
	cr_assert_eq(merr_status(fx.m.err.code), 403);
	expect("IncorrectInstanceStatus", instance_convert_to_eip(m, pending, NULL));
	fx_settle_all(&fx);
	/* A pending type change blocks it. */
	struct model *m = fx_begin(&fx);
	json_t *inst = m_get(m, post);
	mj_set_bool(inst, "pending_type_change", true);
	cr_assert_eq(m_put(m, inst), 0);
	fx_commit(&fx);
	expect("InvalidInstanceId.PlanedChange", instance_convert_to_eip(m, post, NULL));
	mj_set_bool(inst, "pending_type_change", false);
	m = fx_begin(&fx);
	cr_assert_eq(m_put(m, inst), 0);
	fx_commit(&fx);
	json_decref(inst);
	/* A pay-as-you-go account in arrears cannot; a subscription is not affected. */
	m = fx_begin(&fx);
	m->caller = 0;
	cr_assert_eq(account_set_arrears(m, fx.owner, true), 0);
	fx_commit(&fx);
	expect("InvalidAccountStatus.NotEnoughBalance", instance_convert_to_eip(m, post, NULL));
	m = fx_begin(&fx);
	m->caller = 0;
	cr_assert_eq(account_set_arrears(m, fx.owner, false), 0);
	fx_commit(&fx);
	/* The EIP quota is respected. */
	m = fx_begin(&fx);
	m->caller = 0;
	cr_assert_eq(account_set_quota(m, fx.owner, "eip", 0), 0);
	fx_commit(&fx);
	expect("MaxEIPQuotaExceeded", instance_convert_to_eip(m, post, NULL));
	m = fx_begin(&fx);
	m->caller = 0;
	cr_assert_eq(account_set_quota(m, fx.owner, "eip", -1), 0);
	fx_commit(&fx);
	expect(NULL, instance_convert_to_eip(m, post, NULL));
	/* A subscription within 24 hours of its end, or past it, cannot. */
	inst = get(pre);
	int64_t expires = mj_int(inst, "expires");
	json_decref(inst);
	fx.now = expires - 24 * HOUR + 1;
	expect("InvalidEndTime.OperateNotSupport", instance_convert_to_eip(m, pre, NULL));
	fx.now = expires;
	expect("InvalidInstance.OverduePayment", instance_convert_to_eip(m, pre, NULL));
	fx.now = expires - 24 * HOUR;
	expect(NULL, instance_convert_to_eip(m, pre, NULL));
}

/* --- G-1: tenancy
 * ------------------------------------------------------------------------------------ */

Test(instance, g1_another_account_sees_nothing)
{
	make_world();
	char id[ID_LEN], ip[NETADDR_STRLEN];
	run_ready((struct opts){.bw = 5}, id);
	fx_as(&fx, fx.other);
	expect("InvalidInstanceId.NotFound", instance_stop(m, id));
	expect("InvalidInstanceId.NotFound", instance_delete(m, id, true, true));
	expect("InvalidInstanceId.NotFound", instance_allocate_public_ip(m, id, ip));
	expect("InvalidInstanceId.NotFound", instance_convert_to_eip(m, id, NULL));
	expect("InvalidInstanceId.NotFound", instance_replace_public_ip(m, id, ip));
	expect("InvalidInstanceId.NotFound", instance_modify_vpc(m, id, w.vsw_a1, NULL, NULL));
	struct model *m = fx_begin(&fx);
	json_t *l = m_list(m, "i", NULL, NULL);
	cr_assert_eq(json_array_size(l), 0);
	json_decref(l);
	fx_abort(&fx);
	/* Nor can it use the owner's vSwitch or groups. */
	cr_assert_eq(try_run((struct opts){0}, NULL), -1);
	fx_assert_err(&fx.m, "InvalidVSwitchId.NotFound");
	fx_as(&fx, fx.owner);
	assert_field(id, "status", "Running");
	/* Another kind's id is not an instance. */
	expect("InvalidInstanceId.NotFound", instance_start(m, w.vpc));
	expect("InvalidInstanceId.NotFound", instance_start(m, "garbage"));
}

Test(instance, net23_security_groups_of_vpc_and_classic_instances)
{
	make_world();
	char v[ID_LEN], c[ID_LEN];
	run((struct opts){0}, v);
	run((struct opts){.classic = true}, c);
	struct model *m = fx_begin(&fx);
	json_t *iv = m_get(m, v), *ic = m_get(m, c);
	json_t *sv = instance_security_groups(m, iv), *sc = instance_security_groups(m, ic);
	cr_assert_str_eq(json_string_value(json_array_get(sv, 0)), w.sg);
	cr_assert_str_eq(json_string_value(json_array_get(sc, 0)), w.sg_classic);
	json_decref(sv);
	json_decref(sc);
	json_decref(iv);
	json_decref(ic);
	fx_abort(&fx);
}

/* --- NET-29, NET-8: traffic
 * ------------------------------------------------------------------------- */

Test(instance, net29_traffic_export_csv)
{
	make_world();
	char id[ID_LEN], pub[64], other[ID_LEN];
	run_ready((struct opts){.bw = 5}, id);
	str_of(id, "public_ip", pub);
	int64_t h0 = 1800000000 - 1800000000 % HOUR;
	struct model *m = fx_begin(&fx);
	m->caller = 0;
	cr_assert_eq(traffic_add(m, fx.owner, id, h0 + 10, 1000, 50), 0);
	cr_assert_eq(traffic_add(m, fx.owner, id, h0 + 3599, 500, 5), 0); /* same hour */
	cr_assert_eq(traffic_add(m, fx.owner, id, h0 + HOUR, 7, 9000), 0);
	cr_assert_eq(traffic_add(m, fx.owner, "vpc-notaninstance00000", h0, 1, 1), -1);
	fx_commit(&fx);
	fx_as(&fx, fx.other);
	char sg_other[ID_LEN];
	mk_sg(NULL, sg_other);
	run_ready((struct opts){.classic = true, .sg = sg_other}, other);
	m = fx_begin(&fx);
	m->caller = 0;
	cr_assert_eq(traffic_add(m, fx.other, other, h0, 42, 0), 0);
	fx_commit(&fx);
	fx_as(&fx, fx.owner);

	m = fx_begin(&fx);
	char *csv = NULL, want[1024];
	cr_assert_eq(traffic_export_csv(m, fx.owner, 0, INT64_MAX, &csv), 0);
	snprintf(want, sizeof(want),
		 TRAFFIC_CSV_HEADER "%s,%s,2027-01-15T08:00:00Z,1500,55,1500\n"
				    "%s,%s,2027-01-15T09:00:00Z,7,9000,7\n",
		 id, pub, id, pub);
	cr_assert_str_eq(csv, want);
	free(csv);
	/* One hour only. */
	cr_assert_eq(traffic_export_csv(m, fx.owner, h0 + HOUR, h0 + 2 * HOUR, &csv), 0);
	snprintf(want, sizeof(want), TRAFFIC_CSV_HEADER "%s,%s,2027-01-15T09:00:00Z,7,9000,7\n", id,
		 pub);
	cr_assert_str_eq(csv, want);
	free(csv);
	/* All accounts: the other's classic instance (no public IP) too. */
	cr_assert_eq(traffic_export_csv(m, 0, h0, h0 + HOUR, &csv), 0);
	cr_assert(strstr(csv, other), "%s", csv);
	cr_assert(strstr(csv, ",42,0,42\n"), "%s", csv);
	free(csv);
	/* Nothing in range: the header alone. */
	cr_assert_eq(traffic_export_csv(m, fx.owner, 0, h0, &csv), 0);
	cr_assert_str_eq(csv, TRAFFIC_CSV_HEADER);
	free(csv);
	fx_abort(&fx);
	/* Records outlive the instance. */
	expect(NULL, instance_delete(m, id, true, false));
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(traffic_export_csv(m, fx.owner, 0, INT64_MAX, &csv), 0);
	cr_assert(strstr(csv, id));
	free(csv);
	fx_abort(&fx);
}
