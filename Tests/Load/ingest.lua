-- wrk script: POST /v1/records with NDJSON batches of real records, each with a fresh id.
-- TOKEN, RECORDS (an NDJSON file), BATCH (default 100) and RUN (an id prefix, default "w") come from the environment;
-- PAUSE_MS (optional) paces each connection: it waits that long before every request (e.g. 50 ms with
-- one connection and batches of 100: a steady ~1,900 records/s beside other load).
--   TOKEN=... RECORDS=/tmp/s60k.ndjson wrk -t2 -c4 -d15s --latency -s Tests/Load/ingest.lua http://127.0.0.1:PORT
local lines = {}
local batch = tonumber(os.getenv("BATCH") or "100")
local run = os.getenv("RUN") or "w"
for line in io.lines(os.getenv("RECORDS")) do
  -- Generated records start with {"id":"…", : keep what follows the id.
  local close = line:find('"', 8, true)
  if close then lines[#lines + 1] = line:sub(close) end
  if #lines >= 20000 then break end
end
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
local cursor = 0
request = function()
  local parts = {}
  for i = 1, batch do
    counter = counter + 1
    cursor = cursor % #lines + 1
    parts[i] = '{"id":"' .. run .. tid .. "-" .. counter .. lines[cursor]
  end
  return wrk.format("POST", "/v1/records", {
    ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
    ["Content-Type"] = "application/x-ndjson",
  }, table.concat(parts, "\n") .. "\n")
end
local pause = tonumber(os.getenv("PAUSE_MS") or "0")
if pause > 0 then
  delay = function() return pause end
end
local accepted = 0
response = function(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. ": " .. body:sub(1, 200) .. "\n") end
end
