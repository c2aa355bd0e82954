"""The standard departments of a county and a city government, for generated title/metadata matrices.

Names follow the 2018–2024 institutional reform (机构改革) lists of typical counties and cities; each
entry is the part after the region name. Shared by the classification and metadata matrix tests.
"""

from __future__ import annotations

COUNTY_DEPARTMENTS = [
    "人民政府", "人民政府办公室", "发展和改革局", "教育局", "教育和体育局", "科学技术局", "工业和信息化局",
    "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "自然资源和规划局",
    "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化广电和旅游局",
    "卫生健康委员会", "卫生健康局", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局",
    "医疗保障局", "林业局", "城市管理局", "城市管理综合行政执法局", "信访局", "行政审批服务局", "数据局",
    "大数据中心", "乡村振兴局", "政务服务管理局", "粮食和物资储备局", "人民防空办公室", "机关事务管理局",
    "地方金融监督管理局", "国有资产监督管理局", "投资促进局", "融媒体中心", "档案馆", "残疾人联合会",
    "供销合作社联合社", "消防救援大队", "财政预算评审中心", "统计调查中心", "审计服务中心",
    "委机构编制委员会办公室", "委全面依法治县委员会办公室", "委组织部", "委宣传部", "法治政府建设领导小组办公室",
    "经济开发区管理委员会",
]
CITY_DEPARTMENTS = [
    "人民政府", "人民政府办公室", "人民政府办公厅", "发展和改革委员会", "教育局", "科学技术局",
    "工业和信息化局", "公安局", "民族宗教事务委员会", "民政局", "司法局", "财政局", "人力资源和社会保障局",
    "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局",
    "文化广电和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
    "人民政府国有资产监督管理委员会", "市场监督管理局", "体育局", "统计局", "医疗保障局", "林业局",
    "城市管理局", "信访局", "行政审批服务局", "数据局", "人民政府外事办公室", "人民政府研究室",
    "地方金融管理局", "机关事务管理局", "公共资源交易中心", "住房公积金管理中心", "预算评审中心",
    "委全面依法治市委员会办公室",
]
COUNTIES = ["青山县", "淮安市洪泽区", "平潭综合实验区"]
CITIES = ["安庆市", "淮安市"]
TOWNSHIPS = ["青山县石桥镇人民政府", "青山县白沙乡人民政府", "淮安市洪泽区高良涧街道办事处", "平潭综合实验区潭城镇人民政府"]
# a branch of a city bureau in a county (生态环境分局), named after the county
BRANCHES = ["安庆市生态环境局青山分局", "国家税务总局青山县税务局", "青山县气象局"]


def agencies() -> list[str]:
    names = [region + (dept.replace("依法治县", "依法治区") if region.endswith("区") else dept)
             for region in COUNTIES for dept in COUNTY_DEPARTMENTS]
    names += [city + dept for city in CITIES for dept in CITY_DEPARTMENTS]
    names += TOWNSHIPS + BRANCHES
    return list(dict.fromkeys(names))
