-- wrk script: each request carries the next user's token, round robin
-- (the file named by TOKENS, one token a line).
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local n = math.random(#tokens)
request = function()
  n = n % #tokens + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Token " .. tokens[n] })
end
