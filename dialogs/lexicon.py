"""The words merchants use, by slot and value: the vocabulary of `dialogs.understanding`.

Everything here is data. Words are written once, in simplified Chinese or lower-case English:
messages are folded first (full-width → ASCII, traditional → simplified by OpenCC), so
遊戲點卡, ＱＢ and Steam all meet these entries. To teach the bot a word, add it to the
value it names; docs/dialogue.md explains the grammar around it (negation, topic words).

Slots are the facts a message can state (the evaluation corpus uses the same names):
orders, kinds, categories, multi_level, cross_border, response, scope, tooling, ai, mode,
volume, billing, budget.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from dialogs.text import fold

# slot → value → words that name it. A longer word wins over a shorter one inside it.
WORDS: dict[str, dict[object, tuple[str, ...]]] = {
    "kinds": {
        "game_cards": (
            "game gift card", "game gift cards", "氪金", "虚宝", "代储", "游戏代储",
            "uc top-up", "uc top-ups", "pubg uc", "diamond top-up", "diamond top-ups",
            "game top-up", "game top-ups", "game top up", "game topup", "game credit",
            "game credits", "wallet codes", "wallet code", "psn", "psn cards", "xbox",
            "nintendo",
            "steam充值卡", "steam充值", "steam卡", "游戏充值卡", "q币充值", "steam keys",
            "steam key",
            "game keys",
            "razer gold", "razer", "garena", "mobile legends", "pubg", "diamonds",
            "游戏点卡", "点卡", "点数卡", "点数", "mycard", "游戏储值", "手游充值", "游戏卡",
            "游戏充值", "游戏币", "手游", "端游", "页游", "代充", "q币", "qb", "点券", "钻石",
            "元宝", "steam", "游戏账号", "游戏", "王者", "原神", "皮肤", "战令", "game", "games",
            "gaming", "in-game",
        ),
        "phone_topup": (
            "储值", "电信", "联通", "移动话费", "移动流量", "预付卡", "易付卡", "上网卡",
            "中华电信", "台湾大哥大", "远传", "亚太电信", "储值卡", "中国移动", "中国联通",
            "中国电信",
            "mobile data", "data top-up", "data top-ups",
            "电话增值", "电话储值",
            "手机储值", "手机增值", "上网数据", "数据卡", "流量卡", "prepaid", "reload",
            "reload pins",
            "maxis", "digi", "celcom", "hotlink",
            "话费充值", "话费", "充话费", "data bundle", "data bundles", "增值卡", "电话卡",
            "手机卡", "流量包", "流量", "手机充值", "三网", "充值", "top-up", "top up", "topup",
            "top-ups", "topups", "mobile credit", "phone credit", "airtime", "data plan",
            "data plans", "recharge",
        ),
        "software_keys": (
            "金钥", "软件激活码", "激活码", "软件", "序列号", "序号", "防毒", "cd-key", "cdkey",
            "密钥",
            "注册码", "正版", "windows", "office", "win10", "win11", "杀毒", "license", "licenses",
            "licence", "software", "activation", "product key", "product keys", "serial",
        ),
        "video_memberships": (
            "影视会员", "视频会员", "影音会员", "会员月卡", "会员", "影视", "爱奇艺", "腾讯视频",
            "优酷", "芒果tv", "芒果", "大会员", "网易云", "qq音乐", "音乐会员", "netflix",
            "spotify", "streaming", "membership", "memberships", "vip", "subscription",
            "subscriptions", "video",
        ),
        "blockchain_nft": (
            "区块链", "nft", "数字藏品", "链上", "加密货币", "虚拟币", "usdt", "crypto",
            "blockchain", "web3",
        ),
        "other": (
            "其他商品", "其他卡", "其它商品",
            "礼物卡", "礼券", "家乐福", "超商", "7-11",
            "京东卡", "京东e卡", "e卡", "礼品卡", "购物卡", "超市卡", "加油卡", "油卡", "电影票",
            "外卖", "优惠券", "星巴克", "gift card", "gift cards", "giftcard",
            "voucher", "vouchers", "coupon", "coupons", "other",
        ),
    },
    "multi_level": {
        True: (
            "agents",
            "reselling", "resell", "resells", "agents reselling",
            "经销商", "经销", "agents in", "dealers", "dealer", "downlines", "resellers under",
            "多级分销", "多级", "分销", "代理", "下级", "分站", "二级", "三级", "渠道商", "加盟",
            "层级", "下线", "代理商", "multi-level", "multilevel", "multi level", "reseller",
            "distributor", "sub-site", "subsite", "distribution network", "distribution",
            "sub-agent", "downline",
        ),
        False: ("只做零售", "直营", "只零售", "no resellers", "no agents"),
    },
    "cross_border": {
        True: (
            "english", "malay", "in english", "write in english",
            "worldwide", "global customers", "spanish", "sg", "indo", "ph", "星马", "大陆", "内地",
            "澳门", "香港", "台湾", "俄语", "日语", "韩语", "泰语", "越南语", "印尼语", "马来语",
            "西班牙语", "法语",
            "德语",
            "阿拉伯语", "葡萄牙语", "小语种", "双语", "多国语言", "英日韩",
            "跨境", "海外", "国外", "外国", "多语言", "外语", "英文客服", "英语", "境外", "出海",
            "东南亚", "外国人", "老外", "海外客", "外国客户", "会英文", "英文", "马来西亚",
            "新加坡", "越南", "泰国", "印尼", "菲律宾", "日本", "韩国", "美国", "欧洲",
            "cross-border", "cross border", "crossborder", "overseas", "international", "foreign",
            "multilingual", "multi-language", "abroad", "english-speaking", "english support",
            "vietnam", "thailand", "malaysia", "singapore", "indonesia", "philippines", "japan",
            "korea", "europe", "usa", "other languages",
        ),
        False: (
            "all local", "local customers", "local only", "locals only", "客人都在本地",
            "都是本地", "只做国内", "国内", "本地", "domestic", "china only", "only china",),
    },
    "response": {
        "standard": (
            "half an hour", "half hour", "within an hour",
            "标准响应", "标准的就行", "标准就行", "标准的", "不急", "不着急", "慢点也行", "慢一点",
            "正常回复", "正常速度", "standard", "not urgent", "no rush", "normal speed",
        ),
        "fast": (
            "这样快",
            "这么快", "那么快", "很快", "好快",
            "快速响应", "快速", "快一点", "快点", "尽快", "及时回复", "回复快", "fast", "quick",
            "quickly", "asap", "promptly",
        ),
        "emergency": (
            "24 hr", "24hr", "24 hours", "24-hour", "24 hour",
            "即刻回复", "马上回", "紧急响应", "紧急", "秒回", "即时回复", "实时", "24小时", "7x24",
            "24/7", "24h",
            "全天候", "全天在线", "通宵", "夜班", "越快越好", "emergency", "instant",
            "instantly", "immediately", "round the clock", "around the clock", "real-time",
            "realtime",
        ),
    },
    "scope": {
        "basic": (
            "基本问题", "回答基本问题", "常见问题", "回答一些", "问答",
            "回复客人问题", "回复客人", "回答客人", "回复问题", "回客人", "faq only", "just faq",
            "only faq",
            "faq answering",
            "基本的",
            "答答问题", "答问题", "简单答", "简单回答", "answering",
            "基础客服", "基础", "售前", "简单售后", "答疑", "回答问题", "回答咨询", "查卡密",
            "回答一下", "回答下", "回答买家", "解答", "简单的", "basic", "simple", "pre-sales",
            "presales", "presale", "pre-sale", "card code lookup", "lookups",
        ),
        "technical": (
            "重复发货", "无效卡密", "卡密重复", "发错卡", "卡密无效", "查订单", "补发", "补卡",
            "卡密出问题", "卡密有问题", "后台补单",
            "序号异常", "激活码异常", "处理补单", "处理掉单",
            "技术客服", "技术", "懂后台", "会后台", "后台操作", "后台处理", "后台的活", "订单处理",
            "处理订单", "卡密异常", "对接上游", "上游", "排查", "故障", "接口",
            "查后台", "后台查", "操作后台", "进后台", "看后台", "后台改", "改后台",
            "technical", "tech support", "backend", "back-end", "back office", "troubleshoot",
            "troubleshooting",
        ),
        "full_chain": (
            "售前到售后", "从售前到售后", "由售前到售后", "全套",
            "community management", "community ops", "团队服务",
            "会员复购", "会员运营", "会员管理",
            "回购",
            "全链路", "全流程", "全包", "一条龙", "售前售中售后", "售前售后都", "社群", "复购",
            "用户运营", "运营", "数据分析", "full-chain", "full chain", "end-to-end",
            "end to end", "full service",
        ),
        "expert": (
            "blockchain expert", "blockchain experts", "区块链专家", "crypto expert",
            "blockchain knowledge", "crypto knowledge", "nft knowledge",
            "understands blockchain", "understand blockchain", "knows nft",
            "understands nft",
            "跨链", "gas费", "懂钱包", "普通客服搞不定", "懂链上", "懂币圈", "懂加密", "专家型",
            "专家", "懂区块链", "懂nft", "懂行",
            "垂直领域", "expert", "specialist",
            "knows blockchain", "know blockchain", "knows nft", "knows crypto",
        ),
    },
    "tooling": {
        "own": (
            "zendesk", "freshdesk", "intercom", "livechat", "crisp", "tidio", "美洽", "智齿",
            "七鱼", "环信", "udesk", "小能",
            "自带系统", "自带", "自有系统", "自己的系统", "自己有系统", "我们有系统", "自己有",
            "自研", "自己开发", "自建系统", "自己的", "自己搭", "我们的", "用我们", "我们有",
            "已经有", "我们已经有", "own system",
            "our own",
            "we have a system",
            "we have our", "have our own", "ours",
        ),
        "bundle": (
            "your tooling", "use yours", "你们准备", "你们配", "你们安排", "麻烦你们", "你们自带",
            "你们自己的", "你们带的",
            "客服+系统", "打包", "带系统", "你们的系统", "你们系统", "你们的", "你们提供",
            "你们出", "你们来", "你们负责", "贵司的", "一起提供", "要系统", "需要系统", "配系统",
            "配套系统", "bundle", "your system", "your software", "your tools", "yours", "package",
        ),
        "none": (
            "just whatsapp", "just wechat", "just telegram", "whatsapp only", "拿手机回",
            "手机回", "用微信回",
            "不需要系统", "不用系统", "不要系统", "无需系统", "不用工具", "微信上聊", "微信聊",
            "微信上直接聊", "拿微信聊", "qq上聊", "no system",
            "without a system", "without system",
        ),
        # A system named without saying whose: nothing alone, "none" when negated
        # ("啥系统都没有", "不需要什么客服软件").
        "_system": (
            "ticketing system", "ticket system", "helpdesk system", "cs system",
            "software needed", "need software", "needs software",
            "system", "systems", "any software", "crm", "helpdesk",
            "客服软件", "客服系统", "工单系统", "客服后台", "在线客服", "系统", "软件系统",
        ),
    },
    "ai": {
        "yes": (
            "机械人",
            "ai+人工", "ai加人工", "ai加真人", "ai+真人", "人工加ai", "ai和人工", "ai", "人工智能",
            "机器人", "智能客服", "自动回复", "chatbot", "bot", "gpt",
        ),
        "no": (
            "纯人工", "全人工", "人工就行", "只要人工", "全部人工", "要真人", "只要真人",
            "真人就行", "就要人", "只要人", "要人工", "no ai", "human only", "humans only",
            "only humans", "only human", "real people", "real humans",
        ),
        "auto": (
            "if it actually saves money", "only if it saves money", "only if cheaper",
            "if it saves",
            "省钱的话", "划算的话", "便宜的话就", "能省钱就上", "省钱就上", "划算就上", "便宜就上",
            "合适就上", "合适就加", "能省钱就用",
            "省钱就用", "划算就用", "便宜就用", "你们觉得合适", "if ai saves money",
            "if it saves money", "if it's cheaper", "if its cheaper", "if cheaper",
            "if ai makes it cheaper", "if ai is cheaper", "if it makes it cheaper",
        ),
    },
    "mode": {
        "outsourced": (
            "外包团队", "外判", "委外", "外包出去",
            "外包", "托管", "你们的人", "你们派人", "你们出人", "outsource", "outsourced",
            "outsourcing",
        ),
        "full_time": (
            "正职", "专任", "全职", "专职", "自招", "自己招", "坐班", "驻场", "full-time",
            "full time", "fulltime",
            "in-house", "dedicated",
        ),
        "part_time": (
            "工读生", "兼差", "打工仔", "学生工", "钟点工", "兼职", "临时工", "小时工", "宝妈",
            "part-time", "part time",
            "parttime", "part timer",
            "part-timer", "freelance", "freelancer",
        ),
    },
    "volume": {
        "steady": (
            "常年一个样", "一个样", "常年都一样", "全年一个样",
            "挺稳", "很稳", "稳的", "每天都这样", "天天都这样", "都这样",
            "平稳", "全年差不多", "一年到头差不多", "一年四季都差不多", "一直差不多", "都差不多",
            "波动不大", "波动小", "变化不大", "没啥波动", "均匀", "平均的", "很平均", "满平均",
            "蛮平均", "平的", "稳定", "比较稳", "steady", "stable", "consistent", "flat",
        ),
        "seasonal": (
            "淡季少", "淡季没", "淡季单少", "淡季会少", "淡季比较少", "逢年过节", "过节", "raya",
            "11.11", "12.12", "deepavali", "songkran",
            "ramadan", "lunar new year", "busy season", "busier", "圣诞", "新年", "特别多单",
            "比较忙", "特别忙", "起伏", "忽多忽少", "时多时少",
            "单量爆", "爆单", "上线那几天", "新品上线", "开服", "doubles", "doubled",
            "hari raya", "cny", "chinese new year", "christmas", "black friday",
            "double the orders", "orders double", "double",
            "季节", "淡旺季", "旺季", "波动", "促销", "大促", "双十一", "双11", "双十二", "618",
            "节假日", "节日", "寒暑假", "暑假", "寒假", "开学", "过年", "春节", "翻倍", "翻几倍",
            "翻好几倍", "好几倍", "翻番", "暴涨", "高峰", "忽高忽低", "搞活动", "做活动",
            "活动的时候", "忙不过来", "周年庆", "档期", "seasonal", "season", "peak", "peaks",
            "spike", "spikes", "fluctuate", "fluctuates", "fluctuation", "promotion", "promotions",
            "holiday", "holidays",
        ),
    },
    "billing": {
        "monthly": (
            "monthly", "月费制", "包月制", "月费方式", "月费的方式", "月费模式",
            "按月", "包月", "月结", "月付", "月缴", "固定月费", "每月固定", "monthly fee",
            "monthly plan", "pay monthly", "monthly billing", "fixed fee", "flat fee",
            "by the month", "per month billing",
        ),
        "per_order": (
            "按笔", "按笔数", "按订单数", "按单数",
            "按单", "按订单", "一单一结", "计件", "按件", "per order", "per-order", "by order",
            "pay per order", "each order",
        ),
        "per_hour": (
            "hourly", "时数计费", "按时数", "钟点计费", "按钟点",
            "按工时", "工时计费", "算工时", "按小时", "按时长", "按时", "计时", "小时计费", "时薪",
            "per hour", "hourly",
            "by the hour", "by hour",
        ),
        "compare": (
            "都算一下给我看", "给我看看", "都计下", "都计一下",
            "都报给我", "报给我比较", "两种都报",
            "each option", "every option", "run the numbers",
            "都帮我算", "全部算一下", "all options",
            "比较一下", "比较下", "对比", "都算算", "都算一下", "都看看", "比一比", "都报一下",
            "哪个便宜用哪个", "哪个划算用哪个", "compare", "comparison",
        ),
    },
}

# Words for a top-up that belong to the goods named just before them ("手游储值", "steam 充值").
GENERIC_TOPUP = frozenset({"top-up", "top-ups", "topup", "topups", "充值", "recharge", "reload",
                           "top up", "储值", "充值卡", "储值卡", "代充"})
# Where a shop may be: customers "all" there are local ("客人都在台灣", "buyers all in
# Malaysia"), customers "all" in 东南亚 or 海外 are not.
HOME_PLACES = frozenset({"台湾", "香港", "澳门", "大陆", "内地", "malaysia", "singapore", "sg",
                         "philippines", "ph", "indonesia", "thailand", "vietnam", "马来西亚",
                         "新加坡"})

# Scope words about replying: in a clause that gives a response time they say how fast,
# not what is handled ("10分鐘內要回覆客人").
REPLY_WORDS = frozenset({"回复客人", "回复客人问题", "回复问题", "回客人", "回答客人"})

# Words for a voucher or code that belong to the goods named just before them ("USDT礼品卡",
# "ROV coupons").
GENERIC_VOUCHER = frozenset({"礼品卡", "礼物卡", "gift card", "gift cards", "giftcard", "coupon",
                             "coupons", "voucher", "vouchers", "礼券", "优惠券"})

# Typos by sound (dialogs/sounds.py): besides WORDS and TOPICS, the cue words the number rules
# read, by the slot they point to ("遇算8千" → 预算, "三个类木" → 类目).
SOUND_CUES = {"预算": "budget", "类目": "categories", "品类": "categories", "单量": "orders",
              "日均": "orders", "计费": "billing", "收费": "billing", "响应": "response",
              "回复": "response"}
# Real words that sound like a lexicon word: written on purpose, never mended.
SOUND_ALIKE_WORDS = frozenset({"及时", "事实", "实事", "时时", "是时", "花费"})
# Characters of grammar: a lexicon phrase made with them (这样快, 特别忙) is not indexed by
# sound, and in a two-character run they are never the typo ("只会复制" is not 回复).
FUNCTION_CHARS = frozenset(
    "的了是不我你他她它们在有和就也都还要会能可这那个上下来去说对到着过吗呢吧啊把被给让从向跟"
    "与或而但很太更最只才又再没无非些么什怎为所以因如其时候样种次点啥咋哪谁每各该得地之于且"
    "等特别挺蛮真人买卖做用找请另自")

# Brands, products, platforms and carriers by the kind of goods they are: dialogs/brands.toml
# (its header says where the names come from and how to add one).
BRANDS_FILE = Path(__file__).with_name("brands.toml")


@cache
def brands() -> dict[str, tuple[str, ...]]:
    """Kind → brand names, folded like messages (中華電信 → 中华电信, KKTV → kktv)."""
    with BRANDS_FILE.open("rb") as file:
        table = tomllib.load(file)
    return {kind: tuple(dict.fromkeys(fold(name) for names in regions.values()
                                      for name in names))
            for kind, regions in table.items()}


@cache
def gift_platforms() -> frozenset[str]:
    """App-store gift cards (brands.toml [other] platform_gift_cards): other goods, or game
    cards when the message names games as what they are for."""
    with BRANDS_FILE.open("rb") as file:
        names = tomllib.load(file)["other"]["platform_gift_cards"]
    return frozenset(fold(name) for name in names)


# Words for a membership that belong to the goods named just before them ("xbox会员").
GENERIC_MEMBERSHIP = frozenset({"会员", "membership", "memberships", "vip", "subscription",
                                "subscriptions", "会员月卡"})

# Common slips, mended before reading ("十分中" → 十分钟, "montly" → monthly).
TYPOS = (("q比", "q币"), ("q必", "q币"), ("佰", "百"), ("仟", "千"), ("分中", "分钟"),
         ("montly", "monthly"), ("mothly", "monthly"), ("systm", "system"),
         ("sytem", "system"), ("记费", "计费"), (" ur ", " your "), ("^ur ", "your "),
         (" u ", " you "), ("pls", "please"), ("个钟头", "个小时"), ("个钟", "个小时"),
         ("半个小时", "半小时"))

# Cantonese written forms, folded to Mandarin before anything is read (冇代理 → 没有代理).
DIALECT = (("包埋", "包了"), ("你哋个", "你们的"), ("用返", "用"), ("俾我睇", "给我看"),
           ("计下", "算一下"), ("得啦", "就行"), ("差唔多", "差不多"),
           ("日日都系咁", "每天都这样"),
           ("同埋", "和"), ("睇住嚟", "看着来"), ("唔要住", "先不要"), ("按钟计", "按小时计"),
           ("唔熟", "不熟"), ("唔使", "不用"), ("唔洗", "不用"), ("唔要", "不要"),
           ("唔识", "不懂"), ("你哋", "你们"), ("净系", "只"), ("净係", "只"), ("答下", "回答"),
           ("啱啲", "合适"), ("冇咩", "没什么"), ("廿四小时", "24小时"), ("廿", "二十"),
           ("即刻覆", "即刻回复"), ("课金", "氪金"), ("半粒钟", "半小时"), ("粒钟", "个小时"),
           ("咁上下", "左右"),
           ("喺", "在"), ("唔好", "不要"), ("拣", "选"), ("咗", "了"),
           ("啲", "些"),
           ("嘢", "东西"),
           ("而家", "现在"), ("𠵱家", "现在"), ("睇", "看"), ("揾", "找"), ("搵", "找"),
           ("散工", "兼职"), ("咩", "什么"), ("边个", "哪个"), ("点样", "怎么"), ("嚟", "来"),
           ("畀", "给"), ("俾", "给"), ("好似", "好像"), ("冇", "没有"), ("唔", "不"),
           ("我哋", "我们"),
           ("佢哋", "他们"),
           ("嘅", "的"), ("咁", "这样"), ("就得", "就行"), ("但系", "但是"),
           ("系唔系", "是不是"), ("乜嘢", "什么"), ("几多", "多少"))

# Words that look like vocabulary but say nothing here: matched first so their parts are not
# read ("按月算的话" counts orders by month, it does not ask for monthly billing).
NEUTRAL = ("运营商", "人工复核", "人工审核", "人工把关", "人工兜底", "人工介入", "要人工复核",
           "要人工审核", "会员群", "会员制", "外包的话", "给外包的话", "后台我们自己",
           "我们自己处理",
           "我自己懂后台", "自己懂后台",
           "自己会后台", "我们自己懂", "你们团队", "你们的团队",
           "贵司团队", "your team", "兼职卖", "兼职做", "兼职搞", "自己兼职", "按月算的话",
           "按月来算", "按月算下来", "即时到账", "秒到", "自动发货", "标准化", "转人工",
           "人工客服", "客服团队", "customer service agent", "support agent")

# Short tooling words that count only next to a system word ("自己有团队" says nothing of
# tooling, "客服软件我们自己有" does).
SYSTEM_TOPIC = ("系统", "软件", "工单", "crm", "工具", "平台", "后台", "system", "software",
                "tool", "tools", "platform", "helpdesk")
NEEDS_SYSTEM_TOPIC = frozenset({"你们准备", "你们配", "你们安排", "麻烦你们", "我们有", "已经有",
                                "我们已经有",
                                "自带", "自己有", "自己的", "自己搭", "你们的", "你们提供",
                                "你们出", "你们来", "你们负责", "我们的", "用我们", "贵司的",
                                "一起提供", "our own", "we have our", "have our own", "package",
                                "ours", "yours"})
# Volume words that count only next to a volume word (or at the volume step): "兼职不稳定"
# says nothing of the orders.
VOLUME_TOPIC = ("单", "量", "订单", "销量", "生意", "业务", "orders", "volume", "sales")
# English words that name a value only as a whole answer ("Monthly." but not "monthly we hit
# 45,000 orders" or "2,500 RMB monthly").
ALONE = frozenset({"monthly", "hourly"})
# Places are cross-border only when customers are there ("客人有一半在马来西亚"), not where the
# shop is ("Singapore shop").
NEEDS_CUSTOMER_TOPIC = frozenset({"spanish", "sg", "indo", "ph", "星马", "大陆", "内地", "澳门",
    "香港", "台湾", "english", "malay",
    "马来西亚", "新加坡", "越南", "泰国", "印尼", "菲律宾", "日本", "韩国", "美国", "欧洲",
    "东南亚",
    "vietnam", "thailand", "malaysia", "singapore", "indonesia", "philippines", "japan", "korea",
    "europe", "usa"})
CUSTOMER_TOPIC = ("些客", "有客", "客人", "客户", "用户", "买家", "玩家", "市场", "卖到",
                  "customer", "customers",
                  "buyers", "users", "clients", "players", "market", "sell to")
# "agents" are resellers when the step asks about them, staff anywhere else ("3 agents").
NEEDS_FLAGS_STEP = frozenset({"agents"})
NEEDS_VOLUME_TOPIC = frozenset({"稳定", "平的", "平均的", "很平均", "stable", "consistent",
                                "flat", "波动"})

# Topic words: a slot named without its value, so a number or "recommend" nearby belongs
# to it ("品类不多，七八个", "AI你们看着办").
TOPICS: dict[str, tuple[str, ...]] = {
    "orders": ("单量", "订单量", "订单", "日均", "每天", "出单", "单子", "orders", "order volume"),
    "categories": ("品类", "品项", "类目", "种类", "类别", "大类", "分类", "categories",
                   "category"),
    "budget": ("预算", "budget"),
    "response": ("响应", "回复", "回应", "回消息", "覆", "response", "respond", "reply",
                 "replies"),
    "scope": ("客服类型", "服务范围", "服务内容", "哪种客服", "scope"),
    "ai": ("ai", "机器人", "智能"),
    "billing": ("计费", "收费", "付费", "结算", "billing", "pricing"),
    "tooling": ("系统", "软件", "工具", "system", "software"),
    "mode": ("模式", "用工", "mode"),
}

# "You decide": the current step's recommend option, or the topic's when one is named.
RECOMMEND = (
    "看着来", "不熟", "我不熟",
    "随你们", "随你", "你们随意", "帮我评估", "你们评估", "评估一下", "看你们", "你们觉得",
    "帮我选", "你帮我选", "帮我挑", "你帮我挑", "帮我拣",
    "你看着办", "看着办", "你定吧", "你定", "你们定", "你们决定", "你们看着", "帮我推荐", "推荐",
    "你们建议", "建议一下", "听你的", "听你们的", "随便", "都行", "都可以", "看情况", "不知道",
    "不确定", "不清楚", "不懂", "无所谓", "你们决定", "你决定", "哪个合适", "觉得哪个", "哪个划算",
    "哪个便宜", "you decide", "up to you", "recommend", "whatever", "not sure", "no idea", "dunno",
    "your call", "you choose", "suggest",
)
RECOMMEND_VALUE = {"scope": "auto", "ai": "auto", "billing": "compare"}

# Negation. A negator before a word (within a short window, no contrast word between) or
# after it at the end of a phrase turns the word around: see NEGATED.
NEGATORS_BEFORE = (
    "nothing",
    "不需要", "不用", "不要", "不做", "不是", "不搞", "不卖", "不想", "不考虑", "不打算", "不必",
    "不会", "不太", "不怎么", "不", "没有", "没", "无需", "无", "别", "用不着", "非", "免", "冇",
    "唔使", "唔洗", "唔要", "唔", "别整", "不算", "去掉", "取消", "而不是", "instead of",
    "rather than", "drop", "remove", "except", "excluding", "other than", "dropped",
    "stopped selling", "stopped", "no longer", "pass on", "everything but", "all but",
    "anything but", "everything except", "discontinued", "quit", "no more", "get rid of",
    "don't need", "dont need",
    "do not need", "don't want", "dont want", "don't", "dont", "do not", "doesn't", "doesnt",
    "not", "no", "without", "never", "none", "nor", "neither", "skip",
)
NEGATORS_AFTER = (
    "我们技术部处理", "我们自己处理", "我自己搞", "我们自己搞", "自己搞", "自己处理", "自己来",
    "没有的事", "没这回事",
    "太多了", "太多", "不合适",
    "no", "none", "nope", "nah",
    "养不起", "请不起", "用不起", "别上了", "别上", "别加", "不上了", "不考虑了",
    "不划算", "不值", "不合算", "划不来", "去掉", "取消", "删掉", "拿掉", "开玩笑的", "开玩笑",
    "是开玩笑的", "无", "not worth", "was a joke",
    "太差", "很差", "差劲", "不好用", "太烂", "体验太差", "不行", "太麻烦", "太复杂", "太累",
    "不现实", "除外", "停了", "暂停了", "停掉了", "下架了",
    "已下架", "没了", "不卖了", "没卖了", "停售",
    "就免了", "免了", "算了", "就算了", "不用了", "不用", "不要了", "不要", "不需要", "没有", "没",
    "不做", "不卖", "不搞", "不考虑", "不必了", "不必", "不了", "拉倒", "不碰", "不沾", "不做了",
    "不靠谱", "不明显", "不大", "太慢", "太贵", "不够快", "用不上", "用不着", "都没有", "都不用",
    "不用你们管", "不用管", "不用操心", "不上", "就不上了", "pass", "not needed", "no need",
    "not required", "overkill", "too slow", "too expensive", "too much",
)
# A refusal that ends a clause reaches back to the topic however long the clause is, across a
# topic marker (这块, 的话, 这个) and a justification: "机器人这块我们暂时不考虑",
# "ai的话我们考虑了很久觉得成本太高还是算了", "代理这块我们没有做". Regex pieces, in order:
# adverbs that soften, then the refusal itself (a trailing 了/吧/哈 is allowed after it).
REFUSAL_ADVERBS = ("暂时", "暂且", "目前", "现在", "眼下", "先", "还", "就", "也", "都", "根本",
                   "完全", "真的", "实在", "一律", "基本", "其实", "还是", "应该", "可能", "估计",
                   "已经", "早就", "早已", "最近", "全", "全部", "这次", "这回")
REFUSALS_AT_END = (
    "不考虑", "不打算(?:上|用|做|搞|弄|要|加|开|接)?",
    "没(?:有)?(?:这个|这种|那个)?(?:打算|计划|想法|需求|必要)(?:做|上|用|搞|弄|开|接)?",
    "不(?:太)?(?:想|愿意)?(?:要|需要|用|弄|搞|做|上|加|整|碰|开|接|涉及|考虑|信|感冒|感兴趣)",
    "不(?:太)?想", "没(?:有)?(?:在)?(?:做|搞|弄|用|涉及|开|接|上|碰)(?:过)?", "用不(?:上|着|到)",
    "没必要", "不必", "算了", "免了", "拉倒", "不合适", "不划算", "不值得?", "不靠谱", "pass",
    "不了", "就不(?:要|用|上|弄|搞)", "别(?:上|加|弄|搞|整|要)", "没兴趣",
    "暂不(?:考虑|需要|用|要|上)?",
    # goods no longer sold: "话费停了", "序号已经没卖了", "点卡已下架"




    "(?:已经?)?(?:停了|暂停了?|停掉了?|停售了?|下架了?|没了|不卖了?|没(?:有)?(?:在)?卖了?|不再(?:卖|做)了?)",
    "不(?:招|请|雇|找)了?",
    "not (?:really )?(?:our thing|for us|interested|needed|now|yet)", "no thanks", "no more",
    "can wait", "nah", "not keen", "not really", "信不过", "不太?信(?:得过|任)?",
    "不(?:用|必|需要|太)?考虑(?:了)?", "先?观望(?:一下|下)?", "省了", "省掉", "免掉",
    "(?:去掉|拿掉|删掉|取消|砍掉|减掉)(?:试试|看看|一下|算算|再算)?",
    "not anymore", "dropped", "stopped", "not this time",
)
# Just before a negator, these cancel it: "不是不要AI", "也不是不能用", "没说不要".
DOUBLE_NEGATION = ("不是", "并不是", "也不是", "倒不是", "没说", "没有说", "并非", "不是说",
                   "not that we", "not that i", "it's not that", "its not that", "isn't that")
# Hedges that make a yes to AI, a system or a complexity flag uncertain: asked back (是 / 不是).
HEDGES = ("观望", "可能", "也许", "或许", "应该", "看看", "再看", "再说", "考虑考虑",
          "考虑一下",
          "暂时", "先不", "不一定", "不确定", "还没想好", "没想好", "说不定", "maybe", "perhaps",
          "not sure", "might")

# Words that contain a negator but do not negate ("差不多" = about, "不少" = many).
NOT_NEGATORS = (
    "能不能", "可不可以", "行不行", "是不是", "有没有", "会不会", "好不好", "对不对",
    "不只",
    "不知道", "不确定", "不清楚", "不一定", "不错", "不少", "不多", "不过", "不断", "不停",
    "不了解", "不管", "不止", "不仅", "不光", "不单", "差不多", "不然", "不行", "要不要", "没准",
    "无所谓", "不懂", "not sure", "no idea", "not only", "no matter",
)
# What a negated word means, where its opposite is a value: "不要机器人" → ai no.
NEGATED: dict[tuple[str, object], object] = {
    ("ai", "yes"): "no",
    ("ai", "no"): "yes",
    ("tooling", "bundle"): "none",
    ("volume", "steady"): "seasonal",
    ("volume", "seasonal"): "steady",
    ("multi_level", True): False,
    ("cross_border", True): False,
    ("response", "fast"): "standard",
    ("tooling", "_system"): "none",
}
# Between a negator and its word: these end the negation's reach ("不卖话费只卖点卡").
NEGATION_STOPS = ("只", "就", "但", "而", "却", "还是", "主要", "only", "just", "but")
# Joiners that carry one negation over a list ("不做话费和流量").
JOINERS = (
    "同","和", "跟", "与", "或", "或者", "、", "/", "还有", "及", "也", "and", "or", ",")

# A clause that says the merchant corrects an earlier answer.
CORRECTION = (
    "哦不", "不对不对", "switch to", "no wait",
    "开玩笑",
    "不对", "说错", "讲错", "错了", "说反", "改主意", "typo", "on second thought", "instead",
    "改成", "改为", "改一下", "更正", "纠正", "应该是", "其实是", "换成", "重新说", "搞错", "写错",
    "打错", "actually", "correction", "i meant", "sorry,", "change it to", "make it", "wrong",
)

# Clause markers of a peak (or a trough) rather than the usual volume ("大促一天两千单").
PEAK = ("淡季", "off-season", "slow season", "高峰", "旺季", "大促", "双十一", "双11", "节假日",
        "活动", "峰值", "最忙", "最多的时候", "peak", "busiest")
USUAL = ("平时", "平常", "日常", "一般", "正常", "平均", "日均", "usually", "normally",
         "on average", "average")
