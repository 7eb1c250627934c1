/*
 * store-private: the layout that store.c and the engines share, and nothing
 * else.  Callers of the store see only store.h.
 *
 * store.c dispatches every call through the engine's struct store_ops, so
 * each engine's handle begins with a struct store and each engine's
 * transaction begins with a struct store_txn:
 *
 *     struct sq_store { struct store base; ... };   (store/sqlite.c)
 *     struct sq_txn   { struct store_txn base; ... };
 *
 * The engine fills base.ops (and base.store of a transaction) before it
 * hands the object out; store.c never looks further.
 */
#ifndef OPENVPC_STORE_STORE_PRIVATE_H
#define OPENVPC_STORE_STORE_PRIVATE_H

#include "store/store.h"

struct store {
	const struct store_ops *ops; /* the engine that owns this handle */
};

struct store_txn {
	struct store *store; /* the handle the transaction was begun on */
};

/* The engines, one per URI scheme (see the table in store/store.c). */
extern const struct store_ops store_sqlite_ops;

#endif
