"""Real documents as users bring them: run-on text split into paragraphs, run-in headers, record
shapes seen in the wild (the official database's API, scraped dumps), the editor line, and
provenance of a quotation taken from a run-on speech — through the library and the real CLI."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from conftest import requires_shared, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu.metadata import analyze
from lunshu.paragraphs import MAX_CHARS, infer_paragraphs, is_run_on, split_run_on

# pieces real speeches are made of, run together in any order by hypothesis
_PIECES = [
    "同志们，朋友们：", "女士们，先生们，朋友们：", "尊敬的李在明总统，各位同事：", "同志们、朋友们！", "大家好！",
    "一、深刻认识开展这次主题教育的重大意义", "（一）坚持党的全面领导。", "第一，坚持人民至上。", "首先，我代表党中央表示祝贺。",
    "——我们要坚持和平发展。", "今天，我们在这里隆重集会。", "当前，世界百年变局加速演进。", "2025年是很不平凡的一年。",
    "我们要坚定信心，迎难而上，推动高质量发展。", "他说：“我们要团结。我们要奋斗！”", "《求是》杂志发表文章。大家都读了。》",
    "“这是一句话。", "这是另一句话。”", "谢谢大家！", "现在，我提议：为中国繁荣富强，为各位的健康，干杯！", "（", "）", "“", "”",
    "《", "》", "\u3000", " ", "\n", "abc", "……", "！？", "。", "",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60), st.text(max_size=30))
def test_joining_the_inferred_paragraphs_gives_back_the_input_exactly(pieces: list[str], noise: str) -> None:
    text = "".join(pieces) + noise
    parts = infer_paragraphs(text)
    assert "".join(parts) == text
    assert all(parts), parts


def _well_nested(text: str) -> bool:
    stack: list[str] = []
    for ch in text:
        if ch in "“《（":
            stack.append({"“": "”", "《": "》", "（": "）"}[ch])
        elif ch in "”》）" and (not stack or stack.pop() != ch):
            return False
    return not stack


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES[:-12]), min_size=1, max_size=80))
def test_never_a_break_inside_quotation_marks_or_book_title_marks(pieces: list[str]) -> None:
    text = "".join(pieces)
    if not _well_nested(text):  # crossed marks (“（…”）) have no reader's depth: the splitter recovers its own way
        return
    parts = infer_paragraphs(text)
    for k in range(1, len(parts)):
        before = "".join(parts[:k])
        # depth of “” and 《》 at the break, counted as a reader would (balanced pairs only)
        assert before.count("“") <= before.count("”") or text.count("“") != text.count("”"), (before, parts[k])
        assert before.count("《") <= before.count("》") or text.count("《") != text.count("》"), (before, parts[k])


def test_breaks_after_salutations_before_enumerators_and_at_closings() -> None:
    body = ("同志们，朋友们：大家好！今天，我们在这里隆重集会。我们要坚定信心，迎难而上。" * 3
            + "第一，坚持人民至上。人民是历史的创造者。首先，我代表党中央表示祝贺。" * 2
            + "同志们、朋友们！我们要团结奋斗。谢谢大家！")
    parts = infer_paragraphs(body)
    assert parts[0] == "同志们，朋友们："
    assert "同志们、朋友们！" in parts
    assert parts[-1] == "谢谢大家！"
    assert any(p.startswith("第一，坚持人民至上") for p in parts)


def test_no_inferred_paragraph_exceeds_the_documented_size() -> None:
    sentence = "我们要坚持以人民为中心的发展思想，推动经济社会高质量发展，不断满足人民日益增长的美好生活需要。"
    parts = infer_paragraphs(sentence * 40)
    assert len(parts) > 1 and max(map(len, parts)) <= MAX_CHARS


def test_a_quotation_is_never_cut_even_past_the_size() -> None:
    quoted = "他说：“" + "我们要奋斗。" * 120 + "”大家鼓掌。"
    parts = infer_paragraphs(quoted)
    assert any("我们要奋斗。" * 120 in p for p in parts)


def test_only_run_on_documents_are_split() -> None:
    marked = ["第一段。" * 30, "第二段。" * 40, "第三段。" * 20]
    assert not is_run_on(marked)
    assert split_run_on(marked) == (marked, False)
    assert is_run_on(["同志们：" + "我们要奋斗。" * 300])


def test_a_run_in_xinhua_header_is_split_into_its_fields() -> None:
    text = ("新华社韩国庆州11月1日电\u3000共同开创可持续的美好明天——在亚太经合组织第三十二次领导人非正式会议"
            "第二阶段会议上的讲话（2025年11月1日，庆州）中华人民共和国主席\u3000习近平尊敬的李在明总统，各位同事："
            + "当前，新一轮科技革命和产业变革深入发展。亚太各经济体应该加强互利合作。" * 12 + "谢谢大家！")
    _, meta, body = analyze(text, "text", {"date": "2025-11-01"})
    assert meta.title == "共同开创可持续的美好明天——在亚太经合组织第三十二次领导人非正式会议第二阶段会议上的讲话"
    assert meta.delivered == "2025-11-01"
    assert meta.place == "庆州"
    assert meta.speakers == ["习近平"]
    assert meta.roles == {"习近平": ["中华人民共和国主席"]}
    assert meta.source == "新华社"
    assert meta.genre == "speech"
    assert meta.paragraphs_inferred
    assert body[0] == "尊敬的李在明总统，各位同事："
    assert any("新华社韩国庆州11月1日电" in c for c in meta.consumed)


def test_a_signed_article_and_a_new_year_address_run_on() -> None:
    _, meta, body = analyze("扎实推动教育强国建设※习近平今天，中央政治局进行第五次集体学习，内容是建设教育强国。"
                            + "教育兴则国家兴，教育强则国家强。" * 30, "text", {})
    assert (meta.title, meta.speakers, meta.genre) == ("扎实推动教育强国建设", ["习近平"], "article")
    assert body[0].startswith("今天，中央政治局")
    _, meta, body = analyze("新华社北京12月31日电新年前夕，国家主席习近平通过中央广播电视总台和互联网，发表了二〇二六年新年贺词。"
                            "全文如下：大家好！岁序更替，华章日新。" + "我们踔厉奋发、勇毅前行。" * 30, "text", {})
    assert (meta.title, meta.speakers, meta.genre) == ("二〇二六年新年贺词", ["习近平"], "speech")


def test_speakers_are_people_not_pronoun_phrases() -> None:
    _, meta, _ = analyze("我多次说过，要坚持改革开放。我多次强调，要坚持人民至上。" * 20, "text", {})
    assert "我多次" not in meta.speakers


def test_the_editor_line_is_stored_not_dropped() -> None:
    _, meta, body = analyze("正文第一段。\n\n正文第二段。（责任编辑：王小二、李四）", "text", {})
    assert meta.editor == "王小二、李四" and body[-1] == "正文第二段。"
    _, meta, _ = analyze("正文第一段。\n\n责任编辑：赵六", "text", {})
    assert meta.editor == "赵六"


def test_record_shapes_seen_in_the_wild_map_without_field(tmp_path: Path) -> None:
    api = [{"title": "习近平：在纪念大会上的讲话", "input_date": "2025-09-03 11:20:00", "origin_name": "新华社",
            "newcontent": "同志们，朋友们：" + "今天，我们隆重集会。我们要团结奋斗。" * 40, "article_id": "30012345"}]
    (tmp_path / "api.json").write_text(json.dumps(api, ensure_ascii=False), encoding="utf-8")
    scraped = [{"title": "习近平会见外宾", "date": "2025-03-28", "author": "新华社", "editor": "王小二",
                "article": "<p>3月28日，国家主席习近平会见外宾。</p><p>习近平指出，中方愿同各方合作。</p>",
                "text": ["3月28日，国家主席习近平会见外宾。", "习近平指出，中方愿同各方合作。"],
                "url": "https://www.news.cn/x.html"}]
    (tmp_path / "scraped.json").write_text(json.dumps(scraped, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "x.db"
    r = run_cli("ingest", str(tmp_path / "api.json"), str(tmp_path / "scraped.json"), "--json", db=db)
    assert r.returncode == 0, r.stderr
    doc = json.loads(run_cli("show", "30012345", "--json", db=db).stdout)
    assert (doc["title"], doc["date"], doc["source"]) == ("习近平：在纪念大会上的讲话", "2025-09-03", "新华社")
    assert doc["speakers"] == ["习近平"] and doc["genre"] == "speech"
    assert doc["paragraphs_inferred"] is True and doc["paragraphs"][0]["text"] == "同志们，朋友们："
    docs = json.loads(run_cli("docs", "--json", db=db).stdout)
    other = next(d for d in docs if d["id"] != "30012345")
    assert other["editor"] == "王小二" and other["paragraphs_inferred"] is False and other["paragraphs"] == 2
    assert other["genre"] == "report" and other["speakers"] == ["习近平"]
    hits = json.loads(run_cli("search", "团结奋斗", "--json", "--by", "doc", db=db).stdout)["hits"]
    assert hits and hits[0]["paragraphs_inferred"] is True
    out = tmp_path / "export.csv"
    assert run_cli("export", "--format", "csv", "--out", str(out), db=db).returncode == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["editor"] for r in rows} == {"", "王小二"}
    assert "paragraphs_inferred" in rows[0]


@requires_shared
def test_a_quotation_from_a_run_on_speech_is_verified_with_its_paragraph(tmp_path: Path, shared_dir: Path) -> None:
    records = json.loads((shared_dir / "corpora" / "xinhua-xi-speeches-2022-2025.json").read_text(encoding="utf-8"))
    speech = next(r for r in records if "全国政协新年茶话会" in r["title"] and r["publication"].startswith("2025"))
    with open(tmp_path / "export.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Date", "Text"])
        w.writerow([speech["publication"][:10], re.sub("[\u3000\u2003]+", "", speech["text"])])
    db = tmp_path / "t.db"
    assert run_cli("ingest", str(tmp_path / "export.csv"), db=db).returncode == 0
    doc = json.loads(run_cli("docs", "--json", db=db).stdout)[0]
    assert doc["genre"] == "speech" and doc["paragraphs_inferred"] and doc["paragraphs"] > 5
    quote = "很高兴与大家欢聚一堂，畅叙友情、共商国是，共同迎接新的一年"
    r = run_cli("trace", quote, "--date", "2025-12-31", "--json", db=db)
    assert r.returncode == 0, r.stderr
    t = json.loads(r.stdout)
    assert t["status"] == "verified", t
    src = t["sources"][0]
    assert src["doc_id"] == doc["id"]
    assert quote in src["text"] and len(src["text"]) < 600  # the paragraph, not the whole speech


def test_a_header_form_that_is_one_row_of_the_table() -> None:
    """``dateline_titled`` has no code of its own: its named groups are its fields."""
    meta, body = analyze("中新社北京3月5日电 题：两会观察：新质生产力如何落地\n\n作者 王小二\n\n" + "代表们认为，要因地制宜。" * 3,
                         "text", {})[1:]
    assert meta.title == "两会观察：新质生产力如何落地" and meta.source == "中新社"
    assert any(c.startswith("中新社北京3月5日电") for c in meta.consumed) and body[-1].startswith("代表们认为")


def test_a_run_in_work_report_header() -> None:
    text = ("政府工作报告——2024年3月5日在第十四届全国人民代表大会第二次会议上国务院总理李强各位代表："
            + "现在，我代表国务院，向大会报告政府工作，请予审议。过去一年，我国发展历程很不平凡。" * 12)
    meta, body = analyze(text, "text", {"date": "2024"})[1:]
    assert (meta.title, meta.delivered, meta.date, meta.speakers) == ("政府工作报告", "2024-03-05", "2024-03-05", ["李强"])
    assert meta.occasion == "第十四届全国人民代表大会第二次会议" and meta.roles == {"李强": ["国务院总理"]}
    assert body[0] == "各位代表："


def test_the_paragraph_model_is_small_and_speaks_the_features_of_the_code() -> None:
    """The learned boundary scorer ships as a small file whose every weight is a feature
    ``boundary_features`` can give (retrain with tests/gold/train_paragraphs.py after changing them)."""
    from lunshu import paragraphs as P

    path = P._MODEL_PATH
    assert path.stat().st_size < 100_000
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["held_out_f1"] and 0 < data["target"] <= MAX_CHARS
    pieces = ["同志们，朋友们：", "当前，世界百年变局加速演进。", "我们要坚持对外开放。", "第一，坚持合作。", "谢谢大家！"]
    grams = [P._bigrams(p) for p in pieces]
    made = {f for i in range(1, len(pieces)) for f in P.boundary_features(pieces, grams, i)}
    prefixes = {f.split(":", 1)[0] + ":" for f in made if ":" in f}
    for name in data["weights"]:
        assert name in made or name.split(":", 1)[0] + ":" in prefixes or re.fullmatch(r"[a-z_]+[0-9]?(?:_[0-9])?", name), name
    # the strongest signals go the way a reader's do
    w = data["weights"]
    assert w["enum_next"] > 1 and w["sal_next"] > 1 and w.get("closing_next", 0) + w.get("n2:谢谢", 0) > 0
