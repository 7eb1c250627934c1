/*
 * account: tenants (G-1) and their AccessKey pairs, plus the operator's
 * controls over them (quotas, arrears).
 *
 *   /a/<owner>     {"id","name","admin","in_arrears","created"}
 *   /ak/<akid>     {"akid","secret","owner","active","created"}  parent /a/<owner>
 *   /q/<owner>/<quota-name>  decimal override of a default quota
 *
 * Account ids are 16-digit decimal numbers like the cloud's owner ids.
 * Secrets are stored as issued: the server must recompute HMACs with them.
 */
#ifndef OPENVPC_MODEL_ACCOUNT_H
#define OPENVPC_MODEL_ACCOUNT_H

#include "model/model.h"

#define ACCOUNT_AKID_LEN 24 /* "LTAI" + 20 */
#define ACCOUNT_SECRET_LEN 30

struct account_key {
	char akid[ACCOUNT_AKID_LEN + 1];
	char secret[ACCOUNT_SECRET_LEN + 1];
	uint64_t owner;
	bool active;
	bool admin; /* the owner is an operator */
};

/* Creates an account with one AccessKey pair. */
int account_create(struct model *m, const char *name, bool admin, uint64_t *owner,
		   struct account_key *key);
/* Adds a key pair to an account. */
int account_add_key(struct model *m, uint64_t owner, struct account_key *key);
/* Deletes a key pair.  Refused (OperationDenied.LastOperatorKey) for the
 * last active key of the operator accounts, which nothing could replace. */
int account_del_key(struct model *m, const char *akid);
/* Enables or disables a key pair; disabling the last active operator key
 * is refused as in account_del_key(). */
int account_set_key_active(struct model *m, const char *akid, bool active);
/* The host-side recovery (openvpcd --mint-operator-key): adds a new active
 * key pair to the operator account (the first one, created by bootstrap).
 * ACCOUNT_NOT_FOUND when there is no operator account. */
int account_mint_operator_key(struct model *m, struct account_key *key);
/* Looks up a key (and whether its owner is an operator) for authentication.
 * 0, -ENOENT, or another negative errno. */
int account_lookup_key(struct store_txn *t, const char *akid, struct account_key *out);
/* The account object, or NULL. */
json_t *account_get(struct model *m, uint64_t owner);
/* Every account, as a JSON array of account objects with their "keys" (ids only). */
json_t *account_list(struct model *m);
/* NET-12: a pay-as-you-go account in arrears cannot convert a NatPublicIp. */
int account_set_arrears(struct model *m, uint64_t owner, bool in_arrears);
bool account_in_arrears(struct model *m, uint64_t owner);
/* Sets (value >= 0) or clears (value < 0) a quota override. */
int account_set_quota(struct model *m, uint64_t owner, const char *quota_name, int64_t value);

/* Ensures an operator account exists; when it creates one, *created is true
 * and key holds its pair.  Used by the daemon at start-up. */
int account_bootstrap(struct model *m, bool *created, struct account_key *key);

#endif
