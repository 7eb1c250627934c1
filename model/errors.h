/*
 * errors: every API error code the model can answer, defined once.
 *
 * The definitions live in model/err_*.def, one file per area so that areas
 * are edited independently, as lines of
 *     E(NAME, "Wire.Code", http_status, "Default message.")
 * NAME becomes MERR_NAME; the wire code is copied verbatim from the cloud
 * (including its misspellings, which clients match on); the status is the
 * one the cloud answers with (VPC state errors are 400, ECS ones 403).
 * To add a code, add a line to the .def file of its area.
 */
#ifndef OPENVPC_MODEL_ERRORS_H
#define OPENVPC_MODEL_ERRORS_H

enum merr_code {
	MERR_NONE = 0,
#define E(name, code, status, msg) MERR_##name,
#include "model/errors.def"
#undef E
	MERR__COUNT
};

/* The wire code, HTTP status and default message of a code. */
const char *merr_wire(enum merr_code c);
int merr_status(enum merr_code c);
const char *merr_default_message(enum merr_code c);

#endif
