"""The Ulanqab bureau's organisation as the seed text describes it in mid-2023.

Unit names and division codes are real (GB/T 2260); people are fictitious.
"""

DEMO_PASSWORD = "Demo@2023"

CITY = {"code": "150900", "name": "乌兰察布市", "division_code": "150900"}

# In the order the bureau lists them.
COUNTIES = [
    ("150902", "集宁区", "集宁区"),
    ("150981", "丰镇市", "丰镇市"),
    ("150921", "卓资县", "卓资县"),
    ("150922", "化德县", "化德县"),
    ("150923", "商都县", "商都县"),
    ("150924", "兴和县", "兴和县"),
    ("150925", "凉城县", "凉城县"),
    ("150926", "察哈尔右翼前旗", "察右前旗"),
    ("150927", "察哈尔右翼中旗", "察右中旗"),
    ("150928", "察哈尔右翼后旗", "察右后旗"),
    ("150929", "四子王旗", "四子王旗"),
]

BUREAU = {"code": "bureau", "name": "乌兰察布市农牧局", "short_name": "市农牧局"}

SECTIONS = [
    ("sec-office", "办公室"),
    ("sec-personnel", "人事科"),
    ("sec-policy", "政策法规科"),
    ("sec-finance", "计划财务科"),
    ("sec-industry", "乡村产业发展科"),
    ("sec-crops", "种植业管理科"),
    ("sec-livestock", "畜牧业管理科"),
    ("sec-farmland", "农田建设管理科"),
    ("sec-market", "市场与信息化科"),
    ("sec-science", "科技教育科"),
    ("sec-coop", "农村合作经济指导科"),
    ("sta-extension", "农牧业技术推广中心"),
    ("sta-animal-health", "动物疫病预防控制中心"),
    ("sta-quality", "农畜产品质量安全监测中心"),
    ("sta-grassland", "草原工作站"),
    ("sta-enforcement", "农牧业综合行政执法支队"),
]

# The nine special offices (专办/处) in the seed text's order, with their duties.
OFFICES = [
    (
        "office-rural",
        "农牧办",
        "统筹全市农村牧区重点工作,调度乡村振兴重点任务,以市委农牧办名义下发督办通报。",
    ),
    ("office-potato", "马铃薯产业办", "推进马铃薯全产业链建设和马铃薯产业发展示范区建设。"),
    (
        "office-base",
        "国家重要农畜产品基地办",
        "统筹国家重要农畜产品生产基地建设重点任务的分解、调度和督导。",
    ),
    ("office-cattle", "肉(奶)牛办", "推进肉牛、奶牛产业发展,调度存栏和规模养殖场建设情况。"),
    ("office-basket", "菜篮子办", "落实\u201c菜篮子\u201d市长负责制,组织考核和设施农业建设。"),
    (
        "office-brand",
        "\u201c原味乌兰察布\u201d品牌办",
        "负责区域公用品牌授权、用标管理、复审和品牌推广。",
    ),
    ("office-clean-veg", "净菜进京办", "组织净菜进京供应基地建设和产销对接。"),
    ("office-investment", "农牧领域招商办", "谋划招商引资重点项目,组织招商活动,调度签约落地项目。"),
    ("office-alliance", "马铃薯联盟秘书处", "承担马铃薯产业联合会日常工作,拟定联合会工作计划。"),
]

MEMBER_UNITS = [
    ("mu-ndrc", "市发展和改革委员会"),
    ("mu-finance", "市财政局"),
    ("mu-natural-resources", "市自然资源局"),
    ("mu-ecology", "市生态环境局"),
    ("mu-water", "市水务局"),
    ("mu-commerce", "市商务局"),
    ("mu-market-regulation", "市市场监督管理局"),
    ("mu-forestry", "市林业和草原局"),
    ("mu-supply-coop", "市供销合作社"),
]

ASSOCIATIONS = [("assoc-brand", "乌兰察布市农牧业品牌协会")]

# Bureau leaders: (username, name, title). The first is the demo account `leader`.
LEADERS = [
    ("leader", "王振华", "局长"),
    ("ldr-zhao", "赵志刚", "副局长"),
    ("ldr-sun", "孙丽萍", "副局长"),
    ("ldr-zhou", "周明远", "副局长"),
    ("ldr-wu", "吴海峰", "副局长"),
    ("ldr-zheng", "郑晓燕", "二级调研员"),
]

# Staff of each office: director, executive deputy, members.
# (username, name, title, profile unit code). `office` is a member of the potato office.
OFFICE_STAFF = {
    "office-rural": [
        ("rural-dir", "刘建军", "科长", "sec-industry"),
        ("rural-dep", "陈晓东", "副科长", "sec-industry"),
        [
            ("rural-m1", "杨帆", "四级主任科员", "sec-policy"),
            ("rural-m2", "黄丽", "科员", "sec-office"),
        ],
    ],
    "office-potato": [
        ("potato-dir", "张海龙", "主任", "sta-extension"),
        ("potato-dep", "李秀梅", "副主任", "sec-crops"),
        [
            ("office", "马晓静", "科员", "sec-crops"),
            ("potato-m2", "高峰", "农艺师", "sta-extension"),
        ],
    ],
    "office-base": [
        ("base-dir", "何志强", "科长", "sec-finance"),
        ("base-dep", "罗文静", "副科长", "sec-farmland"),
        [("base-m1", "梁超", "科员", "sec-finance"), ("base-m2", "宋佳", "科员", "sec-farmland")],
    ],
    "office-cattle": [
        ("cattle-dir", "韩立新", "科长", "sec-livestock"),
        ("cattle-dep", "唐雪", "畜牧师", "sec-livestock"),
        [("cattle-m1", "冯磊", "兽医师", "sta-animal-health")],
    ],
    "office-basket": [
        ("basket-dir", "曹文斌", "科长", "sec-crops"),
        ("basket-dep", "许丹", "副科长", "sec-market"),
        [("basket-m1", "邓亮", "科员", "sec-crops")],
    ],
    "office-brand": [
        ("brand-dir", "彭伟", "科长", "sec-market"),
        ("brand-dep", "曾晓红", "副科长", "sta-quality"),
        [("brand-m1", "萧然", "科员", "sec-market"), ("brand-m2", "田甜", "科员", "sta-quality")],
    ],
    "office-clean-veg": [
        ("cleanveg-dir", "董建华", "科长", "sec-industry"),
        ("cleanveg-dep", "袁野", "副科长", "sec-crops"),
        [("cleanveg-m1", "潘婷", "科员", "sec-industry")],
    ],
    "office-investment": [
        ("invest-dir", "蒋国栋", "科长", "sec-coop"),
        ("invest-dep", "蔡静", "副科长", "sec-finance"),
        [("invest-m1", "贾斌", "科员", "sec-coop"), ("invest-m2", "魏琳", "科员", "sec-industry")],
    ],
    "office-alliance": [
        ("alliance-dir", "薛志勇", "主任", "sta-extension"),
        ("alliance-dep", "叶青", "副主任", "sec-science"),
        [("alliance-m1", "阎磊", "科员", "sec-science")],
    ],
}

# County liaisons: (username, name, county division code). zhuozi and huade are demo accounts.
COUNTY_LIAISONS = [
    ("jining", "白云飞", "150902"),
    ("fengzhen", "任保国", "150981"),
    ("zhuozi", "郭晓军", "150921"),
    ("huade", "乔文慧", "150922"),
    ("shangdu", "武建平", "150923"),
    ("xinghe", "常红", "150924"),
    ("liangcheng", "史俊", "150925"),
    ("qianqi", "苏日娜", "150926"),
    ("zhongqi", "乌云", "150927"),
    ("houqi", "巴特尔", "150928"),
    ("siziwang", "其其格", "150929"),
]

DEPARTMENT_LIAISONS = [
    ("ndrc", "钱立", "mu-ndrc"),
    ("finance", "范海燕", "mu-finance"),
    ("commerce", "秦浩", "mu-commerce"),
]

# Enterprises' own logins (brand register applicants: no role, their unit the
# enterprise's): (username, name, title, enterprise). `yinshan` is a demo account.
ENTERPRISE_LOGINS = [
    ("yinshan", "张慧敏", "品牌专员", "内蒙古阴山优麦食品有限公司"),
    ("bayintala", "乌日娜", "办公室主任", "察右前旗巴音塔拉牧业有限公司"),
]
# (username, name, title, unit code, role)
OTHER_PEOPLE = [
    ("inspector", "邵军", "督导检查组成员", "sec-office", "inspector"),
    ("sysadmin", "陆一鸣", "系统管理员", "sec-market", "system_admin"),
    ("secadmin", "姚远", "安全管理员", "sec-market", "security_admin"),
    ("auditor", "汪洁", "审计管理员", "sec-office", "audit_admin"),
]

# The six chains (麦菜薯、牛羊乳) with their "six ones". The sheep chain's work plan is
# still being drafted, so the app shows it as missing.
CHAINS = [
    {
        "code": "wheat-oats",
        "short_name": "麦",
        "name": "麦类(燕麦)产业链",
        "leader": "ldr-zhao",
        "lead_section": "sec-crops",
        "lead_office": None,
        "expert_team_name": "麦类产业链专家组",
        "work_plan_title": "《乌兰察布市燕麦产业高质量发展工作方案》",
        "work_plan_number": "乌农牧发〔2023〕15号",
        "working_group_name": "麦类产业链工作推进组",
        "experts": [
            ("任长忠", "研究员", "白城市农业科学院", "燕麦育种", True),
            ("刘景辉", "教授", "内蒙古农业大学", "燕麦栽培", False),
            ("赵宝平", "研究员", "乌兰察布市农林科学研究所", "杂粮栽培", False),
        ],
        "working_group": [("rural-m1", "组员")],
    },
    {
        "code": "vegetables",
        "short_name": "菜",
        "name": "蔬菜产业链",
        "leader": "ldr-sun",
        "lead_section": "sec-crops",
        "lead_office": "office-basket",
        "expert_team_name": "蔬菜产业链专家组",
        "work_plan_title": "《乌兰察布市蔬菜产业高质量发展工作方案》",
        "work_plan_number": "乌农牧发〔2023〕16号",
        "working_group_name": "蔬菜产业链工作推进组",
        "experts": [
            ("张凤兰", "研究员", "内蒙古农牧业科学院", "设施蔬菜", True),
            ("李国民", "高级农艺师", "乌兰察布市农牧业技术推广中心", "冷凉蔬菜", False),
        ],
        "working_group": [
            ("basket-dir", "组长"),
            ("cleanveg-dir", "副组长"),
            ("basket-m1", "组员"),
        ],
    },
    {
        "code": "potato",
        "short_name": "薯",
        "name": "马铃薯产业链",
        "leader": "leader",
        "lead_section": "sta-extension",
        "lead_office": "office-potato",
        "expert_team_name": "马铃薯全产业链专家组",
        "work_plan_title": "《马铃薯产业发展示范区建设方案》",
        "work_plan_number": "乌政办发〔2023〕8号",
        "working_group_name": "马铃薯产业链工作推进组",
        "experts": [
            ("金黎平", "研究员", "中国农业科学院蔬菜花卉研究所", "马铃薯育种", True),
            ("石瑛", "教授", "东北农业大学", "马铃薯栽培", False),
            ("王贵平", "研究员", "乌兰察布市农林科学研究所", "马铃薯种薯", False),
            ("郭志乾", "高级农艺师", "乌兰察布市农牧业技术推广中心", "病虫害防治", False),
        ],
        "working_group": [
            ("potato-dir", "组长"),
            ("potato-dep", "副组长"),
            ("office", "联络员"),
            ("alliance-dir", "组员"),
        ],
    },
    {
        "code": "beef-cattle",
        "short_name": "牛",
        "name": "肉牛产业链",
        "leader": "ldr-zhou",
        "lead_section": "sec-livestock",
        "lead_office": "office-cattle",
        "expert_team_name": "肉牛产业链专家组",
        "work_plan_title": "《乌兰察布市肉牛产业高质量发展工作方案》",
        "work_plan_number": "乌农牧发〔2023〕18号",
        "working_group_name": "肉牛产业链工作推进组",
        "experts": [
            ("曹兵海", "教授", "中国农业大学", "肉牛营养", True),
            ("李金泉", "教授", "内蒙古农业大学", "肉牛繁育", False),
        ],
        "working_group": [("cattle-dir", "组长"), ("cattle-m1", "组员")],
    },
    {
        "code": "sheep",
        "short_name": "羊",
        "name": "肉羊产业链",
        "leader": "ldr-wu",
        "lead_section": "sec-livestock",
        "lead_office": None,
        "expert_team_name": "肉羊产业链专家组",
        "work_plan_title": "",
        "work_plan_number": "",
        "working_group_name": "肉羊产业链工作推进组",
        "experts": [("荣威恒", "研究员", "内蒙古农牧业科学院", "肉羊育种", True)],
        "working_group": [("cattle-dep", "组长")],
    },
    {
        "code": "dairy",
        "short_name": "乳",
        "name": "奶业产业链",
        "leader": "ldr-zheng",
        "lead_section": "sec-livestock",
        "lead_office": "office-cattle",
        "expert_team_name": "奶业产业链专家组",
        "work_plan_title": "《乌兰察布市奶业振兴支持政策》",
        "work_plan_number": "乌政办发〔2023〕12号",
        "working_group_name": "奶业产业链工作推进组",
        "experts": [
            ("王加启", "研究员", "中国农业科学院北京畜牧兽医研究所", "奶业质量安全", True),
            ("张和平", "教授", "内蒙古农业大学", "乳品科学", False),
        ],
        "working_group": [("cattle-dep", "组长"), ("cattle-m1", "组员")],
    },
]
