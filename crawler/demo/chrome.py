"""Portal chrome for the demo: head, header, nav, breadcrumb, footer and inline scripts of three portals.

Modelled on what county-level portals serve (TRS WCM, Hanweb JCMS, a small 街道 site): the 政府网站
发展指引 <meta> set, 无障碍浏览/长者专版, dozens of nav links, share/print/统计 scripts, and a footer with
主办/承办/技术支持/ICP备案/公网安备/网站标识码. Links go only to pages of the same portal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

Nav = list[tuple[str, str, list[tuple[str, str]]]]  # (text, href, [(sub text, sub href)])


@dataclass
class Skin:
    key: str
    name: str  # site name, the <title> suffix
    domain: str  # shown in <meta>, never linked
    site_code: str
    charset: str  # as declared in <meta>
    title_sep: str
    nav: Nav
    footer: list[str]
    crumb_prefix: str = "当前位置："
    search: str = "/search/index.html"
    friends: list[tuple[str, str]] = field(default_factory=list)  # 相关网站 <select>: never an <a>
    layout: str = "trs"  # "trs" | "hanweb" | "simple"

    def nav_hrefs(self) -> list[str]:
        out = []
        for _, href, subs in self.nav:
            out += [href, *(h for _, h in subs)]
        return out


def _meta(skin: Skin, title: str, column: str, pub: str | None, source: str | None) -> str:
    tags = [("SiteName", skin.name), ("SiteDomain", skin.domain), ("SiteIDCode", skin.site_code),
            ("ColumnName", column), ("ColumnType", column)]
    if pub:
        tags += [("ArticleTitle", title), ("PubDate", pub), ("ContentSource", source or skin.name)]
    tags += [("Keywords", f"{skin.name},{column}"), ("Description", title)]
    return "\n".join(f'<meta name="{n}" content="{escape(v)}">' for n, v in tags)


def _nav_html(skin: Skin, current: str) -> str:
    items = []
    for text, href, subs in skin.nav:
        cls = ' class="on"' if text == current else ""
        sub = "".join(f'<li><a href="{h}" target="_blank">{escape(t)}</a></li>' for t, h in subs)
        sub_ul = f'\n      <ul class="sub">{sub}</ul>' if subs else ""
        items.append(f'    <li{cls}><a href="{href}">{escape(text)}</a>{sub_ul}</li>')
    return '<div class="nav"><ul class="w1200">\n' + "\n".join(items) + "\n</ul></div>"


def _crumbs(skin: Skin, crumbs: list[tuple[str, str]]) -> str:
    parts = [f'<a href="{h}">{escape(t)}</a>' if h else escape(t) for t, h in [("首页", "/index.html"), *crumbs]]
    return f'<div class="crumb">{skin.crumb_prefix}' + " &gt; ".join(parts) + "</div>"


_TOP_SCRIPT = """<script type="text/javascript">
var now = new Date(); var week = ["日","一","二","三","四","五","六"];
function showDate(){ document.write(now.getFullYear()+"年"+(now.getMonth()+1)+"月"+now.getDate()+"日 星期"+week[now.getDay()]); }
function AddFavorite(url, title){ try { window.external.addFavorite(url, title); } catch (e) {
  try { window.sidebar.addPanel(title, url, ""); } catch (e2) { alert("加入收藏失败，请使用Ctrl+D进行添加"); } } }
function doZoom(size){ var el = document.getElementById("zoom"); if (el) { el.style.fontSize = size + "px"; } }
</script>"""

_STATS = """<script type="text/javascript">
var _hmt = _hmt || [];
(function() {
  var hm = document.createElement("script");
  hm.src = "https://hm.baidu.com/hm.js?7c1f8b3d2a6e4f5b9c0d1e2f3a4b5c6d";
  var s = document.getElementsByTagName("script")[0];
  s.parentNode.insertBefore(hm, s);
})();
</script>
<script id="_jiucuo_" sitecode="SITECODE" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>"""

_SHARE = """<div class="share bdsharebuttonbox"><span>分享到：</span><a href="#" class="bds_weixin" data-cmd="weixin" title="分享到微信"></a><a href="#" class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a><a href="#" class="bds_qzone" data-cmd="qzone" title="分享到QQ空间"></a>
<span class="tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】 字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a></span></div>
<script>window._bd_share_config={"common":{"bdSnsKey":{},"bdText":"","bdMini":"2","bdMiniList":false,"bdPic":"","bdStyle":"0","bdSize":"16"},"share":{}};with(document)0[(getElementsByTagName('head')[0]||body).appendChild(createElement('script')).src='/static/api/js/share.js?v=89860593.js?cdnversion='+~(-new Date()/36e5)];</script>"""

_CSS = """body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f5f5f5}
a{color:#333;text-decoration:none}a:hover{color:#c00}.w1200{width:1200px;margin:0 auto}
.topbar{background:#eee;height:34px;line-height:34px;font-size:12px}.topbar .r{float:right}
.header{height:130px;background:#b3120f}.header .logo{float:left;color:#fff;font-size:34px;padding-top:36px}
.header form{float:right;padding-top:48px}.nav{background:#9e0d0b}.nav li{float:left;position:relative;list-style:none}
.nav li a{display:block;color:#fff;padding:0 22px;line-height:46px}.nav .sub{display:none;position:absolute;background:#fff}
.nav li:hover .sub{display:block}.crumb{padding:12px 0;border-bottom:1px solid #ddd}
.main{background:#fff;padding:20px 40px;min-height:500px}.list li{line-height:36px;border-bottom:1px dashed #ddd}
.list li span{float:right;color:#999}.article h1{text-align:center;font-size:24px;color:#b3120f}
.article .info{text-align:center;color:#888;border-bottom:1px solid #ddd;padding-bottom:10px}
.xxgk_table{width:100%;border-collapse:collapse;margin-bottom:20px}.xxgk_table td{border:1px solid #ccc;padding:6px}
#zoom p{text-indent:2em;margin:0 0 10px}#zoom table{margin:10px auto}.footer{background:#333;color:#bbb;
text-align:center;padding:20px 0;font-size:12px;line-height:26px}.footer a{color:#bbb}.related h3{border-bottom:2px solid #b3120f}"""


def page(skin: Skin, *, title: str, crumbs: list[tuple[str, str]], body: str, column: str,
         pub: str | None = None, source: str | None = None, current: str = "") -> str:
    """A whole page of `skin` around `body`; `pub`/`source` mark an article (PubDate/ContentSource meta)."""
    charset = f'<meta charset="{skin.charset}">'
    links = "\n".join(f"<p>{line}</p>" for line in skin.footer)
    friendly = "".join(f'<option value="{v}">{t}</option>' for t, v in skin.friends)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{charset}
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>{escape(title)}{skin.title_sep}{escape(skin.name)}</title>
{_meta(skin, title, column, pub, source)}
<link href="/images/common.css" rel="stylesheet" type="text/css">
<style type="text/css">
{_CSS}
</style>
{_TOP_SCRIPT}
</head>
<body>
<div class="topbar"><div class="w1200"><span><script>showDate();</script></span>
<span class="r"><a href="javascript:void(0);" id="cniil_wza">无障碍浏览</a> | <a href="javascript:void(0);" onclick="aged()">长者专版</a> | <a href="javascript:AddFavorite(location.href, document.title);">加入收藏</a> | <a href="javascript:void(0);" onclick="this.style.behavior='url(#default#homepage)';this.setHomePage(location.href);">设为首页</a></span></div></div>
<div class="header"><div class="w1200"><div class="logo">{escape(skin.name)}</div>
<form name="searchform" action="{skin.search}" method="get" target="_blank"><input type="text" name="searchword" placeholder="请输入关键字" /><input type="submit" value="搜索" /> <a href="{skin.search}?advanced=1" target="_blank">高级检索</a></form></div></div>
{_nav_html(skin, current)}
<div class="w1200 main">
{_crumbs(skin, crumbs)}
{body}
</div>
<div class="footer"><div class="w1200">
<p><select onchange="if(this.value){{window.open(this.value);}}"><option value="">——相关网站——</option>{friendly}</select></p>
{links}
</div></div>
{_STATS.replace("SITECODE", skin.site_code)}
<script type="text/javascript">function aged(){{ document.body.style.fontSize = "20px"; }}</script>
</body>
</html>
"""


def share() -> str:
    return _SHARE


def related(items: list[tuple[str, str, str]]) -> str:
    """The 相关链接 box under an article: (title, href, date)."""
    lis = "".join(f'<li><a href="{h}" title="{escape(t)}" target="_blank">{escape(t)}</a><span>{d}</span></li>'
                  for t, h, d in items)
    return f'<div class="related"><h3>相关链接</h3><ul class="list">{lis}</ul></div>'


def list_items(items: list[tuple[str, str, str]], *, truncate: int = 0) -> str:
    def text(t: str) -> str:
        return escape(t[:truncate] + "…") if truncate and len(t) > truncate else escape(t)

    return "\n".join(f'<li><a href="{h}" title="{escape(t)}" target="_blank">{text(t)}</a><span>{d}</span></li>'
                     for t, h, d in items)
