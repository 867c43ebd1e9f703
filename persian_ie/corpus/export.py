"""The next annotation batch of real news: whole articles from the raw-news asset, pre-annotated.

Articles are drawn from a topical pool (by default Fars news on the economy, industry, trade,
agriculture, energy, banks, ministries, provinces, cooperatives and employment, plus a share of the
other outlets, sports and health, for variety), every paragraph is pre-annotated by the model, and
the batch takes the least confident articles first plus a random share of the rest, so it is not
made of hard cases only.
Articles already in the corpus, already exported, or in the real-news development set are never
drawn. Once an outlet's articles are used up, `ExportPlan.outlets` names the outlets the topical pool
comes from instead (the sports outlet for a round of line-ups and transfers).
"""

import random
from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Set, Tuple

from ..io.prodigy import Task
from ..io.rawtext import Article
from ..schema import CANDIDATE_PAIRS
from .build import ORIGIN_REAL

LICENSE = "Apache-2.0 (language-ml/course-nlp-ir-1-text-exploring)"
ECONOMY_TERMS = (
    "اقتصاد", "صنعت", "صنايع", "صنایع", "تولید", "توليد", "بانک", "بانك", "شرکت", "شركت", "تجارت", "صادرات",
    "واردات", "کشاورزی", "كشاورزي", "نفت", "گاز", "برق", "انرژی", "وزارت", "وزیر", "وزير", "استاندار",
    "تعاون", "اشتغال", "سرمایه", "سرمايه", "میلیارد", "ميليارد", "ریال", "ريال", "تومان", "بورس", "معدن",
    "کارخانه", "كارخانه", "طرح", "پروژه", "خوشه", "بازرگانی", "بازرگاني", "تسهیلات", "تسهيلات",
)
MIN_PARAGRAPH_WORDS = 4
MAX_PARAGRAPH_WORDS = 160
MAX_ARTICLE_PARAGRAPHS = 12


@dataclass
class ExportPlan:
    """How a batch is drawn: its size, the random share, the topical outlets and the share of the others."""

    n: int = 200
    random_share: float = 0.34
    variety_share: float = 0.08
    seed: int = 0
    min_pairs: float = 0.0
    """Least-confident articles must average this many relation candidates per paragraph (0: any)."""
    pool_factor: int = 4
    """The topical pool holds about this many times the batch (a focused round needs a wider pool)."""
    min_topic_score: float = 1.5
    """Fars articles need this many economy terms per 100 words to enter the pool (lower it once the
    squarely economic articles are used up: ministries, provinces and politics name officials too)."""
    outlets: Tuple[str, ...] = ("fars",)
    """The outlets of the topical pool; the variety share comes from every other outlet."""
    min_paragraphs: int = 3
    """Articles need this many usable paragraphs (lower it once the longer articles are used up: a
    two-line item, a headline and its lead, is still a whole article)."""


def economy_score(article: Article) -> float:
    """Economy terms per 100 words: how squarely the article is economic news."""
    text = " ".join(article.lines)
    words = max(len(text.split()), 1)
    return 100.0 * sum(text.count(term) for term in ECONOMY_TERMS) / words


def usable_lines(article: Article) -> List[int]:
    """Indices of the article's lines worth annotating (the title counts; a line of 3 words does not)."""
    return [i for i, line in enumerate(article.lines)
            if MIN_PARAGRAPH_WORDS <= len(line.split()) <= MAX_PARAGRAPH_WORDS][:MAX_ARTICLE_PARAGRAPHS]


def candidate_pool(articles: Sequence[Article], excluded_lines: Set[str], plan: ExportPlan) -> List[Article]:
    """Topical articles (most economic first) and variety ones, about `plan.pool_factor` x the batch.

    Topical articles come from `plan.outlets` (Fars by default), variety ones from the other outlets.

    An article is left out when any of its lines is in `excluded_lines` (the corpus, earlier
    batches, the development set) or when it has fewer than `plan.min_paragraphs` usable lines.
    """
    size = {a.first_line: len(usable_lines(a)) for a in articles}
    least = max(plan.min_paragraphs, 1)
    fresh = [a for a in articles
             if size[a.first_line] >= least and not any(line in excluded_lines for line in a.lines)]
    topical = [a for a in fresh if a.outlet in plan.outlets]
    other = [a for a in fresh if a.outlet not in plan.outlets]
    score = {a.first_line: economy_score(a) for a in topical}
    topical.sort(key=lambda a: (-score[a.first_line], a.first_line))
    rng = random.Random(plan.seed)
    target = plan.pool_factor * plan.n
    pool: List[Article] = []
    drawn = 0
    for article in topical:
        if score[article.first_line] < plan.min_topic_score or drawn >= target:
            break
        pool.append(article)
        drawn += size[article.first_line]
    variety = rng.sample(other, min(len(other), max(1, int(plan.pool_factor * plan.n * plan.variety_share / 5))))
    return pool + variety


def article_records(article: Article, source: str) -> List[Dict]:
    """Input records for `predict`: one per usable line, with the meta every real paragraph carries."""
    return [
        {"text": article.lines[i],
         "meta": {"origin": ORIGIN_REAL, "source": source, "outlet": article.outlet,
                  "article": article.article_id, "paragraph": i, "line": article.first_line + i,
                  "doc_id": f"real-{article.article_id}", "license": LICENSE}}
        for i in usable_lines(article)
    ]


def relation_candidates(task: Task) -> int:
    """Predicted entity pairs in the paragraph that the schema could link (a relation-focused round wants many)."""
    labels = [span.get("label") for span in task.get("spans", [])]
    return sum(labels.count(head) * labels.count(child) for head, child in CANDIDATE_PAIRS)


def article_confidence(tasks: Iterable[Task], confidence) -> float:
    """The mean of the paragraphs' confidences: an article full of doubtful paragraphs goes first."""
    values = [confidence(task) for task in tasks]
    return sum(values) / len(values) if values else 1.0


def select_batch(tasks: Sequence[Task], plan: ExportPlan, confidence) -> List[Task]:
    """Whole articles: the least confident first, then a random share (by paragraphs) of the others.

    With `plan.min_pairs`, the least-confident share only takes articles dense in relation
    candidates (a round aimed at relations); the random and variety shares stay as they are.

    `tasks` are pre-annotated paragraphs with `meta.article`; the result keeps each article's
    paragraphs together and in order, least confident articles first.
    """
    by_article: Dict[str, List[Task]] = {}
    for task in tasks:
        by_article.setdefault(task["meta"]["article"], []).append(task)
    scored = sorted(by_article, key=lambda a: (article_confidence(by_article[a], confidence), a))
    variety = [a for a in scored if by_article[a][0]["meta"].get("outlet") not in plan.outlets]
    topical = [a for a in scored if a not in variety]
    rng = random.Random(plan.seed)

    drawn: Dict[str, str] = {}

    def take(candidates: List[str], budget: int, how: str) -> None:
        count = 0
        for article in candidates:
            if count >= budget:
                break
            if article not in drawn:
                drawn[article] = how
                count += len(by_article[article])

    n_variety = int(plan.n * plan.variety_share)
    n_random = int(round(plan.n * plan.random_share))
    dense = [a for a in topical
             if sum(map(relation_candidates, by_article[a])) >= plan.min_pairs * len(by_article[a])]
    take(dense, plan.n - n_variety - n_random, "least_confident")
    rest = [a for a in topical if a not in drawn]
    take(rng.sample(rest, len(rest)), n_random, "random")
    take(rng.sample(variety, len(variety)), n_variety, "variety")
    ordered = sorted(drawn, key=lambda a: (article_confidence(by_article[a], confidence), a))
    batch = []
    for article in ordered:
        for task in sorted(by_article[article], key=lambda t: t["meta"]["paragraph"]):
            task = dict(task)
            task["meta"] = {**task["meta"], "drawn": drawn[article]}
            batch.append(task)
    return batch


def seen_lines(texts: Iterable[str]) -> Set[str]:
    """Whitespace-folded texts, as the asset writes its lines (for leaving known articles out)."""
    return {" ".join(text.split()) for text in texts if text}
