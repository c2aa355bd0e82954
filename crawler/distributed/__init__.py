"""Past one machine: the unchanged `portals` spider on a shared Redis frontier (scrapy-redis), one writer.

    frontier.py    scrapy-redis Scheduler + dupefilter, with per-worker request leases (no lost requests)
    politeness.py  a per-host token in Redis: N workers never hit one host at N× the rate
    stream.py      Scrapy item pipeline: records, rejections, fetch log, captures → a Redis Stream
    messages.py    the stream's message format (JSON; pure)
    writer.py      `nianbao writer`: the one consumer that drains the stream into SQLite
    warcmerge.py   `nianbao warc-merge`: workers' WARC files → the archive host, rows verified
    local_redis.py a throwaway redis-server on 127.0.0.1 (tests, bench)

See docs/distributed.md.
"""
