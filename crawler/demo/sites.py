"""The three demo portals: identity, nav menus and footers (see chrome.py for the page frame)."""

from __future__ import annotations

from crawler.demo.chrome import Nav, Skin

_COUNTY_NAV: Nav = [
    ("首页", "/index.html", []),
    ("走进伊川", "/zjyc/index.html", [("伊川概况", "/zjyc/ycgk/index.html"), ("历史沿革", "/zjyc/lsyg/index.html"),
                                  ("自然地理", "/zjyc/zrdl/index.html"), ("行政区划", "/zjyc/xzqh/index.html"),
                                  ("人文旅游", "/zjyc/rwly/index.html"), ("经济发展", "/zjyc/jjfz/index.html")]),
    ("新闻中心", "/xwzx/index.html", [("伊川要闻", "/xwzx/ycyw/index.html"), ("部门动态", "/xwzx/bmdt/index.html"),
                                  ("乡镇动态", "/xwzx/xzdt/index.html"), ("通知公告", "/xwzx/tzgg/index.html"),
                                  ("媒体聚焦", "/xwzx/mtjj/index.html"), ("视频新闻", "/xwzx/spxw/index.html")]),
    ("政务公开", "/zwgk/index.html", [("政府信息公开", "/zwgk/zfxxgk/index.html"), ("政策文件", "/zwgk/zcwj/index.html"),
                                  ("政策解读", "/zwgk/zcjd/index.html"), ("人事信息", "/zwgk/rsxx/index.html"),
                                  ("规划计划", "/zwgk/ghjh/index.html"), ("财政资金", "/zwgk/czzj/index.html"),
                                  ("重点领域", "/zwgk/zdly/index.html"), ("建议提案办理", "/zwgk/jyta/index.html"),
                                  ("政府信息公开年报", "/zwgk/zfxxgk/xxgknb/index.html")]),
    ("政务服务", "/zwfw/index.html", [("办事指南", "/zwfw/bszn/index.html"), ("便民服务", "/zwfw/bmfw/index.html"),
                                  ("公共服务", "/zwfw/ggfw/index.html"), ("收费目录", "/zwfw/sfml/index.html")]),
    ("互动交流", "/hdjl/index.html", [("县长信箱", "/hdjl/xzxx/index.html"), ("在线访谈", "/hdjl/zxft/index.html"),
                                  ("征集调查", "/hdjl/zjdc/index.html"), ("常见问题", "/hdjl/cjwt/index.html"),
                                  ("12345热线", "/hdjl/rx12345/index.html")]),
    ("专题专栏", "/ztzl/index.html", [("优化营商环境", "/ztzl/yhyshj/index.html"), ("乡村振兴", "/ztzl/xczx/index.html"),
                                  ("疫情防控", "/ztzl/yqfk/index.html"), ("创建文明城市", "/ztzl/cjwmcs/index.html"),
                                  ("扫黑除恶", "/ztzl/shce/index.html")]),
    ("数据开放", "/sjkf/index.html", [("统计数据", "/sjkf/tjsj/index.html"), ("统计公报", "/sjkf/tjgb/index.html")]),
]

COUNTY = Skin(
    key="county", name="伊川县人民政府", domain="www.yichuan.gov.cn", site_code="4103290001", charset="gb2312",
    title_sep="-", nav=_COUNTY_NAV,
    footer=['<a href="/wzdt/index.html">网站地图</a> | <a href="/lxwm/index.html">联系我们</a> | '
            '<a href="/wzsm/index.html">网站声明</a>',
            "主办单位：伊川县人民政府办公室　承办单位：伊川县大数据管理中心　技术支持：拓尔思信息技术股份有限公司",
            "ICP备案号：豫ICP备05016383号-1　豫公网安备 41032902000101号　网站标识码：4103290001",
            "运维电话：0379-68221234　（建议使用1366×768分辨率 IE9.0以上版本浏览器）"],
    friends=[("中国政府网", "http://www.gov.cn/"), ("河南省人民政府", "http://www.henan.gov.cn/"),
             ("洛阳市人民政府", "http://www.ly.gov.cn/")],
)

_CITY_NAV: Nav = [
    ("首页", "/index.html", []),
    ("魅力双辽", "/col/col1100/index.html", [("双辽概况", "/col/col1101/index.html"), ("历史文化", "/col/col1102/index.html"),
                                          ("旅游资源", "/col/col1103/index.html"), ("双辽特产", "/col/col1104/index.html")]),
    ("新闻动态", "/col/col1011/index.html", [("双辽要闻", "/col/col1012/index.html"), ("部门动态", "/col/col1013/index.html"),
                                          ("乡镇动态", "/col/col1014/index.html"), ("公示公告", "/col/col1015/index.html")]),
    ("政务公开", "/col/col1001/index.html", [("政府信息公开", "/col/col1002/index.html"),
                                          ("政府工作报告", "/col/col1009/index.html"),
                                          ("财政预决算", "/col/col1010/index.html"), ("政策解读", "/col/col1016/index.html"),
                                          ("人事任免", "/col/col1017/index.html"),
                                          ("政府信息公开年报", "/col/col1005/index.html")]),
    ("政务服务", "/col/col1200/index.html", [("个人办事", "/col/col1201/index.html"), ("法人办事", "/col/col1202/index.html"),
                                          ("便民查询", "/col/col1203/index.html")]),
    ("政民互动", "/col/col1300/index.html", [("市长信箱", "/col/col1301/index.html"), ("网上调查", "/col/col1302/index.html"),
                                          ("意见征集", "/col/col1303/index.html")]),
    ("专题专栏", "/col/col1400/index.html", [("黑土地保护", "/col/col1401/index.html"), ("疫情防控", "/col/col1402/index.html")]),
]

CITY = Skin(
    key="city", name="双辽市人民政府", domain="www.shuangliao.gov.cn", site_code="2203820001", charset="utf-8",
    title_sep="_", nav=_CITY_NAV, crumb_prefix="您当前的位置：", search="/jrobot/search.do", layout="hanweb",
    footer=['<a href="/col/col1501/index.html">关于我们</a> | <a href="/col/col1502/index.html">网站地图</a> | '
            '<a href="/col/col1503/index.html">联系我们</a>',
            "主办单位：双辽市人民政府办公室　承办单位：双辽市政务服务和数字化建设管理局",
            "技术支持：南京大汉网络有限公司　运维电话：0434-7221800",
            "吉ICP备10002311号-1　吉公网安备22038202000012号　网站标识码：2203820001"],
    friends=[("中国政府网", "http://www.gov.cn/"), ("吉林省人民政府", "http://www.jl.gov.cn/"),
             ("四平市人民政府", "http://www.siping.gov.cn/")],
)

_TOWN_NAV: Nav = [
    ("首页", "/index.html", []),
    ("街道概况", "/jdgk/index.html", []),
    ("工作动态", "/gzdt/index.html", []),
    ("信息公开", "/xxgk/index.html", [("政府信息公开年报", "/xxgk/nb/index.html"), ("财政信息", "/xxgk/czxx/index.html")]),
    ("党建工作", "/djgz/index.html", []),
    ("便民服务", "/bmfw/index.html", []),
    ("联系我们", "/lxwm/index.html", []),
]

TOWN = Skin(
    key="town", name="曲靖市麒麟区珠街街道办事处", domain="www.zhujie.qlq.gov.cn", site_code="5303020012",
    charset="utf-8", title_sep=" - ", nav=_TOWN_NAV, layout="simple",
    footer=["CopyRight 2016-2022 版权所有：曲靖市麒麟区珠街街道办事处",
            "备案号：滇ICP备05005095号-2　滇公网安备53030202000210号　网站标识码：5303020012",
            "主办单位：珠街街道党政办　技术支持：华海信息　运维电话：0874-3125566"],
    friends=[("曲靖市人民政府", "http://www.qj.gov.cn/"), ("麒麟区人民政府", "http://www.qll.gov.cn/")],
)

SKINS = {s.key: s for s in (COUNTY, CITY, TOWN)}
REGION = {"county": "410329", "city": "220382", "town": "530302"}
