"""Drawing the next annotation batch: whole articles, least confident first, a random share, nothing seen twice."""

import gzip
from pathlib import Path

from persian_ie.corpus.export import ExportPlan, article_records, candidate_pool, seen_lines, select_batch
from persian_ie.io.prodigy import task_confidence
from persian_ie.io.rawtext import read_articles


def write_asset(path: Path, articles) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as file:
        for title, paragraphs in articles:
            file.write(title + "\n" + "".join(p + "\n" for p in paragraphs))


def fake_tasks(n_articles: int, per_article: int = 4):
    """Pre-annotated tasks with one scored span each: article i is less confident the smaller i is."""
    tasks = []
    for a in range(n_articles):
        for p in range(per_article):
            tasks.append({"text": f"a{a} p{p}", "spans": [{"score": 0.1 + a / n_articles}], "relations": [],
                          "meta": {"article": f"L{a * 10}", "paragraph": p,
                                   "outlet": "varzesh3" if a % 10 == 9 else "fars"}})
    return tasks


def test_articles_are_title_then_paragraphs_and_outlets_follow_the_asset_order(tmp_path: Path) -> None:
    asset = tmp_path / "raw.txt.gz"
    write_asset(asset, [
        ("بانک ملت سود سهام را پرداخت کرد", ["خبرگزاری فارس: بانک ملت سود سهام را پرداخت کرد.",
                                            "به گزارش فارس، این بانک ۲۰ درصد سود داد."]),
        ("استقلال برنده شد", ["به گزارش ورزش سه، استقلال دو گل زد.", "این بازی در تهران بود."]),
        ("خواص زنجبیل برای سلامتی", ["زنجبیل برای معده مفید است.", "روزی یک فنجان کافی است."]),
    ])
    articles = read_articles(asset)
    assert [a.article_id for a in articles] == ["L0", "L3", "L6"]
    assert [a.outlet for a in articles] == ["fars", "varzesh3", "namnak"]
    assert articles[0].lines[0] == "بانک ملت سود سهام را پرداخت کرد" and len(articles[0].lines) == 3
    records = article_records(articles[0], "raw.txt.gz")
    assert [r["meta"]["paragraph"] for r in records] == [0, 1, 2]
    assert all(r["meta"]["origin"] == "real" and r["meta"]["doc_id"] == "real-L0" for r in records)
    # an article with any line already seen (corpus, earlier batch, realdev) is never drawn
    pool = candidate_pool(articles, seen_lines(["به گزارش فارس،  این بانک ۲۰ درصد سود داد."]), ExportPlan(n=10))
    assert "L0" not in {a.article_id for a in pool}


def test_batch_is_least_confident_first_with_a_random_third() -> None:
    tasks = fake_tasks(40)
    plan = ExportPlan(n=60, random_share=0.34, variety_share=0.08, seed=3)
    batch = select_batch(tasks, plan, task_confidence)
    drawn = [t["meta"]["drawn"] for t in batch]
    assert drawn.count("random") + drawn.count("variety") >= len(batch) / 3
    by_article = {}
    for task in batch:
        by_article.setdefault(task["meta"]["article"], []).append(task["meta"]["paragraph"])
    assert all(paragraphs == [0, 1, 2, 3] for paragraphs in by_article.values())  # whole articles, in order
    least = {t["meta"]["article"] for t in batch if t["meta"]["drawn"] == "least_confident"}
    fars = sorted({t["meta"]["article"] for t in tasks if t["meta"]["outlet"] == "fars"},
                  key=lambda a: int(a[1:]))
    assert least == set(fars[: len(least)])  # the least confident articles are the first ones drawn
    confidences = [task_confidence(t) for t in batch]
    assert confidences == sorted(confidences)  # least confident first
    assert select_batch(tasks, plan, task_confidence) == batch  # a fixed seed draws the same batch


def test_a_relation_focused_round_takes_least_confident_articles_dense_in_candidate_pairs() -> None:
    tasks = fake_tasks(40)
    for task in tasks:  # even articles: an ORG and a QUANTITY per paragraph (one candidate pair); odd: one PERSON
        a = int(task["meta"]["article"][1:]) // 10
        labels = ["ORG", "QUANTITY"] if a % 2 == 0 else ["PERSON"]
        task["spans"] = [{"label": label, "score": 0.1 + a / 40} for label in labels]
    plan = ExportPlan(n=60, random_share=0.34, variety_share=0.08, seed=3, min_pairs=1.0)
    batch = select_batch(tasks, plan, task_confidence)
    least = sorted({t["meta"]["article"] for t in batch if t["meta"]["drawn"] == "least_confident"},
                   key=lambda a: int(a[1:]))
    assert least and all(int(a[1:]) // 10 % 2 == 0 for a in least)
    assert least == [f"L{a * 10}" for a in range(0, 2 * len(least), 2)]  # still least confident first
    assert any(t["meta"]["drawn"] == "random" for t in batch)  # the random share is untouched


def test_the_topic_threshold_widens_the_pool_beyond_economic_articles(tmp_path: Path) -> None:
    asset = tmp_path / "raw.txt.gz"
    economy = ("بانک ملت سود سهام را پرداخت کرد", ["خبرگزاری فارس: بانک ملت ۲۰ میلیارد ریال سود سهام پرداخت کرد.",
                                                  "به گزارش فارس، صادرات و تولید این بانک رشد کرد."])
    politics = ("سفر رئیس‌جمهور به مسکو", ["به گزارش خبرگزاری فارس، رئیس‌جمهور امروز به مسکو رفت.",
                                          "وی در این سفر با همتای روس خود دیدار و گفت‌وگو خواهد کرد."])
    write_asset(asset, [economy, politics])
    articles = read_articles(asset)
    default = {a.article_id for a in candidate_pool(articles, set(), ExportPlan(n=10))}
    wide = {a.article_id for a in candidate_pool(articles, set(), ExportPlan(n=10, min_topic_score=0.0))}
    assert default == {"L0"}  # the political article has no economy term
    assert wide == {"L0", "L3"}


def test_once_fars_is_used_up_the_topical_pool_comes_from_the_outlets_named(tmp_path: Path) -> None:
    asset = tmp_path / "raw.txt.gz"
    write_asset(asset, [
        ("بانک ملت سود سهام را پرداخت کرد", ["خبرگزاری فارس: بانک ملت ۲۰ میلیارد ریال سود سهام پرداخت کرد.",
                                            "به گزارش فارس، صادرات و تولید این بانک رشد کرد.", "این بانک سود داد."]),
        ("استقلال برنده شد", ["به گزارش ورزش سه، استقلال دو گل زد.", "این بازی در تهران بود.",
                              "مجیدی سرمربی استقلال از بازیکنان تشکر کرد."]),
        ("خواص زنجبیل برای سلامتی", ["زنجبیل برای معده مفید است.", "روزی یک فنجان کافی است.",
                                    "این گیاه در آشپزی هم کاربرد دارد."]),
    ])
    articles = read_articles(asset)
    fars_used = seen_lines(["به گزارش فارس، صادرات و تولید این بانک رشد کرد."])
    plan = ExportPlan(n=10, min_topic_score=0.0, variety_share=0.0, outlets=("varzesh3",))
    pool = candidate_pool(articles, fars_used, plan)
    assert [a.outlet for a in pool] == ["varzesh3", "namnak"]  # the topical article first, one for variety
    tasks = [{"text": r["text"], "spans": [{"score": 0.5}], "relations": [], "meta": r["meta"]}
             for a in pool for r in article_records(a, "raw.txt.gz")]
    batch = select_batch(tasks, ExportPlan(n=3, random_share=0.0, variety_share=0.0, outlets=("varzesh3",)),
                         task_confidence)
    assert {t["meta"]["outlet"] for t in batch} == {"varzesh3"}
    assert {t["meta"]["drawn"] for t in batch} == {"least_confident"}  # sports is the topical share now


def test_short_articles_enter_the_pool_only_when_asked(tmp_path: Path) -> None:
    asset = tmp_path / "raw.txt.gz"
    long_item = ("بانک ملت سود سهام را پرداخت کرد", ["خبرگزاری فارس: بانک ملت ۲۰ میلیارد ریال سود سهام پرداخت کرد.",
                                                    "به گزارش فارس، صادرات و تولید این بانک رشد کرد."])
    short_item = ("دستور کار کمیسیون کشاورزی مجلس", ["بررسی طرح حمایت از تولید و صادرات محصولات کشاورزی در کمیسیون."])
    write_asset(asset, [long_item, short_item])
    articles = read_articles(asset)
    default = {a.article_id for a in candidate_pool(articles, set(), ExportPlan(n=10, min_topic_score=0.0))}
    short = {a.article_id for a in candidate_pool(articles, set(),
                                                  ExportPlan(n=10, min_topic_score=0.0, min_paragraphs=2))}
    assert default == {"L0"}  # title and one paragraph: two usable lines, fewer than three
    assert short == {"L0", "L3"}
