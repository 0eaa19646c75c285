-- POST /api/v1/tasks: one new task (with two labels) per request.
-- Arguments (after `--`): PROJECT_ID TOKEN   (TOKEN "-" sends no Authorization header)
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if args[2] ~= nil and args[2] ~= "-" then
    wrk.headers["Authorization"] = "Bearer " .. args[2]
  end
  wrk.body = '{"project_id":"' .. args[1] .. '","title":"Benchmark task written under load",'
    .. '"priority":"high","labels":["bench","load"]}'
end
