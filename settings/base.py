"""Base settings: polite defaults for crawling government portals. Documented in README "Settings".

Every value can be overridden with `-s NAME=VALUE`; profiles (settings/*.py) import this module.
"""

from __future__ import annotations

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# --- the archive ---------------------------------------------------------------------------
ARCHIVE_DB = "data/archive.db"  # SQLite archive (created if missing)

CONDITIONAL_REQUESTS = True  # If-None-Match / If-Modified-Since for pages and documents already archived
REVISIT_KNOWN_REPORTS = True  # request archived report URLs again (conditionally) to notice removed reports
REVISIT_KNOWN_LISTS = True  # request the portals' 年报 lists of earlier crawls again (portal_lists): a gone one is "site-changed"
CONDITIONAL_LISTS = True  # list pages too (their links of last time are followed again on a 304)
WARC_ENABLED = True  # raw WARC 1.1 capture of every response
WARC_DIR = None  # default: <archive dir>/warc
WARC_MAX_SIZE = 1024**3  # bytes per WARC file before rotating
WARC_GZIP_LEVEL = 6  # zlib level of each record's gzip member (9: ~1 % fewer bytes for ~1.5x the CPU)
WARC_NAME_TAG = ""  # added to WARC file names after the pid (settings/distributed.py: the host name)

# --- politeness ----------------------------------------------------------------------------
USER_AGENT = (
    "nianbao-archiver/0.1 (research archive of 政府信息公开工作年度报告; "
    "obeys robots.txt; +https://github.com/nianbao-archiver/nianbao-archiver)"
)
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # bytes; reports as PDF rarely exceed 20 MB; also bounds gzip/deflate/br
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024  # bodies after decompression (HttpCompressionMiddleware: gzip bombs)
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
DEPTH_LIMIT = 8  # link hops from a portal's start URL
DEPTH_PRIORITY = 0
PORTAL_MAX_PAGES = 3000  # pages fetched per portal before its crawl stops (0 = no limit)
FOLLOW_GOV_CN = True  # other *.gov.cn hosts: only from 信息公开/年报 column content (docs/portals.md "Scope")
OFFSCOPE_MAX_HOSTS = 10  # per portal: off-scope hosts it may enter
OFFSCOPE_MAX_PAGES = 100  # per portal: off-scope requests

# --- dead and bad hosts (docs/portals.md "Dead hosts") ---------------------------------------
DNS_TIMEOUT = 10  # seconds for a name lookup (Scrapy's default is 60)
HOST_FIRST_TIMEOUT = 10.0  # seconds for a host's first answer (lookup, connect, response) until it answered once
HOST_BREAKER_ENABLED = True
HOST_BREAKER_FAILURES = 3  # consecutive connection failures before a host that answered before is dropped
OFFSITE_REDIRECTS_BLOCKED = True  # a 3xx to another site that no crawled portal owns is recorded, not followed
SOFT404_PROBE = True  # probe one nonsense path per host; 200 pages that look like it are soft 404s
ROBOTSTXT_CRAWL_DELAY = True  # honour robots.txt Crawl-delay / Request-rate (Scrapy ignores them)
CRAWL_DELAY_MAX = 60.0  # seconds: a larger Crawl-delay is capped
# Scrapy's downloader plus Crawl-delay counted from the previous request's answer (crawler/pacing.py)
DOWNLOADER = "crawler.pacing.PacedDownloader"
DEMO_SITE = None  # -a portals=demo serves this copy of crawler/demo/site (with its manifest.json next to it)
TWISTED_DNS_RESOLVER = "crawler.resolver.HostsResolver"  # Scrapy's caching resolver plus NIANBAO_HOSTS
NIANBAO_HOSTS = None  # {name: address} or a JSON file: names answered without a lookup (tests: loopback)
NIANBAO_HOSTS_ONLY = False  # True: names outside NIANBAO_HOSTS fail at once (NXDOMAIN)
COOKIES_ENABLED = True
REFERER_ENABLED = True

# --- bounds on what one document may cost (pipelines/bounds.py, docs/hostile-input.md) ----------
# Over a bound the report is kept with what could be read and the bound is named in reports.bounds_hit.
ZIP_MAX_INFLATED_BYTES = 256 * 1024 * 1024  # bytes all members of a DOCX/XLSX may inflate to (checked first)
ZIP_MAX_MEMBERS = 10_000  # members of a DOCX/XLSX
PAGE_MAX_CHARS = 3_000_000  # HTML characters processed per page (scripts etc. dropped, then a window)
HTML_MAX_DEPTH = 200  # element nesting; deeper wrappers are flattened
TABLES_MAX_PER_PAGE = 300  # <table>s handed to the table parser per document
PDF_MAX_PAGES = 500  # pages read per PDF
FETCH_LOG_FLUSH_S = 2.0  # fetch_log rows and the run's counts are committed at least this often (kill-safe)
DOCUMENT_SOFT_TIMEOUT_S = 60  # PDF pages / office conversion stop here and keep what was read (hard kill: DOCUMENT_TIMEOUT_S)

# --- components ----------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's own, except that every request waiting for a host's robots.txt gets it (crawler/middlewares/robots.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.RobotsTxtMiddleware": 100,
    "crawler.middlewares.encoding.EncodingFixMiddleware": 560,
    # conditional GETs for archived documents; sees responses after the encoding fix (555 < 560)
    "crawler.middlewares.conditional.ConditionalRequestsMiddleware": 555,
    # soft 404s are judged on the encoding-fixed text (545 < 560), after redirects (600)
    "crawler.middlewares.hosts.Soft404Middleware": 545,
    # sees connection failures before RetryMiddleware (550) so a dead host is not retried
    "crawler.middlewares.hosts.HostBreakerMiddleware": 580,
    "crawler.middlewares.hosts.CrawlDelayMiddleware": 590,
    # a redirect off the portal's scope (domain parking) is recorded, not followed (RedirectMiddleware: 600)
    "crawler.middlewares.hosts.OffsiteRedirectMiddleware": 640,
    # a 3xx back into its own chain raises IgnoreRequest → fetch_log (Scrapy's dupefilter drops it silently)
    "crawler.middlewares.redirects.RedirectLoopMiddleware": 650,
}
# parsing (pipelines/pool.py): worker processes, per-document time limit, documents per worker
PARSE_WORKERS = 2  # 0 = parse in a thread of the crawl process (no time limit)
DOCUMENT_TIMEOUT_S = 120  # a document parsing longer: worker killed and replaced, recorded "timeout after N s"
PARSE_WORKER_MAX_TASKS = 500  # a worker is replaced after this many documents (bounds leaked memory)
PARSE_WORKER_START = "forkserver"  # workers forked from a server that loaded the parsers once; "spawn": each imports them
# OCR of scans (pipelines/ocr, the `ocr` extra), inside the parse workers. The OCR time limit is kept
# under DOCUMENT_TIMEOUT_S so a long scan stops itself (pages read so far kept, flagged ocr_timeout)
# instead of being killed with nothing kept.
OCR_ENABLED = True
OCR_MAX_PAGES = 40  # pages read per scan; the rest flagged ocr_page_limit
OCR_MAX_PIXELS = 12_000_000  # per page after rendering (A4 at 300 dpi: 8.7 M)
OCR_TIMEOUT_S = 70  # per document; capped at 0.6 x DOCUMENT_TIMEOUT_S
OCR_DPI = 200  # rendering / normalisation target
OCR_MIN_CONFIDENCE = 0.85  # a number with a glyph below this: NULL, flag ocr_unreadable
# responses waiting for the item pipelines may hold this many bytes before downloads pause (Scrapy: 5 MB
# stops every download while one large PDF is parsed; 128 MB let the crawl process reach 580 MB RSS
# when parsing is slower than fetching; 32 MB kept it flat at 340 MB: docs/data-path.md)
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 32 * 1024 * 1024
ITEM_PIPELINES = {
    "crawler.item_pipelines.ProcessPipeline": 300,
    "crawler.item_pipelines.ArchivePipeline": 900,
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "crawler.extensions.progress.Progress": 500,
    "crawler.extensions.health.HealthExtension": 505,
    "crawler.extensions.warc.WarcExtension": 510,
    "crawler.extensions.resume.JobdirGuard": 0,  # only with JOBDIR: discards state left by a killed crawl
}
PROGRESS_INTERVAL = 10.0  # seconds between progress lines (portals done, pages, reports, errors, ETA); 0 = off
NIANBAO_STATS_FILE = None  # optional JSON written at the end of a crawl (used by `nianbao crawl`)
TELNETCONSOLE_ENABLED = False

# --- JavaScript portals (render=true): scrapy-playwright with Debian's chromium ----------------
# The spider installs these download handlers only when a crawled portal has render=true, so
# crawls without JS portals never start a browser.
PLAYWRIGHT_DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": "/usr/bin/chromium",
    "headless": True,
    "args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run"],
    "timeout": 30_000,
}
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_ABORT_REQUEST = "crawler.render.abort_request"

# --- Scrapy housekeeping -------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 30.0
