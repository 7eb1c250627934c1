/*
 * clock: the time the model reads.  Rules that depend on time (NET-11's 6
 * hours, NET-12's 24 hours before expiry, NET-26's scheduled migrations)
 * read m->now, which the caller computes as the real time plus an offset
 * kept in the store (/sys/clock_offset), so every process sharing the store
 * agrees on it.  The offset is 0 in production; tests move it through the
 * operator's SetClock action, which openvpcd allows only in test mode.
 */
#ifndef OPENVPC_MODEL_CLOCK_H
#define OPENVPC_MODEL_CLOCK_H

#include "model/model.h"

/* The stored offset in seconds (0 when never set). */
int64_t model_clock_offset(struct store_txn *t);
/* Stores a new offset. */
int model_clock_set_offset(struct model *m, int64_t offset);

#endif
