# bench/summarize.awk -- turns bench/run.sh's raw results into one row per
# (metric, workload): the median of each server's per-round values and the
# median of the per-round ratios ours/redis.
#
# usage: awk -f summarize.awk results.tsv mem.tsv
# results.tsv: round workload pipeline server requests rps p50_ms p99_ms cpu_ns
#              user_ns srv_busy cli_busy
# mem.tsv:     variant server keys used_before used_after rss_before rss_after status
# output (tab-separated):
#   metric workload pipeline ours redis ratio rounds
# metric: rps, cpu_us (server CPU per request), user_us (its user-mode
#         part), p50_ms, p99_ms, srv_busy, cli_busy (cores busy during the run:
#         the server, the client),
#         used_B (INFO used_memory per key), rss_B (VmRSS per key).
# A value that could not be measured is "n/a".
BEGIN { FS = OFS = "\t" }

function isnum(x) { return x ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ }

# median of a[1..n] (numeric); "n/a" if n == 0.
function median(a, n,    i, j, t) {
    if (n == 0) return "n/a"
    for (i = 2; i <= n; i++) {
        t = a[i]
        for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
        a[j + 1] = t
    }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

function add(metric, wl, round, who, v) {
    if (!((metric, wl) in seen)) {
        seen[metric, wl] = 1
        order[++norder] = metric SUBSEP wl
    }
    if (!(round in roundseen)) { roundseen[round] = 1; rounds[++nrounds] = round }
    if (isnum(v)) val[metric, wl, round, who] = v
}

FILENAME ~ /results/ {
    round = $1; wl = $2; pipe[wl] = $3; who = $4; n = $5
    add("rps", wl, round, who, $6)
    add("cpu_us", wl, round, who, (isnum($9) && n > 0) ? $9 / n / 1000 : "n/a")
    add("user_us", wl, round, who, (isnum($10) && n > 0) ? $10 / n / 1000 : "n/a")
    add("p50_ms", wl, round, who, $7)
    add("p99_ms", wl, round, who, $8)
    add("srv_busy", wl, round, who, $11)
    add("cli_busy", wl, round, who, $12)
    next
}

FILENAME ~ /mem/ {
    variant = $1; who = $2; keys = $3
    wl = variant
    pipe[wl] = "-"
    if ($8 == "ok" && keys > 0) {
        add("used_B", wl, 1, who, ($5 - $4) / keys)
        add("rss_B", wl, 1, who, ($7 - $6) / keys)
    } else {
        add("used_B", wl, 1, who, "n/a")
        add("rss_B", wl, 1, who, "n/a")
    }
    next
}

END {
    for (i = 1; i <= norder; i++) {
        split(order[i], k, SUBSEP); metric = k[1]; wl = k[2]
        no = nr = nq = 0
        delete o; delete r; delete q
        for (j = 1; j <= nrounds; j++) {
            rd = rounds[j]
            hasO = ((metric, wl, rd, "ours") in val)
            hasR = ((metric, wl, rd, "redis") in val)
            if (hasO) o[++no] = val[metric, wl, rd, "ours"]
            if (hasR) r[++nr] = val[metric, wl, rd, "redis"]
            if (hasO && hasR && val[metric, wl, rd, "redis"] > 0)
                q[++nq] = val[metric, wl, rd, "ours"] / val[metric, wl, rd, "redis"]
        }
        print metric, wl, pipe[wl], median(o, no), median(r, nr), median(q, nq), nq
    }
}
