-- GET /api/v1/tasks/{id}, cycling through the task ids listed in a file.
-- Arguments (after `--`): IDS_FILE TOKEN   (TOKEN "-" sends no Authorization header)
-- Every request is formatted once in init(), so Lua costs almost nothing per request and
-- both servers get byte-identical requests.
local requests = {}
local counter = 1
local threads = 0

-- Runs in wrk's main state, once per thread: give each thread its own starting offset.
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end

function init(args)
  local headers = {}
  if args[2] ~= nil and args[2] ~= "-" then
    headers["Authorization"] = "Bearer " .. args[2]
  end
  for id in io.lines(args[1]) do
    if id ~= "" then
      requests[#requests + 1] = wrk.format("GET", "/api/v1/tasks/" .. id, headers)
    end
  end
  -- Threads start at different offsets so they do not read the same rows in lockstep.
  counter = (offset or 0) % #requests + 1
end

function request()
  counter = counter + 1
  if counter > #requests then
    counter = 1
  end
  return requests[counter]
end
