"""Facts the metadata rules rely on, each one well established: people recognised as speakers,
Chinese surnames, who delivered which report, when numbered events took place, outlets by domain.

Facts, not guesses: where a fact is uncertain it is left out (a premier for 1976, say), and the
extractor then says nothing rather than something wrong.
"""

from __future__ import annotations

import re
from typing import Any

from lunshu.chars import cn_int

HAN = "\u4e00-\u9fff"

# people whose names the extractor recognises as speakers without further evidence
KNOWN_SPEAKERS = [
    "习近平", "李强", "赵乐际", "王沪宁", "蔡奇", "丁薛祥", "李希", "韩正", "王毅", "李克强", "栗战书", "汪洋", "刘云山", "王岐山", "张高丽",
    "张德江", "俞正声", "杨洁篪", "胡锦涛", "温家宝", "吴邦国", "贾庆林", "李长春", "曾庆红", "黄菊", "吴官正", "罗干", "贺国强", "江泽民", "李鹏",
    "朱镕基", "李瑞环", "尉健行", "李岚清", "乔石", "万里", "杨尚昆", "邓小平", "胡耀邦", "赵紫阳", "陈云", "李先念", "彭真", "叶剑英", "华国锋",
    "毛泽东", "周恩来", "刘少奇", "朱德", "林彪", "董必武", "宋庆龄", "陈独秀", "彭丽媛", "王洪文", "张春桥", "王震", "薄一波", "李富春", "谭震林",
    "姚依林",
]
KNOWN_RE = "|".join(sorted(KNOWN_SPEAKERS, key=len, reverse=True))

# the premier who delivered the government work report of year Y (given in March of Y, or later in
# the year before 1978; in a year of transition the outgoing premier delivers it: 1998 李鹏,
# 2003 朱镕基, 2013 温家宝, 2023 李克强). Years left out (1976, 1977, 1980) are not certain.
_PREMIER_REPORTS = (
    (1954, 1975, "周恩来"), (1978, 1979, "华国锋"), (1981, 1987, "赵紫阳"), (1988, 1998, "李鹏"),
    (1999, 2003, "朱镕基"), (2004, 2013, "温家宝"), (2014, 2023, "李克强"), (2024, 2100, "李强"),
)

# CPC national congresses: year, and who delivered the political report (7th congress onward)
CPC_CONGRESS_YEARS = {1: 1921, 2: 1922, 3: 1923, 4: 1925, 5: 1927, 6: 1928, 7: 1945, 8: 1956, 9: 1969,
                      10: 1973, 11: 1977, 12: 1982, 13: 1987, 14: 1992, 15: 1997, 16: 2002, 17: 2007,
                      18: 2012, 19: 2017, 20: 2022}
CPC_REPORTERS = {7: "毛泽东", 8: "刘少奇", 9: "林彪", 10: "周恩来", 11: "华国锋", 12: "胡耀邦", 13: "赵紫阳",
                  14: "江泽民", 15: "江泽民", 16: "江泽民", 17: "胡锦涛", 18: "胡锦涛", 19: "习近平", 20: "习近平"}
# NPC sessions before the five-year rhythm settled (from the 5th NPC, 1978, the k-th session of the
# n-th NPC is held in 1978 + 5(n-5) + k-1)
_NPC_EARLY = {(1, 1): 1954, (1, 2): 1955, (1, 3): 1956, (1, 4): 1957, (1, 5): 1958, (2, 1): 1959, (2, 2): 1960,
              (2, 3): 1962, (2, 4): 1963, (3, 1): 1964, (4, 1): 1975}
# numbered recurring events whose n-th edition has a known year: (pattern, year of edition n)
_EVENTS: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"第([一二三四五六七八九十0-9]{1,3})届世界互联网大会"), lambda n: 2013 + n if 1 <= n <= 6 else None),
    (re.compile(r"第([一二三四五六七八九十0-9]{1,3})届中国国际进口博览会"), lambda n: 2017 + n if n >= 1 else None),
    (re.compile(r"金砖国家领导人第([一二三四五六七八九十0-9]{1,3})次会晤"), lambda n: 2008 + n if n >= 1 else None),
    (re.compile(r"二十国集团领导人第([一二三四五六七八九十0-9]{1,3})次峰会"), lambda n: 2005 + n if n >= 5 else None),
    (re.compile(r"上海合作组织成员国元首理事会第([一二三四五六七八九十0-9]{1,3})次会议"),
     lambda n: 2000 + n if n >= 1 else None),
    (re.compile(r"中国共产党第([一二三四五六七八九十0-9]{1,3})次全国代表大会"), lambda n: CPC_CONGRESS_YEARS.get(n)),
    (re.compile(r"第([一二三四五六七八九十0-9]{1,3})届全国人民代表大会第([一二三四五六七八九十0-9]{1,2})次会议"), None),
)


def premier_for_report(year: int) -> str | None:
    """Who delivered the government work report of ``year`` (None where not certain)."""
    for a, b, name in _PREMIER_REPORTS:
        if a <= year <= b:
            return name
    return None


def npc_session_year(term: int, session: int) -> int | None:
    """The year of the ``session``-th session of the ``term``-th National People's Congress."""
    if term >= 5:
        return 1978 + 5 * (term - 5) + session - 1 if 1 <= session <= 5 else None
    return _NPC_EARLY.get((term, session))


def event_years(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, year)`` of numbered events whose year is known (第三届世界互联网大会 → 2016)."""
    out: list[tuple[int, int, int]] = []
    for pattern, rule in _EVENTS:
        for m in pattern.finditer(text):
            if rule is None:  # an NPC session
                term, session = cn_int(m.group(1)), cn_int(m.group(2))
                year = npc_session_year(term, session) if term and session else None
            else:
                n = cn_int(m.group(1))
                year = rule(n) if n is not None else None
            if year:
                out.append((m.start(), m.end(), year))
    return sorted(out)


# outlets by web domain, for a source nothing else names
URL_OUTLETS = (("xinhuanet.com", "新华网"), ("news.cn", "新华网"), ("people.com.cn", "人民网"),
                ("gov.cn", "中国政府网"), ("qstheory.cn", "求是网"), ("cctv.com", "央视网"), ("cntv.cn", "央视网"),
                ("chinadaily.com.cn", "中国日报网"), ("wikisource.org", "维基文库"), ("myzaker.com", "ZAKER"),
                ("gmw.cn", "光明网"), ("chinanews.com.cn", "中国新闻网"), ("chinanews.com", "中国新闻网"))



NOT_NAMES = frozenset([
    "我们", "他们", "她们", "你们", "大家", "会议", "论坛", "本报", "记者", "今天", "昨天", "明天", "今年", "去年", "如今", "目前", "我市",
    "全市", "市长", "国家", "中国", "政府", "中央", "全国", "人民", "各国", "各方", "双方", "中方", "我国", "本届", "首届", "这里", "此次",
    "这次", "其中", "同时", "此外", "另外", "随后", "会上", "会后", "期间", "当天", "当日", "近日", "日前", "大会", "新华社", "我们党", "全党",
    "国务院", "党中央", "市委", "市政府", "代表", "嘉宾", "总统", "总理", "主席", "书记", "同志", "世界", "各位", "尊敬", "这样", "中共",
    "我省", "全省", "本市", "东道主", "主办方", "开幕式", "闭幕式", "峰会", "与会", "各界", "人们", "一些", "有的", "这些", "那些", "它们",
    "对此", "为此", "因此",
])

# Chinese surnames (the commonest single ones and the compound ones): an unknown name must start
# with one, so pronoun phrases ("我多次") and organisations are never taken for people
_SURNAMES_1 = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易"
    "乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
    "蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边"
    "卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼"
    "盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍"
    "辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植"
    "衡富尧闭由"
)
_SURNAMES_2 = frozenset(["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯",
                         "长孙", "宇文", "轩辕", "端木", "独孤", "南宫", "西门", "呼延", "万俟", "澹台"])
_NOT_IN_NAMES = frozenset("们的了在是有和与及多次这那其该此每各我你他她它咱您等说讲指强表")


def is_person_name(name: str) -> bool:
    """Whether ``name`` can be a person's name: a known speaker, or 2–4 Han characters that start
    with a Chinese surname and hold no function word (``我多次``, ``中方``, ``会议`` are not);
    a transliterated name with ``·`` passes on its form."""
    if name in KNOWN_SPEAKERS:
        return True
    if name in NOT_NAMES or any(ch in _NOT_IN_NAMES for ch in name):
        return False
    if "·" in name:
        return 3 <= len(name) <= 20 and not name.startswith("·") and not name.endswith("·")
    if not 2 <= len(name) <= 4 or not re.fullmatch(f"[{HAN}]+", name):
        return False
    return name[0] in _SURNAMES_1 or name[:2] in _SURNAMES_2
