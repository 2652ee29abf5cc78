-- wrk has no rate limiter (wrk2 is not in Debian): every connection waits RATE_DELAY_MS after each response before
-- sending the next request, so -c C gives about C * 1000 / (RATE_DELAY_MS + latency) requests per second, far below
-- saturation. Latencies are wrk's own per-request histogram (microseconds), measured from send to full response.
local d = tonumber(os.getenv("RATE_DELAY_MS") or "10")

function delay()
  return d
end

function done(summary, latency, requests)
  io.write(string.format("LATENCY p50=%d p99=%d p999=%d max=%d requests=%d errors=%d\n",
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
