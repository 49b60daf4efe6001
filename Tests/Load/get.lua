-- wrk script: GET /v1/records/{id} for ids drawn at random from a file (one id per line).
-- TOKEN and IDS come from the environment.
--   TOKEN=... IDS=/tmp/ids.txt wrk -t1 -c8 -d10s --latency -s Tests/Load/get.lua http://127.0.0.1:PORT
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
request = function()
  return wrk.format("GET", "/v1/records/" .. ids[math.random(#ids)])
end
