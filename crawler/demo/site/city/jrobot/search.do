<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>站内检索_双辽市人民政府</title>
<meta name="SiteName" content="双辽市人民政府">
<meta name="SiteDomain" content="www.shuangliao.gov.cn">
<meta name="SiteIDCode" content="2203820001">
<meta name="ColumnName" content="站内检索">
<meta name="ColumnType" content="站内检索">
<meta name="Keywords" content="双辽市人民政府,站内检索">
<meta name="Description" content="站内检索">
<link href="/images/common.css" rel="stylesheet" type="text/css">
<style type="text/css">
body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f5f5f5}
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
text-align:center;padding:20px 0;font-size:12px;line-height:26px}.footer a{color:#bbb}.related h3{border-bottom:2px solid #b3120f}
</style>
<script type="text/javascript">
var now = new Date(); var week = ["日","一","二","三","四","五","六"];
function showDate(){ document.write(now.getFullYear()+"年"+(now.getMonth()+1)+"月"+now.getDate()+"日 星期"+week[now.getDay()]); }
function AddFavorite(url, title){ try { window.external.addFavorite(url, title); } catch (e) {
  try { window.sidebar.addPanel(title, url, ""); } catch (e2) { alert("加入收藏失败，请使用Ctrl+D进行添加"); } } }
function doZoom(size){ var el = document.getElementById("zoom"); if (el) { el.style.fontSize = size + "px"; } }
</script>
</head>
<body>
<div class="topbar"><div class="w1200"><span><script>showDate();</script></span>
<span class="r"><a href="javascript:void(0);" id="cniil_wza">无障碍浏览</a> | <a href="javascript:void(0);" onclick="aged()">长者专版</a> | <a href="javascript:AddFavorite(location.href, document.title);">加入收藏</a> | <a href="javascript:void(0);" onclick="this.style.behavior='url(#default#homepage)';this.setHomePage(location.href);">设为首页</a></span></div></div>
<div class="header"><div class="w1200"><div class="logo">双辽市人民政府</div>
<form name="searchform" action="/jrobot/search.do" method="get" target="_blank"><input type="text" name="searchword" placeholder="请输入关键字" /><input type="submit" value="搜索" /> <a href="/jrobot/search.do?advanced=1" target="_blank">高级检索</a></form></div></div>
<div class="nav"><ul class="w1200">
    <li><a href="/index.html">首页</a></li>
    <li><a href="/col/col1100/index.html">魅力双辽</a>
      <ul class="sub"><li><a href="/col/col1101/index.html" target="_blank">双辽概况</a></li><li><a href="/col/col1102/index.html" target="_blank">历史文化</a></li><li><a href="/col/col1103/index.html" target="_blank">旅游资源</a></li><li><a href="/col/col1104/index.html" target="_blank">双辽特产</a></li></ul></li>
    <li><a href="/col/col1011/index.html">新闻动态</a>
      <ul class="sub"><li><a href="/col/col1012/index.html" target="_blank">双辽要闻</a></li><li><a href="/col/col1013/index.html" target="_blank">部门动态</a></li><li><a href="/col/col1014/index.html" target="_blank">乡镇动态</a></li><li><a href="/col/col1015/index.html" target="_blank">公示公告</a></li></ul></li>
    <li><a href="/col/col1001/index.html">政务公开</a>
      <ul class="sub"><li><a href="/col/col1002/index.html" target="_blank">政府信息公开</a></li><li><a href="/col/col1009/index.html" target="_blank">政府工作报告</a></li><li><a href="/col/col1010/index.html" target="_blank">财政预决算</a></li><li><a href="/col/col1016/index.html" target="_blank">政策解读</a></li><li><a href="/col/col1017/index.html" target="_blank">人事任免</a></li><li><a href="/col/col1005/index.html" target="_blank">政府信息公开年报</a></li></ul></li>
    <li><a href="/col/col1200/index.html">政务服务</a>
      <ul class="sub"><li><a href="/col/col1201/index.html" target="_blank">个人办事</a></li><li><a href="/col/col1202/index.html" target="_blank">法人办事</a></li><li><a href="/col/col1203/index.html" target="_blank">便民查询</a></li></ul></li>
    <li><a href="/col/col1300/index.html">政民互动</a>
      <ul class="sub"><li><a href="/col/col1301/index.html" target="_blank">市长信箱</a></li><li><a href="/col/col1302/index.html" target="_blank">网上调查</a></li><li><a href="/col/col1303/index.html" target="_blank">意见征集</a></li></ul></li>
    <li><a href="/col/col1400/index.html">专题专栏</a>
      <ul class="sub"><li><a href="/col/col1401/index.html" target="_blank">黑土地保护</a></li><li><a href="/col/col1402/index.html" target="_blank">疫情防控</a></li></ul></li>
</ul></div>
<div class="w1200 main">
<div class="crumb">您当前的位置：<a href="/index.html">首页</a> &gt; 站内检索</div>
<div class="column"><h2>检索结果</h2><ul class="list">
<li><a href="/art/2022/1/21/art_1006_35821.html" title="双辽市政府办公室2021年度政府信息公开工作报告" target="_blank">双辽市政府办公室2021年度政府信息公开工作报告</a><span>2022-01-21</span></li>
<li><a href="/art/2022/1/18/art_1012_35790.html" title="双辽市召开全市政务公开工作推进会" target="_blank">双辽市召开全市政务公开工作推进会</a><span>2022-01-18</span></li>
<li><a href="/art/2022/1/10/art_1009_35502.html" title="2022年政府工作报告" target="_blank">2022年政府工作报告</a><span>2022-01-10</span></li>
<li><a href="/art/2021/2/5/art_1010_30890.html" title="双辽市2021年财政预算公开" target="_blank">双辽市2021年财政预算公开</a><span>2021-02-05</span></li>
<li><a href="/art/2021/1/25/art_1007_30517.html" title="池州市贵池区自然资源和规划局2020年政府信息公开工作年度报告" target="_blank">池州市贵池区自然资源和规划局2020年政府信息公开工作年度报告</a><span>2021-01-25</span></li>
</ul></div>
</div>
<div class="footer"><div class="w1200">
<p><select onchange="if(this.value){window.open(this.value);}"><option value="">——相关网站——</option><option value="http://www.gov.cn/">中国政府网</option><option value="http://www.jl.gov.cn/">吉林省人民政府</option><option value="http://www.siping.gov.cn/">四平市人民政府</option></select></p>
<p><a href="/col/col1501/index.html">关于我们</a> | <a href="/col/col1502/index.html">网站地图</a> | <a href="/col/col1503/index.html">联系我们</a></p>
<p>主办单位：双辽市人民政府办公室　承办单位：双辽市政务服务和数字化建设管理局</p>
<p>技术支持：南京大汉网络有限公司　运维电话：0434-7221800</p>
<p>吉ICP备10002311号-1　吉公网安备22038202000012号　网站标识码：2203820001</p>
</div></div>
<script type="text/javascript">
var _hmt = _hmt || [];
(function() {
  var hm = document.createElement("script");
  hm.src = "https://hm.baidu.com/hm.js?7c1f8b3d2a6e4f5b9c0d1e2f3a4b5c6d";
  var s = document.getElementsByTagName("script")[0];
  s.parentNode.insertBefore(hm, s);
})();
</script>
<script id="_jiucuo_" sitecode="2203820001" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>
<script type="text/javascript">function aged(){ document.body.style.fontSize = "20px"; }</script>
</body>
</html>
