#!/usr/bin/env bash
# Starts the server exactly as the README's quick start does, on a fresh data directory, and
# runs the README's seed flow with curl: ExecutePayment with a RecurringModel, GetPaymentStatus.
set -euo pipefail
workdir=$(mktemp -d)
port=18765
log="$workdir/server.log"
DAWRI_DATA_DIR="$workdir/data" PORT=$port DAWRI_DEMO_API_KEY=ci_smoke_key_0123456789abcdef npm start >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; pkill -f "dist/cli/main.js serve" 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 1
done
grep -q 'API key:' "$log" || { cat "$log"; echo "demo merchant key not printed"; exit 1; }
base="http://127.0.0.1:$port"
key=ci_smoke_key_0123456789abcdef
created=$(curl -sf -X POST "$base/v2/ExecutePayment" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"PaymentMethodId":2,"InvoiceValue":10,"CustomerName":"Smoke","CallBackUrl":"https://example.com/cb","ErrorUrl":"https://example.com/err","RecurringModel":{"RecurringType":"Custom","IntervalDays":1,"Iteration":3,"RetryCount":5}}')
echo "$created"
invoice=$(node -e 'const d=JSON.parse(process.argv[1]); if(!d.IsSuccess||!/^RECUR\d+$/.test(d.Data.RecurringId)) process.exit(1); console.log(d.Data.InvoiceId)' "$created")
status=$(curl -sf -X POST "$base/v2/GetPaymentStatus" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"Key\":$invoice,\"KeyType\":\"InvoiceId\"}")
node -e 'const d=JSON.parse(process.argv[1]); if(d.Data.InvoiceStatus!=="Pending") process.exit(1)' "$status"
echo "smoke: 2 passed, 0 failed"
