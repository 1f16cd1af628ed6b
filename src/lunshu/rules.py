"""The table of what lunshu understands: every header, dateline, closing line and piece of genre
and speaker evidence, as one row each — a pattern, the field it establishes, the weight of its
evidence, and a real example.

``metadata.py`` has one small resolver per field that reads this table; a new header form is a
new row here plus one gold record (``tests/gold/realdocs_expected.json``), not a new branch there.
``docs/understands.md`` is generated from this table (``python -m lunshu.rules``; a test fails
when it is not current), and a test checks that every row's pattern matches its example.

Where a row is looked for (``where``):

- ``head``: at the start of the text, one line (or the run-in start of a run-on text) at a time;
- ``tail``: a whole line (or the end of a paragraph) anywhere in the body;
- ``title``: the title (the record's or the text's own);
- ``lede``: the first paragraphs of the body;
- ``start``: the first paragraph of the body;
- ``body``: each paragraph of the body, counted (``min_count`` paragraphs must match);
- ``flag``: a fact the header parse established (``pattern`` is the flag's name);
- ``source``: the source outlet.

Weights: for genre and speakers, evidence points added up per value (the highest total wins;
nothing above zero is ``other`` / no speaker); for header forms, how sure a line is metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from lunshu.facts import HAN, KNOWN_RE

# ----------------------------------------------------------------------------------------------
# vocabulary shared by the rows

# the nouns of a speech, simplified and traditional: 讲话/講話, 致辞/致辭, 报告/報告 …
SPEECH_NOUN = (r"(?:[讲講][话話]|演[讲講]|[讲講]演|致[辞辭词詞]|祝酒[辞辭词詞]|[发發]言|[贺賀][词詞]|[报報]告|[说說]明|答[问問]"
               r"|[书書]面[讲講][话話]|[谈談][话話]|开幕[辞辭词詞]|闭幕[辞辭词詞])")
ROLE_TITLE = (r"(?:总书记|主席|总理|委员长|常委|书记|部长|国务委员|秘书长|主任|发言人|市长|省长|县长|区长|州长|局长|厅长|院长|"
              r"校长|行长|会长|董事长|总裁|总统|首相|大使|主委)")
# a role before a name ("中华人民共和国主席", "中共中央总书记、国家主席"); it never runs across a known
# name or a salutation, so "主席 习近平尊敬的安瓦尔总理" keeps its name and salutation
ROLE_WORD = rf"(?:(?!{KNOWN_RE}|尊敬|各位)[{HAN}]){{0,12}}?{ROLE_TITLE}"
ROLE = rf"(?:{ROLE_WORD}(?:、\s*|\s+|(?=[{HAN}])))+"
SALUTATION = r"(?:同志们|各位|尊敬的|女士们|先生们|朋友们|亲爱的|同胞们|全国同胞|总统先生|行政长官|大家好)"
NAMES = rf"[{HAN}·]{{2,4}}(?:\s*[、，, ]\s*[{HAN}·]{{2,4}})*"
OUTLET = rf"(?:新华社|新华网|人民网|中新社|中新网|央视网|人民日报|本报|本刊|中国日报|[{HAN}]{{1,8}}?(?:日报|晚报|时报|报|网|社|台))"
DATE_TEXT = r"[0-9]{4}\s*年\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日"
LABELS = r"发布时间|发布日期|发表时间|发表日期|更新时间|日期|时间|来源|稿源|出处|作者|原标题|责任编辑|编辑|责编"
# a 2–3 character name found by a strong pattern (checked by facts.is_person_name)
NAME = rf"[{HAN}]{{2,3}}?"
SPEAKING = r"(?:指出|强调|表示|说|认为|希望|宣布|介绍|提出|要求|最后表示|在讲话中)"
NEWS_VERB = (r"出席|会见|会谈|主持|考察|视察|接见|致电|通电话|举行|召开|开幕|闭幕|签署|抵达|参观|看望|慰问|集体学习|审议|"
             r"同.{1,20}会谈|向.{1,40}致|给.{1,20}回信|并发表|时强调|上强调|强调$|作出重要指示|作出指示|发表重要讲话|发来贺信|"
             r"见面|调研|出访|访问")


@dataclass(frozen=True)
class Rule:
    """One thing lunshu understands: ``pattern`` found ``where`` establishes ``field``."""

    name: str
    field: str
    where: str
    pattern: str
    weight: float
    example: str
    note: str = ""
    value: str | None = None  # the value it gives (a genre), when the pattern does not capture one
    min_count: int = 1  # ``body`` rows: paragraphs that must match
    ignorecase: bool = False
    max_len: int = 0  # ``head`` rows: only on a line of at most this length (0: any)
    confirms: bool = True  # ``head`` rows: a match confirms the title-like lines held before it

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE if self.ignorecase else 0)


RULES: tuple[Rule, ...] = (
    # -- header forms -------------------------------------------------------------------------
    Rule("keywords_line", "publisher_keywords", "head",
         r"^(?:关键词|关键字|标签|Tags|Keywords)\s*[：:]\s*(?P<items>.*)$", 10,
         "关键词：网络空间 互联网 习近平 开幕式", "the items may stand on the next line", ignorecase=True),
    Rule("labelled_line", "date, source, editor", "head",
         rf"(?P<label>{LABELS})\s*[：:]\s*(?P<value>(?:[^：:]|(?<=[0-9])[：:](?=[0-9]))*?)(?=\s*(?:{LABELS})\s*[：:]|\s*$)",
         10, "发布时间：2018-07-26 10:22　来源：新华社　责任编辑：王小二",
         "a line made only of labelled values (a time's colon is part of its value)"),
    Rule("masthead", "date, source", "head",
         rf"^(?P<outlet>[{HAN}]{{2,10}}?(?:日报|晚报|时报|报))\s*(?P<pubdate>{DATE_TEXT})\s*(?:星期[一二三四五六日天])?\s*"
         r"(?:第\s*[0-9一二三四五六七八九十]+\s*版)?$", 10,
         "东岚日报 2024年11月21日 星期四 第3版", "the day the page was printed", max_len=60),
    Rule("dated_source_line", "date, source", "head",
         rf"^(?P<pubdate>{DATE_TEXT}|[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}})\s*(?:[0-9]{{1,2}}[:：][0-9]{{2}}(?:[:：][0-9]{{2}})?)?"
         r"\s*[|｜]?\s*(?:来源|稿源)\s*[：:]\s*(?P<source>[^|｜：:]{1,40}?)\s*$", 10,
         "2021年04月02日08:22 | 来源：人民网－人民日报", "a page's date and source line without a date label",
         max_len=80),
    Rule("byline_reporters", "reporters", "head", rf"^{OUTLET}?(?:特约|实习)?记者\s*(?P<names>{NAMES})$", 8,
         "东岚日报记者 何思远", max_len=40, confirms=False),
    Rule("dateline_titled", "source, place, date, title", "head",
         rf"^(?P<outlet>{OUTLET})(?P<place>[{HAN}·]{{1,12}}?)(?P<md>[0-9]{{1,2}}月[0-9]{{1,2}}日)电\s*题[：:]\s*"
         r"(?P<title>[^。！？]{2,80}?)\s*$", 9,
         "中新社北京3月5日电 题：两会观察：新质生产力如何落地", "a feature's dateline with its title on the same line"),
    Rule("dateline", "source, place, date, reporters", "head",
         rf"^(?P<outlet>{OUTLET})?(?:(?P<place>[{HAN}·]{{1,12}}?)(?P<md>[0-9]{{1,2}}月[0-9]{{1,2}}日)电|(?<=[报网社台])讯)"
         rf"(?:\s*[（(]\s*(?:记者|通讯员)\s*(?P<names>{NAMES})\s*[）)])?(?:\s*题[：:])?", 8,
         "新华社韩国庆州11月1日电", "the year comes from the record's date, the header's date, a numbered event "
         "of known year, the URL, or the one year the text names about the present; the rest of the line goes on"),
    Rule("header_undated", "title, speaker", "head",
         rf"^(?P<title>[^。！？（）()]{{4,120}}?)(?P<name>{KNOWN_RE})(?P<rest>{SALUTATION}.*|)$", 7,
         "关于《中共中央关于制定国民经济和社会发展第十五个五年规划的建议》的说明习近平同志们：",
         "only when the title is that of a speech"),
    Rule("header_dated", "title, delivered, place, speaker", "head",
         rf"^(?P<title>[^（()）]{{0,160}}?)\s*[（(]\s*(?P<date>{DATE_TEXT})(?:\s*[，,、\s]?\s*(?P<place>[^（()）]{{1,24}}))?"
         rf"\s*[）)]\s*(?P<role>{ROLE})?\s*(?P<rest>.*)$", 9,
         "共同开创可持续的美好明天——在亚太经合组织第三十二次领导人非正式会议第二阶段会议上的讲话（2025年11月1日，庆州）"
         "中华人民共和国主席 习近平尊敬的李在明总统，各位同事：",
         "title and subtitle as one; a role and a name after the date are the speaker; the text starts at the "
         "salutation"),
    Rule("report_header_run_in", "title, delivered, occasion, speaker", "head",
         rf"^(?P<title>[^——（()）。]{{2,40}}?)\s*——\s*(?P<date>{DATE_TEXT})\s*在(?P<occasion>[^。，]{{2,60}}?)上\s*"
         rf"(?P<role>{ROLE})?\s*(?P<name>{KNOWN_RE}|[{HAN}] ?[{HAN}](?: ?[{HAN}])?)(?={SALUTATION}|$)", 9,
         "政府工作报告——2024年3月5日在第十四届全国人民代表大会第二次会议上国务院总理李强各位代表：",
         "a report's title, date line and by-line run together (a run-on work report)"),
    Rule("date_line", "delivered, place", "head",
         rf"^[（(]\s*(?P<date>{DATE_TEXT})(?:\s*[，,、]?\s*(?P<place>[^（()）]{{1,40}}?))?\s*[）)]$", 9,
         "（2019年4月28日，北京）", "a place too long to be one (an occasion) is left out"),
    Rule("date_line_dashed", "delivered, occasion", "head",
         rf"^——?\s*(?P<date>{DATE_TEXT})\s*(?:在(?P<occasion>.{{2,60}}?)上)?$", 9,
         "——2024年3月5日在第十四届全国人民代表大会第二次会议上"),
    Rule("date_line_at", "delivered, occasion", "head", rf"^(?P<date>{DATE_TEXT})\s*在(?P<occasion>.{{2,60}}?)上$", 9,
         "2024年3月5日在第十四届全国人民代表大会第二次会议上"),
    Rule("subtitle", "subtitle, occasion", "head",
         rf"^(?P<subtitle>——\s*(?:在)?(?P<occasion>.{{2,80}}?)(?:上|时|期间)?的?(?:主旨|重要|书面|视频|政治|工作)?{SPEECH_NOUN})$",
         8, "——在第二届“一带一路”国际合作高峰论坛圆桌峰会上的开幕辞",
         "stored as the subtitle and joined to the title before it (title and subtitle as one)"),
    Rule("signed_article", "title, speaker", "head", r"^(?P<title>[^※]{1,90})※(?P<rest>.+)$", 9,
         "扎实推动教育强国建设※习近平", "a signed article; in run-on text the name runs into the text"),
    Rule("speaker_line", "speaker", "head", rf"^(?:{ROLE})?\s*(?P<name>{KNOWN_RE}|[{HAN}](?: ?[{HAN}]){{1,3}})$", 7,
         "中华人民共和国主席 习近平", "after a title or a date line; an unknown name must be a person's"),
    Rule("full_text_lede", "title, speaker", "lede",
         rf"(?P<who>(?:{KNOWN_RE}))[^。！？]{{0,60}}?(?:发表了?|致|作了?|签署了?)[^。！？]{{0,20}}?"
         rf"(?:题为《(?P<t1>[^》]{{2,60}})》|(?P<t2>[^，。：《》“”]{{2,30}}?(?:新年贺词|贺词|讲话|致辞|演讲|贺信|贺电|回信|复信|的信|报告)))"
         r"[^。！？]{0,30}[。！]?[^。！？]{0,12}?全文如下", 6,
         "新年前夕，国家主席习近平通过中央广播电视总台和互联网，发表了二〇二六年新年贺词。全文如下：",
         "a news lede that introduces a full text: its title and speaker when the text has no header"),
    # -- closing lines (anywhere in the body) ------------------------------------------------
    Rule("url_line", "url", "tail",
         r"^(?:原文链接|原文地址|链接|网址|来源网址|URL)?\s*[：:]?\s*(?P<url>(?:https?://|www\.)\S+)$", 10,
         "http://news.xinhuanet.com/world/2015-12/16/c_1117481089.htm", ignorecase=True),
    Rule("source_line", "source", "tail",
         r"^[（(]?\s*(?:来源|稿源|出处|转自|本文来源|文章来源|转载自)\s*[：:]\s*(?P<src>[^（()）]{1,40}?)\s*[）)]?$", 10,
         "(来源：新华网)"),
    Rule("reporter_line", "reporters", "tail", rf"^[（(]\s*{OUTLET}?(?:特约|实习)?记者\s*(?P<names>{NAMES})\s*[）)]$", 8,
         "（本报记者 张三 李四）"),
    Rule("closing_dateline", "source, date, reporters", "tail",
         rf"[（(]\s*(?P<outlet>{OUTLET})?(?P<place>[{HAN}]{{0,12}}?)(?P<md>[0-9]{{1,2}}月[0-9]{{1,2}}日)电"
         rf"(?:\s*[（(]?\s*(?:记者|通讯员)\s*(?P<names>{NAMES})\s*[）)]?)?\s*[）)]$", 8,
         "（新华网杭州12月16日电 记者朱国贤、霍小光）", "closes a news report"),
    Rule("editor_line", "editor", "tail",
         r"[【\[（(]?\s*(?:责任编辑|责编|编辑)\s*[：:]\s*(?P<name>[^：:【】\[\]（）()。]{1,30}?)\s*[】\]）)]?$", 8,
         "（责任编辑：王小二、李四）", "stored as the document's editor"),
    # -- genre evidence ----------------------------------------------------------------------
    Rule("speech_title", "genre", "title",
         rf"(?:(?:的|上|时)(?:主旨|重要|书面|视频|新年|开幕|闭幕|政治|工作)?{SPEECH_NOUN}|^{SPEECH_NOUN}|工作[报報]告|贺词)"
         r"(?:[（(]全文[）)])?$", 4, "在全国政协新年茶话会上的讲话", value="speech"),
    Rule("speech_header_date", "genre", "flag", "delivered_in_header", 4,
         "（2025年12月31日）", "a header dates the text (not a signed article)", value="speech"),
    Rule("speech_salutation", "genre", "start", rf"^{SALUTATION}[^。]{{0,160}}[：:！!]$", 3,
         "同志们，朋友们：", "the text opens on a salutation", value="speech"),
    Rule("speech_full_text", "genre", "lede", rf"{SPEECH_NOUN}全文如下|全文如下[：:]\s*(?:{SALUTATION}|$)", 5,
         "致辞全文如下：", "a news lede introduces the full text of a speech", value="speech"),
    Rule("speech_header_in_lede", "genre", "lede",
         rf"——\s*(?:在)?[^。！？——]{{2,80}}?(?:上|时|期间)?的(?:主旨|重要|书面|视频|政治|工作)?{SPEECH_NOUN}\s*"
         rf"(?:[（(][^（）()]{{4,30}}[）)])?\s*(?:{ROLE})?\s*(?:{KNOWN_RE}|[{HAN}](?: ?[{HAN}]){{1,3}})\s*{SALUTATION}", 5,
         "——在上海合作组织成员国元首理事会第十八次会议上的讲话中华人民共和国主席　习近平尊敬的各位同事：",
         "a news lede, then the speech's own subtitle, by-line and salutation: the full text of a speech",
         value="speech"),
    Rule("speech_vocative", "genre", "body", r"^(?:同志们|朋友们|女士们|同胞们)[，、,！!][^。]{0,30}[！!：:]$", 2,
         "同志们、朋友们！", "the speaker turns to the audience in the middle of the text", value="speech",
         min_count=1),
    Rule("report_news_title", "genre", "title", NEWS_VERB, 3, "习近平主持召开中央外事工作委员会第一次会议",
         "a title about an event", value="report"),
    Rule("report_third_person", "genre", "body", rf"(?:^|[。！？])(?:{KNOWN_RE}|他)(?:主席|总书记|总理|同志)?{SPEAKING}", 3,
         "习近平强调，要坚持稳中求进工作总基调。", "paragraphs with a sentence that reports what a named person said",
         value="report", min_count=2),
    Rule("report_closing_dateline", "genre", "flag", "closing_dateline", 3,
         "（新华网杭州12月16日电 记者朱国贤）", value="report"),
    Rule("report_full_text_elsewhere", "genre", "body", r"全文另发", 3, "讲话全文另发。", value="report"),
    Rule("report_news_dateline", "genre", "flag", "news_dateline", 2, "本报讯（记者 李四）", value="report"),
    Rule("report_news_lede", "genre", "lede",
         rf"(?:^|[。！？])[^。]{{0,80}}?(?:{KNOWN_RE})[^。]{{0,60}}?(?:时强调|上强调|强调指出|作出重要指示|主持召开|主持会议|出席会议并|考察时|"
         r"在会上发表重要讲话|在主持学习时)", 2,
         "中共中央总书记、国家主席、中央军委主席习近平近日在湖北考察时强调，全面贯彻党的十九大精神", value="report"),
    Rule("report_reporters", "genre", "flag", "reporters", 1, "新华社记者 朱国贤", value="report"),
    Rule("letter_title", "genre", "title",
         r"贺信|复信|回信|致信|贺电|书信|慰问信|唁电|的信$|致.{1,30}的信|賀信|覆信|賀電|致电祝贺|致贺电", 6,
         "习近平致中国－拉美和加勒比国家共同体论坛第二届部长级会议的贺信", value="letter"),
    Rule("letter_full_text", "genre", "lede", r"(?:信|贺电|电报)全文如下|在贺信中指出|在回信中", 6, "贺信全文如下：",
         value="letter"),
    Rule("interview_title", "genre", "title", r"答记者问|接受.{0,20}采访|专访|访谈|答问|——访|^访", 6,
         "习近平接受拉美四国媒体联合书面采访", value="interview"),
    Rule("article_signed", "genre", "flag", "article_form", 6, "扎实推动教育强国建设※习近平", value="article"),
    Rule("article_title", "genre", "title", r"署名文章|发表文章|撰文|序言$|前言$", 5, "习近平：第五批全国干部学习培训教材序言",
         value="article"),
    Rule("article_qiushi", "genre", "lede", r"《求是》杂志(?:将)?发表[^。]{0,30}重要文章", 6,
         "出版的第2期《求是》杂志将发表中共中央总书记习近平的重要文章", value="article"),
    Rule("article_name_colon", "genre", "title", rf"^[{HAN}]{{2,4}}[：:]", 1, "习近平：增强推进党的政治建设的自觉性和坚定性",
         "weak: the same form heads reports", value="article"),
    Rule("article_qiushi_source", "genre", "source", r"^求是", 2, "求是", value="article"),
    Rule("speech_type_field", "genre", "type", r"speech|report", 1, "cpc_congress_report",
         "a record whose type says it is a speech or a (congress) report", value="speech"),
    Rule("compilation_attributions", "genre", "body",
         rf"^——\s*{DATE_TEXT}|^(?=.{{20}}).*[（(]\s*{DATE_TEXT}[^（()）]{{0,60}}[）)]$|^[（(]\s*{DATE_TEXT}[^（()）]{{2,60}}[）)]$",
         8,
         "——2015年12月16日，习近平在第二届世界互联网大会开幕式上的讲话", "quotations each with its attribution",
         value="compilation", min_count=2),
    # books: a piece of collected works is titled by what it is (read only for book pieces, see lunshu.book)
    Rule("book_telegram_title", "genre", "book_title", r"(?:电报|复电|电报稿|的电|电稿|函)$", 6,
         "关于确保厦门和加强沿海防务给陈毅的电报", "a telegram is a letter", value="letter"),
    Rule("book_annotation_title", "genre", "book_title",
         r"(?:批语|批示|批注|按语|题词|题字|评语|加写的.{0,6}话|修改|改写)(?:和.{0,8})?$", 7,
         "关于处理生日贺电的批语", "comments written on others' documents, inscriptions (over the 贺电 they are on)",
         value="other"),
    Rule("book_interview_title", "genre", "book_title", r"^答.{1,20}问$", 6, "答意大利记者奥琳埃娜·法拉奇问",
         value="interview"),
    Rule("work_report_title", "genre", "title",
         r"(?:工作|政治)[报報]告$|(?:代表大会|全会|会议|會議)上的(?:政治|工作)?[报報]告$", 12,
         "2025年中华人民共和国国务院政府工作报告",
         "a report to a congress or assembly on a body's work (outweighs the speech evidence it also has)",
         value="work-report"),
    Rule("work_report_opening", "genre", "lede",
         r"我(?:现在)?(?:代表|受|根据)[^。！!]{0,30}(?:国务院|國務院|中央委员会|中央委員會|政府)[^。！!]{0,20}"
         r"(?:向[^。！!]{0,30}(?:大会|大會|会议|會議)[^。！!]{0,40}(?:报告|報告)|作[^。！!]{0,12}(?:报告|報告))", 12,
         "现在，我代表第十八届中央委员会向大会作报告。", "the reporter says on whose behalf, to which assembly",
         value="work-report"),
    Rule("other_document", "genre", "title", r"决议|决定$|公报|通知$|条例|意见$", 5,
         "第十四届全国人民代表大会第三次会议关于政府工作报告的决议", "resolutions, decisions, communiqués, notices",
         value="other"),
    # -- speakers ----------------------------------------------------------------------------
    Rule("speaker_title_subject", "speakers", "title",
         rf"^(?:{ROLE})?(?P<name>{NAME})(?:{ROLE_TITLE})?(?=在|致|向|出席|会见|主持|发表|同|与|给|就|视察|考察|签署|接受|这样|谈|对|[：:])",
         6, "王小明在全市工作会议上的讲话", "the subject of the title"),
    Rule("speaker_title_spaced", "speakers", "title", rf"\s(?P<name>{NAME})(?=出席|主持|会见|致辞|讲话|发表)", 6,
         "第二届论坛开幕 王小明出席并讲话"),
    Rule("speaker_title_interviewee", "speakers", "title", rf"——访(?:[^，。]{{0,20}}?{ROLE_TITLE})?(?P<name>{NAME})$",
         6, "以改革推动发展——访某市市长王小明"),
    Rule("speaker_attribution", "speakers", "body",
         rf"^——\s*{DATE_TEXT}[，,]\s*(?:{ROLE})?(?P<name>{NAME})(?:主席|总书记|总理|同志)?"
         r"(?=在|向|致|会见|出席|接受|同|与|主持|给|对|为|视察|考察)", 5,
         "——2019年5月20日，王小明在首届论坛开幕式上的讲话", "the speaker of a compilation's attributions"),
    Rule("speaker_answers", "speakers", "body", rf"^(?P<name>{NAME})[：:]", 4, "王小明：很好。",
         "an interview's answers", min_count=2),
    Rule("speaker_role_in_text", "speakers", "body",
         rf"{ROLE_TITLE}(?P<name>{NAME})(?=出席|在|发表|主持|指出|强调|表示|说|会见|致|向|讲话|介绍|要求|提出|宣布)", 3,
         "市长王小明出席会议并讲话。", "a full (three-character) name after a role title"),
    Rule("speaker_opening", "speakers", "body",
         rf"^(?P<name>{NAME})(?:{ROLE_TITLE})?(?:{SPEAKING}|在[^，。]{{2,40}}(?:上|时|中)(?:提出|指出|强调|表示|说|要求))", 3,
         "王小明在讲话中说，要合作。", "a paragraph that opens on a name and a verb of saying"),
    Rule("speaker_lead", "speakers", "lede",
         rf"(?P<name>{KNOWN_RE})(?:主席|总书记|总理|同志)?(?:出席|在|发表|会见|主持|向|致|指出|强调|表示|通过|对[^。，]{{1,30}}作出)", 2,
         "国家主席习近平出席开幕式并发表主旨演讲", "a news report's lead names whom it reports on"),
)

_BY_NAME = {r.name: r for r in RULES}
assert len(_BY_NAME) == len(RULES), "rule names are unique"


def rule(name: str) -> Rule:
    return _BY_NAME[name]


def rules_for(field_or_where: str) -> list[Rule]:
    """The rows that establish a field (``genre``, ``speakers``) or are looked for ``where``."""
    return [r for r in RULES if r.field == field_or_where or r.where == field_or_where]


# ----------------------------------------------------------------------------------------------
# record forms: how a record's columns map to fields without --field

RECORD_FORMS: tuple[tuple[str, str, str], ...] = (
    ("the official speech database's API", "title, input_date, origin_name, newcontent, article_id",
     ('{"title": "习近平：在全国政协新年茶话会上的讲话", "input_date": "2025-12-31 17:58:12", "origin_name": "新华社", '
     '"newcontent": "在全国政协新年茶话会上的讲话（2025年12月31日）习近平同志们，朋友们：…", "article_id": "40634123"}')),
    ("a CSV export of that database", "Date, Text", "2025-12-31,\"新华社北京12月31日电在全国政协新年茶话会上的讲话（2025年12月31日）习近平…\""),
    ("a scraper's dump", "title, date, author, editor, article (an HTML fragment), text (a list of paragraphs)",
     ('{"title": "…", "date": "2025-03-28", "author": "新华社", "editor": "王小二", "article": "<p>…</p>", '
     '"text": ["…", "…"]} — the list\'s paragraph breaks win over the HTML')),
    ("the Xinhua speech corpus", "url, publication, title, text (paragraphs marked by U+3000/U+2003 runs)",
     '{"url": "https://www.news.cn/…", "publication": "2025-12-31 19:35:10", "title": "…", "text": "\\u3000\\u3000…"}'),
    ("Wikisource reports", "title, url, content, year / congress, type", '{"title": "2024年政府工作报告", "year": "2024", …}'),
    ("Markdown or text with YAML front matter", "title, date, author, tags", "---\\ntitle: '…'\\ndate: 2022-07-13\\n---"),
    ("a lunshu export", "the `show --json` shape (JSONL, CSV, Parquet)", "re-ingested as it is: same ids, same paragraphs"),
)


# ----------------------------------------------------------------------------------------------
# docs/understands.md

_SECTIONS = (
    ("Header forms", "head", ("At the start of a text, line by line — or, in a run-on text, one run-in piece after "
     "another: what each piece establishes is taken out of the body and listed in `consumed`.")),
    ("A news lede before a full text", "lede", ""),
    ("Closing lines", "tail", "Anywhere in the body: a whole line, or the end of a paragraph."),
)


def _md(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def understands_markdown() -> str:
    """The page ``docs/understands.md``, generated from the table."""
    from lunshu.ingest.readers import FIELD_ALIASES
    from lunshu.paragraphs import MAX_CHARS, RUN_ON_CHARS, RUN_ON_MEAN, SHORT_CHARS, TARGET_CHARS

    out = ["# What lunshu understands", "",
           ("Generated from the rule table `src/lunshu/rules.py` by `python -m lunshu.rules > docs/understands.md`; "
           "do not edit by hand (a test fails when this page is not current). Every row shows a real example "
           "(a test checks that each pattern matches its example). A new form is one row in the table plus one "
           "gold record in `tests/gold/realdocs_expected.json`."), ""]
    out += ["## Record forms", "", ("Columns are matched by name, case-insensitively, ignoring spaces, `_` and `-`; "
            "`--field key=COLUMN` overrides."), "", "| form | columns | example |", "|---|---|---|"]
    out += [f"| {_md(a)} | {_md(b)} | `{_md(c)}` |" for a, b, c in RECORD_FORMS]
    out += ["", "| field | column names |", "|---|---|"]
    out += [f"| `{k}` | {', '.join(f'`{n}`' for n in v)} |" for k, v in FIELD_ALIASES.items()]
    for title, where, intro in _SECTIONS:
        out += ["", f"## {title}", ""]
        if intro:
            out += [intro, ""]
        out += ["| rule | establishes | weight | example | note |", "|---|---|---|---|---|"]
        out += [f"| `{r.name}` | {_md(r.field)} | {r.weight:g} | {_md(r.example)} | {_md(r.note)} |"
                for r in RULES if r.where == where and r.field not in ("genre", "speakers")]
    out += ["", "## Genre", "", ("Each row that matches adds its weight to its genre; the highest total wins "
            "(`other` when nothing matches). An explicit `genre` field wins over the evidence."), "",
            "| rule | genre | looked for in | weight | example | note |", "|---|---|---|---|---|---|"]
    out += [f"| `{r.name}` | `{r.value}` | {r.where}{f' (at least {r.min_count} paragraphs)' if r.min_count > 1 else ''}"
            f" | {r.weight:g} | {_md(r.example)} | {_md(r.note)} |" for r in RULES if r.field == "genre"]
    out += ["", "## Speakers", "", ("Speakers are people: a known name, or a name that starts with a Chinese surname "
            "and holds no function word (never `我多次`, never an organisation), found by one of these rows; role "
            "titles are stripped into `roles`. The header's by-line and an explicit `speakers` field come first; "
            "among the rest the highest total weight leads."), "",
            "| rule | looked for in | weight | example | note |", "|---|---|---|---|---|"]
    out += [f"| `{r.name}` | {r.where}{f' (at least {r.min_count} paragraphs)' if r.min_count > 1 else ''} | "
            f"{r.weight:g} | {_md(r.example)} | {_md(r.note)} |" for r in RULES if r.field == "speakers"]
    out += ["", "## Paragraphs of run-on text", "",
            (f"A text is run-on when a paragraph is longer than {RUN_ON_CHARS} characters, when its paragraphs "
            f"average over {RUN_ON_MEAN} characters with one over {MAX_CHARS}, or when it is one paragraph over "
            f"{SHORT_CHARS} characters. Its paragraphs are then inferred (`paragraphs_inferred` is true): a break "
            "at the sentence ends a small learned scorer (logistic regression, `lunshu/data/paragraph_model.json`, "
            "trained by `tests/gold/train_paragraphs.py` on the authors' own paragraphs) rates highest: after a "
            "salutation and around one standing alone, before an enumerator (`一、` `（一）` `第一，` `一是` "
            "`首先，` `——`) and a closing (`谢谢大家！`), after a sentence announcing a list, before the words that "
            "open paragraphs (`当前，` `不久前，` a year in speeches; `习近平强调，` `会议指出，` a date in news "
            "reports), where the two sides share few words; one line per toast (`为…，`); paragraphs drawn to "
            f"about {TARGET_CHARS} characters, none over {MAX_CHARS} unless one sentence is. Never inside "
            "quotation marks, `《》` or brackets. Joined, the paragraphs give back the text exactly."), ""]
    out += _web_pages()
    return "\n".join(out)


def _web_pages() -> list[str]:
    """Whole saved web pages (lunshu.ingest.page): its site rules and what it reads from any page."""
    from lunshu.ingest.page import understands_rows

    return ["## Whole web pages", "",
            ("A saved page (`<!doctype html>`, `<html>`, `<head>` or `<body>` at its start) is reduced to its article: "
             "the first site rule whose container holds text (not links) wins, else trafilatura reads any layout. "
             "Out of the article: scripts, images, share/print/editor/pager blocks and what the page hides, "
             "`点击观看视频`, link-only lines and `延伸阅读` lists, the date line, footer lines. From the page, whatever "
             "the site: title from `<h1>` (not the site's name), else `og:title`, else `<title>` without "
             "`_频道_网站`, else the first centred or bold line; subtitle `<h3>——在…上的讲话`; date, source, editor "
             "and author from the page's own line nearest the article, in any order (`发布时间：2017年10月25日 16:59"
             "　来源：新华社　编辑：田延华`, `2021年04月02日08:22 | 来源：人民网－人民日报`, `【来源：X】【时间：2022/1/5】`), "
             "never the site's name; else the date meta tags, else the date in the URL (`/2021-04/02/`, "
             "`/n1/2021/0402/`, `t20210402_`); URL from the canonical link or `saved from url=`."), "",
            *understands_rows(), ""]


if __name__ == "__main__":
    print(understands_markdown())
