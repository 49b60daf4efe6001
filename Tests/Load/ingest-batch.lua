-- wrk script: POST /v1/records with a 100-record NDJSON batch over keep-alive connections.
-- Usage: wrk -t2 -c8 -d10s -s Tests/Load/ingest-batch.lua http://127.0.0.1:8089
local lines = {}
for i = 1, 100 do
  lines[i] = string.format('{"id":"rec-%06d","region":"eu-west-1","tenant":"acme","team":"search","user":"u%d",' ..
    '"model":"gpt-4o","request":{"messages":[{"role":"user","content":"Summarise the quarterly report for region %d"}]},' ..
    '"response":{"content":"The quarterly report shows steady growth in all segments."},"latency_ms":%d,"status":200}',
    i, i % 17, i % 5, 100 + i)
end
wrk.method = "POST"
wrk.body = table.concat(lines, "\n") .. "\n"
wrk.headers["Content-Type"] = "application/x-ndjson"
