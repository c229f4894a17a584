-- wrk script: each request is the next player's heartbeat, round robin
-- (the file named by TOKENS, one token a line).
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local n = math.random(#tokens)
request = function()
  n = n % #tokens + 1
  return wrk.format("GET", wrk.path .. "?token=" .. tokens[n])
end
