-- The mixed load of `taskforge-bench load`: reads (get by id, list), writes (create, patch) in
-- a fixed 20-request cycle, plus logins at a fixed rate; every response counted by status.
-- Arguments (after `--`):
--   IDS_FILE TOKEN PROJECT_ID USERS_FILE PASSWORD LOGINS_PER_SECOND THREADS
-- Every request is formatted once in init(), so Lua costs little per request. At the end,
-- done() prints one `mixed:` line of totals and `mixed-status:` / `mixed-5xx-sample:` lines,
-- which the benchmark parses (crates/bench/src/load_mix.rs).

-- The cycle: 10 get by id, 4 list, 3 create, 3 patch in every 20 requests.
local CYCLE = {
  "get", "list", "get", "create", "get", "patch", "get", "list", "get", "create",
  "get", "patch", "get", "list", "get", "create", "get", "patch", "get", "list",
}

-- Main state: the threads, to sum their counters in done().
local all_threads = {}

function setup(thread)
  all_threads[#all_threads + 1] = thread
  thread:set("index", #all_threads)
end

-- Thread state.
local gets, patch_requests, logins = {}, {}, {}
local list_request, create_request
local login_budget = 0
local second, spent = -1, 0
local slot, next_get, next_patch, next_login = 0, 0, 0, 0

-- Globals, read by done() through thread:get().
sent = { get = 0, list = 0, create = 0, patch = 0, login = 0 }
statuses = {}
login_ok = 0
retry_after_503 = 0
sample_5xx = ""

function init(args)
  local ids_file, token, project = args[1], args[2], args[3]
  local users_file, password = args[4], args[5]
  local rate, threads = tonumber(args[6]), tonumber(args[7])
  local me = index or 1
  -- This thread's share of the login rate (the remainder goes to the first threads).
  login_budget = math.floor(rate / threads) + ((me <= rate % threads) and 1 or 0)

  local auth = { ["Authorization"] = "Bearer " .. token }
  local json = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  local priorities = { "low", "medium", "high", "urgent" }
  local n = 0
  for id in io.lines(ids_file) do
    if id ~= "" then
      n = n + 1
      gets[#gets + 1] = wrk.format("GET", "/api/v1/tasks/" .. id, auth)
      patch_requests[#patch_requests + 1] = wrk.format("PATCH", "/api/v1/tasks/" .. id, json,
        '{"priority":"' .. priorities[n % 4 + 1] .. '","title":"Patched under load ' .. n .. '"}')
    end
  end
  list_request = wrk.format("GET", "/api/v1/tasks?project_id=" .. project
    .. "&status=todo&sort=-priority&limit=50", auth)
  create_request = wrk.format("POST", "/api/v1/tasks", json, '{"project_id":"' .. project
    .. '","title":"Created under mixed load","priority":"medium","labels":["load","mixed"]}')
  local plain = { ["Content-Type"] = "application/json" }
  for user in io.lines(users_file) do
    if user ~= "" then
      logins[#logins + 1] = wrk.format("POST", "/api/v1/auth/login", plain,
        '{"username":"' .. user .. '","password":"' .. password .. '"}')
    end
  end
  -- Threads start at different places so they do not touch the same rows in lockstep.
  next_get = (me * 331) % #gets
  next_patch = (me * 509) % #patch_requests
  next_login = (me * 7) % #logins
end

function request()
  -- Logins: at most `login_budget` per wall-clock second in this thread.
  local now = os.time()
  if now ~= second then
    second, spent = now, 0
  end
  if spent < login_budget then
    spent = spent + 1
    sent.login = sent.login + 1
    next_login = next_login % #logins + 1
    return logins[next_login]
  end
  slot = slot % #CYCLE + 1
  local kind = CYCLE[slot]
  sent[kind] = sent[kind] + 1
  if kind == "get" then
    next_get = next_get % #gets + 1
    return gets[next_get]
  elseif kind == "patch" then
    next_patch = next_patch % #patch_requests + 1
    return patch_requests[next_patch]
  elseif kind == "list" then
    return list_request
  end
  return create_request
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 and body ~= nil and string.find(body, '"access_token"', 1, true) then
    login_ok = login_ok + 1
  end
  if status >= 500 then
    if headers["retry-after"] ~= nil or headers["Retry-After"] ~= nil then
      retry_after_503 = retry_after_503 + 1
    end
    if sample_5xx == "" and body ~= nil then
      sample_5xx = status .. " " .. string.gsub(string.sub(body, 1, 300), "\n", " ")
    end
  end
end

function done(summary, latency, requests)
  local totals = { get = 0, list = 0, create = 0, patch = 0, login = 0 }
  local by_status = {}
  local ok_logins, retry = 0, 0
  for _, thread in ipairs(all_threads) do
    for kind, count in pairs(thread:get("sent")) do
      totals[kind] = totals[kind] + count
    end
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
    ok_logins = ok_logins + thread:get("login_ok")
    retry = retry + thread:get("retry_after_503")
    local sample = thread:get("sample_5xx")
    if sample ~= nil and sample ~= "" then
      io.write("mixed-5xx-sample: " .. sample .. "\n")
    end
  end
  io.write(string.format(
    "mixed: get=%d list=%d create=%d patch=%d login=%d login_ok=%d retry_after_5xx=%d\n",
    totals.get, totals.list, totals.create, totals.patch, totals.login, ok_logins, retry))
  for status, count in pairs(by_status) do
    io.write(string.format("mixed-status: %d %d\n", status, count))
  end
end
