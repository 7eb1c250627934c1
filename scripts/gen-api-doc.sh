#!/usr/bin/env bash
# gen-api-doc: writes docs/api.md from docs/coverage/*.md (one file per area,
# kept beside the code of that area).  tests/api/docs.test.mjs checks that the
# result lists every action the server dispatches.
set -euo pipefail
cd "$(dirname "$0")/.."
{
cat <<'HEAD'
# The openvpc API

openvpc speaks Alibaba Cloud's RPC API: VPC `2016-04-28` and ECS `2014-05-26`, plus its own
operator actions under `2026-01-01`. Point any official SDK at `http://<openvpcd address>/`.

## Requests

- **Dialects.** All three that the SDKs send are accepted: V1 HMAC-SHA1 with every
  parameter in the query (pop-core GET, the generated SDKs with `signatureAlgorithm: 'v2'`),
  V1 with everything in a form body (pop-core POST) or with the common parameters in the query
  and the API parameters in the body (older generated SDKs), and V3 `ACS3-HMAC-SHA256` with
  `x-acs-action`/`x-acs-version` headers (the current SDKs' default).
- **Checks, in order:** URL encoding and repeated parameters (`InvalidParameter`); every
  name and value well-formed UTF-8, and every all-digit segment of a name an index from 1 to
  1000 without leading zeros (`Tag.0`, `Tag.01`, `Tag.1001`: `InvalidParameter`); the
  signature's mandatory fields (`MissingParameter`, `IncompleteSignature`; with V3, `host`,
  `Content-Type` and every `x-acs-*` header must be in `SignedHeaders`, once each, and
  `x-acs-content-sha256` must be the body's hash); the timestamp, a real calendar time
  within 15 minutes of the server's real clock (`InvalidTimeStamp.Format`/`.Expired`); the
  AccessKey (`InvalidAccessKeyId.NotFound` 404, `.Inactive`); the signature
  (`SignatureDoesNotMatch`, with the server's string to sign in the message); then the nonce
  (`SignatureNonceUsed`; only correctly signed requests consume one, and a nonce stays used
  for the whole window, across restarts and crashes; an account holding its share of the
  replay table is answered `Throttling.User`).
- **ClientToken** (write actions, 1 to 64 printable ASCII characters): a retry with the same
  token and parameters returns the first answer with a new RequestId; other parameters
  answer `IdempotentParameterMismatch`. The token is recorded in the same transaction as the
  change and kept 24 hours.
- **Sizes:** a request line and headers of up to 256 KiB (past 192 KiB of request line:
  `InvalidParameter`), a form body of up to 1 MiB, 1,024 parameters.
- **DryRun=true** runs every check and answers `DryRunOperation` (400) without changing anything.
- **Format=XML** is not supported: answers are always JSON (every SDK parses JSON).

## Answers

- Success: HTTP 200, `Content-Type: application/json;charset=utf-8`, a JSON object with
  `RequestId` and the action's fields (exact names and wrappers of the SDK models; lists are
  always JSON arrays; no `Code` key).
- Error: HTTP 4xx/5xx with `RequestId`, `HostId`, `Code`, `Message`, `Recommend`. The codes
  are the cloud's, including its spellings (`InvalidCirdrBlock.MaskLength`,
  `InvalidVpcDiscription.Malformed`). Every code with its status and default message is
  defined once in `model/err_*.def`.
- A resource of another account answers exactly like one that does not exist (G-1).
- Asynchronous resources answer at once and pass through their transitional states
  (`Pending`, `Attaching`, `Associating`, `Starting`, ...) to the final one (G-6).

## Coverage

Status: **supported** (every parameter that matters to the network), **partial** (what is
missing is said), **not supported** (answers `InvalidApi.NotFound`; why is said).
HEAD
for f in vpc vswitch route sg instance eni eip ipv6 classic ops; do
  [[ -f docs/coverage/$f.md ]] || continue
  echo
  sed -e 's/^# /### /' -e 's/^## /#### /' "docs/coverage/$f.md"
done
} > docs/api.md
echo "wrote docs/api.md"
